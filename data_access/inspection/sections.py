"""Saving a visit field by field: header, file review and head count (phone check, interviews and
manual findings: data_access.inspection.records). Every save checks the actor's rights and the visit's
version first (data_access.inspection.access), refuses values that do not belong to the visit, does nothing
when nothing changed, and keeps the generated findings in step. Callers own the transaction."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from data_access.inspection.access import Actor, EditState, InvalidInput, VisitRefused, require_edit, touch
from data_access.inspection.visits import add_head_counts, check_date, check_members, check_schools
from data_access.inspection.findings import refresh_findings
from data_access.models import RosterRecord, Student
from data_access.models import (ChecklistItem, FileReviewResult, HeadCount, HeadCountAbsence, InspectionVisit,
                                           PhoneCall, VisitMember, VisitSchool)
from domain.inspection.rules import ABSENCE_REASONS, PRESENT_STATUS, RESULTS

MAX_TEXT = 4000


def int_value(value: Any) -> int:
    """An integer id or count from the browser, or InvalidInput."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput("bad_value")
    return value


def text_value(value: Any) -> str:
    """Free text from the browser, trimmed and bounded."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput("bad_value")
    return value.strip()[:MAX_TEXT]


def choice_value(value: Any, allowed: tuple[str, ...], optional: bool = False) -> str | None:
    """One of the allowed values (or None when optional and empty), or InvalidInput."""
    if value in (None, "") and optional:
        return None
    if value not in allowed:
        raise InvalidInput("bad_value")
    return value


def visit_row(session: Session, visit_id: int) -> InspectionVisit:
    """The visit's row."""
    return session.get(InspectionVisit, visit_id)


# --- header -----------------------------------------------------------------------------------

def save_header(session: Session, actor: Actor, visit_id: Any, edit: EditState, field: str, value: Any) -> bool:
    """Change the date, the members present or the target schools; True when something changed."""
    access = require_edit(session, actor, visit_id)
    visit = visit_row(session, visit_id)
    if field == "date":
        day = check_date(session, visit.term_code, value)
        if day == visit.visit_date:
            return False
        touch(session, actor, visit_id, edit, {"section": "header", "field": "date", "value": day.isoformat()},
              {"visit_date": day})
        return True
    if field == "members":
        members = check_members(session, access.township_code, value)
        old = sorted(session.scalars(select(VisitMember.user_id).where(VisitMember.visit_id == visit_id)))
        if members == old:
            return False
        touch(session, actor, visit_id, edit, {"section": "header", "field": "members", "value": members})
        session.execute(delete(VisitMember).where(VisitMember.visit_id == visit_id))
        session.add_all([VisitMember(visit_id=visit_id, user_id=m) for m in members])
        return True
    if field == "schools":
        return _save_schools(session, actor, visit, edit, value)
    raise InvalidInput("bad_value")


def _save_schools(session: Session, actor: Actor, visit: InspectionVisit, edit: EditState, value: Any) -> bool:
    schools = check_schools(session, visit.township_code, value)
    old = sorted(session.scalars(select(VisitSchool.school_id).where(VisitSchool.visit_id == visit.id)))
    if schools == old:
        return False
    removed = sorted(set(old) - set(schools))
    if removed:
        counted = session.scalar(select(func.count()).select_from(HeadCount).where(
            HeadCount.visit_id == visit.id, HeadCount.school_id.in_(removed), HeadCount.counted_present.is_not(None)))
        called = session.scalar(select(func.count()).select_from(PhoneCall).join(
            RosterRecord, RosterRecord.id == PhoneCall.roster_record_id).where(
            PhoneCall.visit_id == visit.id, RosterRecord.school_id.in_(removed)))
        if counted or called:
            raise InvalidInput("school_has_records")
    visit_id, term = visit.id, visit.term_code
    touch(session, actor, visit_id, edit, {"section": "header", "field": "schools", "value": schools})
    if removed:
        hc_ids = list(session.scalars(select(HeadCount.id).where(HeadCount.visit_id == visit_id,
                                                                 HeadCount.school_id.in_(removed))))
        session.execute(delete(HeadCountAbsence).where(HeadCountAbsence.head_count_id.in_(hc_ids)))
        session.execute(delete(HeadCount).where(HeadCount.id.in_(hc_ids)))
        session.execute(delete(VisitSchool).where(VisitSchool.visit_id == visit_id, VisitSchool.school_id.in_(removed)))
    added = sorted(set(schools) - set(old))
    session.add_all([VisitSchool(visit_id=visit_id, school_id=s) for s in added])
    if added:
        add_head_counts(session, visit_id, term, added)
    session.flush()
    refresh_findings(session, visit_id)
    return True


