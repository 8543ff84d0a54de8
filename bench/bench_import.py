"""Benchmark the roster import: generate a 1,000,000-row roster of the demo county's schools, import it on
SQLite or PostgreSQL, print rows/s for validating and writing and the peak memory.

    python bench/bench_import.py --url sqlite:////tmp/bench_import.db --rows 1000000
    python bench/bench_import.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_import --rows 1000000
    python bench/bench_import.py --url sqlite:////tmp/bench_import.db --rows 50000 --xlsx
    python bench/bench_import.py --url … --repeat 2 --wait-idle 300     # two measurements, each on a quieter machine
    # a county of an existing database (a COPY of the province seed: it writes), a replacing file then changed lines:
    python bench/bench_import.py --url sqlite:////tmp/prov_copy.db --county 532822000000 --term 2026-1 --rows 100000

The database is a scratch one: its contents are replaced by the county demo first (unless --keep).
Each run imports the file twice: first as a new term (every row new), then again (every row unchanged).
"""
from __future__ import annotations

import argparse
import csv
import os
import datetime as dt
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, text  # noqa: E402

from data_access import audit  # noqa: E402
from data_access.db import make_engine, make_sessionmaker  # noqa: E402
from data_access.imports.files import import_roster  # noqa: E402
from data_access.models import Area, School  # noqa: E402
from data_access.schema import upgrade_schema  # noqa: E402
from bench_seed import reset_database  # noqa: E402 - bench/ is on sys.path when run as a script

HEADER = ["全国学籍号", "姓名", "性别", "出生日期", "身份证件号", "学校标识码", "年级", "班级", "就读状态", "户籍地代码",
          "监护人姓名", "监护人电话", "脱贫户", "残疾类型", "留守儿童", "随迁子女"]
TERM = "2026-2"            # the term after the demo's last one: the demo's 2026-1 is the previous roster
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗岩玉"
GIVEN = "明华芳伟静丽强磊军洋艳勇杰娟涛超秀英敏燕香罕温"


