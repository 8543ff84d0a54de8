"""Issue 12, item 1, on the case page in headless Chromium: the 保存信息 (Save details) button pressed while
the server is stopped says "not saved", keeps what was typed, asks before leaving, and the details are saved
when the server is back. Typing without saving also asks before leaving."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from data_access.db import make_sessionmaker
from data_access.models import DropoutCase
from tests.browser import StoppableServer, browser_engine, chrome, require_chromium, truncate_all
from tests.cases.test_browser_cases import click
from tests.cases.test_case_fixtures import new_case
from tests.inspection.test_browser_inspection import by_id, pid, sign_in
from tests.inspection.test_browser_saves import leaving_asks, wait_state
from tests.inspection.test_inspection_fixtures import build_world

require_chromium()


@pytest.fixture(scope="module")
def case_server(dash_app, tmp_path_factory, _pg_engine) -> Iterator[tuple[StoppableServer, object, int]]:  # noqa: ANN001
    """A confirmed case at step 3, served by a stoppable server."""
    engine = browser_engine(_pg_engine, tmp_path_factory.mktemp("case-saves"))
    factory = make_sessionmaker(engine)
    world = build_world(factory)
    case_id = new_case(factory, world, "甲二", step=3, ledger="confirmed", source="roster_import")
    dash_app.server.extensions["baoxue"].use_engine(engine)
    server = StoppableServer(dash_app.server)
    try:
        yield server, factory, case_id
    finally:
        server.stop()
        if _pg_engine is not None:
            truncate_all(_pg_engine)


@pytest.fixture
def browser(tmp_path) -> Iterator:  # noqa: ANN001
    """Headless Chromium at laptop size."""
    driver = chrome(tmp_path / "profile", size="1280,900")
    yield driver
    driver.quit()


def test_save_details_while_the_server_is_stopped_is_kept_and_saved_later(case_server, browser) -> None:  # noqa: ANN001
    server, factory, case_id = case_server
    d = browser
    base = f"http://127.0.0.1:{server.port}"
    sign_in(d, base, "officer2")
    d.get(f"{base}/cases/case?id={case_id}")
    helper = by_id(d, pid("case-field", name="helper"))
    d.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", helper)
    helper.clear()
    helper.send_keys("结对帮扶老师李")
    assert leaving_asks(d)  # typed, not saved yet
    server.stop()
    try:
        click(d, pid("case-act", action="save_fields"))
        wait_state(d, "未保存：无法连接服务器")
        assert by_id(d, pid("case-field", name="helper")).get_attribute("value") == "结对帮扶老师李"
        assert leaving_asks(d)
    finally:
        server.start()
    wait_state(d, "已保存 · ")
    with factory() as s:
        assert s.get(DropoutCase, case_id).helper == "结对帮扶老师李"
    assert not leaving_asks(d)