# --- file review ------------------------------------------------------------------------------

def pass_unanswered(session: Session, actor: Actor, visit_id: Any, edit: EditState) -> int:
    """Mark every checklist item still unanswered as passed (then the exceptions are changed one by one);
    returns how many items it marked."""
    require_edit(session, actor, visit_id)
    visit = visit_row(session, visit_id)
    answered = dict(session.execute(select(FileReviewResult.item_id, FileReviewResult.result)
                                    .where(FileReviewResult.visit_id == visit.id)).all())
    items = [i for i in session.scalars(select(ChecklistItem.id).where(ChecklistItem.template_id == visit.template_id))
             if answered.get(i) is None]
    if not items:
        return 0
    touch(session, actor, visit.id, edit, {"section": "file_review", "passed_unanswered": len(items)})
    for item in items:
        row = session.scalar(select(FileReviewResult).where(FileReviewResult.visit_id == visit.id,
                                                            FileReviewResult.item_id == item))
        if row is None:
            session.add(FileReviewResult(visit_id=visit.id, item_id=item, result="pass", note=""))
        else:
            row.result = "pass"
    session.flush()
    refresh_findings(session, visit.id)
    return len(items)


def save_item(session: Session, actor: Actor, visit_id: Any, edit: EditState, item_id: Any, result: Any,
              note: Any) -> bool:
    """An item's result (pass | fail | na | None) and note."""
    require_edit(session, actor, visit_id)
    visit = visit_row(session, visit_id)
    item = session.get(ChecklistItem, int_value(item_id))
    if item is None or item.template_id != visit.template_id:
        raise VisitRefused()
    result, note = choice_value(result, RESULTS, optional=True), text_value(note)
    row = session.scalar(select(FileReviewResult).where(FileReviewResult.visit_id == visit_id,
                                                        FileReviewResult.item_id == item.id))
    if row is not None and (row.result, row.note) == (result, note) or row is None and result is None and not note:
        return False
    touch(session, actor, visit_id, edit, {"section": "file_review", "item": item.text_zh, "result": result,
                                           "note": note})
    row = session.scalar(select(FileReviewResult).where(FileReviewResult.visit_id == visit_id,
                                                        FileReviewResult.item_id == item.id))
    if row is None:
        session.add(FileReviewResult(visit_id=visit_id, item_id=item.id, result=result, note=note))
    else:
        row.result, row.note = result, note
    session.flush()
    refresh_findings(session, visit_id)
    return True


# --- head count -------------------------------------------------------------------------------

def _head_count(session: Session, visit_id: int, head_count_id: Any) -> HeadCount:
    hc = session.get(HeadCount, int_value(head_count_id))
    if hc is None or hc.visit_id != visit_id:
        raise VisitRefused()
    return hc


def save_present(session: Session, actor: Actor, visit_id: Any, edit: EditState, head_count_id: Any,
                 present: Any) -> bool:
    """The number of students counted present in a class (None: not counted)."""
    require_edit(session, actor, visit_id)
    hc = _head_count(session, visit_id, head_count_id)
    if present is not None and (int_value(present) < 0 or present > 999):
        raise InvalidInput("bad_count")
    if hc.counted_present == present:
        return False
    touch(session, actor, visit_id, edit, {"section": "head_count", "class": f"{hc.grade}/{hc.class_name}",
                                           "school_id": hc.school_id, "present": present})
    hc = _head_count(session, visit_id, head_count_id)
    hc.counted_present = present
    session.flush()
    refresh_findings(session, visit_id)
    return True


