"""Issue 12, item 1, in headless Chromium: an inspector types a checklist note and presses Tab while the
server is stopped, then while the database is down. The page says the note is not saved (in the user's
language), keeps the typed value, marks the field, warns before leaving, and saves the note by itself once
the server is back (and at once with the Retry button); the visit header never claims "all saved" meanwhile.
During the database outage a page load shows the app's own 503 page, which retries by itself."""
from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from data_access.db import make_engine, make_sessionmaker
from data_access.models import ChecklistItem, FileReviewResult, User, EvidenceFile
from tests.browser import StoppableServer, browser_engine, chrome, require_chromium, shot, truncate_all
from tests.inspection.test_browser_inspection import STALE, by_id, loc, pid, sign_in, type_and_leave
from tests.inspection.test_inspection_fixtures import build_world, new_visit

require_chromium()

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

DEAD_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:9/baoxue?connect_timeout=2"  # nothing listens on 9


@pytest.fixture(scope="module")
def visit_server(dash_app, tmp_path_factory, _pg_engine) -> Iterator[tuple[StoppableServer, object, int, int]]:  # noqa: ANN001
    """A draft visit of the inspected county, served by a stoppable server."""
    engine = browser_engine(_pg_engine, tmp_path_factory.mktemp("saves"))
    factory = make_sessionmaker(engine)
    world = build_world(factory)
    visit_id = new_visit(factory, world)
    with factory() as s:
        item = s.scalar(select(ChecklistItem.id).order_by(ChecklistItem.position))
    handles = dash_app.server.extensions["baoxue"]
    handles.use_engine(engine)
    server = StoppableServer(dash_app.server)
    try:
        yield server, factory, visit_id, item
    finally:
        server.stop()
        handles.use_engine(engine)
        if _pg_engine is not None:
            truncate_all(_pg_engine)


@pytest.fixture
def browser(tmp_path) -> Iterator:  # noqa: ANN001
    """Headless Chromium at laptop size."""
    driver = chrome(tmp_path / "profile", size="1280,800")
    yield driver
    driver.quit()


def state_text(d) -> str:  # noqa: ANN001
    """What the save-state box says now."""
    found = d.find_elements(*loc("bx-save-message"))
    return found[0].text if found else ""


def wait_state(d, words: str, timeout: float = 40) -> None:  # noqa: ANN001
    """Wait until the save-state box says these words."""
    WebDriverWait(d, timeout, ignored_exceptions=STALE, poll_frequency=0.25).until(lambda dr: words in state_text(dr))


def stored_note(factory, visit_id: int) -> str | None:  # noqa: ANN001
    """The checklist note the database holds."""
    with factory() as s:
        return s.scalar(select(FileReviewResult.note).where(FileReviewResult.visit_id == visit_id))


def leaving_asks(d) -> bool:  # noqa: ANN001
    """Whether leaving the page now would ask first (the beforeunload handler cancels the event)."""
    return d.execute_script("var e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e);"
                            " return e.defaultPrevented;")


def test_a_note_typed_while_the_server_is_down_is_kept_told_and_saved_when_it_is_back(visit_server, browser,
                                                                                       dash_app) -> None:  # noqa: ANN001
    server, factory, visit_id, item = visit_server
    d = browser
    base = f"http://127.0.0.1:{server.port}"
    sign_in(d, base, "insp2")
    d.get(f"{base}/inspection/visit?id={visit_id}")
    note = lambda: by_id(d, pid("visit-item-note", item=item))  # noqa: E731
    note()
    WebDriverWait(d, 20, poll_frequency=0.25).until(lambda dr: dr.execute_script(
        "return !document.querySelector('[data-dash-is-loading]')"))
    time.sleep(1)       # the save callbacks Dash fires unclicked as the page draws have answered 204
    assert "已保存" not in state_text(d), state_text(d)   # nothing was saved: the bar claims nothing
    type_and_leave(note(), "第一次说明")
    WebDriverWait(d, 40, ignored_exceptions=STALE, poll_frequency=0.25).until(
        lambda dr: "已保存" in by_id(dr, pid("visit-item-saved", item=item)).text)
    wait_state(d, "已保存 · ")
    assert stored_note(factory, visit_id) == "第一次说明"
    assert not leaving_asks(d)

    # 1. the server stops; the note is typed and Tab pressed
    server.stop()
    type_and_leave(note(), "服务器停止时填写的说明")
    wait_state(d, "未保存：无法连接服务器")
    assert "连接恢复后会自动保存" in state_text(d)
    assert note().get_attribute("value") == "服务器停止时填写的说明"
    assert note().get_attribute("data-bx-unsaved") == "1"
    assert not by_id(d, pid("visit-item-saved", item=item)).text  # the earlier "已保存" beside it is hidden
    assert not by_id(d, "visit-saved-at").is_displayed() and by_id(d, "visit-not-saved").is_displayed()
    assert leaving_asks(d)
    shot(d, "saves-not-saved-zh")
    by_id(d, "bx-save-retry").click()  # still down: still not saved
    wait_state(d, "未保存")
    server.start()
    wait_state(d, "已保存 · ")  # sent again by itself
    assert stored_note(factory, visit_id) == "服务器停止时填写的说明"
    assert note().get_attribute("data-bx-unsaved") is None and not leaving_asks(d)
    assert "已保存" in by_id(d, pid("visit-item-saved", item=item)).text
    assert "已全部保存" in by_id(d, "visit-saved-at").text and not by_id(d, "visit-not-saved").is_displayed()

    # 2. again, and the Retry button sends it at once when the server is back
    server.stop()
    type_and_leave(note(), "第二次断开")
    wait_state(d, "未保存：无法连接服务器")
    server.start()
    by_id(d, "bx-save-retry").click()
    wait_state(d, "已保存 · ", timeout=10)
    assert stored_note(factory, visit_id) == "第二次断开"

    # 3. the database is down (the server answers 503): "service temporarily unavailable", then saved
    handles = dash_app.server.extensions["baoxue"]
    engine, dead = handles.engine, make_engine(DEAD_DATABASE)
    handles.use_engine(dead)
    try:
        type_and_leave(note(), "数据库中断时填写")
        wait_state(d, "未保存：服务暂时不可用")
        assert note().get_attribute("value") == "数据库中断时填写"
    finally:
        handles.use_engine(engine)
    wait_state(d, "已保存 · ")
    assert stored_note(factory, visit_id) == "数据库中断时填写"
    d.refresh()
    assert note().get_attribute("value") == "数据库中断时填写"


