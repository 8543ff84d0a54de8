"""Setting up a county (issue 15, "done means") in headless Chromium, as a new county office would: from an empty
database with the target presets and one admin, the admin imports the county's areas and schools, starts the
county's targets from a preset, creates the township and school users from a spreadsheet, imports one school's
roster, sees on the data status page which school has not sent its roster, and the pages then show every unit
against the county's own targets instead of "未设目标"."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from data_access.db import make_sessionmaker
from data_access.models import User
from data_access.schema import ensure_presets
from tests import factories as f
from tests.browser import browser_engine, chrome, choose, live_server, login, require_chromium, shot

require_chromium()

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from tests.imports.test_imports import DATA  # noqa: E402

COUNTY = "532822000000"


@pytest.fixture(scope="module")
def live(dash_app, tmp_path_factory, _pg_engine) -> Iterator[tuple[str, object]]:  # noqa: ANN001
    """An empty database: the schema, the seed presets and the county office's first admin — nothing else."""
    engine = browser_engine(_pg_engine, tmp_path_factory.mktemp("browser-setup"))
    factory = make_sessionmaker(engine)
    with factory() as s, s.begin():
        ensure_presets(s)
        f.user.create(s, username="office", role="admin", display_name="县督导室管理员", language="zh")
    with live_server(dash_app, engine, _pg_engine) as base:
        yield base, factory


@pytest.fixture
def driver(tmp_path: Path):  # noqa: ANN201
    d = chrome(tmp_path / "profile")
    yield d
    d.quit()


def _click(driver, element_id: str) -> None:  # noqa: ANN001
    element = WebDriverWait(driver, 20).until(EC.element_to_be_clickable((By.ID, element_id)))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)


def _import(driver, wait, kind: str, path: Path) -> None:  # noqa: ANN001
    """Choose the kind on the Imports page, upload the file and wait for its result (confirming a roster)."""
    driver.get(driver.base + "/imports")
    wait.until(lambda d: d.find_element(By.ID, "imports-result").text.strip())
    Select(driver.find_element(By.ID, "imports-kind")).select_by_value(kind)
    driver.find_element(By.CSS_SELECTOR, "#imports-upload input[type=file]").send_keys(str(path))
    wait.until(EC.text_to_be_present_in_element((By.ID, "imports-file"), path.name))
    _click(driver, "imports-start")
    if kind == "roster":                                      # a roster is previewed, then confirmed
        wait.until(EC.presence_of_element_located((By.ID, "imports-preview")))
        _click(driver, "imports-confirm")
    wait.until(lambda d: "alert-success" in d.find_element(By.ID, "imports-status").get_attribute("class"))


def _users_file(tmp_path: Path) -> Path:
    """The county's officers and registrars, one row each, as the office types them (generated people)."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["用户名", "姓名", "角色", "区域代码或学校代码"])
    ws.append(["menghai_town", "测试乡镇干部", "乡镇", "532822101000"])
    ws.append(["daluo_town", "测试乡镇干部二", "乡镇", "532822102000"])
    ws.append(["school_1", "测试学籍员", "学校", "2153000001"])
    path = tmp_path / "用户.xlsx"
    book.save(path)
    return path


def test_a_county_sets_itself_up_without_a_developer(live, driver, tmp_path: Path) -> None:  # noqa: ANN001
    base, factory = live
    driver.base = base
    wait = WebDriverWait(driver, 40, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException))
    login(driver, base, "office")
    wait.until(EC.presence_of_element_located((By.ID, "shell-nav")))
    # 1. the county's areas and schools
    _import(driver, wait, "areas", DATA / "areas.csv")
    _import(driver, wait, "schools", DATA / "schools.csv")
    # 2. its targets, from a seed preset, for the county
    driver.get(base + "/admin/targets")
    wait.until(EC.text_to_be_present_in_element((By.ID, "targets-list"), "勐海县 2019"))
    choose(driver, wait, "targets-base", "勐海县 2019")
    wait.until(lambda d: d.find_element(By.ID, "targets-name").get_attribute("value") == "勐海县 2019")
    choose(driver, wait, "targets-area", "勐海县")
    start = driver.find_element(By.ID, "targets-from")
    start.clear()
    start.send_keys("2024-1")
    _click(driver, "targets-save")
    wait.until(EC.text_to_be_present_in_element((By.ID, "targets-message"), "已保存"))
    # 3. its township and school users, from one spreadsheet
    driver.get(base + "/admin/users")
    # the page's first callbacks answered (the list is drawn) before the file is chosen: a file chosen while the
    # page is still being drawn was once lost on a loaded machine
    wait.until(EC.presence_of_element_located((By.ID, "users-grid")))
    upload = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#users-upload input[type=file]")))
    upload.send_keys(str(_users_file(tmp_path)))
    wait.until(EC.presence_of_element_located((By.ID, "users-import-ok")))
    with factory() as s:
        made = {u.username: u for u in s.scalars(select(User).where(User.username.in_(
            ["menghai_town", "daluo_town", "school_1"])))}
        assert set(made) == {"menghai_town", "daluo_town", "school_1"}
        assert all(u.must_change_password for u in made.values())
    # 4. one school's roster; the data status page names the school that has sent nothing
    _import(driver, wait, "roster", DATA / "roster.csv")
    driver.get(base + "/data-status")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".bx-missing")))
    status = driver.find_element(By.ID, "status-schools").text
    assert "2153000003" in status or "测试" in status
    shot(driver, "setup-data-status")
    # 5. every page shows the county's own targets
    driver.get(base + "/compliance")
    wait.until(EC.presence_of_element_located((By.ID, "compliance-title")))
    choose(driver, wait, "shell-selection", "勐海县")          # an admin of the whole database picks the county
    shot(driver, "setup-compliance")
    wait.until(EC.text_to_be_present_in_element((By.ID, "compliance-title"), "勐海县 2019"))
    assert "未设目标" not in driver.find_element(By.ID, "compliance-title").text
    driver.get(base + "/tiers")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#tiers-table .bx-tier"))
    shot(driver, "setup-tiers")