def class_roster(session: Session, visit_id: int, hc: HeadCount) -> list[tuple[int, str]]:
    """(roster record id, name) of the class's 在读 students in the visit's term."""
    term = session.scalar(select(InspectionVisit.term_code).where(InspectionVisit.id == visit_id))
    rows = session.execute(
        select(RosterRecord.id, Student.name).join(Student, Student.id == RosterRecord.student_id)
        .where(RosterRecord.term_code == term, RosterRecord.school_id == hc.school_id, RosterRecord.grade == hc.grade,
               func.coalesce(RosterRecord.class_name, "") == hc.class_name, RosterRecord.status == PRESENT_STATUS)
        .order_by(Student.name, RosterRecord.id)).all()
    return [(r, n) for r, n in rows]


def add_absence(session: Session, actor: Actor, visit_id: Any, edit: EditState, head_count_id: Any,
                roster_record_id: Any, reason: Any) -> bool:
    """Record a student of the class as absent, with the reason given."""
    require_edit(session, actor, visit_id)
    hc = _head_count(session, visit_id, head_count_id)
    reason = choice_value(reason, ABSENCE_REASONS)
    rid = int_value(roster_record_id)
    if rid not in {r for r, _n in class_roster(session, visit_id, hc)}:
        raise InvalidInput("student_not_in_class")
    student = session.scalar(select(RosterRecord.student_id).where(RosterRecord.id == rid))
    exists = session.scalar(select(HeadCountAbsence.id).where(HeadCountAbsence.head_count_id == hc.id,
                                                              HeadCountAbsence.student_id == student))
    if exists:
        raise InvalidInput("already_absent")
    touch(session, actor, visit_id, edit, {"section": "head_count", "absent": rid, "reason": reason,
                                           "school_id": hc.school_id})
    term = session.scalar(select(RosterRecord.term_code).where(RosterRecord.id == rid))
    session.add(HeadCountAbsence(head_count_id=hc.id, student_id=student, roster_record_id=rid, roster_term_code=term,
                                 reason=reason))
    session.flush()
    refresh_findings(session, visit_id)
    return True


def _absence(session: Session, visit_id: int, absence_id: Any) -> HeadCountAbsence:
    row = session.get(HeadCountAbsence, int_value(absence_id))
    if row is None or session.get(HeadCount, row.head_count_id).visit_id != visit_id:
        raise VisitRefused()
    return row


def _absence_school(session: Session, row: HeadCountAbsence) -> int:
    return session.get(HeadCount, row.head_count_id).school_id


def set_absence_reason(session: Session, actor: Actor, visit_id: Any, edit: EditState, absence_id: Any,
                       reason: Any) -> bool:
    """Change an absent student's reason."""
    require_edit(session, actor, visit_id)
    row = _absence(session, visit_id, absence_id)
    reason = choice_value(reason, ABSENCE_REASONS)
    if row.reason == reason:
        return False
    touch(session, actor, visit_id, edit, {"section": "head_count", "absent": row.roster_record_id, "reason": reason,
                                           "school_id": _absence_school(session, row)})
    row = _absence(session, visit_id, absence_id)
    row.reason = reason
    session.flush()
    refresh_findings(session, visit_id)
    return True


def remove_absence(session: Session, actor: Actor, visit_id: Any, edit: EditState, absence_id: Any) -> bool:
    """Take a student off the absent list."""
    require_edit(session, actor, visit_id)
    row = _absence(session, visit_id, absence_id)
    touch(session, actor, visit_id, edit, {"section": "head_count", "not_absent": row.roster_record_id,
                                           "school_id": _absence_school(session, row)})
    session.delete(_absence(session, visit_id, absence_id))
    session.flush()
    refresh_findings(session, visit_id)
    return True
