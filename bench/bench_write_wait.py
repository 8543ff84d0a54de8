"""How long an interactive save waits while a large roster import holds the database's write lock (issue 12, item 6).

    python bench/bench_write_wait.py --url sqlite:////tmp/bench_wait.db --rows 200000
    python bench/bench_write_wait.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_wait --rows 200000

The database is a scratch one: the county demo is loaded afresh (unless --keep). A roster of `--rows` new students
(bench_import.generate_roster) is imported as term 2026-2 in another process, as a background job does; meanwhile
this process makes a save every `--interval` seconds, as a field of a page does: one row changed (a user's display
name) with its audit entry, in its own transaction. Each save's time from its start to its commit is printed, with
the import's start and end; then p50, p95 and the longest save, during the import and without it. A save that fails
(SQLite's busy timeout, 30 s in data_access/db.py) is counted and its error printed. Figures are printed, never
asserted.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from data_access import audit  # noqa: E402
from data_access.db import make_engine, make_sessionmaker  # noqa: E402
from data_access.models import Area, School, User  # noqa: E402
from data_access.schema import upgrade_schema  # noqa: E402
from bench_import import _ensure_database, generate_roster  # noqa: E402
from bench_seed import reset_database  # noqa: E402

IMPORTER = Path(__file__).resolve().parent / "bench_import.py"


def prepare(url: str, rows: int, keep: bool) -> Path:
    """The county demo (unless keep) and the roster file of `rows` students."""
    _ensure_database(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    if not keep:
        reset_database(url)
        engine.dispose()
        from data_access.demo.build import seed_demo
        upgrade_schema(engine)
        t0 = time.perf_counter()
        with audit.acting_as(None, "bench"):
            seed_demo(factory, scale="county", seed=1, progress=lambda _m: None)
        print(f"county demo loaded in {time.perf_counter() - t0:.0f} s")
    with factory() as s:
        schools = dict(s.execute(select(School.code, School.township_code)).all())
        villages: dict[str, list[str]] = {}
        for code, parent in s.execute(select(Area.code, Area.parent_code).where(Area.level == "village")):
            villages.setdefault(parent, []).append(code)
    engine.dispose()
    path = Path(f"/tmp/bench_roster_{rows}.csv")
    if not path.exists():
        generate_roster(path, rows, sorted(schools), villages, schools)
        print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB)")
    return path


def save_once(factory, user_id: int, n: int) -> float:  # noqa: ANN001
    """One save as a page makes it (a changed row, its audit entry, one transaction); seconds to its commit."""
    t0 = time.perf_counter()
    with audit.acting_as(user_id, "bench-save"), factory() as s, s.begin():
        user = s.get(User, user_id)
        user.display_name = f"bench {n}"
    return time.perf_counter() - t0


def _stats(label: str, times: list[float]) -> None:
    if not times:
        print(f"  {label}: no saves")
        return
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    print(f"  {label}: {len(times)} saves, p50 {statistics.median(times) * 1000:,.0f} ms, p95 {p95 * 1000:,.0f} ms, "
          f"longest {max(times):,.2f} s, waited over 1 s: {sum(t > 1 for t in times)}")


def measure(url: str, path: Path, interval: float, quiet: bool) -> None:
    """Import in a child process while saving every `interval` s here; print the timeline and the figures."""
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with factory() as s:
        user_id = s.scalar(select(User.id).order_by(User.id).limit(1))
    before = [save_once(factory, user_id, i) for i in range(20)]
    load = os.getloadavg()[0]
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, str(IMPORTER), "--url", url, "--import-only", str(path),
                              "--label", "import"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    during: list[float] = []
    failed: list[str] = []
    n = 0
    while child.poll() is None:
        n += 1
        at = time.perf_counter() - start
        try:
            took = save_once(factory, user_id, n)
        except OperationalError as exc:
            failed.append(f"{at:6.1f} s: {exc.orig}")
            continue
        during.append(took)
        if not quiet or took > 1:
            print(f"  save at {at:6.1f} s took {took * 1000:8,.0f} ms")
        time.sleep(max(0.0, interval - took))
    ended = time.perf_counter() - start
    output = child.stdout.read() if child.stdout else ""
    print(output.rstrip())
    print(f"{engine.dialect.name}: import of {path.name} in another process: {ended:.1f} s; "
          f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after")
    _stats("without an import", before)
    _stats("during the import", during)
    if failed:
        print(f"  failed saves: {len(failed)}")
        for line in failed[:5]:
            print(f"    {line}")
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Load the demo, write the roster file, then import it while saving."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="sqlite:////tmp/bench_wait.db")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between saves (default 0.25)")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the database as it is (the demo loaded, the term not yet imported)")
    parser.add_argument("--quiet", action="store_true", help="print only saves that took over a second")
    args = parser.parse_args(argv)
    path = prepare(args.url, args.rows, args.keep)
    measure(args.url, path, args.interval, args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
