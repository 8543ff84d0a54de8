"""Browser journey of the case ledger, at 1440×900 and at 1024×768 in headless Chromium: a township officer
opens /cases, sees the confirmed ledger with an overdue badge, looks at the school-age ledger and a line's
children, opens /cases/agreement and opens a case for a 辍学 child from there. Skipped without Chromium
(required in CI)."""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select

from data_access.db import make_sessionmaker
from data_access.models import School, Student
from data_access.models import CaseEvent, DropoutCase
from tests.browser import browser_engine, chrome, live_server, login, require_chromium, shot
from tests.cases.test_ledger_fixtures import T1, V1, agreement_cases, build, case, kid

require_chromium()

from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

STALE = (StaleElementReferenceException,)


@pytest.fixture(scope="module")
def live_world(dash_app, tmp_path_factory, _pg_engine) -> Iterator[tuple[str, object, object]]:  # noqa: ANN001
    """The app over the ledger county, with an overdue confirmed case in township 1."""
    engine = browser_engine(_pg_engine, tmp_path_factory.mktemp("ledger"))
    factory = make_sessionmaker(engine)
    world = build(factory)
    agreement_cases(factory, world)
    long_ago = dt.date.today() - dt.timedelta(days=40)
    with factory() as s, s.begin():
        world.students["case_g"] = case(s, world.students["G"], T1, world.s2, step=2, started=long_ago, found=long_ago,
                                        reason="migrant_work", groups="left_behind", gov_responsible="村委甲",
                                        edu_responsible="班主任乙", helper="帮扶教师丙")
        s.get(Student, world.students["G"]).name = "李测试"
        kid(s, world, "N", s.get(School, world.s1), name="赵新报")  # no case yet: the new-case form opens one
    with live_server(dash_app, engine, _pg_engine) as url:
        yield url, factory, world


def wait(d, timeout: float = 20) -> WebDriverWait:  # noqa: ANN001
    return WebDriverWait(d, timeout, ignored_exceptions=STALE)


def sign_in(d, base: str, username: str) -> None:  # noqa: ANN001
    login(d, base, username)
    wait(d).until(lambda dr: "/login" not in dr.current_url)
    wait(d).until(EC.presence_of_element_located((By.ID, "shell-logout")))


def type_in_search(d, text: str, tries: int = 3) -> None:  # noqa: ANN001
    """Click into the open dropdown's search box and type (inside the modal it does not take the focus by
    itself). The menu may re-draw the box between finding and typing; then it is found again."""
    for attempt in range(tries):
        try:
            box = wait(d).until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".dash-dropdown-search")))
            box.click()
            box.send_keys(text)
            return
        except StaleElementReferenceException:
            if attempt == tries - 1:
                raise
            time.sleep(0.5)


