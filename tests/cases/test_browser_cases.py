"""Browser journey at tablet size (1024×768) in headless Chromium: a township officer opens a confirmed
case at step 3, escalates it to step 4, gets the return notice, records that the child returned and
closes the case after verifying ten school days. Skipped without Chromium (required in CI)."""
from __future__ import annotations

import datetime as dt

import io
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from docx import Document
from sqlalchemy import select

from data_access.db import make_sessionmaker
from data_access.models import CaseEvent, DropoutCase
from tests.browser import browser_engine, chrome, live_server, require_chromium, shot
from tests.inspection.test_browser_inspection import STALE, by_id, loc, pid, sign_in
from tests.cases.test_case_fixtures import new_case
from tests.inspection.test_inspection_fixtures import build_world

require_chromium()

from selenium.common.exceptions import ElementClickInterceptedException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def live_cases(dash_app, tmp_path_factory, _pg_engine) -> Iterator[tuple[str, object, object, int]]:  # noqa: ANN001
    """The app on a free local port over the inspected county, with a confirmed case at step 3."""
    engine = browser_engine(_pg_engine, tmp_path_factory.mktemp("cases"))
    factory = make_sessionmaker(engine)
    world = build_world(factory)
    case_id = new_case(factory, world, "甲二", step=3, ledger="confirmed", source="roster_import")
    with live_server(dash_app, engine, _pg_engine) as url:
        yield url, factory, world, case_id


@pytest.fixture
def tablet(tmp_path) -> Iterator:  # noqa: ANN001
    """Headless Chromium at 1024×768."""
    driver = chrome(tmp_path / "profile", size="1024,768")
    driver.set_window_size(1024, 768)
    yield driver
    driver.quit()


def click(driver, ident: str, tries: int = 4) -> None:  # noqa: ANN001
    """Scroll a button into view and click it (again, while the page is still settling after a re-draw)."""
    for attempt in range(tries):
        button = WebDriverWait(driver, 20, ignored_exceptions=STALE).until(EC.element_to_be_clickable(loc(ident)))
        driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", button)
        try:
            button.click()
            return
        except (ElementClickInterceptedException, StaleElementReferenceException):
            if attempt == tries - 1:
                raise
            time.sleep(0.5)


def fill(driver, ident: str, value: str) -> None:  # noqa: ANN001
    """Type into an input of the page."""
    field = by_id(driver, ident)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", field)
    field.clear()
    field.send_keys(value)


def wait_step(driver, factory, case_id: int, **expected: object) -> None:  # noqa: ANN001
    """Wait until the case is stored with these values and the page shows no action in flight."""
    def stored(_d) -> bool:  # noqa: ANN001
        with factory() as s:
            case = s.get(DropoutCase, case_id)
            return all(getattr(case, k) == v for k, v in expected.items())
    WebDriverWait(driver, 20, ignored_exceptions=STALE).until(stored)


def page_width(driver) -> int:  # noqa: ANN001
    return driver.execute_script("return document.documentElement.scrollWidth")


def test_officer_escalates_notifies_and_closes(live_cases, tablet) -> None:  # noqa: ANN001
    base, factory, world, case_id = live_cases
    d = tablet
    sign_in(d, base, "officer2")
    d.get(f"{base}/cases/case?id={case_id}")
    by_id(d, "case-do-escalate")
    assert by_id(d, "case-student").text == "甲二"
    assert "bx-step-current" in by_id(d, "case-step-3").get_attribute("class")
    assert "****" in by_id(d, "case-header").text  # guardian phone masked until revealed
    shot(d, "case-step3-tablet")
    assert page_width(d) <= 1024, f"the case page is {page_width(d)}px wide on a 1024px tablet"

    # escalate to step 4: the return deadline comes pre-filled in working days
    assert by_id(d, pid("case-in", name="deadline")).get_attribute("value")
    fill(d, pid("case-in", name="escalate_note"), "村委会三次上门仍未返校")
    click(d, pid("case-act", action="escalate"))
    wait_step(d, factory, case_id, step=4)
    notice = by_id(d, "case-notice-return-order")
    assert "bx-step-current" in by_id(d, "case-step-4").get_attribute("class")
    by_id(d, "case-alert-box")
    shot(d, "case-step4-notice-tablet")

    # the notice button posts its form (with the CSRF token): the .docx with the child's name (same session cookie)
    form = by_id(d, "case-notice-form-return-order")
    assert notice.get_attribute("type") == "submit" and form.get_attribute("method").lower() == "post"
    token = form.find_element(By.NAME, "csrf_token").get_attribute("value")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in d.get_cookies())
    agent = d.execute_script("return navigator.userAgent")  # Flask-Login's session protection checks it
    request = urllib.request.Request(form.get_attribute("action"), data=urllib.parse.urlencode({"csrf_token": token})
                                     .encode(), headers={"Cookie": cookie, "User-Agent": agent}, method="POST")
    with urllib.request.urlopen(request, timeout=20) as resp:  # noqa: S310 - the local test server
        assert resp.url.endswith(".docx")
        doc = Document(io.BytesIO(resp.read()))
    with factory() as s:
        deadline = s.get(DropoutCase, case_id).return_deadline
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "限期复学通知书" in body and "甲二" in body and f"{deadline.year}年{deadline.month}月{deadline.day}日" in body

    # the child is back: record the outcome, then verify and close
    d.refresh()
    by_id(d, "case-do-outcome")
    click(d, pid("case-act", action="record_outcome"))
    wait_step(d, factory, case_id, status="outcome", outcome="returned")
    by_id(d, "case-do-close")
    assert "0 / 10" in by_id(d, "case-return-clock").text  # back today: no school day yet
    fill(d, pid("case-in", name="verify_note"), "查阅班级考勤表")
    click(d, pid("case-act", action="close"))
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(  # back today: too few school days, refused
        lambda dr: "10" in dr.find_element(By.ID, "case-alert-box").text)
    shot(d, "case-close-refused-tablet")
    with factory() as s, s.begin():  # time passes: the return was recorded long enough ago
        case = s.get(DropoutCase, case_id)
        case.outcome_date = case.found_date + dt.timedelta(days=1)
    d.refresh()
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(
        lambda dr: "text-success" in dr.find_element(By.ID, "case-return-clock").get_attribute("class"))
    fill(d, pid("case-in", name="verify_note"), "查阅班级考勤表")
    click(d, pid("case-act", action="close"))
    wait_step(d, factory, case_id, status="closed")
    WebDriverWait(d, 20, ignored_exceptions=STALE).until(
        lambda dr: "text-bg-success" in dr.find_element(By.ID, "case-status").get_attribute("class"))
    assert by_id(d, "case-outcome").text
    assert not d.find_elements(By.XPATH, f"//*[@id='{pid('case-act', action='escalate')}']")
    shot(d, "case-closed-tablet")
    assert page_width(d) <= 1024
    with factory() as s:
        case = s.get(DropoutCase, case_id)
        assert case.verified_by == world.users["officer2"] and case.verified_days >= 10
        actions = s.scalars(select(CaseEvent.action).where(CaseEvent.case_id == case_id)
                            .order_by(CaseEvent.id)).all()
        assert actions[-4:] == ["escalate", "notice", "record_outcome", "close"]

    d.set_window_size(1440, 900)
    d.refresh()
    by_id(d, "case-outcome")
    shot(d, "case-closed-desktop")
    assert page_width(d) <= 1440
