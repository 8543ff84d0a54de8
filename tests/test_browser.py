"""Browser journeys in headless Chromium: log in through the form, see the Overview's figures,
switch language, and load nothing from another host."""
from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from data_access.aggregates import refresh_roster_aggregates
from data_access.db import make_engine, make_sessionmaker
from data_access.models import Base
from tests import factories as f

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
SHOTS = os.environ.get("BAOXUE_SCREENSHOT_DIR")

if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: install Debian's chromium and chromium-driver")
    pytest.skip("browser tests need Chromium and ChromeDriver (Debian: apt-get install chromium chromium-driver)",
                allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def live(dash_app, tmp_path_factory, _pg_engine) -> Iterator[str]:  # noqa: ANN001
    """Serve the one app on a free local port over a small database of its own."""
    if _pg_engine is not None:
        engine = _pg_engine
    else:
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'b.db'}")
        Base.metadata.create_all(engine)
    factory = make_sessionmaker(engine)
    with factory() as s, s.begin():
        county, (t1, t2) = f.county_with_townships(s, 2)
        s1 = f.school.create(s, township_code=t1.code, code="5328220001", name="勐混镇中心小学")
        s2 = f.school.create(s, township_code=t2.code, code="5328220002", name="打洛镇中心小学")
        for i in range(12):
            f.roster(s, "2024-1", s1 if i % 2 else s2, grade=1 + i % 9, household_code=None)
        f.roster(s, "2024-1", s2, grade=8, status="辍学", poverty_registered=True)
        refresh_roster_aggregates(s, "2024-1")
        f.user.create(s, username="leader", role="county_leader", area_code=county.code, display_name="演示领导")
    dash_app.server.extensions["baoxue"].use_engine(engine)
    httpd = make_server("127.0.0.1", 0, dash_app.server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    if _pg_engine is not None:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with _pg_engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def browser(tmp_path) -> Iterator[webdriver.Chrome]:  # noqa: ANN001
    """Headless Chromium with network logging, at laptop size."""
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--window-size=1440,900", f"--user-data-dir={tmp_path / 'profile'}", "--lang=zh-CN"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def login(driver, base: str, username: str, password: str = "secret-pass") -> None:  # noqa: ANN001
    """Sign in through the real form."""
    driver.get(base + "/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()


def requested_hosts(driver) -> set[str]:  # noqa: ANN001
    """Hosts of every request the page made (from Chromium's performance log)."""
    hosts = set()
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            url = msg["params"]["request"]["url"]
            if url.startswith(("http://", "https://", "ws://", "wss://")):
                hosts.add(urlsplit(url).hostname)
    return hosts


def shot(driver, name: str) -> None:  # noqa: ANN001
    """Save a screenshot when BAOXUE_SCREENSHOT_DIR is set (for the README and for looking)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(SHOTS) / f"{name}.png"))


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


def test_language_switch_and_tablet_layout(live: str, browser) -> None:  # noqa: ANN001
    browser.set_window_size(1024, 768)
    login(browser, live, "leader")
    wait = WebDriverWait(browser, 20)
    wait.until(EC.text_to_be_present_in_element((By.ID, "overview-enrolled"), "12"))
    browser.find_element(By.ID, "shell-lang-en").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "shell-nav"), "Overview"))
    wait.until(EC.text_to_be_present_in_element((By.ID, "overview-enrolled"), "12"))
    assert "Students enrolled" in browser.find_element(By.ID, "overview-cards").text
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 1024, f"page is {width}px wide on a 1024px tablet"
    shot(browser, "overview-en-tablet")
    browser.find_element(By.ID, "shell-lang-zh").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "shell-nav"), "总览"))
