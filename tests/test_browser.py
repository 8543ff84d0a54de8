"""Browser journeys in headless Chromium: log in through the form, see the Overview's figures,
switch language, and load nothing from another host."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from data_access.db import make_sessionmaker
from tests import factories as f
from tests.browser import (browser_engine, chrome, csp_violations, live_server, login, requested_hosts,
                           require_chromium, shot)

require_chromium()

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

__all__ = ["browser", "login", "requested_hosts", "shot"]  # other browser tests import these from here


@pytest.fixture(scope="module")
def live(dash_app, tmp_path_factory, _pg_engine) -> Iterator[str]:  # noqa: ANN001
    """Serve the one app on a free local port over a small database of its own."""
    engine = browser_engine(_pg_engine, tmp_path_factory.mktemp("browser"))
    factory = make_sessionmaker(engine)
    with factory() as s, s.begin():
        county, (t1, t2) = f.county_with_townships(s, 2)
        s1 = f.school.create(s, township_code=t1.code, code="5328220001", name="勐混镇中心小学")
        s2 = f.school.create(s, township_code=t2.code, code="5328220002", name="打洛镇中心小学")
        for i in range(12):
            f.roster(s, "2024-1", s1 if i % 2 else s2, grade=1 + i % 9, household_code=None)
        f.roster(s, "2024-1", s2, grade=8, status="辍学", poverty_registered=True)
        f.refresh(s, "2024-1")
        f.user.create(s, username="leader", role="county_leader", area_code=county.code, display_name="演示领导")
    with live_server(dash_app, engine, _pg_engine) as url:
        yield url


@pytest.fixture
def browser(tmp_path) -> Iterator:  # noqa: ANN001
    """Headless Chromium with network logging, at laptop size."""
    driver = chrome(tmp_path / "profile")
    yield driver
    driver.quit()


def test_login_and_overview_figures_offline(live: str, browser) -> None:  # noqa: ANN001
    login(browser, live, "leader")
    wait = WebDriverWait(browser, 20)
    wait.until(EC.text_to_be_present_in_element((By.ID, "overview-enrolled"), "12"))
    assert browser.find_element(By.ID, "overview-dropouts").text == "1"
    assert browser.find_element(By.ID, "overview-special").text == "1"
    assert "总览" in browser.find_element(By.ID, "shell-nav").text
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#overview-chart .main-svg")))
    shot(browser, "overview-zh")
    hosts = requested_hosts(browser)
    assert hosts and hosts <= {"127.0.0.1"}, f"requests to other hosts: {hosts - {'127.0.0.1'}}"


def open_menu(browser, wait) -> None:  # noqa: ANN001
    """On a tablet the navigation is collapsed behind the toggler: open it."""
    browser.find_element(By.ID, "shell-toggler").click()
    wait.until(EC.visibility_of_element_located((By.ID, "shell-lang-en")))


def test_language_switch_and_tablet_layout(live: str, browser) -> None:  # noqa: ANN001
    browser.set_window_size(1024, 768)
    login(browser, live, "leader")
    wait = WebDriverWait(browser, 20)
    wait.until(EC.text_to_be_present_in_element((By.ID, "overview-enrolled"), "12"))
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 1024, f"page is {width}px wide on a 1024px tablet"
    open_menu(browser, wait)
    assert "总览" in browser.find_element(By.ID, "shell-nav").text
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()",  # below a long menu
                          browser.find_element(By.ID, "shell-lang-en"))
    wait.until(EC.text_to_be_present_in_element((By.ID, "overview-cards"), "Students enrolled"))
    wait.until(EC.text_to_be_present_in_element((By.ID, "overview-enrolled"), "12"))
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 1024, f"page is {width}px wide on a 1024px tablet"
    shot(browser, "overview-en-tablet")
    open_menu(browser, wait)
    assert "Overview" in browser.find_element(By.ID, "shell-nav").text
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()",  # below a long menu
                          browser.find_element(By.ID, "shell-lang-zh"))
    wait.until(EC.text_to_be_present_in_element((By.ID, "overview-cards"), "在校学生数"))
    open_menu(browser, wait)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()",  # a real POST with
                          browser.find_element(By.ID, "shell-logout"))                          # the CSRF token
    wait.until(EC.presence_of_element_located((By.ID, "login-submit")))
    browser.get(live + "/")
    wait.until(EC.presence_of_element_located((By.ID, "login-submit")))  # the session is gone


def test_pages_work_under_the_content_security_policy(live: str, browser) -> None:  # noqa: ANN001
    """Issue 11: the CSP (scripts from this origin and Dash's own inline scripts by hash, no eval) breaks no page:
    each renders its callbacks' output and the browser reports no violation."""
    login(browser, live, "leader")
    wait = WebDriverWait(browser, 20)
    wait.until(EC.text_to_be_present_in_element((By.ID, "overview-enrolled"), "12"))
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#overview-chart .main-svg")))
    assert csp_violations(browser) == []
    for path in ("/map", "/compliance", "/rankings", "/cases", "/progress"):
        browser.get(live + path)
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#_pages_content > *")))
        wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-dash-is-loading='true']"))
        assert csp_violations(browser) == [], path
