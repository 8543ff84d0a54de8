"""Browser journey at tablet size (1024×768) in headless Chromium: a zone-2 inspector issues an order
from a finding of a signed visit, the township officer starts it and submits it with an evidence file,
and the inspector verifies and closes it. Skipped without Chromium, like tests/test_browser.py."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from data_access.db import make_sessionmaker
from data_access.inspection.records import add_finding
from data_access.inspection.visits import sign_visit
from data_access.models import OrderEvent, OrderEvidence, RectificationOrder
from tests.browser import browser_engine, chrome, live_server, require_chromium, shot
from tests.inspection.test_browser_inspection import STALE, by_id, loc, sign_in
from tests.inspection.test_inspection_fixtures import GAPS, actor, build_world, edit, new_visit

require_chromium()

from selenium.common.exceptions import ElementClickInterceptedException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

PDF = b"%PDF-1.4\n% Baoxue test evidence\n%%EOF\n"


@pytest.fixture(scope="module")
def live_orders(dash_app, tmp_path_factory, _pg_engine) -> Iterator[tuple[str, object, dict]]:  # noqa: ANN001
    """The app over the inspected county with a signed zone-2 visit holding one hand-entered finding."""
    engine = browser_engine(_pg_engine, tmp_path_factory.mktemp("rectification"))
    factory = make_sessionmaker(engine)
    world = build_world(factory)
    vid = new_visit(factory, world)
    with factory() as s, s.begin():
        fid = add_finding(s, actor(s, world, "insp2"), vid, edit(), "work_gap", None, "high", None,
                          "控辍保学双线责任书未签到村民小组")
        sign_visit(s, actor(s, world, "lead2"), vid, edit(), GAPS)
    dash_app.server.config["EVIDENCE_DIR"] = str(tmp_path_factory.mktemp("evidence"))
    with live_server(dash_app, engine, _pg_engine) as url:
        yield url, factory, {"visit": vid, "finding": fid}


@pytest.fixture
def tablet(tmp_path) -> Iterator:  # noqa: ANN001
    """Headless Chromium at 1024×768."""
    driver = chrome(tmp_path / "profile", size="1024,768")
    driver.set_window_size(1024, 768)
    yield driver
    driver.quit()


def wait(driver, condition, timeout: float = 20):  # noqa: ANN001, ANN201
    """Wait for a condition, ignoring elements Dash re-renders meanwhile."""
    return WebDriverWait(driver, timeout, ignored_exceptions=STALE).until(condition)


def click(driver, locator: tuple[str, str], tries: int = 40) -> None:  # noqa: ANN001
    """Click once nothing covers the element (a loading overlay may, for a while on a busy machine)."""
    for attempt in range(tries):
        try:
            element = wait(driver, EC.element_to_be_clickable(locator))
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
            element.click()
            return
        except ElementClickInterceptedException as exc:
            if attempt == tries - 1:
                covering = driver.execute_script(
                    "const r = arguments[0].getBoundingClientRect();"
                    "const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
                    "return e ? e.outerHTML.slice(0, 300) : null;", element)
                raise AssertionError(f"{locator} stayed covered by {covering}") from exc
            time.sleep(0.5)


def status_of(driver) -> str:  # noqa: ANN001
    """The order page's status (data-status of its badge)."""
    return driver.find_element(*loc("rect-order-status")).get_attribute("data-status")


def act(driver, action: str) -> None:  # noqa: ANN001
    """Press a step's button on the order page."""
    click(driver, loc(json.dumps({"action": action, "type": "rect-act"}, separators=(",", ":"))))


def fits(driver) -> None:  # noqa: ANN001
    """Nothing wider than the tablet's screen."""
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 1024, f"{driver.current_url} is {width}px wide on a 1024px tablet"


