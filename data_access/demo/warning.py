"""The demo's absence reports and risk scores (issue 20): schools reported unexcused absences in the term before
most of the dropouts (attendance falls before a child stops coming, as the ABC research reports) and, far less
often, for pupils who stayed; the scores of every term are then computed as roster imports would."""
from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.demo.load import insert_dicts
from data_access.models import AbsenceReport, RosterRecord, School
from data_access.warning.scoring import refresh_scores
from domain.terms import TermCode


def seed_absences(session: Session, terms: list[TermCode], seed: int) -> int:
    """Absence reports in each term but the last: for 55% of the next term's dropouts, 2% of the others."""
    rng = np.random.default_rng([seed, 20])
    town = dict(session.execute(select(School.id, School.township_code)).all())
    stamp = dt.datetime(terms[-1].year + 1, 1, 15, 2, 0)
    rows = []
    for term, nxt in zip(terms, terms[1:]):
        lines = session.execute(select(RosterRecord.student_id, RosterRecord.school_id).where(
            RosterRecord.term_code == term.code, RosterRecord.status == "在读").order_by(RosterRecord.student_id)).all()
        gone = set(session.scalars(select(RosterRecord.student_id).where(
            RosterRecord.term_code == nxt.code, RosterRecord.status == "辍学")))
        span = (term.end - term.start).days
        for (sid, school), u, d, days in zip(lines, rng.random(len(lines)), rng.integers(0, span - 20, len(lines)),
                                             rng.integers(1, 16, len(lines))):
            dropping = sid in gone
            if u < (0.55 if dropping else 0.02):
                rows.append({"student_id": sid, "school_id": school, "township_code": town[school],
                             "date": term.start + dt.timedelta(days=int(d)),
                             "days": int(days) if dropping else int(1 + days % 5), "reason": "",
                             "source": "school", "created_by": None, "created_at": stamp})
    return insert_dicts(session, AbsenceReport, rows)


def seed_scores(session: Session, terms: list[TermCode]) -> int:
    """Every term's stored scores (the pupils scored in the last term)."""
    n = 0
    for term in terms:
        n = refresh_scores(session, term.code)
    return n
