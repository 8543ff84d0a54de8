"""Benchmark the statistical model in the early-warning background job (issue 20 item 5): the job over every
school of the latest term with the model off (the rule only), then switched on (the first run trains the county's
model on its history and stores it), again (the stored model: no training), and for one school each way.

    python bench/bench_risk_model.py --url sqlite:////tmp/warn_demo.db [--county 532822000000]

It switches the county's model on and leaves it on: run it on a copy of the database.
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
from data_access.models import Area, RiskModel, RiskScore, RosterRecord  # noqa: E402
from data_access.scope import Scope  # noqa: E402
from data_access.warning.lists import list_basis  # noqa: E402
from data_access.warning.refresh import request_refresh, run_pending, set_scheduler  # noqa: E402
from data_access.warning.scoring import set_factor, terms_in_order  # noqa: E402


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(argv: list[str] | None = None) -> int:
    """Print wall-clock and CPU seconds of each run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--county", default=None, help="default: the first county")
    args = parser.parse_args(argv)
    engine = make_engine(args.url)
    factory = make_sessionmaker(engine)
    with factory() as s:
        county = args.county or s.scalar(select(Area.code).where(Area.level == "county").order_by(Area.code))
        term = terms_in_order(s)[-1]
        schools = sorted(s.scalars(select(RosterRecord.school_id).where(RosterRecord.term_code == term).distinct()))
    set_scheduler(lambda _factory: None)   # record only; the job runs below, in this process

    def job(label: str, which: list[int]) -> None:
        t0, c0 = time.perf_counter(), _cpu()
        with factory() as s, s.begin():
            request_refresh(s, term, which)
        pupils = run_pending(factory)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        with factory() as s:
            stored = s.scalar(select(func.count()).select_from(RiskScore).where(RiskScore.term_code == term))
            method = list_basis(s, Scope("admin", areas=((county, "county"),)), term).method
        print(f"{engine.url.get_backend_name()} {term} {label}: {len(which)} school(s) asked, {pupils} pupils scored, "
              f"{stored} rows stored, list by the {method}; {wall:.1f} s wall-clock, {cpu:.1f} s CPU")

    with factory() as s, s.begin():
        set_factor(s, county, "model", 0, 0)
    job("rule only, every school", schools)
    job("rule only, one school", schools[:1])
    with factory() as s, s.begin():
        set_factor(s, county, "model", 0, 1)
    job("model on, first run (trains the model)", schools)
    with factory() as s:
        m = s.get(RiskModel, county)
        print(f"  model better on held-out {m.held_out} (trained on {m.trained_on}): {m.better}")
    job("model on, stored model, every school", schools)
    job("model on, stored model, one school", schools[:1])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
