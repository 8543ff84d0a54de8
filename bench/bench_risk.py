"""Benchmark the early-warning background job (issue 20.6): every school of a term marked as changed, then
`run_pending` (what the job runs after an import) scores them all, a batch of schools per transaction.

    python bench/bench_risk.py --url sqlite:////tmp/warn20_prov.db [--term 2026-1] [--schools N]
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from data_access.db import make_engine, make_sessionmaker  # noqa: E402
from data_access.models import RiskScore, RosterRecord  # noqa: E402
from data_access.warning.refresh import SCHOOLS_PER_RUN, run_pending, set_scheduler  # noqa: E402
from data_access.warning.refresh import request_refresh  # noqa: E402
from data_access.warning.scoring import terms_in_order  # noqa: E402


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(argv: list[str] | None = None) -> int:
    """Mark the term's schools, run the job, print wall-clock and CPU seconds and pupils per second."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--term", default=None, help="default: the latest term with a roster")
    parser.add_argument("--schools", type=int, default=None, help="only the first N schools (a partial run)")
    parser.add_argument("--batch", type=int, default=SCHOOLS_PER_RUN, help="schools per transaction")
    args = parser.parse_args(argv)
    engine = make_engine(args.url)
    factory = make_sessionmaker(engine)
    with factory() as s:
        term = args.term or terms_in_order(s)[-1]
        schools = sorted(s.scalars(select(RosterRecord.school_id).where(RosterRecord.term_code == term).distinct()))
    if args.schools:
        schools = schools[:args.schools]
    set_scheduler(lambda _factory: None)        # record only; the job is run below, in this process
    t0, c0 = time.perf_counter(), _cpu()
    with factory() as s, s.begin():
        request_refresh(s, term, schools)
    pupils = run_pending(factory, args.batch)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    with factory() as s:
        stored = s.scalar(select(func.count()).select_from(RiskScore).where(RiskScore.term_code == term))
    print(f"{engine.url.get_backend_name()} term {term}: {len(schools)} schools, {pupils} pupils scored, "
          f"{stored} scores stored; {wall:.1f} s wall-clock, {cpu:.1f} s CPU (this process), "
          f"{pupils / wall:.0f} pupils/s; batch {args.batch} schools")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
