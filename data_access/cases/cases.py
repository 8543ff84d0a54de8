"""Dropout cases (台账, domain.md §7): who may read and act on a case, and opening one — from a school
report, an inspection finding, a roster import (status 辍学) or a comparison. A child has at most one
case that is not closed: opening again returns that case. Changes to an open case: data_access.cases.actions;
reading it (masked): data_access.cases.view."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, DateTime, Integer, String, and_, case, exists, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from data_access import audit
from data_access.inspection.access import Actor, EditConflict, InvalidInput, now, user_name
from data_access.models import Area, RosterRecord, School, Term
from data_access.models import CASE_LEDGERS, CASE_SOURCES, CaseEvent, DropoutCase
from data_access.models import Finding, InspectionVisit
from data_access.scope import scoped
from domain.cases.rules import CaseRuleError, check_role
from domain.localtime import local_today

CASE_ENTITY = "dropout_case"
FINDING_SOURCES = ("head_count", "phone_check")
DROPPED_OUT = "辍学"


class CaseRefused(Exception):
    """The user may not see or do this to this case (answered with HTTP 403; unknown ids too)."""


class CaseConflict(EditConflict):
    """Somebody else changed the case since this page loaded it."""


@dataclass(frozen=True)
class CaseAccess:
    """What the actor may do with one case: read it, act on it (within what the role allows)."""

    case_id: int
    township_code: str
    school_id: int | None
    can_read: bool
    can_act: bool


def case_access(session: Session, actor: Actor, case_id: Any) -> CaseAccess | None:
    """The actor's rights on a case, or None when it does not exist."""
    if not isinstance(case_id, int) or isinstance(case_id, bool):
        return None
    row = session.execute(select(DropoutCase.township_code, DropoutCase.school_id)
                          .where(DropoutCase.id == case_id)).first()
    if row is None:
        return None
    township, school_id = row
    scope = actor.scope
    if scope.school_id is not None:
        readable = school_id is not None and school_id == scope.school_id
    else:  # the township that runs the case (the ledgers list the same cases: data_access.cases.ledger.scoped_cases)
        readable = scope.covers_area(township)
    acts = readable and actor.role in ("school_staff", "township_officer", "admin")
    return CaseAccess(case_id, township, school_id, readable, acts)


def require_case(session: Session, actor: Actor, case_id: Any, act: bool = False) -> CaseAccess:
    """The access of a case the actor may read (or act on); CaseRefused otherwise, unknown ids too."""
    access = case_access(session, actor, case_id)
    if access is None or not access.can_read or (act and not access.can_act):
        raise CaseRefused()
    return access


def conflict_for(session: Session, case_id: int) -> CaseConflict:
    """The error of a save that lost the version check: who changed the case, and when."""
    row = session.execute(select(DropoutCase.updated_by, DropoutCase.updated_at)
                          .where(DropoutCase.id == case_id)).first()
    return CaseConflict(user_name(session, row[0]) if row else "", row[1] if row else None)


def add_event(session: Session, case_id: int, user_id: int | None, action: str, *, from_step: int | None = None,
              to_step: int | None = None, from_status: str | None = None, to_status: str | None = None,
              detail: str = "", note: str = "") -> None:
    """One entry of the case's history."""
    session.add(CaseEvent(case_id=case_id, at=now(), user_id=user_id, action=action, from_step=from_step,
                          to_step=to_step, from_status=from_status, to_status=to_status, detail=detail[:200],
                          note=(note or "")[:2000]))


# --- where a case belongs ---------------------------------------------------------------------

def household_township(household_code: str | None) -> str | None:
    """The township code of a household (village or township) code, or None."""
    if not household_code or len(household_code) != 12 or not household_code.isdigit():
        return None
    return household_code[:9] + "000"


def case_township(session: Session, school_township: str, household_code: str | None) -> str:
    """The township that runs a case: the household's (§3 attribution, same county), else the school's."""
    town = household_township(household_code)
    if town and town[:6] == school_township[:6] and session.scalar(
            select(Area.code).where(Area.code == town, Area.level == "township")):
        return town
    return school_township


def roster_groups(rec: RosterRecord) -> list[str]:
    """Special groups a roster line states: 脱贫户, disability, left-behind, migrant."""
    disabled = bool(rec.disability) and rec.disability != "无"
    flags = [(rec.poverty_registered, "poverty_registered"), (disabled, "disabled"),
             (rec.left_behind, "left_behind"), (rec.migrant, "migrant")]
    return [key for on, key in flags if on]


