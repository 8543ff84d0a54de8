"""The demo county's reporting duties (seeds 000, 001, 004; issue 18.2) and the reports its schools and townships
sent: most on time, some late, a few missing — so that the reports page, the inbox and the tiers' 未报送 show."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np

from sqlalchemy.orm import Session

from data_access.demo.load import insert_dicts
from data_access.inbox.duties import LOOK_BACK_DAYS, board, set_duty
from data_access.models import DutyReport
from data_access.scope import Scope

# (name, reporter, cadence, working days, yearly due date): the seeds' calendar of duties
DEMO_DUTIES = (("开学情况报告", "school", "term_start", 10, None),       # seed 001: within 10 days of term start
               ("控辍保学月报（学校）", "school", "monthly", 5, None),       # the 2024 notice: schools monthly
               ("控辍保学月报（乡镇）", "township", "monthly", 5, None),
               ("春季适龄儿童摸底调查", "township", "yearly", 0, "04-30"),   # seed 001: spring survey by April
               ("督导组工作月报", "team", "monthly", 5, None))              # seed 000: inspection teams monthly
SHARES = (0.86, 0.08)    # sent on time, sent late; the rest never sent


def seed_duties(session: Session, county: str, today: dt.date, rng: np.random.Generator) -> int:
    """Set the demo county's duties and the reports of the periods already past their deadline."""
    for name, reporter, cadence, days, due in DEMO_DUTIES:
        set_duty(session, county, name, reporter, cadence, days, due, since=today - dt.timedelta(days=LOOK_BACK_DAYS))
    rows = []
    for r in board(session, Scope("admin", areas=((county, "county"),)), today):
        if r.period.deadline >= today:
            continue
        draw = rng.random()
        if draw < SHARES[0]:
            day = r.period.deadline - dt.timedelta(days=int(rng.integers(0, 6)))
        elif draw < SHARES[0] + SHARES[1]:
            day = r.period.deadline + dt.timedelta(days=int(rng.integers(1, 12)))
            if day >= today:
                continue
        else:
            continue
        day = max(day, r.period.start)
        rows.append({"duty_id": r.duty_id, "period_key": r.period.key, "unit_code": r.unit_code,
                     "unit_area": r.township_code, "submitted_at": dt.datetime.combine(day, dt.time(2, 30)),
                     "submitted_by": None, "notes": "", "figures_json": json.dumps({})})
    return insert_dicts(session, DutyReport, rows) if rows else 0



