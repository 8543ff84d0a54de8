"""Shared pieces of the browser tests: Chromium detection (skip on a laptop, fail in CI), a live
server over a database, headless Chromium with network logging, login, screenshots."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine
from werkzeug.serving import WSGIRequestHandler, make_server

from data_access.models import Base
from tests.database import empty_postgresql

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
SHOTS = os.environ.get("BAOXUE_SCREENSHOT_DIR")


def require_chromium() -> None:
    """Skip the calling test module without Chromium (fail instead in CI, which must run them)."""
    if CHROMIUM and CHROMEDRIVER:
        return
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: install Debian's chromium and chromium-driver")
    pytest.skip("browser tests need Chromium and ChromeDriver (Debian: apt-get install chromium chromium-driver)",
                allow_module_level=True)


def browser_engine(pg_engine: Engine | None, tmp_dir: Path) -> Engine:
    """The test PostgreSQL database, or a SQLite file (the live server runs in other threads)."""
    if pg_engine is not None:
        return pg_engine
    from data_access.db import make_engine
    engine = make_engine(f"sqlite:///{tmp_dir / 'browser.db'}")
    Base.metadata.create_all(engine)
    return engine


@contextlib.contextmanager
def live_server(dash_app, engine: Engine, pg_engine: Engine | None) -> Iterator[str]:  # noqa: ANN001
    """Serve the one app over `engine` on a free local port; empty the PostgreSQL tables afterwards."""
    dash_app.server.extensions["baoxue"].use_engine(engine)
    httpd = make_server("127.0.0.1", 0, dash_app.server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        if pg_engine is not None:
            truncate_all(pg_engine)


def truncate_all(pg_engine: Engine) -> None:
    """Empty every table of the test PostgreSQL database."""
    empty_postgresql(pg_engine)


class OneRequestPerConnection(WSGIRequestHandler):
    """HTTP/1.0: no kept-alive connection outlives a stopped server."""

    protocol_version = "HTTP/1.0"


class StoppableServer:
    """The app on a fixed local port that can be stopped (connections refused) and started again."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app, self.port, self.httpd = app, 0, None
        self.start()

    def start(self) -> None:
        """Listen (again) on the same port."""
        self.httpd = make_server("127.0.0.1", self.port, self.app, threaded=True, request_handler=OneRequestPerConnection)
        self.port = self.httpd.server_port
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop listening: the browser's requests now fail as with a crashed server."""
        self.httpd.shutdown()
        self.httpd.server_close()


def chrome(profile_dir: Path, size: str = "1440,900"):  # noqa: ANN201 - a selenium Chrome driver
    """Headless Chromium (flags for this closed network) with the performance log on."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 f"--window-size={size}", f"--user-data-dir={profile_dir}", "--lang=zh-CN"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    return driver


def login(driver, base: str, username: str, password: str = "secret-pass") -> None:  # noqa: ANN001
    """Sign in through the real form, and wait for the form's page to be gone: a click returns before the POST is
    answered, and a page opened at once would race the sign-in (it was sent to /login, then the POST's redirect won)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
    driver.get(base + "/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    submit = driver.find_element(By.ID, "login-submit")
    submit.click()
    WebDriverWait(driver, 30).until(EC.staleness_of(submit))


def choose(driver, wait, box_id: str, text: str) -> None:  # noqa: ANN001
    """Pick an option of a dcc.Dropdown as a user does: open it, type part of the label, click the option whose
    label holds `text` once it is listed. (Typing and Enter picked nothing in Chromium 156, which also drops the
    CJK characters typed into the dropdown's search box; the option is still listed and clicked.)"""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"#{box_id}"))).click()
    driver.switch_to.active_element.send_keys(text)
    option = wait.until(EC.element_to_be_clickable(
        (By.XPATH, f"//*[@role='option'][contains(normalize-space(.), '{text}')]")))
    driver.execute_script("arguments[0].click();", option)


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


def csp_violations(driver) -> list[str]:  # noqa: ANN001
    """Console messages of the page that report a Content-Security-Policy violation (a blocked script, style…)."""
    return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e.get("message", "")
            or "Content-Security-Policy" in e.get("message", "")]


def shot(driver, name: str) -> None:  # noqa: ANN001
    """Save a screenshot when BAOXUE_SCREENSHOT_DIR is set (for the README and for looking)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(SHOTS) / f"{name}.png"))
