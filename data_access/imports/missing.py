"""Students missing since the previous term: on the previous roster of a school, not leaving then, and on no
school's roster now — the follow-up list a roster import hands to the case ledger (domain.md §7); and the
graduates lost between primary and junior school (小升初): grade 6 marked 毕业 in spring, on no autumn roster."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, func, literal, select
from sqlalchemy.orm import Session

from data_access.db import using_index
from data_access.analytics.aggregates import attributed_area, household_township
from data_access.imports.core import MISSING_LISTED
from domain.imports.results import LostGraduate, MissingStudent
from data_access.models import Area, DropoutCase, RosterRecord, School, Student, Term
from data_access.scope import Scope, scoped
from domain.terms import parse_term
from domain.privacy import mask_student_no

LEAVING = ("转出", "毕业", "死亡")   # statuses of students the previous term already saw leave


def previous_roster_term(session: Session, term: str, school_ids: Iterable[int]) -> str | None:
    """The latest term before `term` with roster records of any of these schools."""
    ids = sorted(set(school_ids))
    # term by term, newest first, one probe of the (term, school) index each: max(term_code) over the schools'
    # records read every record of theirs in every earlier term (1.4–7 s for a county of the province database)
    for code in session.scalars(select(Term.code).where(Term.code < term).order_by(Term.code.desc())):
        if any(session.scalar(select(exists().where(RosterRecord.term_code == code,
                                                    RosterRecord.school_id.in_(ids[i:i + 500]))))
               for i in range(0, len(ids), 500)):
            return code
    return None


def missing_students(session: Session, term: str, school_ids: Iterable[int], limit: int = MISSING_LISTED
                     ) -> tuple[str | None, list[MissingStudent], int]:
    """Students on the previous term's roster of these schools, not leaving then (转出, 毕业, 死亡, or grade 9
    at the end of a school year) and on no school's roster of `term`: (previous term, first `limit`, count)."""
    ids = sorted(set(school_ids))
    previous = previous_roster_term(session, term, ids)
    if previous is None:
        return None, [], 0
    old = RosterRecord.__table__.alias("old")
    now = RosterRecord.__table__.alias("now")
    conds = [old.c.term_code == previous, old.c.status.not_in(LEAVING),
             ~exists().where(now.c.term_code == term, now.c.student_id == old.c.student_id)]
    if parse_term(previous).semester == 2:
        conds.append(old.c.grade < 9)             # grade 9 finished compulsory school in the spring term
    listed: list[MissingStudent] = []
    count = 0
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]                # (named on school too, so it is not walked whole in code order)
        where = [*conds, old.c.school_id.in_(chunk)]
        if len(listed) >= limit:
            count += session.scalar(select(func.count()).select_from(old).where(*where)) or 0
            continue
        rows = session.execute(              # the first ones and, on each row, how many there are (one pass)
            select(Student.student_no, Student.name, School.code, School.name, old.c.grade, old.c.class_name,
                   old.c.status, func.count().over())
            .join(Student, Student.id == old.c.student_id).join(School, School.id == old.c.school_id)
            .where(*where, School.id.in_(chunk))
            .order_by(School.code, old.c.grade, old.c.class_name, Student.student_no)
            .limit(limit - len(listed))).all()
        count += rows[0][-1] if rows else 0
        listed += [MissingStudent(mask_student_no(row[0]), *row[1:-1], term=previous) for row in rows]
    return previous, listed, count


GRADUATED, LAST_PRIMARY_GRADE = "毕业", 6


def graduates_term(term: str) -> str | None:
    """The spring term whose grade-6 graduates an autumn term should find on a junior roster (None for spring)."""
    code = parse_term(term)
    return f"{code.year - 1}-2" if code.semester == 1 else None


def lost_graduates(session: Session, term: str, scope: Scope | None = None, *, without_case: bool = False,
                   limit: int = MISSING_LISTED) -> tuple[str | None, list[LostGraduate], int]:
    """The previous spring's grade-6 pupils marked 毕业 who are on no roster of the autumn `term` (小升初), within
    the scope (by the area they count toward, domain.md §3; school staff: their school), ordered by township and
    school; optionally only those without a case that is not closed: (spring term, first `limit`, count)."""
    spring = graduates_term(term)
    if spring is None:
        return None, [], 0
    r = RosterRecord
    now = RosterRecord.__table__.alias("now")
    area, (exact, on_exact), (town, on_town) = attributed_area()
    township = household_township(area)
    stmt = (select(r.student_id, Student.student_no, Student.name, township, School.code, School.name, r.class_name)
            .join(School, School.id == r.school_id).join(Student, Student.id == r.student_id)
            .outerjoin(exact, on_exact).outerjoin(town, on_town)
            .where(r.term_code == spring,  # literals, so the partial index ix_roster_graduates serves it
                   r.grade == literal(LAST_PRIMARY_GRADE, literal_execute=True),
                   r.status == literal(GRADUATED, literal_execute=True),
                   ~exists().where(now.c.term_code == term, now.c.student_id == r.student_id)))
    # SQLite, without statistics, took the grade-6 lines' household index (migration 0040: the spring's every
    # grade-6 line, 0.6 s a query at province scale), then (term, school, student) of migration 0041 (every line)
    stmt = using_index(stmt, r, "ix_roster_graduates")
    if scope is not None:
        stmt = scoped(stmt, scope, area_col=area, school_col=r.school_id)
    if without_case:
        stmt = stmt.where(~exists().where(DropoutCase.student_id == r.student_id, DropoutCase.status != "closed"))
    count = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(stmt.order_by(township, School.code, r.class_name, Student.student_no).limit(limit)).all()
    towns = {row[3] for row in rows}
    names = dict(session.execute(select(Area.code, Area.name).where(Area.code.in_(sorted(towns)))).all()) \
        if towns else {}
    return spring, [LostGraduate(sid, no, name, t, names.get(t, t), code, school, cls, spring)
                    for sid, no, name, t, code, school, cls in rows], count
