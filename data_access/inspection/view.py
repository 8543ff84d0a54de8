"""What a visit page, list and report show, read for one actor (school staff get their school's part);
no phone number leaves here unmasked."""
from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access.inspection.access import VISIT_ENTITY, VisitAccess, team_member_ids, user_name
from data_access.models import Area, AuditLog, RosterRecord, School, Student, Team, TeamMember, User, Zone
from data_access.models import (ChecklistItem, EvidenceFile, FileReviewResult, Finding, HeadCount,
                                           HeadCountAbsence, InspectionVisit, Interview, PhoneCall, VisitMember,
                                           VisitSchool)
from domain.inspection.rules import PRESENT_STATUS, mask_phone, parse_gaps
from domain.inspection.views import CallView, ClassView, EvidenceView, FindingView, HistoryEntry, InterviewView, ItemView, VisitView
from domain.inspection.views import AbsenceView, StudentChoice


def load_header(session: Session, access: VisitAccess) -> VisitView:
    """The visit's header for a reader."""
    v = session.get(InspectionVisit, access.visit_id)
    town = session.get(Area, v.township_code)
    zone = session.get(Zone, v.zone_id) if v.zone_id else None
    team = session.get(Team, v.team_id) if v.team_id else None
    schools = session.execute(select(School.id, School.name).join(VisitSchool, VisitSchool.school_id == School.id)
                              .where(VisitSchool.visit_id == v.id).order_by(School.code)).all()
    if access.only_school_id is not None:
        schools = [s for s in schools if s[0] == access.only_school_id]
    township_schools = session.execute(select(School.id, School.name).where(School.township_code == v.township_code)
                                       .order_by(School.code)).all() if access.can_edit else schools
    members = team_member_ids(session, v.township_code)
    team_rows = session.execute(select(User.id, User.display_name, User.username, TeamMember.role)
                                .join(TeamMember, TeamMember.user_id == User.id)
                                .where(User.id.in_(members), TeamMember.team_id == v.team_id)
                                .order_by(TeamMember.role, User.username)).all() if members else []
    present = tuple(sorted(session.scalars(select(VisitMember.user_id).where(VisitMember.visit_id == v.id))))
    known = {r[0] for r in team_rows}
    extra = session.execute(select(User.id, User.display_name, User.username).where(
        User.id.in_([p for p in present if p not in known]))).all()
    team_list = tuple((i, d or u, r) for i, d, u, r in team_rows) + tuple((i, d or u, "former") for i, d, u in extra)
    return VisitView(v.id, v.term_code, v.township_code, town.name if town else v.township_code,
                     zone.name if zone else "", team.name if team else "", v.visit_date, v.status, v.version,
                     user_name(session, v.created_by), user_name(session, v.updated_by), v.updated_at,
                     user_name(session, v.signed_by), v.signed_at, tuple(tuple(s) for s in schools),
                     tuple(tuple(s) for s in township_schools), team_list, present, v.phone_seed, v.phone_sample_size,
                     parse_gaps(v.signed_gaps), v.signed_reason or "")


def _evidence(session: Session, visit_id: int) -> list[EvidenceFile]:
    return list(session.scalars(select(EvidenceFile).where(EvidenceFile.visit_id == visit_id)
                                .order_by(EvidenceFile.id)))


def _ev(row: EvidenceFile) -> EvidenceView:
    return EvidenceView(row.id, row.original_name, row.file_type, row.size)


def load_items(session: Session, access: VisitAccess) -> list[ItemView]:
    """The checklist with the visit's results and evidence."""
    template = session.scalar(select(InspectionVisit.template_id).where(InspectionVisit.id == access.visit_id))
    results = {r.item_id: r for r in session.scalars(select(FileReviewResult).where(
        FileReviewResult.visit_id == access.visit_id))}
    evidence: dict[int, list[EvidenceView]] = {}
    for row in _evidence(session, access.visit_id):
        if row.item_id is not None:
            evidence.setdefault(row.item_id, []).append(_ev(row))
    items = session.scalars(select(ChecklistItem).where(ChecklistItem.template_id == template)
                            .order_by(ChecklistItem.position)).all()
    return [ItemView(i.id, i.position, i.text_zh, i.text_en or i.text_zh,
                     results[i.id].result if i.id in results else None,
                     results[i.id].note if i.id in results else "", tuple(evidence.get(i.id, ()))) for i in items]


