"""The tour of issue 14 in headless Chromium over the demo county: every page of every demo account, in
Chinese and English, at 1440×900 and 1024×768. Each page fits the window (item 8), a Chinese page shows
no English words — also inside the dropdowns and the grids' menus and pagers (item 5) —, the long lists
stay responsive (item 4) and refused pages say "no access" (item 6)."""
from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from data_access.db import make_sessionmaker
from data_access.demo.build import DEMO_PASSWORD
from data_access.models import DropoutCase, User
from tests.conftest import copy_sqlite
from tests.browser import chrome, live_server, login, require_chromium, shot

require_chromium()
# What the tour checks (words, widths, responsiveness, refusals) does not depend on the database: it runs once.
# Alone, it runs on SQLite and the PostgreSQL run leaves it out; CI runs both suites side by side and sets
# BAOXUE_TEST_SPLIT_TOUR=1, so that the PostgreSQL suite tours the roles of PG_ROLES and the SQLite suite the rest.
ON_PG = bool(os.environ.get("BAOXUE_TEST_DATABASE_URL"))
SPLIT = os.environ.get("BAOXUE_TEST_SPLIT_TOUR") == "1"
# The admin's tour (~120 s in CI) runs in the PostgreSQL suite: since each SQLite test copies an empty schema and the
# PostgreSQL tests empty their database by DELETE (tests/database.py), the SQLite suite with the whole tour was the
# longer one (2026-12-05: 1,119 s against 848 s side by side).
PG_ROLES: tuple[str, ...] = ("admin",)
sqlite_only = pytest.mark.skipif(ON_PG, reason="runs in the SQLite suite (it does not depend on the database)")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

ROLES = ("admin", "leader", "inspector", "township", "school")
SIZES = ((1440, 900), (1024, 768))
# words that may stay Latin on a Chinese page: the switch to English, file types, units
ALLOWED = {"English", "xlsx", "xls", "docx", "csv", "MB", "KB", "pdf", "png", "PNG", "jpg", "UTF", "GBK", "GeoJSON",
           "Excel", "Word", "WGS", "GCJ", "GPS", "GIS", "SHA"}  # file types, coordinate systems, checksums keep their names
TEXTS = """const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const el = walker.currentNode.parentElement;
  if (!el || el.closest('script, style, noscript, textarea')) continue;  // a textarea holds data being edited
  const t = walker.currentNode.textContent.trim();
  if (t) out.push(t);
}
for (const el of document.querySelectorAll('[placeholder], [title], [aria-label]')) {
  for (const a of ['placeholder', 'title', 'aria-label']) { const v = el.getAttribute(a); if (v) out.push(v); }
}
return out;"""
# known English still on a page, owned by another item of issue 14: drop the entry once it has landed
KNOWN: dict[str, str] = {}  # English texts still to translate, with why (none now)
WIDEST = """const w = window.innerWidth, out = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.right > w + 1 && r.width > 0) out.push(`${el.tagName}#${el.id}.${String(el.className).slice(0, 40)}`);
}
return out.slice(0, 5);"""
BUSY = "._dash-loading, [data-dash-is-loading='true']"


def english_words(texts: list[str], names: frozenset[str] = frozenset()) -> set[str]:
    """The Latin words of a page that are no allowed exception (a Chinese page should have none); account
    names and codes (with digits or "_") are data, not words."""
    found = set()
    for text in texts:
        if any(known in text for known in KNOWN):
            continue
        for word in re.findall(r"[A-Za-z][A-Za-z0-9_'’]{2,}", text):
            if word not in ALLOWED and word not in names and not re.search(r"[0-9_]", word):
                found.add(text if len(text) < 80 else text[:80] + "…")
    return found


@pytest.fixture(scope="module")
def demo_site(dash_app, tmp_path_factory, _pg_engine, demo_county_template) -> Iterator[tuple[str, object]]:  # noqa: ANN001
    """The county demo served on a free local port: a SQLite copy of the session's seeded demo in both suites
    (what the tour checks does not depend on the database; seeding PostgreSQL took CI 150 s)."""
    engine = copy_sqlite(demo_county_template[0], f"sqlite:///{tmp_path_factory.mktemp('tour') / 'browser.db'}")
    factory = make_sessionmaker(engine)
    with live_server(dash_app, engine, _pg_engine) as url:
        yield url, factory