def latest_roster(session: Session, student_id: int) -> tuple[RosterRecord, School] | None:
    """The student's roster line of the latest term, with its school."""
    row = session.execute(select(RosterRecord, School).join(School, School.id == RosterRecord.school_id)
                          .where(RosterRecord.student_id == student_id)
                          .order_by(RosterRecord.term_code.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


# --- opening ----------------------------------------------------------------------------------

def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _in_scope(actor: Actor, school: School, township: str) -> bool:
    scope = actor.scope
    if scope.school_id is not None:
        return school.id == scope.school_id
    return scope.covers_area(township) or scope.covers_area(school.township_code)


def _check_finding(session: Session, actor: Actor | None, finding_id: int, student_id: int) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None or finding.student_id != student_id:
        raise InvalidInput("bad_finding")
    if actor is not None and actor.role != "admin" and not actor.scope.covers_area(finding.township_code):
        raise InvalidInput("student_out_of_scope")
    return finding


def open_case_once(session: Session, actor: Actor | None, *, student_id: int, source: str, found_date: dt.date,
                   ledger: str = "suspected", school_id: int | None = None, finding_id: int | None = None,
                   absence_days: int = 0, note: str = "") -> tuple[int, bool]:
    """open_case, also saying whether the case is new (True) or an existing one was found."""
    if actor is not None:
        try:
            check_role(actor.role, "open")
        except CaseRuleError as exc:
            raise CaseRefused() from exc
        if actor.role == "inspector" and finding_id is None:
            raise CaseRefused()  # inspectors open cases from their own findings only
    if source not in CASE_SOURCES:
        raise InvalidInput("bad_source")
    if ledger not in CASE_LEDGERS:
        raise InvalidInput("bad_ledger")
    if not isinstance(found_date, dt.date) or found_date > local_today() + dt.timedelta(days=1):
        raise InvalidInput("bad_found_date")
    if not _int(absence_days) or not 0 <= absence_days <= 999:
        raise InvalidInput("bad_absence_days")
    if not _int(student_id):
        raise InvalidInput("student_out_of_scope")
    if finding_id is not None:
        if not _int(finding_id):
            raise InvalidInput("bad_finding")
        _check_finding(session, actor, finding_id, student_id)
    found = latest_roster(session, student_id)
    if found is None:
        raise InvalidInput("student_out_of_scope")
    rec, school = found
    if school_id is not None and school_id != school.id:
        other = session.get(School, school_id) if _int(school_id) else None
        if other is None:
            raise InvalidInput("student_out_of_scope")
        school = other
    township = case_township(session, school.township_code, rec.household_code)
    if actor is not None and not _in_scope(actor, school, township):
        raise InvalidInput("student_out_of_scope")
    if finding_id is not None:
        same = session.scalar(select(DropoutCase.id).where(DropoutCase.finding_id == finding_id))
        if same is not None:
            return same, False
    active = session.scalar(select(DropoutCase.id).where(DropoutCase.student_id == student_id,
                                                         DropoutCase.status != "closed"))
    if active is not None:
        return active, False
    user_id = actor.user_id if actor else None
    stamp = now()
    village = rec.household_code if rec.household_code and rec.household_code != township else None
    row = DropoutCase(student_id=student_id, school_id=school.id, township_code=township, village_code=village,
                      term_code=rec.term_code, finding_id=finding_id, ledger=ledger, source=source,
                      found_date=found_date, absence_days=absence_days, special_groups=",".join(roster_groups(rec)),
                      step=1, step_started=found_date, status="open", opened_by=user_id, opened_at=stamp,
                      updated_by=user_id, updated_at=stamp)
    session.add(row)
    session.flush()
    add_event(session, row.id, user_id, "open", to_step=1, to_status="open", detail=source, note=note)
    session.flush()
    return row.id, True


def open_case(session: Session, actor: Actor | None, *, student_id: int, source: str, found_date: dt.date,
              ledger: str = "suspected", school_id: int | None = None, finding_id: int | None = None,
              absence_days: int = 0, note: str = "") -> int:
    """Open a case for a student in the actor's scope and return its id — or the id of the student's case
    that is not closed yet (or of the finding's case): opening is idempotent.

    Township, school, village and term come from the student's latest roster line, special groups from
    its flags. Refusals: CaseRefused for a role that may not open cases, InvalidInput with a code for
    bad values and for a student outside the actor's scope (code student_out_of_scope).
    """
    return open_case_once(session, actor, student_id=student_id, source=source, found_date=found_date,
                          ledger=ledger, school_id=school_id, finding_id=finding_id, absence_days=absence_days,
                          note=note)[0]


def open_cases_from_findings(session: Session, actor: Actor | None, visit_id: int) -> int:
    """Open a suspected case for every suspected-dropout finding of a visit (head count, phone check)
    that names a student; returns how many cases are new. Called when the visit is signed off."""
    rows = session.execute(
        select(Finding.id, Finding.student_id, Finding.school_id, Finding.method, InspectionVisit.visit_date)
        .join(InspectionVisit, InspectionVisit.id == Finding.visit_id)
        .where(Finding.visit_id == visit_id, Finding.kind == "suspected_dropout", Finding.student_id.is_not(None),
               Finding.method.in_(FINDING_SOURCES)).order_by(Finding.id)).all()
    opened = 0
    for finding_id, student_id, school_id, method, day in rows:
        try:
            _id, new = open_case_once(session, actor, student_id=student_id, source=method, found_date=day,
                                      school_id=school_id, finding_id=finding_id)
        except InvalidInput:
            continue  # a student no longer on any roster: the finding stays for the inspectors to follow up
        opened += new
    return opened


def open_cases_from_roster(session: Session, actor: Actor | None, term_code: str, school_ids: list[int]) -> int:
    """Open a confirmed case (source roster_import) for every roster line of the term with status 辍学 at
    these schools whose student has no case that is not closed — one INSERT … SELECT; returns how many.
    With an actor, only the schools in their scope count."""
    ids = [i for i in school_ids if _int(i)]
    if not ids:
        return 0
    if actor is not None:
        ids = list(session.scalars(scoped(select(School.id).where(School.id.in_(ids)), actor.scope,
                                          area_col=School.township_code, school_col=School.id)))
        if not ids:
            return 0
    r, s, d = RosterRecord, School, DropoutCase
    hh_town = func.substr(r.household_code, 1, 9, type_=String).concat(literal("000"))
    town_known = exists().where(Area.code == hh_town, Area.level == "township")
    # the township the pupil counts toward (domain.md §3): the household's when Baoxue holds it, else the school's
    township = case((and_(func.length(r.household_code) == 12, town_known), hh_town), else_=s.township_code)
    groups = func.rtrim(
        case((r.poverty_registered, "poverty_registered,"), else_="")
        .concat(case((and_(r.disability.is_not(None), r.disability != "无"), "disabled,"), else_=""))
        .concat(case((r.left_behind, "left_behind,"), else_=""))
        .concat(case((r.migrant, "migrant,"), else_="")), ",", type_=String)
    village = case((or_(r.household_code.is_(None), r.household_code == township,
                        ~exists().where(Area.code == r.household_code, Area.level == "village")), None),
                   else_=r.household_code)
    user = literal(actor.user_id if actor else None, Integer)
    # a case found on a term's roster is dated at the term's start (its clocks start there), never in the future
    start = session.scalar(select(Term.start_date).where(Term.code == term_code))
    stamp, today = literal(now(), DateTime), literal(min(start or local_today(), local_today()), Date)
    has_case = exists().where(d.student_id == r.student_id, d.status != "closed")
    values = {  # column → value of the SELECT
        d.student_id: r.student_id, d.school_id: r.school_id, d.township_code: township, d.village_code: village,
        d.term_code: literal(term_code), d.ledger: literal("confirmed"), d.source: literal("roster_import"),
        d.found_date: today, d.absence_days: literal(0), d.special_groups: groups, d.step: literal(1),
        d.step_started: today, d.status: literal("open"), d.opened_by: user, d.opened_at: stamp,
        d.version: literal(1), d.updated_by: user, d.updated_at: stamp}
    for col in (d.reason_note, d.gov_responsible, d.edu_responsible, d.helper, d.plan, d.outcome_note,
                d.verification_note):
        values[col] = literal("")
    source = (select(*values.values()).join(s, s.id == r.school_id)
              .where(r.term_code == term_code, r.status == DROPPED_OUT, r.school_id.in_(ids), ~has_case))
    cols = [c.key for c in values]
    new_ids = list(session.scalars(insert(d).from_select(cols, source).returning(d.id)))
    if new_ids:
        at, user_id = now(), actor.user_id if actor else None
        session.execute(insert(CaseEvent), [
            {"case_id": i, "at": at, "user_id": user_id, "action": "open", "from_step": None, "to_step": 1,
             "from_status": None, "to_status": "open", "detail": "roster_import", "note": ""} for i in new_ids])
        audit.record(session, "open_from_roster", CASE_ENTITY, term_code,
                     after={"cases": len(new_ids), "schools": len(ids), "first_id": min(new_ids)})
    return len(new_ids)
