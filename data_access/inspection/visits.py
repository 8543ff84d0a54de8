"""Creating a visit (head counts pre-filled from the term's roster, the default checklist made when first
needed), and the team leader's sign-off and audit-logged reopen."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.cases.cases import open_cases_from_findings
from data_access.inspection.access import (VISIT_ENTITY, Actor, EditState, InvalidInput, VisitLocked, VisitRefused,
                                    may_create_in, now, require_read, team_member_ids, touch, township_team)
from data_access.inspection.findings import refresh_findings
from data_access.models import (Area, ChecklistItem, ChecklistTemplate, FileReviewResult, HeadCount, InspectionVisit,
                                Interview, PhoneCall, RosterRecord, School, Term, VisitMember, VisitSchool)
from domain.inspection.rules import (DEFAULT_CHECKLIST, PRESENT_STATUS, SIGN_REASON_MAX, SignOffGap, gaps_code,
                                     sign_off_gaps)


def area_chain(session: Session, area_code: str | None) -> list[str]:
    """The area and its ancestors, nearest first (empty for None or an unknown code)."""
    chain: list[str] = []
    code = area_code
    while code and code not in chain and len(chain) < 8:
        chain.append(code)
        code = session.scalar(select(Area.parent_code).where(Area.code == code))
    return chain


def default_template(session: Session, area_code: str | None = None) -> ChecklistTemplate:
    """The checklist in force for an area: the default of the area or its nearest ancestor that has one, else the
    global default (created from domain.md §6 the first time it is needed)."""
    for code in area_chain(session, area_code):
        own = session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.is_default, ChecklistTemplate.active,
                                                            ChecklistTemplate.area_code == code)
                             .order_by(ChecklistTemplate.id.desc()))
        if own is not None:
            return own
    found = session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.is_default, ChecklistTemplate.active,
                                                          ChecklistTemplate.area_code.is_(None))
                           .order_by(ChecklistTemplate.id.desc()))
    if found is not None:
        return found
    template = ChecklistTemplate(name="控辍保学督导检查（默认）", is_default=True, active=True, items=[
        ChecklistItem(position=i + 1, code=code, text_zh=zh, text_en=en) for i, (code, zh, en) in
        enumerate(DEFAULT_CHECKLIST)])
    session.add(template)
    session.flush()
    return template


def class_counts(session: Session, term: str, school_ids: list[int]) -> list[tuple[int, int, str, int]]:
    """(school id, grade, class name, students 在读) of the term's roster for these schools."""
    cls = func.coalesce(RosterRecord.class_name, "")
    stmt = (select(RosterRecord.school_id, RosterRecord.grade, cls, func.count())
            .where(RosterRecord.term_code == term, RosterRecord.school_id.in_(school_ids),
                   RosterRecord.status == PRESENT_STATUS)
            .group_by(RosterRecord.school_id, RosterRecord.grade, cls))
    return sorted((s, g, c, n) for s, g, c, n in session.execute(stmt))


def check_schools(session: Session, township_code: str, school_ids: Any) -> list[int]:
    """The school ids, if they are a non-empty list of schools of the township."""
    if not isinstance(school_ids, list) or not school_ids or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in school_ids):
        raise InvalidInput("no_school")
    ids = sorted(set(school_ids))
    found = set(session.scalars(select(School.id).where(School.id.in_(ids), School.township_code == township_code)))
    if found != set(ids):
        raise InvalidInput("school_not_in_township")
    return ids


def check_members(session: Session, township_code: str, member_ids: Any) -> list[int]:
    """The members present, if they are all on the township's team."""
    if member_ids is None:
        return []
    if not isinstance(member_ids, list) or not all(isinstance(i, int) for i in member_ids):
        raise InvalidInput("member_not_on_team")
    ids = sorted(set(member_ids))
    if not set(ids) <= team_member_ids(session, township_code):
        raise InvalidInput("member_not_on_team")
    return ids


def check_date(session: Session, term: str, value: Any) -> dt.date:
    """A visit date inside its term."""
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise InvalidInput("bad_date") from exc
    row = session.get(Term, term)
    if row is None:
        raise InvalidInput("unknown_term")
    if not row.start_date <= day <= row.end_date:
        raise InvalidInput("date_outside_term", start=row.start_date.isoformat(), end=row.end_date.isoformat())
    return day


def add_head_counts(session: Session, visit_id: int, term: str, school_ids: list[int]) -> int:
    """One head-count row per class of these schools, with the roster's 在读 count filled in."""
    rows = class_counts(session, term, school_ids)
    session.add_all([HeadCount(visit_id=visit_id, school_id=s, grade=g, class_name=c, roster_count=n)
                     for s, g, c, n in rows])
    return len(rows)