def set_language(factory, username: str, language: str) -> None:  # noqa: ANN001
    """The user's own language choice, as the navbar's switch stores it."""
    with factory() as s, s.begin():
        s.scalar(select(User).where(User.username == username)).language = language


# Dash's own record of its callbacks (what dash.testing waits on): what is pending — callbacks requested,
# prioritized, executing or watched, and elements marked loading —, "" when the app is idle; a page that is no Dash
# page is idle.
PENDING = """if (!document.getElementById('react-entry-point')) return '';
const s = window.store && window.store.getState();
if (!s || !s.layout) return 'starting';
const c = Object.assign({}, s.callbacks); delete c.stored; delete c.completed;
const out = [];
for (const [k, v] of Object.entries(c)) if (Array.isArray(v)) for (const cb of v) out.push(k + ':' + (cb.callback ? cb.callback.output : '?'));
for (const el of document.querySelectorAll(arguments[0])) out.push(el.id || el.className);
return out.sort().join('|');"""


def settle(driver, timeout: float = 30) -> float:  # noqa: ANN001
    """Wait until the app is idle twice in a row 0.2 s apart (a callback's output may set off another), or until what
    is pending has not changed for a second (Dash leaves a prevent_initial_call callback whose inputs a callback drew
    "watched", its outputs marked loading, for good: the withdrawal card of /data-status); the seconds it took.
    (Fixed sleeps of 0.7 s a page were a third of the tour, and the withdrawal card cost 30 s a visit.)"""
    t0 = time.perf_counter()
    time.sleep(0.1)
    last, since = None, t0
    while time.perf_counter() - t0 < timeout:
        pending = driver.execute_script(PENDING, BUSY)
        if pending == "":
            time.sleep(0.2)
            if driver.execute_script(PENDING, BUSY) == "":
                break
        elif pending != last:
            last, since = pending, time.perf_counter()
        elif pending != "starting" and time.perf_counter() - since > 1.0:
            break
        time.sleep(0.05)
    return time.perf_counter() - t0


# Within one language and window size the tour moves between Dash pages as the navigation bar's links do (history
# pushState and Dash's event: the page is rendered by the running app, no reload); a path that is no Dash page (the
# password form) is loaded. Reloading the app for each of ~250 pages was most of the tour's time, CI's long pole.
NAVIGATE = ("window.history.pushState({}, '', arguments[0]);"
            "window.dispatchEvent(new CustomEvent('_dashprivate_pushstate')); window.scrollTo(0, 0);")


def go(driver, base: str, path: str) -> None:  # noqa: ANN001
    """Open `path`: in the running app when it is one of its pages, else by loading it."""
    import dash
    if path in {p["path"] for p in dash.page_registry.values()} and driver.execute_script("return !!window.store"):
        driver.execute_script(NAVIGATE, path)
    else:
        driver.get(base + path)


def nav_paths(driver) -> list[str]:  # noqa: ANN001
    """The pages in this user's navigation bar (collapsed or not)."""
    links = driver.find_elements(By.CSS_SELECTOR, "#shell-nav .nav-link[href]")
    return list(dict.fromkeys(a.get_attribute("pathname") for a in links))


def opened_texts(driver) -> list[str]:  # noqa: ANN001
    """What the page says with each dropdown open in turn, and with a grid's column filter open."""
    texts: list[str] = []
    for box in driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown")[:6]:
        if not box.is_displayed():
            continue
        try:
            box.click()
            time.sleep(0.2)
            texts += driver.execute_script(TEXTS)
            driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
        except Exception:  # noqa: BLE001 - a dropdown under another element: the others still count
            continue
    for button in driver.find_elements(By.CSS_SELECTOR, ".ag-header-cell-filter-button, .ag-header-icon")[:1]:
        try:
            driver.execute_script("arguments[0].click()", button)
            time.sleep(0.3)
            texts += driver.execute_script(TEXTS)
            driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
        except Exception:  # noqa: BLE001
            pass
    return texts


