"""Browser journey on the Map page in headless Chromium: the townships render as polygons, a click
drills into a township's schools, back returns; tablet width; nothing loaded from another host."""
from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from data_access.analytics.aggregates import refresh_roster_aggregates
from data_access.db import make_engine, make_sessionmaker
from data_access.models import Base, Boundary, Target, TargetPolicy
from data_access.analytics.unit_counts import refresh_terms
from tests import factories as f

if not ((shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome"))
        and shutil.which("chromedriver")):
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: install Debian's chromium and chromium-driver")
    pytest.skip("browser tests need Chromium and ChromeDriver (Debian: apt-get install chromium chromium-driver)",
                allow_module_level=True)

from selenium.common.exceptions import ElementClickInterceptedException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from tests.test_browser import browser, login, open_menu, requested_hosts, shot  # noqa: E402, F401 - fixture reuse

TOWNSHIPS = ("勐海镇", "勐遮镇", "打洛镇")
PATHS = "#map-graph .choroplethlocation"


def polygon(x: float, y: float) -> str:
    """A township-sized pentagon (counter-clockwise, as GeoJSON files have them)."""
    ring = [[x, y], [x + 0.2, y], [x + 0.25, y + 0.15], [x + 0.1, y + 0.25], [x - 0.05, y + 0.15], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


@pytest.fixture(scope="module")
def live_map(dash_app, tmp_path_factory, _pg_engine) -> Iterator[str]:  # noqa: ANN001
    """Serve the app over a county of three townships with boundaries, schools, roster and targets."""
    engine = _pg_engine or make_engine(f"sqlite:///{tmp_path_factory.mktemp('browser-map') / 'm.db'}")
    if _pg_engine is None:
        Base.metadata.create_all(engine)
    with make_sessionmaker(engine)() as s, s.begin():
        county, towns = f.county_with_townships(s, 3)
        for i, (town, name) in enumerate(zip(towns, TOWNSHIPS)):
            town.name = name
            junior = f.school.create(s, township_code=town.code, code=f"53282200{i}1", name=f"{name}中学",
                                     type="初中")
            primary = f.school.create(s, township_code=town.code, code=f"53282200{i}2", name=f"{name}中心小学",
                                      is_central=True)
            for _ in range(8):
                f.roster(s, "2024-1", junior, grade=8)
                f.roster(s, "2024-1", primary, grade=3)
            for _ in range(i):
                f.roster(s, "2024-1", junior, grade=8, status="辍学")
            s.add(Boundary(area_code=town.code, geometry=polygon(100.0 + 0.3 * i, 22.0 + 0.1 * (i % 2))))
        refresh_roster_aggregates(s, "2024-1")
        s.add(TargetPolicy(name="县目标", area_code=county.code, active=True, targets=[
            Target(indicator="junior_dropout_rate", op="<=", bound=12.0, margin=5.0)]))
        s.flush()
        refresh_terms(s, ["2024-1"])
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
    else:
        engine.dispose()


def click_when_free(driver, xpath: str) -> None:  # noqa: ANN001
    """Click an element once no loading overlay covers it (tables re-render while callbacks run)."""
    def attempt(d) -> bool:  # noqa: ANN001
        element = d.find_element(By.XPATH, xpath)
        # Bootstrap makes scrolling smooth: scroll at once, or the click lands where the element was
        d.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
        element.click()
        return True
    WebDriverWait(driver, 10, ignored_exceptions=(ElementClickInterceptedException,
                                                  StaleElementReferenceException)).until(attempt)


def open_map(driver, base: str) -> WebDriverWait:  # noqa: ANN001
    """Log in as the county leader and open the map until every township is drawn."""
    login(driver, base, "leader")
    wait = WebDriverWait(driver, 20)
    wait.until(EC.presence_of_element_located((By.ID, "shell-nav")))
    driver.get(base + "/map")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, PATHS)) == len(TOWNSHIPS))
    return wait


def test_map_renders_and_drills_into_a_township(live_map: str, browser) -> None:  # noqa: ANN001, F811
    wait = open_map(browser, live_map)
    wait.until(EC.text_to_be_present_in_element((By.ID, "map-units-table"), TOWNSHIPS[2]))
    fills = {p.value_of_css_property("fill") for p in browser.find_elements(By.CSS_SELECTOR, PATHS)}
    assert len(fills) == 3  # 0% pass, 1/9 warning, 2/10 fail: three colours
    assert not browser.find_element(By.ID, "map-detail").is_displayed()
    shot(browser, "map-zh")
    ActionChains(browser).click(browser.find_elements(By.CSS_SELECTOR, PATHS)[1]).perform()
    wait.until(EC.visibility_of_element_located((By.ID, "map-school-table")))
    wait.until(EC.text_to_be_present_in_element((By.ID, "map-school-table"), f"{TOWNSHIPS[1]}中学"))
    assert TOWNSHIPS[0] not in browser.find_element(By.ID, "map-school-table").text
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#map-school-chart .main-svg")))
    shot(browser, "map-drill-zh")
    click_when_free(browser, "//*[@id='map-back']")
    wait.until(EC.invisibility_of_element_located((By.ID, "map-detail")))
    hosts = requested_hosts(browser)
    assert hosts and hosts <= {"127.0.0.1"}, f"requests to other hosts: {hosts - {'127.0.0.1'}}"


def test_map_in_english_on_a_tablet(live_map: str, browser) -> None:  # noqa: ANN001, F811
    browser.set_window_size(1024, 768)
    wait = open_map(browser, live_map)
    open_menu(browser, wait)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()",  # below a long menu
                          browser.find_element(By.ID, "shell-lang-en"))
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, PATHS)) == len(TOWNSHIPS))
    wait.until(EC.text_to_be_present_in_element((By.ID, "map-units-table"), "Tier"))
    # the page's own content must fit (the navbar's width is tests/test_browser.py's concern)
    right = browser.execute_script("""const c = document.getElementById('_pages_content');
        return Math.max(c.getBoundingClientRect().right, ...[...c.querySelectorAll('*')].map(
            e => e.getBoundingClientRect().right));""")
    assert right <= 1024, f"the map page reaches {right}px on a 1024px tablet"
    shot(browser, "map-en-tablet")
    click_when_free(browser, f"//table[@id='map-units-table']//button[text()='{TOWNSHIPS[2]}']")
    wait.until(EC.text_to_be_present_in_element((By.ID, "map-school-table"), f"{TOWNSHIPS[2]}中学"))
    shot(browser, "map-drill-en-tablet")
    browser.execute_script("arguments[0].click()", browser.find_element(By.ID, "shell-lang-zh"))  # page is scrolled
    wait.until(EC.text_to_be_present_in_element((By.ID, "map-units-table"), "等级"))
