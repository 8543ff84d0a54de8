"""Reading a case for one actor: the child's name masked for roles that may not see names, ID number and
guardian phone always masked (an audit-logged reveal shows them to roles allowed); its attempts and history."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access import audit
from data_access.cases.cases import CASE_ENTITY, CaseAccess, CaseRefused, require_case
from data_access.inspection.access import Actor, InvalidInput
from data_access.calendar import school_days_of
from data_access.models import Area, CaseAttempt, CaseEvent, DropoutCase, RosterRecord, School, Student, User
from domain.cases.rules import VERIFY_SCHOOL_DAYS
from domain.divisions import division_name
from domain.cases.views import AttemptView, CaseView, EventView
from domain.localtime import LOCAL_TZ, local_today
from domain.privacy import embedded_id_number, mask_id_number, mask_name, mask_phone, may_reveal, may_see_names
from domain.schooldays import school_days_between, school_days_reached

REVEAL_FIELDS = ("id_number", "guardian_phone")
REVEAL_ACTIONS = {"id_number": "reveal_id_number", "guardian_phone": "reveal_phone"}


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {i: d or u for i, d, u in session.execute(select(User.id, User.display_name, User.username)
                                                      .where(User.id.in_(ids)))}


def _roster(session: Session, case: DropoutCase) -> RosterRecord | None:
    """The roster line of the case's term (else the latest) — grade, class, guardian."""
    stmt = select(RosterRecord).where(RosterRecord.student_id == case.student_id)
    if case.term_code:
        found = session.scalar(stmt.where(RosterRecord.term_code == case.term_code))
        if found is not None:
            return found
    return session.scalar(stmt.order_by(RosterRecord.term_code.desc()).limit(1))


def household_is_outside(session: Session, household_code: str | None) -> bool:
    """外县户籍: a household code that neither names an area Baoxue holds nor lies in a township it holds
    (the rule of data_access.analytics.aggregates.attributed_area)."""
    if not household_code or len(household_code) != 12:
        return False
    held = session.scalar(select(Area.code).where(
        ((Area.code == household_code) & Area.level.in_(("township", "village")))
        | ((Area.code == household_code[:9] + "000") & (Area.level == "township"))).limit(1))
    return held is None


def step_starts(session: Session, case: DropoutCase) -> dict[int, dt.date]:
    """When each step the case reached began (the latest time, after a reopen), from its history."""
    starts: dict[int, dt.date] = {1: case.found_date}
    for to_step, at in session.execute(select(CaseEvent.to_step, CaseEvent.at).where(
            CaseEvent.case_id == case.id, CaseEvent.action == "escalate").order_by(CaseEvent.at, CaseEvent.id)):
        if to_step:
            starts[to_step] = at.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL_TZ).date()  # stored UTC
    starts[case.step] = case.step_started
    return starts


def _return_clock(session: Session, c: DropoutCase) -> tuple[int | None, dt.date | None]:
    """School days since a recorded return (the county's calendar) and the day they reach the required count."""
    if c.status != "outcome" or c.outcome != "returned" or c.outcome_date is None:
        return None, None
    is_school_day = school_days_of(session, c.township_code)
    return (school_days_between(c.outcome_date, local_today(), is_school_day),
            school_days_reached(c.outcome_date, VERIFY_SCHOOL_DAYS, is_school_day))


def load_case(session: Session, actor: Actor, case_id: Any) -> CaseView:
    """The case for a reader (CaseRefused outside their scope), masked for their role."""
    access: CaseAccess = require_case(session, actor, case_id)
    c = session.get(DropoutCase, access.case_id)
    student = session.get(Student, c.student_id)
    rec = _roster(session, c)
    school = session.get(School, c.school_id) if c.school_id else None
    town = session.get(Area, c.township_code)
    village = session.get(Area, c.village_code) if c.village_code else None
    users = _names(session, {c.verified_by, c.opened_by, c.updated_by})
    see = may_see_names(actor.role)
    guardian = (rec.guardian_name or "") if rec else ""
    return CaseView(
        c.id, c.version, c.ledger, c.status, c.step, c.step_started, c.return_deadline, c.source, c.found_date,
        c.absence_days, c.reason, c.reason_note, tuple(g for g in c.special_groups.split(",") if g),
        c.gov_responsible, c.edu_responsible, c.helper, c.plan, c.outcome, c.outcome_date, c.outcome_note,
        c.verified_days, c.verification_note, users.get(c.verified_by, ""), c.closed_at,
        users.get(c.opened_by, ""), c.opened_at, users.get(c.updated_by, ""), c.updated_at,
        student.name if see else mask_name(student.name), see, student.gender, student.birth_date,
        mask_id_number(student.id_number or embedded_id_number(student.student_no)), (guardian if see else mask_name(guardian)) if guardian else "",
        mask_phone(rec.guardian_phone if rec else None), may_reveal(actor.role) and access.can_act,
        c.school_id, school.name if school else "", c.township_code, town.name if town else c.township_code,
        village.name if village else "", c.term_code, rec.grade if rec else None, (rec.class_name or "") if rec else "",
        rec.status if rec else "", step_starts(session, c), *_return_clock(session, c),
        f"{c.attendance_checked_by} {c.attendance_first}–{c.attendance_last}" if c.attendance_checked_by else "",
        *_household(session, rec))


def _household(session: Session, rec: RosterRecord | None) -> tuple[str, bool, str]:
    """The household code of the case's roster line, whether it is 外县户籍, and its division where known."""
    code = (rec.household_code or "") if rec else ""
    outside = household_is_outside(session, code)
    return code, outside, division_name(code) if outside else ""


def load_attempts(session: Session, actor: Actor, case_id: Any) -> list[AttemptView]:
    """The case's persuasion attempts, newest first."""
    require_case(session, actor, case_id)
    rows = session.scalars(select(CaseAttempt).where(CaseAttempt.case_id == case_id)
                           .order_by(CaseAttempt.date.desc(), CaseAttempt.id.desc())).all()
    users = _names(session, {r.created_by for r in rows})
    return [AttemptView(r.id, r.date, r.who, r.method, r.result, users.get(r.created_by, "")) for r in rows]


def load_history(session: Session, actor: Actor, case_id: Any) -> list[EventView]:
    """The case's history, newest first."""
    require_case(session, actor, case_id)
    rows = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                           .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())).all()
    users = _names(session, {r.user_id for r in rows})
    return [EventView(r.at, users.get(r.user_id, ""), r.action, r.from_step, r.to_step, r.from_status, r.to_status,
                      r.detail, r.note) for r in rows]


def reveal(session: Session, actor: Actor, case_id: Any, field: Any) -> str | None:
    """The child's ID number or the guardian's phone unmasked, for roles allowed; written to the audit log."""
    access = require_case(session, actor, case_id, act=True)
    if not may_reveal(actor.role):
        raise CaseRefused()
    if field not in REVEAL_FIELDS:
        raise InvalidInput("bad_value")
    c = session.get(DropoutCase, access.case_id)
    if field == "id_number":
        number, student_no = session.execute(select(Student.id_number, Student.student_no)
                                             .where(Student.id == c.student_id)).one()
        value = number or embedded_id_number(student_no)
    else:
        rec = _roster(session, c)
        value = rec.guardian_phone if rec else None
    audit.record(session, REVEAL_ACTIONS[field], CASE_ENTITY, str(c.id), after={"field": field,
                                                                              "student": c.student_id})
    return value