def test_in_english_and_the_outage_page_retries_by_itself(visit_server, browser, dash_app) -> None:  # noqa: ANN001
    server, factory, visit_id, item = visit_server
    with factory() as s, s.begin():
        s.execute(update(User).where(User.username == "insp2").values(language="en"))
    d = browser
    base = f"http://127.0.0.1:{server.port}"
    sign_in(d, base, "insp2")
    d.get(f"{base}/inspection/visit?id={visit_id}")
    note = by_id(d, pid("visit-item-note", item=item))
    server.stop()
    try:
        type_and_leave(note, "Typed while the server was stopped")
        wait_state(d, "Not saved: the server cannot be reached")
        shot(d, "saves-not-saved-en")
    finally:
        server.start()
    wait_state(d, "Saved at ")

    handles = dash_app.server.extensions["baoxue"]
    engine, dead = handles.engine, make_engine(DEAD_DATABASE)
    handles.use_engine(dead)
    try:
        d.get(base + "/")
        assert "Service temporarily unavailable" in by_id(d, "bx-error-title").text
        shot(d, "error-503-en")
    finally:
        handles.use_engine(engine)
    WebDriverWait(d, 40, ignored_exceptions=STALE).until(lambda dr: dr.find_elements(*loc("shell-logout")))  # retried
    with factory() as s, s.begin():
        s.execute(update(User).where(User.username == "insp2").values(language="zh"))
    d.get(base + "/")  # the page remembers the language it was last shown in (the error page needs no database)
    WebDriverWait(d, 40, ignored_exceptions=STALE).until(lambda dr: dr.find_elements(*loc("shell-logout")))
    handles.use_engine(dead)
    try:
        d.get(base + "/")
        assert "服务暂时不可用" in by_id(d, "bx-error-title").text
        shot(d, "error-503-zh")
    finally:
        handles.use_engine(engine)


def test_an_evidence_file_dropped_while_the_server_is_down_is_uploaded_when_it_is_back(visit_server, browser,  # noqa: ANN001
                                                                                     tmp_path, dash_app) -> None:
    server, factory, visit_id, item = visit_server
    dash_app.server.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 evidence scanned on the visit")
    d = browser
    base = f"http://127.0.0.1:{server.port}"
    sign_in(d, base, "insp2")
    d.get(f"{base}/inspection/visit?id={visit_id}")
    upload = by_id(d, pid("visit-upload", owner=f"i{item}"))
    server.stop()
    try:
        upload.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(scan))
        wait_state(d, "未保存：无法连接服务器")
        assert leaving_asks(d)
    finally:
        server.start()
    wait_state(d, "已保存 · ")
    with factory() as s:
        assert s.scalar(select(EvidenceFile.original_name).where(EvidenceFile.visit_id == visit_id)) == "scan.pdf"
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(
        lambda dr: "scan.pdf" in dr.find_element(*loc(pid("visit-evidence", owner=f"i{item}"))).text)


def test_a_save_answered_with_http_500_says_so_and_is_sent_again_with_retry(visit_server, browser,  # noqa: ANN001
                                                                            monkeypatch) -> None:
    server, factory, visit_id, item = visit_server
    d = browser
    base = f"http://127.0.0.1:{server.port}"
    sign_in(d, base, "insp2")
    d.get(f"{base}/inspection/visit?id={visit_id}")
    note = by_id(d, pid("visit-item-note", item=item))

    def bug(*_a: object, **_k: object) -> None:
        raise RuntimeError("a bug in the save")
    from data_access.inspection import sections
    real = sections.save_item
    monkeypatch.setattr(sections, "save_item", bug)
    type_and_leave(note, "服务器出错时填写")
    wait_state(d, "未保存：服务器未能保存这项修改")
    assert by_id(d, pid("visit-item-note", item=item)).get_attribute("value") == "服务器出错时填写"
    monkeypatch.setattr(sections, "save_item", real)
    by_id(d, "bx-save-retry").click()
    wait_state(d, "已保存 · ", timeout=10)
    assert stored_note(factory, visit_id) == "服务器出错时填写"
