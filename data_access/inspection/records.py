"""Saving the phone check (reproducible sample, outcome per call, audit-logged reveals), interviews and
findings entered by hand; same rules as data_access.inspection.sections."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from data_access import audit
from data_access.inspection.access import (VISIT_ENTITY, Actor, EditState, InvalidInput, VisitRefused, require_edit,
                                    require_read, touch)
from data_access.inspection.findings import refresh_findings, remove_visit_findings
from data_access.inspection.sections import choice_value, int_value, text_value, visit_row
from data_access.models import RosterRecord
from data_access.models import ChecklistItem, Finding, Interview, PhoneCall, VisitSchool
from domain.dashboard.indicators import ENROLLED
from domain.inspection.rules import (CALL_OUTCOMES, FALSE_DATA_TYPES, FINDING_KINDS, INTERVIEW_ROLES, MAX_SAMPLE,
                               SEVERITIES, Candidate, draw_sample, is_special)


# --- phone check ------------------------------------------------------------------------------

def phone_candidates(session: Session, visit_id: int) -> list[Candidate]:
    """The enrolled roster records of the visit's schools in its term."""
    visit = visit_row(session, visit_id)
    schools = select(VisitSchool.school_id).where(VisitSchool.visit_id == visit_id)
    rows = session.execute(select(RosterRecord.id, RosterRecord.grade, RosterRecord.poverty_registered,
                                  RosterRecord.disability, RosterRecord.left_behind)
                           .where(RosterRecord.term_code == visit.term_code, RosterRecord.school_id.in_(schools),
                                  RosterRecord.status.in_(list(ENROLLED)))).all()
    return [Candidate(rid, grade, is_special(p, d, lb)) for rid, grade, p, d, lb in rows]


def draw_calls(session: Session, actor: Actor, visit_id: Any, edit: EditState, size: Any,
               seed: int | None = None) -> int:
    """Draw (or redraw, while no call has an outcome) the phone sample; its seed is stored."""
    require_edit(session, actor, visit_id)
    size = int_value(size)
    if not 1 <= size <= MAX_SAMPLE:
        raise InvalidInput("bad_sample_size", max=MAX_SAMPLE)
    if session.scalar(select(func.count()).select_from(PhoneCall).where(PhoneCall.visit_id == visit_id,
                                                                        PhoneCall.outcome.is_not(None))):
        raise InvalidInput("calls_made")
    seed = secrets.randbelow(2**31 - 1) if seed is None else seed
    sample = draw_sample(phone_candidates(session, visit_id), size, seed)
    touch(session, actor, visit_id, edit, {"section": "phone_check", "seed": seed, "size": size},
          {"phone_seed": seed, "phone_sample_size": size})
    session.execute(delete(PhoneCall).where(PhoneCall.visit_id == visit_id))
    students = dict(session.execute(select(RosterRecord.id, RosterRecord.student_id).where(
        RosterRecord.id.in_([c.roster_id for c in sample]))).all())
    term = visit_row(session, visit_id).term_code          # the sample's roster lines are of the visit's term
    session.add_all([PhoneCall(visit_id=visit_id, student_id=students[c.roster_id], roster_record_id=c.roster_id,
                               roster_term_code=term, position=i + 1) for i, c in enumerate(sample)])
    session.flush()
    refresh_findings(session, visit_id)
    return len(sample)


def _call(session: Session, visit_id: int, call_id: Any) -> PhoneCall:
    call = session.get(PhoneCall, int_value(call_id))
    if call is None or call.visit_id != visit_id:
        raise VisitRefused()
    return call


def save_call(session: Session, actor: Actor, visit_id: Any, edit: EditState, call_id: Any, outcome: Any,
              note: Any) -> bool:
    """A call's outcome and note."""
    require_edit(session, actor, visit_id)
    call = _call(session, visit_id, call_id)
    outcome, note = choice_value(outcome, CALL_OUTCOMES, optional=True), text_value(note)
    if (call.outcome, call.note) == (outcome, note):
        return False
    touch(session, actor, visit_id, edit, {"section": "phone_check", "call": call.position, "outcome": outcome,
                                           "note": note})
    call = _call(session, visit_id, call_id)
    call.outcome, call.note = outcome, note
    session.flush()
    refresh_findings(session, visit_id)
    return True


def reveal_phone(session: Session, actor: Actor, visit_id: Any, call_id: Any) -> str | None:
    """A sampled guardian's phone number, for the team making the calls; every reveal is audit-logged."""
    access = require_read(session, actor, visit_id)
    if not access.can_reveal:
        raise VisitRefused()
    call = _call(session, visit_id, call_id)
    phone = session.scalar(select(RosterRecord.guardian_phone).where(RosterRecord.id == call.roster_record_id)) \
        if call.roster_record_id is not None else None
    audit.record(session, "reveal_phone", VISIT_ENTITY, str(visit_id),
                 after={"call": call.position, "roster_record": call.roster_record_id, "field": "guardian_phone"})
    return phone


# --- interviews -------------------------------------------------------------------------------

