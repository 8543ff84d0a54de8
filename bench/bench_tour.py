"""Every page as one user sees it, in headless Chromium: time until the page's callbacks have settled, how many
callbacks it fired, the bytes they answered and the largest and slowest one.

    python bench/bench_tour.py --url sqlite:////tmp/prov2.db --user bench_province_leader --password bench-password-1
    python bench/bench_tour.py --url … --user bench_province_admin --password bench-password-1 --only /admin,/zones

It finds pages that bench_pages.py does not time yet: a page that sends megabytes or takes seconds at a wide
scope. The app is served in-process (threaded werkzeug) over `--url`; the user logs in through the real form; each
page is opened with `driver.get` and measured from the browser's own resource timings once no callback has been
answered for `--quiet` seconds and none is loading. Figures are printed (median of `--repeat`), never asserted.
Users the bench creates (`--create-users`): a province leader and a province administrator.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_browser import serve  # noqa: E402 - bench/ is on sys.path when run as a script

PAGES = ["/", "/compliance", "/tiers", "/rankings", "/accountability", "/map", "/progress", "/inbox", "/reports",
         "/cases", "/cases/agreement", "/cases/poverty", "/inspection", "/inspection/coverage", "/rectification",
         "/warning", "/imports", "/data-status", "/documents", "/students", "/roster-export", "/checklists", "/zones",
         "/audit", "/admin/users", "/admin/areas", "/admin/targets"]
PROVINCE = "530000000000"
PASSWORD = "bench-password-1"

# resource timings of the page's callbacks so far, and whether Dash shows anything as loading
PROBE = """return [performance.getEntriesByType('resource')
  .filter(e => e.name.includes('_dash-update-component'))
  .map(e => [e.startTime, e.responseEnd, e.decodedBodySize, e.transferSize]),
  document.querySelectorAll("._dash-loading, [data-dash-is-loading='true']").length,
  performance.getEntriesByType('navigation').map(e => [e.responseEnd, e.domContentLoadedEventEnd])[0] || [0, 0],
  performance.getEntriesByType('resource').filter(e => !e.name.includes('_dash-update-component'))
  .map(e => [e.startTime, e.responseEnd, e.name.split('?')[0].split('/').slice(-1)[0]])];"""


def ensure_users(url: str) -> None:
    """The province leader and administrator the tour logs in as (created once)."""
    from sqlalchemy import select

    from data_access import audit
    from data_access.admin.users import create_user
    from data_access.db import make_engine, make_sessionmaker
    from data_access.models import User
    factory = make_sessionmaker(make_engine(url))
    with audit.acting_as(None, "bench"), factory() as s, s.begin():
        for name, role in (("bench_province_leader", "county_leader"), ("bench_province_admin", "admin")):
            if s.scalar(select(User.id).where(User.username == name)) is None:
                create_user(s, name, PASSWORD, role, PROVINCE)


# the browser's long tasks (main thread busy ≥ 50 ms at a stretch: drawing what the callbacks sent) since navigation
LONG_TASKS = """const done = arguments[0]; const out = [];
new PerformanceObserver(l => { for (const e of l.getEntries()) out.push([e.startTime, e.duration]); })
  .observe({type: 'longtask', buffered: true});
setTimeout(() => done(out), 100);"""


def visit(driver, base: str, path: str, quiet: float, timeout: float) -> dict:  # noqa: ANN001
    """Open `path` and wait until its callbacks settle; the figures of what it did."""
    t0 = time.perf_counter()
    driver.get(base + path)
    seen, still_since = -1, time.perf_counter()
    entries: list = []
    while time.perf_counter() - t0 < timeout:
        entries, loading, navigation, others = driver.execute_script(PROBE)
        if len(entries) != seen or loading:
            seen, still_since = len(entries), time.perf_counter()
        elif time.perf_counter() - still_since >= quiet:
            break
        time.sleep(0.05)
    errors = [e["message"][:600] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    busy = driver.execute_async_script(LONG_TASKS)
    settled = max((e[1] for e in entries), default=0.0) / 1000
    longest = max((e[1] - e[0] for e in entries), default=0.0)
    largest = max((e[2] for e in entries), default=0)
    return {"settled": settled, "callbacks": len(entries), "bytes": sum(e[2] for e in entries),
            "wire": sum(e[3] for e in entries), "longest": longest, "largest": largest, "errors": errors,
            "url": driver.current_url.replace(base, ""), "entries": entries, "busy": busy, "navigation": navigation,
            "others": others}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--user", default="bench_province_leader")
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--create-users", action="store_true", help="create the province leader and administrator")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quiet", type=float, default=1.0, help="seconds without a callback answer that mean settled")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--size", default="1440,900")
    parser.add_argument("--only", default="", help="paths holding one of these (comma-separated)")
    parser.add_argument("--detail", action="store_true",
                        help="also print the last run's timeline: the page's own answer, other requests, each callback")
    args = parser.parse_args()
    if args.create_users:
        ensure_users(args.url)
    from tests.browser import chrome, login
    base = serve(args.url)
    with tempfile.TemporaryDirectory() as tmp:
        driver = chrome(Path(tmp) / "profile", args.size)
        driver.set_page_load_timeout(300)
        try:
            login(driver, base, args.user, args.password)
            time.sleep(2)
            print(f"user {args.user}, {args.url}, {time.strftime('%Y-%m-%d %H:%M')}; seconds from navigation to "
                  f"the last callback answer (median of {args.repeat}); KB decoded; slowest callback ms; the browser's "
                  f"main thread busy in long tasks (≥ 50 ms each): their sum and the longest, ms")
            print("| page | settled s | runs | callbacks | KB | largest KB | slowest ms | busy ms | longest task ms "
                  "| errors |")
            print("|---|---|---|---|---|---|---|---|---|---|")
            for path in PAGES:
                if args.only and not any(part in path for part in args.only.split(",")):
                    continue
                runs = [visit(driver, base, path, args.quiet, args.timeout) for _ in range(args.repeat)]
                last = runs[-1]
                times = ", ".join(f"{r['settled']:.2f}" for r in runs)
                shown = path if last["url"].split("?")[0] == path else f"{path} → {last['url']}"
                print(f"| `{shown}` | {statistics.median(r['settled'] for r in runs):.2f} "
                      f"| {times} | {last['callbacks']} "
                      f"| {last['bytes'] / 1024:,.0f} | {last['largest'] / 1024:,.0f} "
                      f"| {statistics.median(r['longest'] for r in runs):.0f} "
                      f"| {statistics.median(sum(d for _s, d in r['busy']) for r in runs):.0f} "
                      f"| {statistics.median(max((d for _s, d in r['busy']), default=0) for r in runs):.0f} "
                      f"| {len(last['errors'])} |", flush=True)
                for message in last["errors"][:3]:
                    print(f"    {message}")
                if args.detail:
                    page, loaded = last["navigation"]
                    print(f"    page answered {page:.0f} ms, DOM ready {loaded:.0f} ms")
                    for start, end, name in last["others"]:
                        print(f"    {start:7.0f} → {end:7.0f} ms  {name}")
                    for start, end, size, _wire in sorted(last["entries"]):
                        print(f"    {start:7.0f} → {end:7.0f} ms  callback {size / 1024:,.1f} KB")
                    for start, duration in last["busy"]:
                        print(f"    {start:7.0f} → {start + duration:7.0f} ms  long task")
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
