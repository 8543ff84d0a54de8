"""Browser journey on the Targets page (issue 15.2), in Chinese: a county with no targets ("未设目标" on the pages)
starts its policy from a seed preset, a refused bound is named on screen, the saved policy then shows on Compliance
with its link, and a county leader follows that link to a read-only view."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from data_access.db import make_sessionmaker
from data_access.schema import ensure_presets
from tests import factories as f
from tests.browser import browser_engine, choose, live_server, require_chromium

require_chromium()

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from tests.test_browser import browser, login, shot  # noqa: E402, F401 - fixture reuse


@pytest.fixture(scope="module")
def live(dash_app, tmp_path_factory, _pg_engine) -> Iterator[str]:  # noqa: ANN001
    """A county of two townships with a roster of 2024-1, the presets, an admin and a leader; no policy."""
    engine = browser_engine(_pg_engine, tmp_path_factory.mktemp("browser-targets"))
    with make_sessionmaker(engine)() as s, s.begin():
        county, (t1, t2) = f.county_with_townships(s, 2)
        s1 = f.school.create(s, township_code=t1.code, code="5328220001", name="一中心小学")
        s2 = f.school.create(s, township_code=t2.code, code="5328220002", name="二中学", type="初中")
        for i in range(12):
            f.roster(s, "2024-1", s1, grade=1 + i % 6)
            f.roster(s, "2024-1", s2, grade=7 + i % 3)
        f.roster(s, "2024-1", s2, grade=8, status="辍学")
        f.refresh(s, "2024-1")
        ensure_presets(s)
        f.user.create(s, username="cadmin", role="admin", area_code=county.code, language="zh")
        f.user.create(s, username="leader", role="county_leader", area_code=county.code, language="zh")
    with live_server(dash_app, engine, _pg_engine) as base:
        yield base


def test_a_county_sets_its_targets_from_a_preset(live: str, browser) -> None:  # noqa: ANN001, F811
    wait = WebDriverWait(browser, 25)
    login(browser, live, "cadmin")
    browser.get(live + "/compliance")
    wait.until(EC.text_to_be_present_in_element((By.ID, "compliance-title"), "未设目标"))
    browser.get(live + "/admin/targets")
    wait.until(EC.text_to_be_present_in_element((By.ID, "targets-list"), "勐海县 2019"))
    choose(browser, wait, "targets-base", "勐海县 2019")
    wait.until(lambda d: d.find_element(By.ID, "targets-name").get_attribute("value") == "勐海县 2019")
    start = browser.find_element(By.ID, "targets-from")
    start.clear()
    start.send_keys("2024-1")
    bound = browser.find_element(By.XPATH, """//*[@id='{"ind":"junior_dropout_rate","type":"targets-bound"}']""")
    bound.clear()
    bound.send_keys("180")
    browser.execute_script("arguments[0].click()", browser.find_element(By.ID, "targets-save"))
    wait.until(EC.text_to_be_present_in_element((By.ID, "targets-message"), "超过 100"))
    assert "初中辍学率" in browser.find_element(By.ID, "targets-message").text
    shot(browser, "targets-refused")
    bound.clear()
    bound.send_keys("1.8")
    browser.execute_script("arguments[0].click()", browser.find_element(By.ID, "targets-save"))
    wait.until(EC.text_to_be_present_in_element((By.ID, "targets-message"), "已保存"))
    wait.until(EC.text_to_be_present_in_element((By.ID, "targets-detail"), "自 2024-1 起"))
    shot(browser, "targets-zh")
    browser.get(live + "/compliance")
    wait.until(EC.text_to_be_present_in_element((By.ID, "compliance-title"), "目标：勐海县 2019（自 2024-1 起）"))
    href = browser.find_element(By.CSS_SELECTOR, "#compliance-title a").get_attribute("href")
    assert "/admin/targets?policy=" in href
    browser.delete_all_cookies()
    login(browser, live, "leader")
    wait.until(EC.presence_of_element_located((By.ID, "shell-nav")))
    browser.get(href)
    wait.until(EC.text_to_be_present_in_element((By.ID, "targets-detail"), "勐海县 2019"))
    assert not browser.find_elements(By.ID, "targets-editor")
    assert "1.8" in browser.find_element(By.ID, "targets-detail").text
    shot(browser, "targets-leader-zh")
