"""Benchmark the demo loader: create the schema, run seed_demo, print seconds and rows/s.

    python bench/bench_seed.py --scale province --url sqlite:////tmp/prov.db [--reset]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from data_access.db import make_engine, make_sessionmaker  # noqa: E402
from data_access.demo.build import seed_demo  # noqa: E402
from data_access.schema import upgrade_schema  # noqa: E402

_ROW_KEYS = ("areas", "schools", "boundaries", "users", "students", "roster_records", "population",
             "enrollment_history")


def reset_database(url: str) -> None:
    """Start from nothing: delete the SQLite file, or drop PostgreSQL's public schema."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[-1])
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        return
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, load the demo and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("county", "province"), default="county")
    parser.add_argument("--url", default="sqlite:////tmp/baoxue_bench.db")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--counties", type=int, default=None, help="province: load only the first N counties")
    parser.add_argument("--students-per-county", type=int, default=None)
    parser.add_argument("--reset", action="store_true", help="drop the database contents first")
    args = parser.parse_args(argv)
    if args.reset:
        reset_database(args.url)
    engine = make_engine(args.url)
    t0 = time.perf_counter()
    upgrade_schema(engine)
    t1 = time.perf_counter()
    summary = seed_demo(make_sessionmaker(engine), scale=args.scale, seed=args.seed, counties=args.counties,
                        students_per_county=args.students_per_county)
    t2 = time.perf_counter()
    rows = sum(summary.get(k, 0) for k in _ROW_KEYS)
    print(f"schema: {t1 - t0:.1f} s")
    print(f"seed_demo({args.scale}) on {engine.dialect.name}: {t2 - t1:.1f} s, {rows:,} rows, "
          f"{rows / (t2 - t1):,.0f} rows/s (students + roster: "
          f"{(summary['students'] + summary['roster_records']) / (t2 - t1):,.0f} rows/s)")
    for key in _ROW_KEYS + ("terms", "zones"):
        print(f"  {key:20} {summary.get(key, 0):>12,}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
