"""Benchmark the unit_counts refresh an import pays (issue 19 item 2): the whole-term rebuild against the incremental
refresh of one county's schools, in a large database (the province seed), and check that both give the same rows.

    python bench/bench_refresh.py --url sqlite:////tmp/prov.db [--county 532822000000] [--term 2026-1] [--repeat 3]
    python bench/bench_refresh.py --url postgresql+psycopg://postgres@127.0.0.1:5432/prov

What a roster import of the county's schools does after writing its lines is replayed on the stored roster: the
county's roster_agg rows are recomputed (refresh_roster_aggregates, which returns the leaf area codes it deleted and
inserted), then the unit_counts of every term reading that roster (terms_depending_on) are refreshed, whole and
incrementally, each `--repeat` times. Everything runs in one transaction that is rolled back: the database is left
as it was. Wall time, this process's CPU time and (PostgreSQL on this host) the backend's CPU time are printed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text  # noqa: E402

from data_access.analytics.aggregates import refresh_roster_aggregates  # noqa: E402
from data_access.analytics.unit_counts import refresh_terms, terms_depending_on  # noqa: E402
from data_access.db import make_engine, make_sessionmaker  # noqa: E402
from data_access.models import RosterRecord, School, UnitCounts  # noqa: E402
from domain.areas import code_range  # noqa: E402


def _backend_cpu(pid: int | None) -> float:
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rows(session, terms: list[str]) -> list[tuple]:  # noqa: ANN001
    t = UnitCounts.__table__
    return sorted(tuple(r) for r in session.execute(select(t).where(t.c.term_code.in_(terms))).all())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--county", default="532822000000")
    parser.add_argument("--term", default=None, help="the roster term (default: the latest autumn term with a roster)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    engine = make_engine(args.url)
    factory = make_sessionmaker(engine)
    with factory() as s:
        s.begin()
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar() if engine.dialect.name == "postgresql" else None
        term = args.term or s.scalar(select(func.max(RosterRecord.term_code)).where(
            RosterRecord.term_code.like("%-1")))
        schools = list(s.scalars(select(School.id).where(School.township_code.between(
            *code_range(args.county, "county")))))
        lines = s.scalar(select(func.count()).select_from(RosterRecord).where(
            RosterRecord.term_code == term, RosterRecord.school_id.in_(schools)))
        total = s.scalar(select(func.count()).select_from(RosterRecord).where(RosterRecord.term_code == term))
        deps = terms_depending_on(s, roster_term=term)
        print(f"{engine.dialect.name}: county {args.county}, {len(schools)} schools, {lines:,} of the term's "
              f"{total:,} roster lines; term {term}; terms refreshed: {', '.join(deps)}; "
              f"load average {os.getloadavg()[0]:.1f}")

        def timed(label: str, fn) -> tuple[float, float, float]:  # noqa: ANN001
            w0, c0, d0 = time.perf_counter(), time.process_time(), _backend_cpu(pid)
            out = fn()
            s.flush()
            return out, (time.perf_counter() - w0, time.process_time() - c0, _backend_cpu(pid) - d0)

        codes, (w, c, d) = timed("agg", lambda: refresh_roster_aggregates(s, term, schools))
        print(f"  roster_agg of the county's schools: {w:6.2f} s wall, CPU {c:5.2f} s here"
              f"{f' + {d:5.2f} s backend' if pid else ''}; {len(codes):,} leaf area codes touched")
        results: dict[str, list[tuple[float, float, float]]] = {"whole term": [], "incremental": []}
        for _ in range(args.repeat):
            _, t_full = timed("full", lambda: refresh_terms(s, deps))
            full = _rows(s, deps)
            _, t_inc = timed("inc", lambda: refresh_terms(s, deps, schools=schools, area_codes=codes,
                                                          roster_term=term))
            inc = _rows(s, deps)
            assert inc == full, "the incremental refresh differs from the full one"
            results["whole term"].append(t_full)
            results["incremental"].append(t_inc)
        print(f"  incremental rows equal the whole-term rebuild's: yes ({len(full):,} rows, every column)")
        for label, runs in results.items():
            walls = [r[0] for r in runs]
            print(f"  {label:11s}: wall median {statistics.median(walls):6.2f} s (runs: "
                  f"{', '.join(f'{x:.2f}' for x in walls)}); CPU here median "
                  f"{statistics.median(r[1] for r in runs):5.2f} s"
                  + (f", backend median {statistics.median(r[2] for r in runs):5.2f} s" if pid else ""))
        s.rollback()
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
