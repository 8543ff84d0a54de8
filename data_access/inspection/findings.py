"""Findings: kept in step with each method's records (domain.inspection.rules), listed per term, and
counted as false data per unit and term for the notification tiers (domain.dashboard.report.UnitExtras)."""
from __future__ import annotations

import datetime as dt
from typing import Any
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from data_access.models import Area, RosterRecord, School, Student, ZoneTownship
from data_access.models import (ChecklistItem, EvidenceFile, FileReviewResult, Finding, HeadCount,
                                           HeadCountAbsence, InspectionVisit, PhoneCall)
from data_access.scope import Scope, scoped
from data_access.memo import memo
from domain.areas import LEVEL_DIGITS, span_range
from domain.inspection.rules import (AbsentStudent, CallResult, ClassCount, FindingDraft, ItemResult,
                               findings_from_file_review, findings_from_head_count, findings_from_phone_check,
                               sync_findings)
from domain.dashboard.report import UnitExtras
from domain.inspection.views import FindingRow
from domain.inspection.views import class_label


def _items(session: Session, visit: InspectionVisit) -> list[ItemResult]:
    rows = session.execute(
        select(ChecklistItem.id, ChecklistItem.text_zh, FileReviewResult.result, FileReviewResult.note)
        .outerjoin(FileReviewResult, (FileReviewResult.item_id == ChecklistItem.id)
                   & (FileReviewResult.visit_id == visit.id))
        .where(ChecklistItem.template_id == visit.template_id).order_by(ChecklistItem.position)).all()
    return [ItemResult(i, text, result, note or "") for i, text, result, note in rows]


def _classes(session: Session, visit_id: int) -> list[ClassCount]:
    counts = session.execute(select(HeadCount, School.name).join(School, School.id == HeadCount.school_id)
                             .where(HeadCount.visit_id == visit_id)).all()
    absences: dict[int, list[AbsentStudent]] = {}
    for hc_id, sid, rid, reason, status, name in session.execute(
            select(HeadCountAbsence.head_count_id, HeadCountAbsence.student_id, HeadCountAbsence.roster_record_id,
                   HeadCountAbsence.reason, RosterRecord.status, Student.name)
            .join(HeadCount, HeadCount.id == HeadCountAbsence.head_count_id)
            .join(Student, Student.id == HeadCountAbsence.student_id)
            .outerjoin(RosterRecord, RosterRecord.id == HeadCountAbsence.roster_record_id)
            .where(HeadCount.visit_id == visit_id).order_by(HeadCountAbsence.id)):
        absences.setdefault(hc_id, []).append(AbsentStudent(sid, rid, name, reason, status or ""))
    return [ClassCount(hc.id, hc.school_id, f"{school} {class_label(hc.grade, hc.class_name)}", hc.roster_count,
                       hc.counted_present, tuple(absences.get(hc.id, ()))) for hc, school in counts]


def _calls(session: Session, visit_id: int) -> list[CallResult]:
    rows = session.execute(
        select(PhoneCall.student_id, PhoneCall.roster_record_id, RosterRecord.school_id, School.name,
               RosterRecord.grade, RosterRecord.class_name, Student.name, RosterRecord.status, PhoneCall.outcome)
        .join(Student, Student.id == PhoneCall.student_id)
        .outerjoin(RosterRecord, RosterRecord.id == PhoneCall.roster_record_id)
        .outerjoin(School, School.id == RosterRecord.school_id)
        .where(PhoneCall.visit_id == visit_id)).all()
    return [CallResult(stu, rid, sid, f"{school} {class_label(grade, cls or '')} {name}" if rid else name,
                       status or "", outcome)
            for stu, rid, sid, school, grade, cls, name, status, outcome in rows]


def wanted_findings(session: Session, visit: InspectionVisit) -> list[FindingDraft]:
    """The findings the visit's records call for now."""
    town = visit.township_code
    return (findings_from_file_review(town, _items(session, visit))
            + findings_from_head_count(town, _classes(session, visit.id))
            + findings_from_phone_check(town, _calls(session, visit.id)))


def _draft(f: Finding) -> FindingDraft:
    return FindingDraft(f.source_key or "", f.method, f.kind, f.severity, f.township_code, f.school_id,
                        f.roster_record_id, f.false_data_type, f.subject, f.count, f.description, f.student_id)


def _stored(d: FindingDraft, visit: InspectionVisit) -> dict[str, Any]:
    """A draft's columns, with the term of its roster line (the visit's: its records read the visit's term)."""
    return {**d.__dict__, "roster_term_code": visit.term_code if d.roster_record_id is not None else None}