def _journey(d, base: str, factory, world, size: str) -> None:  # noqa: ANN001
    sign_in(d, base, "officer1")
    d.get(base + "/cases")
    badge = wait(d).until(lambda dr: dr.find_element(By.CSS_SELECTOR, "#ledger-case-table .bx-ledger-clock[data-state=overdue]"))
    assert "李测试" in d.find_element(By.ID, "ledger-case-table").text
    assert "二乡" not in d.find_element(By.ID, "ledger-cases").text
    assert badge.is_displayed()
    time.sleep(0.5)
    shot(d, f"ledger-confirmed-{size}")
    width = d.execute_script("return document.documentElement.scrollWidth")
    assert width <= d.execute_script("return window.innerWidth"), f"the ledger is {width}px wide"

    # the school-age ledger: a line per village and age; a click shows its children
    d.find_elements(By.CSS_SELECTOR, "#ledger-tabs .nav-link")[0].click()
    cell = wait(d).until(lambda dr: next((c for c in dr.find_elements(By.CSS_SELECTOR, "#ledger-grid .ag-cell[col-id=area]")
                                          if c.text == "曼一村"), None))
    shot(d, f"ledger-children-{size}")
    cell.click()
    wait(d).until(EC.visibility_of_element_located((By.ID, "ledger-kids-table")))
    assert "张测试" in d.find_element(By.ID, "ledger-kids-table").text
    d.execute_script("document.getElementById('ledger-drill-box').scrollIntoView()")
    time.sleep(0.3)
    shot(d, f"ledger-children-drill-{size}")

    # the agreement page: open a case for the 辍学 child without one
    d.get(base + "/cases/agreement")
    wait(d).until(EC.presence_of_element_located((By.ID, "agreement-dropout_no_case")))
    time.sleep(1)  # the shell's term picker settles (the list is drawn again once)
    shot(d, f"agreement-{size}")
    student = world.students["B"]
    target = wait(d).until(lambda dr: dr.find_element(By.CSS_SELECTOR, f".bx-grid-action[data-row='{student}']"))
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
    time.sleep(0.3)
    wait(d).until(EC.element_to_be_clickable(target)).click()
    link = wait(d).until(lambda dr: dr.find_element(By.CSS_SELECTOR, "[id^='agreement-opened-']"))
    with factory() as s:
        row = s.scalar(select(DropoutCase).where(DropoutCase.student_id == student, DropoutCase.status == "open"))
        assert row is not None and row.ledger == "confirmed" and row.source == "roster_import"
    assert link.get_attribute("id") == f"agreement-opened-{row.id}"
    time.sleep(0.3)
    shot(d, f"agreement-opened-{size}")
    with factory() as s, s.begin():  # undo, so the other window size can open it again
        s.execute(delete(CaseEvent).where(CaseEvent.case_id == row.id))
        s.delete(s.get(DropoutCase, row.id))


@pytest.mark.parametrize("size", ["1440,900", "1024,768"])
def test_officer_ledger_and_agreement(live_world, tmp_path, size: str) -> None:  # noqa: ANN001
    base, factory, world = live_world
    w, h = (int(x) for x in size.split(","))
    d = chrome(tmp_path / "profile", size=size)
    try:
        d.set_window_size(w, h)
        _journey(d, base, factory, world, "desktop" if w == 1440 else "tablet")
    finally:
        d.quit()


def test_school_reports_a_new_case(live_world, tmp_path) -> None:  # noqa: ANN001
    base, factory, world = live_world
    d = chrome(tmp_path / "profile", size="1440,900")
    try:
        d.set_window_size(1440, 900)
        sign_in(d, base, "staff1")
        d.get(base + "/cases?ledger=suspected")
        wait(d).until(EC.visibility_of_element_located((By.ID, "ledger-new-open")))
        time.sleep(1)
        d.find_element(By.ID, "ledger-new-open").click()
        wait(d).until(EC.visibility_of_element_located((By.ID, "ledger-new-student")))
        d.find_element(By.ID, "ledger-new-student").click()  # the menu opens with its search box …
        type_in_search(d, "赵新报")
        option = wait(d).until(lambda dr: next((o for o in dr.find_elements(By.CSS_SELECTOR, "[role=option]")
                                                if "赵新报" in o.text), None))
        option.click()
        wait(d).until(EC.text_to_be_present_in_element((By.ID, "ledger-new-student"), "赵新报"))
        days = d.find_element(By.ID, "ledger-new-days")
        days.clear()
        days.send_keys("4")
        d.find_element(By.ID, "ledger-new-note").send_keys("班主任报告连续缺课")
        shot(d, "ledger-new-case-desktop")
        d.find_element(By.ID, "ledger-new-save").click()
        wait(d).until(EC.url_contains("/cases/case?id="))
        case_id = int(d.current_url.rsplit("=", 1)[1])
        with factory() as s:
            row = s.get(DropoutCase, case_id)
            assert (row.student_id, row.source, row.ledger, row.absence_days, row.school_id) == (
                world.students["N"], "school_report", "suspected", 4, world.s1)
        time.sleep(1)
        shot(d, "ledger-new-case-opened-desktop")
    finally:
        d.quit()
    assert V1.startswith(T1[:9])
