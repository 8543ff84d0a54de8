"""Student search (issue 15.6): the children of the user's scope found by whole 学籍号, whole ID number or whole
name (narrowed by birth date or school), with their roster history across terms, their dropout cases and the
inspection findings naming them — names masked for roles that do not see them, ID numbers always masked (a reveal,
for the roles allowed, is written to the audit log).

A child is in a user's scope when one of their roster lines (any term) is at a school of the scope; lines at
schools outside it show term, grade and status but not the school."""
from __future__ import annotations

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from data_access import audit
from data_access.cases.ledger import scoped_cases
from data_access.imports.bulk import is_postgresql
from data_access.models import Area, DropoutCase, Finding, RosterRecord, School, Student
from data_access.names import scope_counties, with_county
from data_access.queries import term_codes
from data_access.scope import Scope, scoped
from domain.admin.search import (
    MAX_HITS, CaseLine, FindingLine, RosterHistoryLine, StudentDetail, StudentHit, StudentQuery,
)
from domain.privacy import embedded_id_number, mask_id_number, mask_name, mask_student_no, may_reveal, may_see_names

STUDENT_ENTITY = "student"


class StudentRefused(Exception):
    """A student outside the user's scope, or unknown (the two look the same)."""


def _in_scope(scope: Scope, *columns: object):  # noqa: ANN202 - a SELECT of roster lines at the scope's schools
    """The roster lines at the scope's schools (of every term), as these columns (the first a roster line's: the
    school is joined to it), or their ids."""
    stmt = select(*(columns or (RosterRecord.id,))).join(School, School.id == RosterRecord.school_id)
    return scoped(stmt, scope, school_col=RosterRecord.school_id, school_area_col=School.township_code)


def _match(query: StudentQuery):  # noqa: ANN202 - the WHERE clause of a query on Student
    if query.kind == "student_no":
        return Student.student_no == query.value
    if query.kind == "id_number":
        return or_(Student.id_number == query.value, Student.student_no.in_(("G" + query.value, "L" + query.value)))
    return Student.name == query.value


# PostgreSQL: a search by a name shared by this many pupils of the database, in a scope of a county or less, meets
# the namesakes among the pupils of the scope's schools; fewer namesakes are each checked for a line in the scope.
# Checking a namesake costs ~20 µs (a probe into each term's lines), reading a pupil of the scope ~0.5 µs (the lines'
# term, school and pupil index alone): 2,000 namesakes cost about what a county of 80,000 lines does. SQLite walks
# the namesakes in id order and stops at the 50th found (0.5 ms; its plan of the other way read a county's lines
# from every term: 0.8 s).
MANY_NAMESAKES = 2000
_LOCAL_LEVELS = frozenset({"county", "township", "village"})


def search_students(session: Session, scope: Scope, role: str, query: StudentQuery) -> list[StudentHit]:
    """The children of the scope matching the query (at most MAX_HITS, by id), each with their latest line in
    scope."""
    if query.kind == "name" and _local(scope) and is_postgresql(session) and _many_namesakes(session, query.value):
        ids = _found_in_scope_lines(session, scope, query)
    else:
        lines = _in_scope(scope).where(RosterRecord.student_id == Student.id)
        if query.school_id is not None:
            lines = lines.where(RosterRecord.school_id == query.school_id)
        stmt = select(Student.id).where(_match(query), exists(lines))
        if query.birth_date is not None:
            stmt = stmt.where(Student.birth_date == query.birth_date)
        ids = list(session.scalars(stmt.order_by(Student.id).limit(MAX_HITS)))
    return _hits(session, scope, role, ids)


def _local(scope: Scope) -> bool:
    """True for a school's scope or areas of a county or below (whose schools' pupils are a small share)."""
    return scope.school_id is not None or (not scope.unrestricted and bool(scope.areas)
                                           and all(level in _LOCAL_LEVELS for _code, level in scope.areas))


def _many_namesakes(session: Session, name: str) -> bool:
    """True when at least MANY_NAMESAKES pupils bear this name (counted on the name index, up to that many)."""
    namesakes = select(Student.id).where(Student.name == name).limit(MANY_NAMESAKES).subquery()
    return session.scalar(select(func.count()).select_from(namesakes)) >= MANY_NAMESAKES


def _found_in_scope_lines(session: Session, scope: Scope, query: StudentQuery) -> list[int]:
    """search_students' ids read from the other side: the pupils of every term's lines at the scope's schools
    (the lines' term, school and pupil index alone) joined to the namesakes (the name index alone) — a county's
    search by a name of 10,602 pupils: ~200 → ~50 ms on PostgreSQL."""
    lines = (_in_scope(scope, RosterRecord.student_id).join(Student, Student.id == RosterRecord.student_id)
             .where(RosterRecord.term_code.in_(term_codes(session)), _match(query)))
    if query.school_id is not None:
        lines = lines.where(RosterRecord.school_id == query.school_id)
    if query.birth_date is not None:
        lines = lines.where(Student.birth_date == query.birth_date)
    return list(session.scalars(lines.distinct().order_by(RosterRecord.student_id).limit(MAX_HITS)))


