"""A central school's monthly notice (issue 18.4, seed 001): its teaching points (the township's 教学点) and its
own classes — pupils and dropouts on the term's roster, cases open, cases found and children returned in the
month."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from data_access.models import Area, DropoutCase, RosterRecord, School
from data_access.names import scope_counties, with_county
from data_access.scope import Scope
from domain.inbox.monthly import CentralNotice, CentralRow, month_bounds
from domain.terms import term_for_date

POINT_TYPE = "教学点"
DROPPED = "辍学"


def central_schools(session: Session, scope: Scope) -> list[tuple[int, str]]:
    """(id, name) of the central schools the user may see (a central school's own staff: theirs); where the scope
    spans counties each name says its county (a province has a 城关镇中心小学 in many counties)."""
    rows = session.execute(select(School.id, School.name, School.township_code).where(School.is_central.is_(True))
                           .order_by(School.code)).all()
    if scope.school_id is not None:
        return [(i, n) for i, n, _t in rows if i == scope.school_id]
    counties = scope_counties(session, scope)
    return [(i, with_county(t, n, counties)) for i, n, t in rows if scope.unrestricted or scope.covers_area(t)]


def _counts(session: Session, term: str, school_ids: list[int], by_class: bool) -> dict:
    key = RosterRecord.class_name if by_class else RosterRecord.school_id
    rows = session.execute(select(key, func.count(RosterRecord.id),
                                  func.sum(case((RosterRecord.status == DROPPED, 1), else_=0)))
                           .where(RosterRecord.term_code == term, RosterRecord.school_id.in_(school_ids))
                           .group_by(key)).all()
    return {k: (int(n or 0), int(d or 0)) for k, n, d in rows}


def central_notice(session: Session, school_id: int, month: str, today: dt.date) -> CentralNotice:
    """The notice of a central school for a month (ValueError: not a central school, or a malformed month)."""
    school = session.get(School, school_id)
    if school is None or not school.is_central:
        raise ValueError("not_central")
    first, last = month_bounds(month)
    term = term_for_date(first).code
    points = session.execute(select(School.id, School.name).where(
        School.township_code == school.township_code, School.type == POINT_TYPE, School.closed_from.is_(None))
        .order_by(School.code)).all()
    ids = [school.id] + [i for i, _n in points]
    counts = _counts(session, term, [i for i, _n in points], by_class=False)
    classes = _counts(session, term, [school.id], by_class=True)
    cases = session.execute(select(DropoutCase.school_id, DropoutCase.status, DropoutCase.found_date,
                                   DropoutCase.outcome, DropoutCase.outcome_date, DropoutCase.student_id)
                            .where(DropoutCase.school_id.in_(ids))).all()
    class_of = dict(session.execute(select(RosterRecord.student_id, RosterRecord.class_name).where(
        RosterRecord.term_code == term, RosterRecord.school_id == school.id)).all())

    def case_figures(match) -> tuple[int, int, int]:  # noqa: ANN001
        mine = [c for c in cases if match(c)]
        return (sum(1 for c in mine if c.status == "open"),
                sum(1 for c in mine if first <= c.found_date <= last),
                sum(1 for c in mine if c.outcome == "returned" and c.outcome_date and first <= c.outcome_date <= last))
    rows = [CentralRow("point", name, *counts.get(pid, (0, 0)), *case_figures(lambda c, p=pid: c.school_id == p))
            for pid, name in points]
    rows += [CentralRow("class", name or "—", n, d,
                        *case_figures(lambda c, k=name: c.school_id == school.id and class_of.get(c.student_id) == k))
             for name, (n, d) in sorted(classes.items(), key=lambda kv: str(kv[0] or ""))]
    township = session.get(Area, school.township_code)
    return CentralNotice(school.id, school.name, township.name if township else "", month, term, today, tuple(rows))