def refresh_findings(session: Session, visit_id: int) -> None:
    """Add, update and remove the visit's generated findings to match its records (manual ones stay)."""
    visit = session.get(InspectionVisit, visit_id)
    stored = session.scalars(select(Finding).where(Finding.visit_id == visit_id, Finding.source_key.is_not(None))).all()
    plan = sync_findings(wanted_findings(session, visit), {f.source_key: (f.id, _draft(f)) for f in stored})
    by_id = {f.id: f for f in stored}
    stamp = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    for d in plan.add:
        session.add(Finding(visit_id=visit_id, created_at=stamp, **_stored(d, visit)))
    for fid, d in plan.update:
        for key, value in _stored(d, visit).items():
            if getattr(by_id[fid], key) != value:
                setattr(by_id[fid], key, value)
    if plan.remove:
        session.execute(update(EvidenceFile).where(EvidenceFile.finding_id.in_(plan.remove)).values(finding_id=None)
                        .execution_options(synchronize_session=False))
        for fid in plan.remove:
            session.delete(by_id[fid])
    session.flush()


def remove_visit_findings(session: Session, ids: Sequence[int]) -> None:
    """Delete findings by id (evidence files stay with the visit)."""
    if ids:
        session.execute(update(EvidenceFile).where(EvidenceFile.finding_id.in_(ids)).values(finding_id=None))
        session.execute(delete(Finding).where(Finding.id.in_(ids)))


# --- the tiers --------------------------------------------------------------------------------

def false_data_extras(session: Session, terms: Iterable[str], level: str, codes: Iterable[str],
                      within: tuple[str, str] | None = None) -> dict[tuple[str, str], UnitExtras]:
    """False-data findings of signed visits per (term, unit) for the units of a report level. `within` (lowest and
    highest township code) reads the findings of that range instead of the units' own span: two levels of one area
    (a report and its parent's row) then share one read, as long as the session does not write."""
    codes, terms = set(codes), frozenset(terms)
    if not codes or level == "village":
        return {}
    if within is None and level in LEVEL_DIGITS:   # the findings under the units only (every one of the province before)
        within = span_range(codes, level)
    rows = memo(session, ("false_data_rows", terms, within), lambda: _false_data_rows(session, terms, within))
    counts: dict[tuple[str, str], int] = {}
    for term, township, school in rows:
        if level == "school":
            unit = school
        else:
            digits = LEVEL_DIGITS.get(level)
            unit = township[:digits] + "0" * (12 - digits) if digits else None
        if unit in codes:
            counts[(term, unit)] = counts.get((term, unit), 0) + 1
    return {k: UnitExtras(false_data_findings=n) for k, n in counts.items()}


def _false_data_rows(session: Session, terms: frozenset[str], within: tuple[str, str] | None) -> list[Any]:
    """(term, township, school code) of the false-data findings of signed visits in these terms (and township range)."""
    stmt = (select(InspectionVisit.term_code, Finding.township_code, School.code)
            .join(InspectionVisit, InspectionVisit.id == Finding.visit_id)
            .outerjoin(School, School.id == Finding.school_id)
            .where(Finding.kind == "false_data", InspectionVisit.status == "signed",
                   InspectionVisit.term_code.in_(sorted(terms))))
    if within is not None:
        stmt = stmt.where(Finding.township_code.between(*within))
    return list(session.execute(stmt).all())


# --- lists ------------------------------------------------------------------------------------


def term_findings(session: Session, scope: Scope, term: str, zone_ids: Sequence[int] | None = None
                  ) -> list[FindingRow]:
    """The findings of a term's visits in the scope (optionally only these zones), gravest first."""
    stmt = (select(Finding, InspectionVisit.visit_date, InspectionVisit.status, ZoneTownship.zone_id, Area.name,
                   School.name)
            .join(InspectionVisit, InspectionVisit.id == Finding.visit_id)
            .join(Area, Area.code == Finding.township_code)
            .outerjoin(ZoneTownship, ZoneTownship.township_code == Finding.township_code)
            .outerjoin(School, School.id == Finding.school_id)
            .where(InspectionVisit.term_code == term))
    if zone_ids is not None:
        stmt = stmt.where(ZoneTownship.zone_id.in_(list(zone_ids)))
    stmt = scoped(stmt, scope, area_col=Finding.township_code, school_col=Finding.school_id)
    order = {"high": 0, "medium": 1, "low": 2}
    rows = [FindingRow(f.id, f.visit_id, day, status, zone, f.township_code, town, school or "", f.method, f.kind,
                       f.false_data_type, f.severity, f.subject, f.count, f.description)
            for f, day, status, zone, town, school in session.execute(stmt)]
    return sorted(rows, key=lambda r: (r.kind != "false_data", order.get(r.severity, 3), r.township_code, r.id))