def _hits(session: Session, scope: Scope, role: str, ids: list[int]) -> list[StudentHit]:
    """_hit of each student, in the order given, in one statement (a statement or two per hit before: 50 namesakes
    were ~100 round trips, most of a search by a common name at province scale)."""
    if not ids:
        return []
    latest = _in_scope(scope, RosterRecord.student_id, RosterRecord.term_code, RosterRecord.grade, RosterRecord.status,
                       School.name.label("school"),
                       func.row_number().over(partition_by=RosterRecord.student_id,
                                              order_by=RosterRecord.term_code.desc()).label("n"))
    latest = latest.where(RosterRecord.student_id.in_(ids)).subquery()
    rows = {r.id: r for r in session.execute(
        select(Student.id, Student.name, Student.student_no, Student.gender, Student.birth_date, latest.c.term_code,
               latest.c.school, latest.c.grade, latest.c.status)
        .join(latest, latest.c.student_id == Student.id).where(latest.c.n == 1))}
    see = may_see_names(role)
    return [StudentHit(r.id, r.name if see else mask_name(r.name), mask_student_no(r.student_no, see), r.gender,
                       r.birth_date, r.term_code, r.school, r.grade, r.status) for i in ids if (r := rows.get(i))]


def _latest_in_scope(session: Session, scope: Scope, student_id: int):  # noqa: ANN202
    stmt = (_in_scope(scope, RosterRecord, School.name, School.township_code)
            .where(RosterRecord.student_id == student_id))
    return session.execute(stmt.order_by(RosterRecord.term_code.desc()).limit(1)).first()


def _hit(session: Session, scope: Scope, role: str, student_id: int) -> StudentHit | None:
    hits = _hits(session, scope, role, [student_id])
    return hits[0] if hits else None


def require_student(session: Session, scope: Scope, student_id: object) -> tuple[int, str]:
    """The student id and the township of their latest line in scope (StudentRefused otherwise)."""
    if not isinstance(student_id, int) or isinstance(student_id, bool):
        raise StudentRefused()
    latest = _latest_in_scope(session, scope, student_id)
    if latest is None:
        raise StudentRefused()
    return student_id, latest[2]


def student_detail(session: Session, scope: Scope, role: str, student_id: object) -> StudentDetail:
    """A child of the scope with roster history, cases and findings (StudentRefused outside the scope)."""
    sid, _town = require_student(session, scope, student_id)
    hit = _hit(session, scope, role, sid)
    assert hit is not None
    student = session.get(Student, sid)
    visible = set(session.scalars(_in_scope(scope).where(RosterRecord.student_id == sid)))
    history = []
    for rec, school, town in session.execute(
            select(RosterRecord, School.name, Area.name).join(School, School.id == RosterRecord.school_id)
            .join(Area, Area.code == School.township_code)
            .where(RosterRecord.student_id == sid).order_by(RosterRecord.term_code.desc())):
        mine = rec.id in visible
        history.append(RosterHistoryLine(rec.term_code, school if mine else "", town if mine else "", rec.grade,
                                         (rec.class_name or "") if mine else "", rec.status,
                                         bool(rec.poverty_registered), mine))
    cases = [CaseLine(c.id, c.ledger, c.status, c.step, c.found_date, c.reason or "", town)
             for c, town in session.execute(scoped_cases(
                 select(DropoutCase, Area.name).join(Area, Area.code == DropoutCase.township_code)
                 .where(DropoutCase.student_id == sid), scope).order_by(DropoutCase.found_date.desc()))]
    findings = [FindingLine(f.id, f.visit_id, f.kind, f.severity, f.subject, f.created_at.date())
                for f in session.scalars(scoped(select(Finding).where(Finding.student_id == sid), scope,
                                                area_col=Finding.township_code, school_col=Finding.school_id)
                                         .order_by(Finding.created_at.desc()))]
    number = student.id_number or embedded_id_number(student.student_no)
    return StudentDetail(hit, mask_id_number(number), may_reveal(role) and bool(number), tuple(history),
                         tuple(cases), tuple(findings))


def reveal_id_number(session: Session, scope: Scope, role: str, student_id: object) -> str | None:
    """The child's ID number unmasked, for the roles that may reveal it; the reveal is written to the audit log."""
    if not may_reveal(role):
        raise StudentRefused()
    sid, town = require_student(session, scope, student_id)
    number, student_no = session.execute(select(Student.id_number, Student.student_no)
                                         .where(Student.id == sid)).one()
    value = number or embedded_id_number(student_no)
    audit.record(session, "reveal_id_number", STUDENT_ENTITY, str(sid),
                 after={"field": "id_number", "student": sid, "from": "student_search"}, area=town)
    return value


def school_choices(session: Session, scope: Scope) -> list[tuple[int, str]]:
    """The schools a user may narrow a search to (id, name), by name; where the scope spans counties each name says
    its county (school names repeat across a province)."""
    stmt = scoped(select(School.id, School.name, School.township_code), scope, school_col=School.id,
                  school_area_col=School.township_code)
    counties = scope_counties(session, scope)
    rows = [(i, with_county(t, n, counties)) for i, n, t in session.execute(stmt.order_by(School.name))]
    return sorted(rows, key=lambda r: r[1]) if counties else rows