def test_finding_to_order_to_evidence_to_verified(live_orders, tablet, tmp_path) -> None:  # noqa: ANN001
    base, factory, ids = live_orders
    d = tablet
    # 1. The inspector opens the signed visit's findings and issues an order from the finding
    sign_in(d, base, "insp2")
    d.get(f"{base}/inspection/visit?id={ids['visit']}")
    by_id(d, "visit-tabs")
    click(d, (By.XPATH, "(//*[@id='visit-tabs']//a[contains(@class, 'nav-link')])[5]"))
    create = (By.CSS_SELECTOR, f"a[href='/rectification?finding={ids['finding']}']")
    wait(d, EC.presence_of_element_located(create))
    shot(d, "rectification-finding-tablet")
    fits(d)
    click(d, create)
    wait(d, EC.visibility_of_element_located(loc("rect-new-title")))
    wait(d, lambda dr: "双线责任书" in dr.find_element(*loc("rect-new-req")).get_attribute("value"))
    assert "乡镇2" in d.find_element(*loc("rect-new-town")).text
    time.sleep(0.5)
    shot(d, "rectification-new-order-tablet")
    click(d, loc("rect-issue"))
    wait(d, EC.url_contains("/rectification/order?id="))
    order_id = int(d.current_url.rsplit("=", 1)[1])
    wait(d, lambda dr: status_of(dr) == "issued")
    assert "乡镇2" in d.find_element(*loc("rect-order-unit")).text
    assert not d.find_elements(*loc(json.dumps({"action": "start", "type": "rect-act"}, separators=(",", ":"))))

    # 2. The township officer starts it, adds evidence and an explanation, and submits
    d.delete_all_cookies()
    sign_in(d, base, "officer2")
    d.get(f"{base}/rectification")
    wait(d, lambda dr: dr.find_elements(By.CSS_SELECTOR, f"#rect-table tr[data-order='{order_id}']"))
    shot(d, "rectification-board-officer-tablet")
    fits(d)
    click(d, (By.CSS_SELECTOR, f"#rect-table tr[data-order='{order_id}'] a"))
    wait(d, lambda dr: status_of(dr) == "issued")
    act(d, "start")
    wait(d, lambda dr: status_of(dr) == "in_progress")
    evidence = tmp_path / "整改照片.pdf"
    evidence.write_bytes(PDF)
    wait(d, lambda dr: dr.find_element(By.CSS_SELECTOR, "#rect-upload input[type=file]")).send_keys(str(evidence))
    wait(d, EC.text_to_be_present_in_element(loc("rect-pending"), "整改照片.pdf"))
    note = d.find_element(*loc(json.dumps({"action": "submit", "type": "rect-note"}, separators=(",", ":"))))
    note.send_keys("已逐级签订双线责任书至村民小组，附签字页扫描件。")
    shot(d, "rectification-submit-tablet")
    fits(d)
    act(d, "submit")
    wait(d, lambda dr: status_of(dr) == "submitted")
    assert "已逐级签订" in d.find_element(*loc("rect-order-explanation")).text

    # 3. The inspector verifies and closes it
    d.delete_all_cookies()
    sign_in(d, base, "insp2")
    d.get(f"{base}/rectification/order?id={order_id}")
    wait(d, lambda dr: status_of(dr) == "submitted")
    shot(d, "rectification-verify-tablet")
    act(d, "verify_close")
    wait(d, lambda dr: status_of(dr) == "closed")
    wait(d, lambda dr: len(dr.find_elements(By.CSS_SELECTOR, "#rect-order-timeline .bx-tl-item")) == 4)
    assert not d.find_elements(By.ID, "rect-order-actions")
    shot(d, "rectification-closed-tablet")
    fits(d)
    with factory() as s:
        o = s.get(RectificationOrder, order_id)
        assert (o.status, o.finding_id, o.version) == ("closed", ids["finding"], 4)
        assert [e.action for e in s.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id)
                                            .order_by(OrderEvent.id))] == ["issue", "start", "submit", "verify_close"]
        files = s.scalars(select(OrderEvidence).where(OrderEvidence.order_id == order_id)).all()
        assert [(f.original_name, f.event_id is not None) for f in files] == [("整改照片.pdf", True)]