def load_classes(session: Session, access: VisitAccess, with_students: bool = True) -> list[ClassView]:
    """The classes of the visit's schools with their counts, absences and (for pickers) students."""
    stmt = (select(HeadCount, School.name).join(School, School.id == HeadCount.school_id)
            .where(HeadCount.visit_id == access.visit_id))
    if access.only_school_id is not None:
        stmt = stmt.where(HeadCount.school_id == access.only_school_id)
    rows = session.execute(stmt.order_by(School.code, HeadCount.grade, HeadCount.class_name)).all()
    absences: dict[int, list[AbsenceView]] = {}
    for a, name in session.execute(
            select(HeadCountAbsence, Student.name).join(Student, Student.id == HeadCountAbsence.student_id)
            .where(HeadCountAbsence.head_count_id.in_([hc.id for hc, _s in rows])).order_by(HeadCountAbsence.id)):
        absences.setdefault(a.head_count_id, []).append(AbsenceView(a.id, a.student_id, name, a.reason))
    students: dict[tuple[int, int, str], list[StudentChoice]] = {}
    if with_students and rows:
        term = session.scalar(select(InspectionVisit.term_code).where(InspectionVisit.id == access.visit_id))
        for rid, sid, grade, cls, name, gender, birth in session.execute(
                select(RosterRecord.id, RosterRecord.school_id, RosterRecord.grade,
                       func.coalesce(RosterRecord.class_name, ""), Student.name, Student.gender, Student.birth_date)
                .join(Student, Student.id == RosterRecord.student_id)
                .where(RosterRecord.term_code == term, RosterRecord.status == PRESENT_STATUS,
                       RosterRecord.school_id.in_({hc.school_id for hc, _s in rows}))
                .order_by(Student.name, RosterRecord.id)):
            students.setdefault((sid, grade, cls), []).append(StudentChoice(rid, name, gender or "", birth))
    return [ClassView(hc.id, hc.school_id, school, hc.grade, hc.class_name, hc.roster_count, hc.counted_present,
                      tuple(absences.get(hc.id, ())), tuple(students.get((hc.school_id, hc.grade, hc.class_name), ())))
            for hc, school in rows]


def load_calls(session: Session, access: VisitAccess) -> list[CallView]:
    """The phone sample in call order, phones masked."""
    stmt = (select(PhoneCall, RosterRecord, School.name, Student.name)
            .join(Student, Student.id == PhoneCall.student_id)
            .outerjoin(RosterRecord, RosterRecord.id == PhoneCall.roster_record_id)
            .outerjoin(School, School.id == RosterRecord.school_id)
            .where(PhoneCall.visit_id == access.visit_id))
    if access.only_school_id is not None:
        stmt = stmt.where(RosterRecord.school_id == access.only_school_id)
    out = []
    for c, r, school, name in session.execute(stmt.order_by(PhoneCall.position)):
        if r is None:  # the roster record was removed by a later import: the student and the outcome remain
            out.append(CallView(c.id, c.position, "", 0, "", name, "", False, "无", False, "", mask_phone(None),
                                False, c.outcome, c.note))
            continue
        out.append(CallView(c.id, c.position, school or "", r.grade, r.class_name or "", name, r.status,
                            r.poverty_registered, r.disability, r.left_behind, r.guardian_name or "",
                            mask_phone(r.guardian_phone), bool(r.guardian_phone), c.outcome, c.note))
    return out


