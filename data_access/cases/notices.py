"""The data of the documents of escalation step 4 (domain.md §7) — 限期复学通知书 and 敦促辍学学生返校通知书 —
read for a reader who may see the child's name, and the record that a notice was issued (documents.case_notices
builds the .docx)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access import audit
from data_access.cases.cases import CASE_ENTITY, CaseRefused, add_event, require_case
from data_access.inspection.access import Actor, InvalidInput
from data_access.calendar import school_days_of
from data_access.documents.register import issuer_settings
from data_access.models import Area, CaseAttempt, DropoutCase, IssuedDocument, RosterRecord, School, Student
from domain.cases.escalation import DRAFT_KINDS, NOTICE_KINDS, NOTICE_STEP
from domain.cases.rules import return_days
from domain.cases.views import NoticeData
from domain.localtime import local_today
from domain.privacy import may_see_names
from domain.schooldays import absence_start
from domain.workdays import IsWorkday, add_working_days, default_is_workday


def notice_data(session: Session, actor: Actor, case_id: Any, kind: str, today: dt.date | None = None,
                step_days: dict[int, int] | None = None, is_workday: IsWorkday = default_is_workday) -> NoticeData:
    """The notice of a case at step 4 or later, for a reader who may see the child's name (CaseRefused
    otherwise); the stored return deadline, or — once it has passed — a new one counted from today."""
    if kind not in NOTICE_KINDS and kind not in DRAFT_KINDS:
        raise InvalidInput("bad_value")
    access = require_case(session, actor, case_id)
    if not may_see_names(actor.role):
        raise CaseRefused()
    c = session.get(DropoutCase, access.case_id)
    needed = DRAFT_KINDS[kind][1] if kind in DRAFT_KINDS else NOTICE_STEP
    if c.step < needed:
        raise InvalidInput("notice_before_step", step=needed)
    today = today or local_today()
    student = session.get(Student, c.student_id)
    rec = session.scalar(select(RosterRecord).where(RosterRecord.student_id == c.student_id)
                         .order_by((RosterRecord.term_code == (c.term_code or "")).desc(),
                                   RosterRecord.term_code.desc()).limit(1))
    school = session.get(School, c.school_id) if c.school_id else None
    town = session.get(Area, c.township_code)
    deadline = c.return_deadline if c.return_deadline and c.return_deadline > today else \
        add_working_days(today, return_days(step_days), is_workday)
    township = town.name if town else ""
    settings = issuer_settings(session, c.township_code)
    stopped = absence_start(c.found_date, c.absence_days, school_days_of(session, c.township_code, is_workday))
    attempts = tuple(tuple(r) for r in session.execute(select(CaseAttempt.date, CaseAttempt.method)
                                                       .where(CaseAttempt.case_id == c.id)
                                                       .order_by(CaseAttempt.date, CaseAttempt.id)))
    prior = tuple(session.scalars(select(IssuedDocument.number).where(
        IssuedDocument.subject.like(f"case:{c.id}:return-order:%")).order_by(IssuedDocument.id)))
    county = session.get(Area, town.parent_code) if town is not None and town.parent_code else None
    title = DRAFT_KINDS[kind][0] if kind in DRAFT_KINDS else NOTICE_KINDS[kind]
    return NoticeData(kind, title, "", c.id, student.name, student.gender, student.birth_date,
                      (rec.guardian_name or "") if rec else "", school.name if school else "",
                      rec.grade if rec else None, (rec.class_name or "") if rec else "", township, c.found_date,
                      c.absence_days, deadline, today, stopped, attempts,
                      (settings.issuer, settings.education_bureau), settings.contact_line(), settings.regulation,
                      settings.page_numbers, prior_numbers=prior, county=county.name if county else "",
                      abbreviation=settings.abbreviation)


def notice_issuer(session: Session, data: NoticeData) -> tuple[str, str, str]:
    """(area, issuer, 发文字号 abbreviation) a notice is numbered by: the case's township government."""
    c = session.get(DropoutCase, data.case_id)
    settings = issuer_settings(session, c.township_code)
    return c.township_code, settings.issuer, settings.abbreviation


def record_notice(session: Session, actor: Actor, data: NoticeData) -> None:
    """Write the generated notice into the case's history and the audit log (it holds personal data)."""
    add_event(session, data.case_id, actor.user_id, "notice", detail=f"{data.kind} {data.deadline.isoformat()}",
              note=data.number)
    audit.record(session, "download", CASE_ENTITY, str(data.case_id),
                 after={"file": data.kind, "number": data.number, "deadline": data.deadline.isoformat()})