def add_interview(session: Session, actor: Actor, visit_id: Any, edit: EditState, role: Any = "principal") -> int:
    """A new, empty interview; returns its id."""
    require_edit(session, actor, visit_id)
    role = choice_value(role, INTERVIEW_ROLES)
    touch(session, actor, visit_id, edit, {"section": "interview", "added": role})
    last = session.scalar(select(func.max(Interview.position)).where(Interview.visit_id == visit_id)) or 0
    row = Interview(visit_id=visit_id, position=last + 1, role=role, summary="", concerns="")
    session.add(row)
    session.flush()
    return row.id


def _interview(session: Session, visit_id: int, interview_id: Any) -> Interview:
    row = session.get(Interview, int_value(interview_id))
    if row is None or row.visit_id != visit_id:
        raise VisitRefused()
    return row


def save_interview(session: Session, actor: Actor, visit_id: Any, edit: EditState, interview_id: Any, role: Any,
                   summary: Any, concerns: Any) -> bool:
    """An interview's role, summary and concerns."""
    require_edit(session, actor, visit_id)
    row = _interview(session, visit_id, interview_id)
    role, summary, concerns = choice_value(role, INTERVIEW_ROLES), text_value(summary), text_value(concerns)
    if (row.role, row.summary, row.concerns) == (role, summary, concerns):
        return False
    touch(session, actor, visit_id, edit, {"section": "interview", "position": row.position, "role": role,
                                           "summary": summary, "concerns": concerns})
    row = _interview(session, visit_id, interview_id)
    row.role, row.summary, row.concerns = role, summary, concerns
    return True


def remove_interview(session: Session, actor: Actor, visit_id: Any, edit: EditState, interview_id: Any) -> bool:
    """Delete an interview."""
    require_edit(session, actor, visit_id)
    row = _interview(session, visit_id, interview_id)
    touch(session, actor, visit_id, edit, {"section": "interview", "removed": row.position})
    session.delete(_interview(session, visit_id, interview_id))
    return True


# --- manual findings --------------------------------------------------------------------------

def add_finding(session: Session, actor: Actor, visit_id: Any, edit: EditState, kind: Any, false_data_type: Any,
                severity: Any, school_id: Any, description: Any) -> int:
    """A finding entered by hand, about the township or one of the visit's schools."""
    access = require_edit(session, actor, visit_id)
    kind, severity = choice_value(kind, FINDING_KINDS), choice_value(severity, SEVERITIES)
    fdt = choice_value(false_data_type, FALSE_DATA_TYPES, optional=True) if kind == "false_data" else None
    if kind == "false_data" and fdt is None:
        raise InvalidInput("false_data_type_required")
    description = text_value(description)
    if not description:
        raise InvalidInput("description_required")
    if school_id is not None:
        school_id = int_value(school_id)
        if not session.scalar(select(func.count()).select_from(VisitSchool).where(
                VisitSchool.visit_id == visit_id, VisitSchool.school_id == school_id)):
            raise InvalidInput("school_not_in_visit")
    touch(session, actor, visit_id, edit, {"section": "findings", "added": kind, "severity": severity,
                                           "description": description, "school_id": school_id})
    row = Finding(visit_id=visit_id, method="manual", kind=kind, false_data_type=fdt, severity=severity,
                  township_code=access.township_code, school_id=school_id, subject="", description=description,
                  created_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
    session.add(row)
    session.flush()
    return row.id


def _finding(session: Session, visit_id: int, finding_id: Any) -> Finding:
    row = session.get(Finding, int_value(finding_id))
    if row is None or row.visit_id != visit_id:
        raise VisitRefused()
    return row


def set_finding_severity(session: Session, actor: Actor, visit_id: Any, edit: EditState, finding_id: Any,
                         severity: Any) -> bool:
    """Change a finding's severity (generated findings keep it when their records change)."""
    require_edit(session, actor, visit_id)
    row = _finding(session, visit_id, finding_id)
    severity = choice_value(severity, SEVERITIES)
    if row.severity == severity:
        return False
    touch(session, actor, visit_id, edit, {"section": "findings", "finding": row.id, "severity": severity})
    _finding(session, visit_id, finding_id).severity = severity
    return True


def remove_finding(session: Session, actor: Actor, visit_id: Any, edit: EditState, finding_id: Any) -> bool:
    """Delete a manual finding (generated ones follow their records)."""
    require_edit(session, actor, visit_id)
    row = _finding(session, visit_id, finding_id)
    if row.source_key is not None:
        raise InvalidInput("generated_finding")
    touch(session, actor, visit_id, edit, {"section": "findings", "removed": row.id})
    remove_visit_findings(session, [row.id])
    return True


def evidence_owner_ok(session: Session, visit_id: int, item_id: int | None, finding_id: int | None) -> None:
    """Refuse evidence attached to an item or finding that is not the visit's."""
    if item_id is not None:
        item = session.get(ChecklistItem, item_id)
        if item is None or item.template_id != visit_row(session, visit_id).template_id:
            raise VisitRefused()
    if finding_id is not None:
        _finding(session, visit_id, finding_id)