def count_candidates(session: Session, access: VisitAccess) -> int:
    """How many enrolled students the phone sample is drawn from."""
    from data_access.inspection.records import phone_candidates
    return len(phone_candidates(session, access.visit_id))


def load_interviews(session: Session, access: VisitAccess) -> list[InterviewView]:
    """The interviews in the order they were added."""
    rows = session.scalars(select(Interview).where(Interview.visit_id == access.visit_id)
                           .order_by(Interview.position)).all()
    return [InterviewView(r.id, r.position, r.role, r.summary, r.concerns) for r in rows]


def load_findings(session: Session, access: VisitAccess) -> list[FindingView]:
    """The visit's findings, gravest first (school staff: their school's and the township's)."""
    stmt = (select(Finding, Area.name, School.name).join(Area, Area.code == Finding.township_code)
            .outerjoin(School, School.id == Finding.school_id).where(Finding.visit_id == access.visit_id))
    if access.only_school_id is not None:
        stmt = stmt.where((Finding.school_id == access.only_school_id) | Finding.school_id.is_(None))
    evidence = _evidence(session, access.visit_id)
    by_finding: dict[int, list[EvidenceView]] = {}
    by_item: dict[int, list[EvidenceView]] = {}
    for row in evidence:
        if row.finding_id is not None:
            by_finding.setdefault(row.finding_id, []).append(_ev(row))
        elif row.item_id is not None:
            by_item.setdefault(row.item_id, []).append(_ev(row))
    order = {"high": 0, "medium": 1, "low": 2}
    out = []
    for f, town, school in session.execute(stmt):
        ev = list(by_finding.get(f.id, ()))
        if f.source_key and f.source_key.startswith("item:"):
            ev += by_item.get(int(f.source_key[5:]), [])
        out.append(FindingView(f.id, f.method, f.kind, f.false_data_type, f.severity, f.school_id, school or town,
                               f.subject, f.count, f.description, f.source_key is not None, tuple(ev)))
    return sorted(out, key=lambda f: (f.kind != "false_data", order.get(f.severity, 3), f.id))


# Sections whose entries concern one school's classes, calls or findings: school staff see only their own.
PER_SCHOOL_SECTIONS = frozenset({"head_count", "phone_check", "interview", "findings"})


def _shown_to_school(detail: dict, action: str, school_id: int) -> bool:
    if action.startswith("reveal"):
        return False
    if detail.get("section") not in PER_SCHOOL_SECTIONS:
        return True
    return detail.get("school_id") == school_id


def visit_history(session: Session, visit_id: int, limit: int = 300,
                  only_school_id: int | None = None) -> list[HistoryEntry]:
    """The visit's audit entries, newest first: creation, saves, sign-off, reopen, phone reveals.

    With `only_school_id` (school staff), entries about other schools' classes, calls and findings
    are left out, and so are entries of the per-school sections that do not name a school.
    """
    rows = session.execute(select(AuditLog.at, AuditLog.actor, AuditLog.action, AuditLog.after)
                           .where(AuditLog.entity == VISIT_ENTITY, AuditLog.entity_key == str(visit_id),
                                  AuditLog.action != "insert")  # the explicit "create" entry says it better
                           .order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)).all()
    out = []
    for at, actor, action, after in rows:
        try:
            detail = json.loads(after) if after else {}
        except ValueError:
            detail = {}
        detail = detail if isinstance(detail, dict) else {}
        if only_school_id is None or _shown_to_school(detail, action, only_school_id):
            out.append(HistoryEntry(at, actor, action, detail))
    return out


def finding_counts(session: Session, visit_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(findings, false-data findings) per visit."""
    if not visit_ids:
        return {}
    rows = session.execute(select(Finding.visit_id, func.count(), func.count().filter(Finding.kind == "false_data"))
                           .where(Finding.visit_id.in_(visit_ids)).group_by(Finding.visit_id)).all()
    return {v: (n, fd) for v, n, fd in rows}
