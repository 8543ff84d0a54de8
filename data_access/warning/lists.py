"""The early-warning list of a term in the user's scope: named (masked for roles that see no names) per school and
class, and the county view (counts per township and school, never names)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access.models import Area, RiskScore, RosterRecord, School, Student
from data_access.scope import Scope, scoped
from data_access.warning.records import support_kinds
from data_access.warning.scoring import county_settings
from domain.areas import county_of
from domain.privacy import mask_name, mask_student_no
from domain.warning.factors import parse_hits
from domain.warning.views import CountRow, RiskRow

MAX_ROWS = 3000


def list_threshold(session: Session, scope: Scope) -> int:
    """The list threshold of the scope's county (the first area's county; default otherwise)."""
    code = scope.areas[0][0] if scope.areas else None
    if code is None and scope.school_id is not None:
        school = session.get(School, scope.school_id)
        code = school.township_code if school else None
    if code is None:
        code = session.scalar(select(Area.code).where(Area.level == "county").order_by(Area.code).limit(1))
    return county_settings(session, county_of(code)).list_threshold if code else county_settings(
        session, "").list_threshold


def risk_rows(session: Session, scope: Scope, term_code: str, see_names: bool) -> list[RiskRow]:
    """The term's pupils at or above the threshold in scope, highest score first."""
    threshold = list_threshold(session, scope)
    stmt = (select(RiskScore, Student.name, Student.student_no, School.name, Area.name)
            .join(Student, Student.id == RiskScore.student_id).join(School, School.id == RiskScore.school_id)
            .join(Area, Area.code == School.township_code)
            .where(RiskScore.term_code == term_code, RiskScore.score >= threshold)
            .order_by(RiskScore.score.desc(), School.name, RiskScore.grade, RiskScore.class_name, Student.student_no)
            .limit(MAX_ROWS))
    stmt = scoped(stmt, scope, school_col=RiskScore.school_id, school_area_col=School.township_code)
    found = session.execute(stmt).all()
    kinds = support_kinds(session, [r.student_id for r, *_ in found])
    return [RiskRow(r.student_id, name if see_names else mask_name(name), mask_student_no(no, see_names), school,
                    town, r.grade, r.class_name or "", r.score, parse_hits(r.factors),
                    tuple(sorted(kinds.get(r.student_id, ()))))
            for r, name, no, school, town in found]


def county_rows(session: Session, scope: Scope, term_code: str) -> list[CountRow]:
    """Per township and school: pupils scored (在读), listed, and listed with a 一生一策 plan. No names."""
    threshold = list_threshold(session, scope)
    pupils = scoped(select(RosterRecord.school_id, func.count())
                    .join(School, School.id == RosterRecord.school_id)
                    .where(RosterRecord.term_code == term_code, RosterRecord.status.in_(("在读", "送教上门")))
                    .group_by(RosterRecord.school_id), scope, school_col=RosterRecord.school_id,
                    school_area_col=School.township_code)
    totals = dict(session.execute(pupils).all())
    listed = scoped(select(RiskScore.school_id, RiskScore.student_id).join(School, School.id == RiskScore.school_id)
                    .where(RiskScore.term_code == term_code, RiskScore.score >= threshold), scope,
                    school_col=RiskScore.school_id, school_area_col=School.township_code)
    by_school: dict[int, list[int]] = {}
    for school_id, student_id in session.execute(listed):
        by_school.setdefault(school_id, []).append(student_id)
    kinds = support_kinds(session, [s for ids in by_school.values() for s in ids])
    names = {sid: (sname, tname) for sid, sname, tname in session.execute(
        select(School.id, School.name, Area.name).join(Area, Area.code == School.township_code)
        .where(School.id.in_(sorted(set(totals) | set(by_school)) or [-1])))}
    rows = [CountRow(names[sid][1], names[sid][0], totals.get(sid, 0), len(by_school.get(sid, [])),
                     sum(1 for st in by_school.get(sid, []) if "plan" in kinds.get(st, ())))
            for sid in names]
    return sorted(rows, key=lambda r: (r.township, -r.listed, r.school))
