"""Time to interactive of the long-list pages in headless Chromium, over a demo database.

    python bench/bench_browser.py --url sqlite:////tmp/baoxue_county.db [--user leader] [--repeat 3]

The one Dash app is served on a free local port over `--url`; the user logs in through the real form
(demo password `baoxue-demo`), then each page is opened with `driver.get` and timed until its
content element is on the page and the page answers a `requestAnimationFrame` round trip (the main
thread is free). `--only SUBSTRING` picks pages. Figures are printed (median of `--repeat`), never asserted.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# page, CSS selector present once its content arrived
PAGES = [
    ("/", "#overview-chart .main-svg"),
    ("/cases/agreement", ".bx-agreement-section, #agreement-list .alert"),
    ("/cases", "#ledger-cases table, #ledger-cases .alert"),
    ("/compliance", "#compliance-body table, #compliance-body .ag-row"),
    ("/inspection", "#inspection-list table, #inspection-list .alert, #inspection-list .card"),
    ("/rectification", "#rect-list table, #rect-list .card, #rect-list .alert"),
    ("/rankings", "#rankings-grid .ag-row"),
    ("/compliance?units=school", "#compliance-body table, #compliance-body .ag-row"),
]
FREE = """const done = arguments[arguments.length - 1];
const t0 = performance.now();
requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));"""


def serve(url: str) -> str:
    """Serve the app over `url` on a free local port (a daemon thread)."""
    import logging

    from werkzeug.serving import make_server
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    from app import app
    from data_access.db import make_engine
    app.server.extensions["baoxue"].use_engine(make_engine(url))
    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_port}"


def measure(driver, base: str, path: str, selector: str, timeout: float = 180) -> tuple[float, float]:  # noqa: ANN001
    """Seconds from navigation to content present and main thread free; the last frame's delay (ms)."""
    from selenium.webdriver.common.by import By
    t0 = time.perf_counter()
    driver.get(base + path.split("?")[0])
    if path.endswith("units=school"):  # the all-schools matrix: pick "All schools" once the page is there
        while not driver.find_elements(By.CSS_SELECTOR, "#compliance-body table") and time.perf_counter() - t0 < timeout:
            time.sleep(0.05)
        driver.find_elements(By.CSS_SELECTOR, "#compliance-units input")[1].click()
        time.sleep(0.3)
        selector = "#compliance-body .ag-row"  # the grid of every school
    while time.perf_counter() - t0 < timeout:
        if driver.find_elements(By.CSS_SELECTOR, selector) and not driver.find_elements(
                By.CSS_SELECTOR, "._dash-loading, [data-dash-is-loading='true']"):
            lag = driver.execute_async_script(FREE)
            return time.perf_counter() - t0, lag
        time.sleep(0.05)
    return float("nan"), float("nan")


def main() -> None:
    """Log in and time each page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--user", default="leader")
    parser.add_argument("--password", default="baoxue-demo")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", default="1440,900")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    from tests.browser import chrome, login
    base = serve(args.url)
    with tempfile.TemporaryDirectory() as tmp:
        driver = chrome(Path(tmp) / "profile", args.size)
        driver.set_page_load_timeout(300)
        driver.set_script_timeout(300)
        try:
            login(driver, base, args.user, args.password)
            time.sleep(2)
            print(f"| page ({args.user}) | median s to interactive | runs | last frame ms |\n|---|---|---|---|")
            for path, selector in PAGES:
                if args.only not in path:
                    continue
                runs = [measure(driver, base, path, selector) for _ in range(args.repeat)]
                secs = [r[0] for r in runs]
                print(f"| `{path}` | {statistics.median(secs):.2f} | {', '.join(f'{s:.2f}' for s in secs)} "
                      f"| {runs[-1][1]:.0f} |", flush=True)
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