def create_visit(session: Session, actor: Actor, term: str, township_code: str, school_ids: Any, visit_date: Any,
                 member_ids: Any = None, same_day_ok: bool = True) -> InspectionVisit:
    """A new draft visit to a township of the actor's zone and some of its schools. With `same_day_ok` false, a
    second visit to the township on the same day is refused (InvalidInput "same_day_visit") until confirmed."""
    if not isinstance(township_code, str) or not may_create_in(session, actor, township_code):
        raise VisitRefused()
    if session.get(Term, term or "") is None:
        raise InvalidInput("unknown_term")
    schools = check_schools(session, township_code, school_ids)
    members = check_members(session, township_code, member_ids)
    day = check_date(session, term, visit_date)
    if not same_day_ok:
        other = session.scalar(select(InspectionVisit.id).where(InspectionVisit.township_code == township_code,
                                                                InspectionVisit.visit_date == day).limit(1))
        if other is not None:
            raise InvalidInput("same_day_visit", id=other, date=day.isoformat())
    zone, team = township_team(session, township_code)
    stamp = now()
    visit = InspectionVisit(term_code=term, township_code=township_code, zone_id=zone, team_id=team,
                            template_id=default_template(session, township_code).id, visit_date=day, status="draft", version=1,
                            created_by=actor.user_id, created_at=stamp, updated_by=actor.user_id, updated_at=stamp)
    session.add(visit)
    session.flush()
    session.add_all([VisitSchool(visit_id=visit.id, school_id=s) for s in schools])
    session.add_all([VisitMember(visit_id=visit.id, user_id=m) for m in members])
    add_head_counts(session, visit.id, term, schools)
    session.flush()
    audit.record(session, "create", VISIT_ENTITY, str(visit.id), after={
        "term": term, "township": township_code, "schools": schools, "date": day.isoformat(), "members": members})
    return visit


# --- sign-off and reopen ------------------------------------------------------------------------

def visit_gaps(session: Session, visit_id: int) -> list[SignOffGap]:
    """What the visit leaves undone (domain.inspection.rules.sign_off_gaps), over all its schools."""
    template = session.scalar(select(InspectionVisit.template_id).where(InspectionVisit.id == visit_id))
    results = dict(session.execute(select(FileReviewResult.item_id, FileReviewResult.result)
                                   .where(FileReviewResult.visit_id == visit_id)).all())
    items = session.scalars(select(ChecklistItem.id).where(ChecklistItem.template_id == template)).all()
    counted = session.scalars(select(HeadCount.counted_present).where(HeadCount.visit_id == visit_id)).all()
    calls = session.scalars(select(PhoneCall.outcome).where(PhoneCall.visit_id == visit_id)).all()
    interviews = session.scalar(select(func.count()).select_from(Interview).where(Interview.visit_id == visit_id))
    return sign_off_gaps([results.get(i) for i in items], [c is not None for c in counted], calls, interviews or 0)


def sign_visit(session: Session, actor: Actor, visit_id: Any, edit: EditState, reason: Any = None) -> None:
    """The team leader signs the visit off; from then on it is read-only. A visit with gaps (checklist items
    unchecked, classes not counted, calls without a result, no interview) is signed only with a reason,
    which is kept with the gaps and printed in the report."""
    access = require_read(session, actor, visit_id)
    if not access.is_leader:
        raise VisitRefused()
    if access.status != "draft":
        raise VisitLocked()
    gaps = visit_gaps(session, access.visit_id)
    reason = reason.strip()[:SIGN_REASON_MAX] if isinstance(reason, str) else ""
    if gaps and not reason:
        raise InvalidInput("sign_gaps_reason")
    stamp = now()
    touch(session, actor, visit_id, edit, None,
          {"status": "signed", "signed_by": actor.user_id, "signed_at": stamp,
           "signed_gaps": gaps_code(gaps) or None, "signed_reason": reason if gaps else None})
    refresh_findings(session, visit_id)
    open_cases_from_findings(session, actor, visit_id)  # suspected dropouts found go to the case ledger
    audit.record(session, "sign", VISIT_ENTITY, str(visit_id),
                 after={"signed_by": actor.name, **({"gaps": gaps_code(gaps), "reason": reason} if gaps else {})})


def reopen_visit(session: Session, actor: Actor, visit_id: Any, reason: Any) -> None:
    """The team leader reopens a signed visit, giving a reason (audit-logged)."""
    access = require_read(session, actor, visit_id)
    if not access.is_leader:
        raise VisitRefused()
    if access.status != "signed":
        raise InvalidInput("not_signed")
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput("reason_required")
    v = InspectionVisit
    stmt = (update(v).where(v.id == visit_id, v.status == "signed")
            .values(status="draft", signed_by=None, signed_at=None, signed_gaps=None, signed_reason=None, version=v.version + 1, edit_token=None,
                    updated_by=actor.user_id, updated_at=now()).execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount != 1:
        raise InvalidInput("not_signed")
    session.expire_all()
    audit.record(session, "reopen", VISIT_ENTITY, str(visit_id), after={"reason": reason[:500]})