def console_errors(driver) -> list[str]:  # noqa: ANN001
    """The errors the browser logged since it was last asked: a Dash callback whose input is not on the page (the
    targets page's editor callback on a reader's page was one), a script error, a request that failed. A refused
    callback (HTTP 403) is no page of the tour: none is expected."""
    return [e["message"][:300] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def check_page(driver, name: str, width: int, language: str, names: frozenset[str]) -> list[str]:  # noqa: ANN001
    """Problems of the page now shown: an error in the browser's console, wider than the window, English on a
    Chinese page."""
    problems = [f"{name}: console error: {message}" for message in console_errors(driver)]
    for _attempt in range(3):  # a chart or grid may still be taking the new window's width
        scroll, inner = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        if scroll <= inner:
            break
        time.sleep(1)
    else:
        problems.append(f"{name}: {scroll}px wide in a {inner}px window: {driver.execute_script(WIDEST)}")
    if language == "zh":
        words = english_words(driver.execute_script(TEXTS) + (opened_texts(driver) if width == 1440 else []), names)
        if words:
            problems.append(f"{name}: English on a Chinese page: {sorted(words)}")
    return problems


@pytest.mark.parametrize("username", ROLES)
def test_tour_every_page_fits_and_speaks_the_users_language(demo_site, tmp_path, username: str) -> None:  # noqa: ANN001
    if ON_PG != (SPLIT and username in PG_ROLES):
        pytest.skip("this role is toured in the other database's suite")
    base, factory = demo_site
    driver = chrome(tmp_path / "profile")
    problems: list[str] = []
    with factory() as s:
        names = frozenset(s.scalars(select(User.username)))
    try:
        login(driver, base, username, DEMO_PASSWORD)
        settle(driver)
        for language in ("zh", "en"):
            set_language(factory, username, language)
            # English is checked for width only, and a page that fits 1024 px fits 1440 px: English at 1024
            # alone (a quarter of the tour's time, which is CI's long pole)
            for width, height in SIZES if language == "zh" else SIZES[1:]:
                driver.set_window_size(width, height)
                driver.get(base + "/")
                settle(driver)
                # + the pages every role may open that its navigation bar links only from within other pages
                for path in (nav_paths(driver) + ["/cases/agreement"] * (username in ("leader", "township"))
                             + ["/admin/targets"] * ("/admin/targets" not in nav_paths(driver))
                             + ["/admin/areas"] * (username == "admin")
                             + ["/admin/users", "/account/password"] * (username in ("admin", "leader"))):
                    go(driver, base, path)
                    settle(driver)
                    name = f"{username} {language} {width} {path}"
                    problems += check_page(driver, name, width, language, names)
                    shot(driver, f"tour-{username}-{language}-{width}-{path.strip('/').replace('/', '-') or 'overview'}")
    finally:
        driver.quit()
        set_language(factory, username, "zh")
    assert not problems, "\n".join(problems)


@sqlite_only
def test_long_lists_stay_responsive(demo_site, tmp_path) -> None:  # noqa: ANN001
    """The county leader's 人账相符 page (once ~45 s of frozen browser) is interactive within seconds."""
    base, _factory = demo_site
    driver = chrome(tmp_path / "profile")
    try:
        login(driver, base, "leader", DEMO_PASSWORD)
        settle(driver)
        for path, ready in (("/cases/agreement", ".bx-agreement-grid .ag-row"), ("/cases", "#ledger-cases table"),
                            ("/rankings", "#rankings-grid .ag-row")):
            t0 = time.perf_counter()
            driver.get(base + path)
            while not driver.find_elements(By.CSS_SELECTOR, ready) and time.perf_counter() - t0 < 60:
                time.sleep(0.05)
            lag = driver.execute_async_script(
                "const done = arguments[0]; const t = performance.now();"
                "requestAnimationFrame(() => setTimeout(() => done(performance.now() - t), 0));")
            took = time.perf_counter() - t0
            # the browser must not freeze (a frame within 500 ms once the list is there); the wall time only
            # guards against the old ~45 s freeze: CI's two suites share two cores, so the server may queue
            assert took < 30 and lag < 500, f"{path}: interactive after {took:.1f} s (last frame {lag:.0f} ms)"
    finally:
        driver.quit()


# The Dash components of the page now shown (what Dash's renderer holds: a grid or a chart is one)
COMPONENTS = """const count = x => Array.isArray(x) ? x.reduce((n, v) => n + count(v), 0)
  : (x && typeof x === 'object') ? Object.values(x).reduce((n, v) => n + count(v), x.type && x.namespace ? 1 : 0) : 0;
return count(window.store.getState().layout);"""
COMPONENT_BUDGET = 1000


@sqlite_only
def test_no_page_draws_more_components_than_the_browser_can_take(demo_site, tmp_path) -> None:  # noqa: ANN001
    """Every page of the county leader holds at most COMPONENT_BUDGET Dash components. Dash 4.2–4.4.1 remount every
    component a callback has drawn whenever its parents re-render (plotly/dash#3846), at a cost that grows faster
    than their number: the case ledger's ~1,850 components kept the browser busy for 3–4 s a visit on this machine,
    the data status page's ~1,250 for ~3 s; long lists are AG Grids (one component) and a ledger cell is one text.
    (A count, not a time: CI's two suites share two cores, and the same page took 0.7 s alone and 3.2 s there.)"""
    base, _factory = demo_site
    driver = chrome(tmp_path / "profile")
    try:
        login(driver, base, "leader", DEMO_PASSWORD)
        settle(driver)
        counts = {}
        for path in nav_paths(driver) + ["/cases/agreement", "/admin/users"]:
            go(driver, base, path)
            settle(driver)
            counts[path] = driver.execute_script(COMPONENTS)
        assert counts["/cases"] > 100, counts            # (the count sees the ledger's table)
        assert all(n <= COMPONENT_BUDGET for n in counts.values()), counts
    finally:
        driver.quit()


@sqlite_only
def test_refused_pages_say_no_access_in_the_browser(demo_site, tmp_path) -> None:  # noqa: ANN001
    base, factory = demo_site
    with factory() as s:
        school = s.scalar(select(User).where(User.username == "school"))
        other_case = s.scalar(select(DropoutCase.id).where(DropoutCase.school_id != school.school_id))
    driver = chrome(tmp_path / "profile")
    try:
        login(driver, base, "school", DEMO_PASSWORD)
        settle(driver)
        for path in ("/zones", "/map", f"/cases/case?id={other_case}"):
            driver.get(base + path)
            settle(driver)
            panel = driver.find_element(By.ID, "no-access")
            assert "无权访问" in panel.text, path
            body = driver.find_element(By.TAG_NAME, "body").text
            assert "添加片区" not in body and "暂无数据" not in body, path
            shot(driver, f"no-access-{path.strip('/').split('?')[0].replace('/', '-')}")
    finally:
        driver.quit()


FIRST_ROW = """const row = document.querySelector(arguments[0] + ' .ag-center-cols-container .ag-row[row-index="0"]');
return row ? Array.from(row.querySelectorAll('.ag-cell')).map(c => c.innerText) : null;"""


@sqlite_only
def test_server_paged_grids_follow_the_pickers(demo_site, tmp_path) -> None:  # noqa: ANN001
    """The grids whose pages the server sends keep no page of the term or township picked before: the data
    status page's schools after another term is picked, the school-age lines after a township is."""
    from data_access.models import Area, School, Term, UnitCounts
    from tests.browser import choose
    from selenium.webdriver.support.ui import WebDriverWait
    from domain.terms import term_label_zh
    base, factory = demo_site
    with factory() as s:
        terms = list(s.scalars(select(Term.code).order_by(Term.code.desc())))
        first = s.scalar(select(School.code).order_by(School.township_code, School.code))
        lines = dict(s.execute(select(UnitCounts.term_code, UnitCounts.roster_lines).where(
            UnitCounts.level == "school", UnitCounts.unit_code == first)).all())
        town = s.scalar(select(Area.name).where(Area.level == "township").order_by(Area.code.desc()).limit(1))
    newest, other = terms[0], next(t for t in terms[1:] if lines.get(t) != lines[terms[0]])
    driver = chrome(tmp_path / "profile")
    wait = WebDriverWait(driver, 30)
    try:
        login(driver, base, "leader", DEMO_PASSWORD)
        driver.get(base + "/data-status")
        wait.until(lambda d: (d.execute_script(FIRST_ROW, "#status-schools-grid") or [""])[2:3] == [first])
        assert driver.execute_script(FIRST_ROW, "#status-schools-grid")[4] == f"{lines[newest]:,}"
        choose(driver, wait, "shell-term", term_label_zh(other))
        wait.until(lambda d: (d.execute_script(FIRST_ROW, "#status-schools-grid") or [""] * 5)[4]
                   == f"{lines[other]:,}")
        driver.get(base + "/cases")
        driver.execute_script("arguments[0].click()",
                              wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#ledger-tabs .nav-link"))[0])
        wait.until(lambda d: d.execute_script(FIRST_ROW, "#ledger-grid"))
        assert driver.execute_script(FIRST_ROW, "#ledger-grid")[0] != town
        choose(driver, wait, "ledger-town", town)
        wait.until(lambda d: (d.execute_script(FIRST_ROW, "#ledger-grid") or [""])[0] == town)
    finally:
        driver.quit()
