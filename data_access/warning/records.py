"""What a school writes about a pupil at risk: an absence report (date, days, reason) and what it does (结对帮扶,
家访, 谈话, 一生一策). Scoped: the pupil must be on a roster line of a school in the actor's scope; audit-logged."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.cases.cases import latest_roster
from data_access.inspection.access import Actor, now
from data_access.models import SUPPORT_KINDS, AbsenceReport, School, SupportAction
from data_access.warning.scoring import county_settings, refresh_scores
from domain.areas import county_of
from domain.localtime import local_today

WRITE_ROLES = ("school_staff", "township_officer", "admin")


class WarningRefused(Exception):
    """The actor may not write this (role, or the pupil lies outside their scope)."""


class WarningInput(ValueError):
    """Bad input: `code` names what is wrong."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _pupil_school(session: Session, actor: Actor, student_id: Any) -> tuple[Any, School]:
    if actor.role not in WRITE_ROLES:
        raise WarningRefused()
    if not isinstance(student_id, int) or isinstance(student_id, bool):
        raise WarningRefused()
    found = latest_roster(session, student_id)
    if found is None or not actor.scope.covers_school(found[1]):
        raise WarningRefused()
    return found


def record_absence(session: Session, actor: Actor, student_id: Any, date: Any, days: Any, reason: str = "") -> bool:
    """Record an unexcused absence and rescore the pupil's school; returns True when the days reach the county's
    case threshold (the page then offers to open a suspected case)."""
    rec, school = _pupil_school(session, actor, student_id)
    if not isinstance(date, dt.date) or date > local_today() + dt.timedelta(days=1):
        raise WarningInput("bad_date")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 200:
        raise WarningInput("bad_days")
    session.add(AbsenceReport(student_id=student_id, school_id=school.id, township_code=school.township_code,
                              date=date, days=days, reason=(reason or "").strip()[:100], source="school",
                              created_by=actor.user_id, created_at=now()))
    session.flush()
    refresh_scores(session, rec.term_code, [school.id], train=False)   # a page waits for no model training
    return days >= county_settings(session, county_of(school.township_code)).case_days


def record_support(session: Session, actor: Actor, student_id: Any, kind: Any, date: Any, note: str = "") -> int:
    """Record what the school does for a pupil; returns the row id."""
    _rec, school = _pupil_school(session, actor, student_id)
    if kind not in SUPPORT_KINDS:
        raise WarningInput("bad_kind")
    if not isinstance(date, dt.date) or date > local_today() + dt.timedelta(days=1):
        raise WarningInput("bad_date")
    row = SupportAction(student_id=student_id, school_id=school.id, township_code=school.township_code, kind=kind,
                        date=date, note=(note or "").strip()[:2000], created_by=actor.user_id, created_at=now())
    session.add(row)
    session.flush()
    return row.id


def support_kinds(session: Session, student_ids: list[int]) -> dict[int, set[str]]:
    """Per pupil the kinds of support recorded."""
    out: dict[int, set[str]] = {}
    for i in range(0, len(student_ids), 900):
        for sid, kind in session.execute(select(SupportAction.student_id, SupportAction.kind)
                                         .where(SupportAction.student_id.in_(student_ids[i:i + 900]))):
            out.setdefault(sid, set()).add(kind)
    return out