def _ensure_database(url: str) -> None:
    """Create the PostgreSQL database of the URL if it does not exist (SQLite creates its file itself)."""
    if not url.startswith("postgresql"):
        return
    base, name = url.rsplit("/", 1)
    engine = make_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def generate_roster(path: Path, rows: int, schools: list[str], villages: dict[str, list[str]],
                    townships: dict[str, str], seed: int = 7, shuffled: bool = False) -> Path:
    """Write a valid roster CSV (UTF-8) of `rows` students spread over `schools`; student numbers rise row by
    row, or (`shuffled`) come in random order as in a real registry export."""
    import numpy as np

    from data_access.demo.students import id_check_digits
    rng = np.random.default_rng(seed)
    grade = rng.integers(1, 10, rows)
    year = 2026 - 5 - grade                              # age 6 in grade 1 on 31 Aug 2026
    birth = [dt.date(int(y), int(m), int(d)) for y, m, d in
             zip(year, rng.integers(1, 13, rows), rng.integers(1, 29, rows))]
    male = rng.random(rows) < 0.52
    taken: dict[tuple[dt.date, bool], int] = {}
    seq = []
    for b, m in zip(birth, male.tolist()):             # a distinct sequence number per birth day and gender
        k = taken[b, m] = taken.get((b, m), -1) + 1
        seq.append(2 * k + m)                           # 17th digit: odd for boys
    bodies = [f"532822{b:%Y%m%d}{s:03d}" for b, s in zip(birth, seq)]
    ids = [b + c for b, c in zip(bodies, id_check_digits(bodies))]
    school = rng.integers(0, len(schools), rows)
    status = rng.choice(["在读", "在读", "在读", "在读", "休学", "辍学", "转出"], rows, p=[.3, .3, .2, .17, .01, .01, .01])
    statuses = status.tolist()
    names = [SURNAMES[a] + GIVEN[b] + GIVEN[c] for a, b, c in
             zip(*(rng.integers(0, len(SURNAMES), rows).tolist(), rng.integers(0, len(GIVEN), rows).tolist(),
                   rng.integers(0, len(GIVEN), rows).tolist()))]
    phones = (13_800_000_000 + rng.integers(0, 99_999_999, rows)).tolist()
    flags = rng.random((rows, 4)) < [0.15, 0.02, 0.2, 0.05]
    numbers = (rng.permutation(rows) + 1).tolist() if shuffled else range(1, rows + 1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(rows):
            code = schools[school[i]]
            own = villages.get(townships[code]) or [""]
            household = own[i % len(own)] if i % 10 < 7 else ""
            out.writerow([f"G{numbers[i]:018d}", names[i], "男" if male[i] else "女", birth[i].isoformat(), ids[i], code,
                          int(grade[i]), f"{i % 6 + 1}班", statuses[i], household, names[i][0] + "家长",
                          phones[i], "是" if flags[i, 0] else "否", "视力" if flags[i, 1] else "无",
                          "是" if flags[i, 2] else "否", "是" if flags[i, 3] else "否"])
    return path


def to_xlsx(csv_path: Path, xlsx_path: Path) -> Path:
    """The same roster as a workbook (write-only openpyxl), with a title row as the registry writes it."""
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("学籍名册")
    ws.append(["勐海县学籍名册（基准测试）"])
    with csv_path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            ws.append(row)
    wb.save(xlsx_path)
    return xlsx_path


def _rss_mb() -> float:
    """Peak resident memory of this process so far, in MB: VmHWM (getrusage's ru_maxrss would carry the
    parent's peak across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _print_slow_statements(engine, seconds: float = 0.5) -> None:  # noqa: ANN001
    """Print every SQL statement that takes longer than `seconds` (to see where the time goes)."""
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn, _cursor, _statement, _parameters, _context, _many) -> None:  # noqa: ANN001
        conn.info["bench_t0"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _end(conn, _cursor, statement, _parameters, _context, _many) -> None:  # noqa: ANN001
        took = time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())
        if took > seconds:
            print(f"    {took:6.3f} s  {' '.join(statement.split())[:140]}")


def _watch_key_locks(engine) -> dict[str, float]:  # noqa: ANN001
    """Note when the import drops roster_record's foreign keys (import_bulk): from then until the commit, readers of
    roster_record, student, school and term wait."""
    from sqlalchemy import event
    seen: dict[str, float] = {}

    @event.listens_for(engine, "before_cursor_execute")
    def _note(_conn, _cursor, statement, _parameters, _context, _many) -> None:  # noqa: ANN001
        if statement.startswith("ALTER TABLE") and "DROP CONSTRAINT" in statement:
            seen.setdefault("dropped", time.perf_counter())
    return seen


def _backend_cpu(pid: int | None) -> float:
    """CPU seconds a local PostgreSQL backend process has used (0 when not local or not PostgreSQL)."""
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(limit: float, threshold: float = 0.7) -> None:
    """Wait up to `limit` seconds for the 1-minute load average to fall below `threshold` (as bench_pages.py)."""
    end = time.monotonic() + limit
    while os.getloadavg()[0] >= threshold and time.monotonic() < end:
        time.sleep(5)


def settle(engine) -> None:  # noqa: ANN001
    """Before the clock starts: write out what earlier work left in memory, so the import does not pay for it. A
    database just copied (`cp` of the province file, `CREATE DATABASE … TEMPLATE`) leaves gigabytes of dirty pages
    (and on PostgreSQL a checkpoint due); SQLite's first checkpoint of the import fsynced the copy's 2.2 GB (about
    1 s of every SQLite import measured before 2026-12-05's fourth session)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("CHECKPOINT"))     # (a superuser's or pg_checkpoint's, as the bench runs)
            conn.commit()
    os.sync()


def import_once(url: str, path: Path, label: str, slow_sql: float | None = None, term: str = TERM) -> None:
    """Import the file once in this (fresh) process and print validate / write rows/s and peak memory."""
    load_before = os.getloadavg()[0]
    engine = make_engine(url)
    settle(engine)
    if slow_sql is not None:
        _print_slow_statements(engine, slow_sql)
    factory = make_sessionmaker(engine)
    key_locks = _watch_key_locks(engine)
    base_rss = _rss_mb()
    marks: dict[str, tuple[float, float, float]] = {}
    backend: list[int | None] = [None]

    def progress(done: int, total: int, phase: str) -> None:
        marks.setdefault(phase, (time.perf_counter(), time.process_time(), _backend_cpu(backend[0])))

    # risk scores: recomputed after the commit in their own transactions, as a job's process does (issue 20.6)
    from data_access.warning.refresh import run_pending, set_scheduler
    scored: list[float] = []

    def score_after_commit(fac) -> None:  # noqa: ANN001
        t0 = time.perf_counter()
        run_pending(fac)
        scored.append(time.perf_counter() - t0)
    set_scheduler(score_after_commit)
    with audit.acting_as(None, "bench"), factory() as s:
        s.begin()
        if engine.dialect.name == "postgresql":
            backend[0] = s.execute(text("SELECT pg_backend_pid()")).scalar()
        started, cpu0, db0 = time.perf_counter(), time.process_time(), _backend_cpu(backend[0])
        result = import_roster(s, path, term, progress=progress)
        if not result.ok:
            print(result.report()[:2000])
            raise SystemExit(f"{label}: refused")
        ended, cpu1, db1 = time.perf_counter(), time.process_time(), _backend_cpu(backend[0])
        s.commit()                        # (the scores are refreshed here, after the import's commit)
        committed = time.perf_counter() - ended - sum(scored)
    set_scheduler(None)
    rows = result.rows
    w_wall, w_cpu, w_db = marks.get("writing", (ended, cpu1, db1))
    print(f"{engine.dialect.name}, {label}: {result.summary()}; missing since {result.previous_term}: "
          f"{result.missing_count:,}; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    for name, wall, cpu, db in (("validate", w_wall - started, w_cpu - cpu0, w_db - db0),
                                ("write", ended - w_wall, cpu1 - w_cpu, db1 - w_db),
                                ("total", ended - started, cpu1 - cpu0, db1 - db0)):
        server = f" + PostgreSQL backend {db:5.1f} s" if backend[0] else ""
        print(f"  {name:8s} {wall:6.1f} s  {rows / max(wall, 1e-9):9,.0f} rows/s   (CPU: this process {cpu:5.1f} s"
              f"{server}; {rows / max(cpu + db, 1e-9):9,.0f} rows per CPU second)")
    print(f"  commit   {committed:6.1f} s  (the import's last commit: SQLite's checkpoint of the WAL, if one falls "
          f"due; with it: {rows / max(ended - started + committed, 1e-9):,.0f} rows/s)")
    if "dropped" in key_locks:
        print(f"  foreign keys checked once: tables locked for readers {ended - key_locks['dropped']:.1f} s "
              f"(until the commit)")
    if scored:
        from data_access.warning.refresh import PUPILS_PER_RUN, SCHOOLS_PER_RUN, SCHOOLS_PER_RUN_SQLITE
        schools = SCHOOLS_PER_RUN_SQLITE if engine.dialect.name == "sqlite" else SCHOOLS_PER_RUN
        print(f"  risk scores refreshed after the commit in {scored[0]:.1f} s (transactions of at most {schools} "
              f"schools and {PUPILS_PER_RUN:,} roster lines)")
    print(f"  peak RSS {_rss_mb():,.0f} MB (Python and libraries before the import: {base_rss:,.0f} MB)")
    engine.dispose()


def _run_county(args: argparse.Namespace) -> None:
    """Into an existing database (a copy of the province seed: each import writes), import a generated roster of
    one county's schools into an existing term twice: a file replacing the county's lines (seed 7), then a file
    of the same pupils with changed lines (seed 8)."""
    low, high = args.county[:6] + "000000", args.county[:6] + "999999"
    engine = make_engine(args.url)
    with make_sessionmaker(engine)() as s:
        schools = dict(s.execute(select(School.code, School.township_code)
                                 .where(School.township_code.between(low, high))).all())
        villages: dict[str, list[str]] = {}
        for code, parent in s.execute(select(Area.code, Area.parent_code)
                                      .where(Area.level == "village", Area.code.between(low, high))):
            villages.setdefault(parent, []).append(code)
    engine.dispose()
    if not schools:
        raise SystemExit(f"no school in county {args.county}")
    for seed, label in ((7, f"replacing county {args.county}'s lines in {args.term}"), (8, "then changed lines")):
        csv_path = Path(f"/tmp/bench_roster_{args.county}_{args.rows}_seed{seed}.csv")
        if not csv_path.exists():
            generate_roster(csv_path, args.rows, sorted(schools), villages, schools, seed=seed, shuffled=args.shuffled)
        wait_idle(args.wait_idle)
        subprocess.run([sys.executable, __file__, "--url", args.url, "--import-only", str(csv_path), "--label", label,
                        "--term", args.term,
                        *(["--slow-sql", str(args.slow_sql)] if args.slow_sql is not None else [])], check=True)
        if args.once:
            break


def _run(args: argparse.Namespace, keep: bool) -> None:
    """One measurement: (unless keep) the county demo afresh, the file, then the imports in fresh processes."""
    if not keep:
        reset_database(args.url)
    engine = make_engine(args.url)
    factory = make_sessionmaker(engine)
    if not keep:
        from data_access.demo.build import seed_demo
        upgrade_schema(engine)
        t0 = time.perf_counter()
        seed_demo(factory, scale="county", seed=1, progress=lambda _m: None)
        print(f"county demo loaded in {time.perf_counter() - t0:.0f} s")
    with factory() as s:
        schools = dict(s.execute(select(School.code, School.township_code)).all())
        villages: dict[str, list[str]] = {}
        for code, parent in s.execute(select(Area.code, Area.parent_code).where(Area.level == "village")):
            villages.setdefault(parent, []).append(code)
    engine.dispose()
    csv_path = Path(f"/tmp/bench_roster_{args.rows}{'_shuffled' if args.shuffled else ''}.csv")
    if not csv_path.exists():
        t0 = time.perf_counter()
        generate_roster(csv_path, args.rows, sorted(schools), villages, schools, shuffled=args.shuffled)
        print(f"generated {csv_path} ({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.0f} s")
    path = csv_path
    if args.xlsx:
        path = csv_path.with_suffix(".xlsx")
        if not path.exists():
            t0 = time.perf_counter()
            to_xlsx(csv_path, path)
            print(f"wrote {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.0f} s")
    runs = [("first import, a new term: every row new", path)]
    if not args.once:
        runs.append(("re-import of the same file: every row unchanged", path))
    for label, file in runs:
        wait_idle(args.wait_idle)
        subprocess.run([sys.executable, __file__, "--url", args.url, "--import-only", str(file), "--label", label,
                        *(["--slow-sql", str(args.slow_sql)] if args.slow_sql is not None else [])], check=True)


def main(argv: list[str] | None = None) -> int:
    """Seed the scratch database, generate the file, then import it twice, each in a fresh process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="sqlite:////tmp/bench_import.db")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx", action="store_true", help="import an .xlsx of the rows instead of the CSV")
    parser.add_argument("--shuffled", action="store_true",
                        help="student numbers in random order (as in a registry export), not rising row by row")
    parser.add_argument("--keep", action="store_true", help="reuse the database as it is (demo already loaded)")
    parser.add_argument("--once", action="store_true", help="import only once (skip the unchanged re-import)")
    parser.add_argument("--slow-sql", nargs="?", type=float, const=0.5, default=None, metavar="SECONDS",
                        help="print SQL statements slower than SECONDS (default 0.5)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure N times (each: a fresh demo database, then the first import and the re-import)")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="before each import, wait up to SECONDS for the 1-minute load average to fall below 0.7")
    parser.add_argument("--county", metavar="CODE",
                        help="import into this county of the existing database at --url (e.g. a copy of the province "
                             "seed; 532822000000 is 勐海县) instead of a fresh demo: a replacing file, then changed lines")
    parser.add_argument("--term", default=TERM, help=f"the term imported into (default {TERM}; with --county e.g. 2026-1)")
    parser.add_argument("--import-only", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--label", default="import", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.import_only:
        import_once(args.url, Path(args.import_only), args.label, args.slow_sql, args.term)
        return 0
    if args.county:
        _run_county(args)
        return 0
    _ensure_database(args.url)
    for n in range(args.repeat):
        if args.repeat > 1:
            print(f"--- run {n + 1} of {args.repeat}")
        _run(args, keep=args.keep and n == 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
