"""Browser journey on the Imports page in headless Chromium: an administrator uploads a small roster, the
background job shows its progress and the result (counts); a file with a bad ID number is refused with its
row and column named; a school's registrar comes back to the page and sees the last result."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import browser_engine, chrome, live_server, login, require_chromium, shot

require_chromium()

from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402 - re-rendered results
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from data_access.db import make_sessionmaker  # noqa: E402
from data_access.imports.files import import_areas, import_schools  # noqa: E402
from data_access.models import School  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.imports.test_imports import DATA  # noqa: E402


@pytest.fixture(scope="module")
def live(dash_app, tmp_path_factory, _pg_engine) -> Iterator[str]:  # noqa: ANN001
    """The app over the fixture areas and schools, with an administrator and a school registrar."""
    engine = browser_engine(_pg_engine, tmp_path_factory.mktemp("browser-imports"))
    factory = make_sessionmaker(engine)
    with factory() as s, s.begin():
        assert import_areas(s, DATA / "areas.csv").ok
        assert import_schools(s, DATA / "schools.csv").ok
    with factory() as s, s.begin():
        school = s.query(School).filter_by(code="2153000001").one()
        f.user.create(s, username="admin", role="admin", display_name="管理员")
        f.user.create(s, username="registrar", role="school_staff", area_code="532822101000", school_id=school.id,
                      display_name="学籍管理员")
    with live_server(dash_app, engine, _pg_engine) as base:
        yield base


@pytest.fixture
def driver(tmp_path: Path):  # noqa: ANN201
    d = chrome(tmp_path / "profile")
    yield d
    d.quit()


def _upload(driver, path: Path) -> None:  # noqa: ANN001
    field = driver.find_element(By.CSS_SELECTOR, "#imports-upload input[type=file]")
    field.send_keys(str(path))
    WebDriverWait(driver, 20, ignored_exceptions=(StaleElementReferenceException,)).until(EC.text_to_be_present_in_element((By.ID, "imports-file"), path.name))
    button = WebDriverWait(driver, 10, ignored_exceptions=(StaleElementReferenceException,)).until(EC.element_to_be_clickable((By.ID, "imports-start")))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", button)


def _click(driver, element_id: str) -> None:  # noqa: ANN001
    element = WebDriverWait(driver, 10, ignored_exceptions=(StaleElementReferenceException,)).until(EC.element_to_be_clickable((By.ID, element_id)))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)


def test_admin_imports_a_roster_and_sees_the_result(live: str, driver, tmp_path: Path) -> None:  # noqa: ANN001
    login(driver, live, "admin")
    wait = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))
    wait.until(EC.presence_of_element_located((By.ID, "shell-nav")))
    driver.get(live + "/imports")
    wait.until(lambda d: d.find_element(By.ID, "imports-result").text.strip())
    Select(driver.find_element(By.ID, "imports-kind")).select_by_value("roster")
    wait.until(EC.text_to_be_present_in_element((By.ID, "imports-columns"), "全国学籍号"))
    shot(driver, "imports-empty")
    _upload(driver, DATA / "roster_registry.xlsx")
    wait.until(EC.presence_of_element_located((By.ID, "imports-preview")))     # a roster is previewed first
    assert driver.find_element(By.ID, "imports-new").text == "5"
    assert "预览" in driver.find_element(By.ID, "imports-status").text
    shot(driver, "imports-preview")
    _click(driver, "imports-confirm")
    wait.until(lambda d: "alert-success" in d.find_element(By.ID, "imports-status").get_attribute("class"))
    assert "roster_registry.xlsx" in driver.find_element(By.ID, "imports-status").text
    assert driver.find_element(By.ID, "imports-new").text == "5"
    assert driver.find_element(By.ID, "imports-changed").text == "0"
    shot(driver, "imports-accepted")
    rows = (DATA / "roster.csv").read_text(encoding="utf-8").splitlines()    # school 1 keeps only 测试甲
    partial = tmp_path / "partial.csv"
    partial.write_text("\n".join([rows[0], *(r for r in rows[1:] if "测试甲" in r or ",2153000002," in r)]) + "\n",
                       encoding="utf-8")
    _upload(driver, partial)
    wait.until(EC.presence_of_element_located((By.ID, "imports-removed-grid")))
    wait.until(lambda d: "测试乙" in d.find_element(By.ID, "imports-removed-grid").text)
    assert driver.find_element(By.ID, "imports-removed").text == "2"
    assert "将移除 2 名学生" in driver.find_element(By.ID, "imports-preview").text
    shot(driver, "imports-preview-removals")
    _click(driver, "imports-confirm")                                           # without the box: refused
    wait.until(EC.text_to_be_present_in_element((By.ID, "imports-confirm-message"), "勾选"))
    _click(driver, "imports-confirm-large")
    _click(driver, "imports-confirm")
    wait.until(lambda d: "alert-success" in d.find_element(By.ID, "imports-status").get_attribute("class"))
    assert driver.find_element(By.ID, "imports-removed").text == "2"
    _upload(driver, DATA / "roster_bad_checksum.csv")
    wait.until(EC.presence_of_element_located((By.ID, "imports-problems")))
    assert "alert-danger" in driver.find_element(By.ID, "imports-status").get_attribute("class")
    cells = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#imports-problems tbody td")]
    assert cells[:3] == ["2", "身份证件号", "9901…"]
    shot(driver, "imports-refused")


def test_registrar_is_refused_another_schools_rows_and_sees_it_after_coming_back(live: str, driver) -> None:  # noqa: ANN001
    driver.set_window_size(1024, 768)
    login(driver, live, "registrar")
    wait = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))
    wait.until(EC.presence_of_element_located((By.ID, "shell-nav")))
    driver.get(live + "/imports")
    wait.until(EC.text_to_be_present_in_element((By.ID, "imports-columns"), "全国学籍号"))
    options = [o.get_attribute("value") for o in driver.find_elements(By.CSS_SELECTOR, "#imports-kind option")]
    assert [o for o in options if o] == ["roster"]
    _upload(driver, DATA / "roster.csv")
    wait.until(EC.presence_of_element_located((By.ID, "imports-problems")))
    rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in driver.find_elements(By.CSS_SELECTOR, "#imports-problems tbody tr")]
    assert [r[:3] for r in rows] == [["4", "学校标识码", "2153000002"], ["5", "学校标识码", "2153000002"]]
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 1024, f"page is {width}px wide on a 1024px tablet"
    shot(driver, "imports-refused-tablet")
    driver.get(live + "/")
    wait.until(EC.presence_of_element_located((By.ID, "overview-cards")))
    driver.get(live + "/imports")
    wait.until(EC.presence_of_element_located((By.ID, "imports-problems")))
    assert "roster.csv" in driver.find_element(By.ID, "imports-result").text
