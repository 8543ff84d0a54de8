"""Browser journey at tablet size (1024×768) in headless Chromium: a zone-2 inspector starts a visit to a
zone-2 school, fills all four methods (reloading mid-way without losing anything), and the team leader
signs it off. Skipped without Chromium, like tests/test_browser.py (required in CI)."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from data_access.db import make_sessionmaker
from data_access.models import ChecklistItem, Finding, HeadCount, InspectionVisit
from tests.browser import browser_engine, chrome, live_server, login, require_chromium, shot
from tests.inspection.test_inspection_fixtures import TERM, build_world

require_chromium()

from selenium.common.exceptions import StaleElementReferenceException, TimeoutException  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def live_world(dash_app, tmp_path_factory, _pg_engine) -> Iterator[tuple[str, object]]:  # noqa: ANN001
    """The app on a free local port over the inspected county of tests/test_inspection_fixtures."""
    engine = browser_engine(_pg_engine, tmp_path_factory.mktemp("inspection"))
    factory = make_sessionmaker(engine)
    world = build_world(factory)
    dash_app.server.config["EVIDENCE_DIR"] = str(tmp_path_factory.mktemp("evidence"))
    with live_server(dash_app, engine, _pg_engine) as url:
        yield url, (factory, world)


@pytest.fixture
def tablet(tmp_path) -> Iterator:  # noqa: ANN001
    """Headless Chromium at 1024×768."""
    driver = chrome(tmp_path / "profile", size="1024,768")
    driver.set_window_size(1024, 768)
    yield driver
    driver.quit()


STALE = (StaleElementReferenceException,)  # Dash re-renders what the waits look at


def sign_in(driver, base: str, username: str) -> None:  # noqa: ANN001
    """Log in through the form and wait until the app has loaded."""
    login(driver, base, username)
    WebDriverWait(driver, 20, ignored_exceptions=STALE).until(lambda d: "/login" not in d.current_url)
    WebDriverWait(driver, 20, ignored_exceptions=STALE).until(EC.presence_of_element_located((By.ID, "shell-logout")))


def loc(ident: str) -> tuple[str, str]:
    """A locator by id that also works for pattern-matching ids (JSON with quotes and braces)."""
    return By.XPATH, f"//*[@id='{ident}']"


def pid(kind: str, **keys: object) -> str:
    """The DOM id Dash gives a pattern-matching id."""
    return json.dumps({"type": kind, **keys}, sort_keys=True, separators=(",", ":"))


def by_id(driver, ident: str, timeout: float = 20):  # noqa: ANN001, ANN201
    """Wait for an element by id and return it."""
    return WebDriverWait(driver, timeout, ignored_exceptions=STALE).until(EC.presence_of_element_located(loc(ident)))


def pick(driver, ident: str, text_: str, tries: int = 3) -> None:  # noqa: ANN001
    """Choose an option of a dcc.Dropdown: open it, type to filter, click the option (retried while the
    page is still re-drawing)."""
    for attempt in range(tries):
        try:
            WebDriverWait(driver, 20, ignored_exceptions=STALE).until(EC.element_to_be_clickable(loc(ident))).click()
            driver.switch_to.active_element.send_keys(text_)
            option = WebDriverWait(driver, 10, ignored_exceptions=STALE).until(lambda d: next(
                (o for o in d.find_elements(By.CSS_SELECTOR, "[role=option]") if text_ in o.text), None))
            option.click()
            time.sleep(0.3)
            if driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-search"):  # a multi-select stays open
                ActionChains(driver).send_keys(Keys.ESCAPE).perform()
            WebDriverWait(driver, 5, ignored_exceptions=STALE).until(EC.text_to_be_present_in_element(loc(ident), text_))
            return
        except (TimeoutException, StaleElementReferenceException):
            if attempt == tries - 1:
                raise
            ActionChains(driver).send_keys(Keys.ESCAPE).perform()
            time.sleep(1)


def type_and_leave(element, value: str) -> None:  # noqa: ANN001
    """Type into a debounced field and leave it (Tab), which saves it."""
    element.clear()
    element.send_keys(value)
    element.send_keys(Keys.TAB)


def tab(driver, name: str) -> None:  # noqa: ANN001
    """Open a tab of the visit page by its tab id."""
    links = driver.find_elements(By.CSS_SELECTOR, "#visit-tabs .nav-link")
    order = ["files", "headcount", "phone", "interviews", "findings", "history"]
    links[order.index(name)].click()
    time.sleep(0.5)


def wait_saved(driver, ident: str) -> None:  # noqa: ANN001
    """Wait for the ✓ beside a field."""
    WebDriverWait(driver, 20, ignored_exceptions=STALE).until(lambda d: d.find_element(*loc(ident)).find_elements(By.CSS_SELECTOR,
                                                                                          ".bi-check2"))


def test_inspector_records_a_visit_and_leader_signs_it(live_world, tablet) -> None:  # noqa: ANN001
    base, (factory, world) = live_world
    d = tablet
    sign_in(d, base, "insp2")
    d.get(base + "/inspection")
    by_id(d, "inspection-new-card")
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(lambda dr: dr.find_element(*loc("inspection-new-term")).get_attribute("data-term")
                               == TERM and dr.find_elements(By.CSS_SELECTOR, "#inspection-list > *"))
    time.sleep(1)  # the shell's pickers settle (a new term re-draws the card)
    pick(d, "inspection-new-town", "乡镇2")
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(lambda dr: dr.find_element(*loc("inspection-new-members")).find_elements(
        By.CSS_SELECTOR, "input"))
    pick(d, "inspection-new-schools", "二中心小学")
    shot(d, "inspection-new-tablet")
    d.find_element(*loc("inspection-create")).click()
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(EC.url_contains("/inspection/visit?id="))
    visit_id = int(d.current_url.rsplit("=", 1)[1])
    with factory() as s:
        items = s.scalars(select(ChecklistItem.id).order_by(ChecklistItem.position)).all()

    # 1. File review: item 1 fails with a note, item 2 passes
    result1 = by_id(d, pid("visit-item-result", item=items[0]))
    result1.find_element(By.CSS_SELECTOR, "input[value='fail'] + label").click()
    wait_saved(d, pid("visit-item-saved", item=items[0]))
    type_and_leave(d.find_element(*loc(pid("visit-item-note", item=items[0]))), "未见双线责任书")
    by_id(d, pid("visit-item-result", item=items[1])).find_element(By.CSS_SELECTOR,
                                                                   "input[value='pass'] + label").click()
    wait_saved(d, pid("visit-item-saved", item=items[1]))
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(lambda dr: dr.find_element(*loc("visit-score")).text.count("1") >= 2)
    shot(d, "inspection-file-review-tablet")

    # reload mid-way: nothing typed so far is lost
    time.sleep(0.5)
    d.refresh()
    result1 = by_id(d, pid("visit-item-result", item=items[0]))
    assert result1.find_element(By.CSS_SELECTOR, "input[value='fail']").is_selected()
    assert d.find_element(*loc(pid("visit-item-note", item=items[0]))).get_attribute("value") == "未见双线责任书"

    # 2. Head count: grade 1 has 5 on the roster; 3 present, 甲一 absent without explanation
    tab(d, "headcount")
    with factory() as s:
        hc1 = s.scalar(select(HeadCount.id).where(HeadCount.visit_id == visit_id, HeadCount.grade == 1))
    type_and_leave(by_id(d, pid("visit-hc-present", hc=hc1)), "3")
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(EC.text_to_be_present_in_element(loc(pid("visit-hc-summary", hc=hc1)), "0"))
    pick(d, pid("visit-abs-student", hc=hc1), "甲一")
    Select(d.find_element(*loc(pid("visit-abs-new-reason", hc=hc1)))).select_by_value("不明")
    d.find_element(*loc(pid("visit-abs-add", hc=hc1))).click()
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(EC.text_to_be_present_in_element(loc(pid("visit-abs-list", hc=hc1)), "甲一"))
    shot(d, "inspection-head-count-tablet")

    # 3. Phone check: a sample of 4, the first call says the child is not attending
    tab(d, "phone")
    size = by_id(d, "visit-sample-size")
    size.clear()
    size.send_keys("4")
    d.find_element(*loc("visit-draw")).click()
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(lambda dr: len(dr.find_elements(By.CSS_SELECTOR, "#visit-calls .bx-call")) == 4)
    assert "****" in d.find_element(*loc("visit-calls")).text  # phones masked
    first = d.find_elements(By.CSS_SELECTOR, "#visit-calls select")[0]
    call_id = json.loads(first.get_attribute("id"))["call"]
    Select(first).select_by_value("not_attending")
    wait_saved(d, pid("visit-call-saved", call=call_id))
    d.find_element(*loc(pid("visit-call-reveal", call=call_id))).click()
    phone = loc(pid("visit-call-phone", call=call_id))
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(lambda dr: "****" not in dr.find_element(*phone).text)
    shot(d, "inspection-phone-tablet")

    # 4. Interviews: one with the principal
    tab(d, "interviews")
    by_id(d, "visit-iv-add").click()
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(lambda dr: dr.find_elements(By.CSS_SELECTOR, "#visit-iv-list textarea"))
    summary = d.find_elements(By.CSS_SELECTOR, "#visit-iv-list textarea")[0]
    iv = json.loads(summary.get_attribute("id"))["iv"]
    type_and_leave(summary, "校长介绍了开学排查情况")
    wait_saved(d, pid("visit-iv-saved", iv=iv))

    # reload again: every method's records are there, and the findings follow from them
    d.refresh()
    by_id(d, pid("visit-item-result", item=items[0]))
    tab(d, "findings")
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(lambda dr: len(dr.find_elements(By.CSS_SELECTOR, "#visit-f-list .bx-finding")) == 4)
    kinds = {c for e in d.find_elements(By.CSS_SELECTOR, "#visit-f-list .bx-finding")
             for c in e.get_attribute("class").split() if c.startswith("bx-kind-")}
    assert kinds == {"bx-kind-work_gap", "bx-kind-absence", "bx-kind-false_data", "bx-kind-suspected_dropout"}
    shot(d, "inspection-findings-tablet")
    width = d.execute_script("return document.documentElement.scrollWidth")
    assert width <= 1024, f"the visit page is {width}px wide on a 1024px tablet"
    assert not d.find_elements(By.ID, "visit-sign")  # members do not sign

    # the team leader signs it off; afterwards it is read-only
    d.delete_all_cookies()  # a fresh browser session for the leader
    sign_in(d, base, "lead2")
    d.get(f"{base}/inspection/visit?id={visit_id}")
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(EC.element_to_be_clickable(loc("visit-sign"))).click()
    # the dialog lists what is undone; signing anyway needs a reason
    gaps = WebDriverWait(d, 20, ignored_exceptions=STALE).until(EC.visibility_of_element_located(loc("visit-sign-gaps")))
    assert "未检查" in gaps.text or "未清点" in gaps.text
    shot(d, "inspection-signoff-gaps-tablet")
    WebDriverWait(d, 20).until(EC.element_to_be_clickable(loc("visit-sign-confirm"))).click()
    WebDriverWait(d, 20).until(lambda dr: by_id(dr, "visit-sign-msg").text)  # refused without a reason
    assert by_id(d, "visit-status").get_attribute("class").find("bg-success") < 0
    by_id(d, "visit-sign-reason").send_keys("部分班级外出实践，下次补查")
    by_id(d, "visit-sign-confirm").click()
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(lambda dr: dr.find_elements(By.ID, "visit-status") and
                               "bg-success" in dr.find_element(*loc("visit-status")).get_attribute("class"))
    assert by_id(d, "visit-date").get_attribute("disabled")
    assert by_id(d, pid("visit-item-note", item=items[0])).get_attribute("disabled")
    assert by_id(d, "visit-reopen")
    assert "部分班级外出实践，下次补查" in by_id(d, "visit-signed-gaps").text  # the header says it was signed with gaps
    shot(d, "inspection-signed-tablet")
    with factory() as s:
        v = s.get(InspectionVisit, visit_id)
        assert v.status == "signed" and v.signed_by == world.users["lead2"]
        assert v.signed_reason == "部分班级外出实践，下次补查" and v.signed_gaps
        assert s.scalar(select(Finding.id).where(Finding.visit_id == visit_id, Finding.kind == "false_data"))
