"""Students missing since the previous term: on the previous roster of a school, not leaving then, and on no
school's roster now — the follow-up list a roster import hands to the case ledger (domain.md §7)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from data_access.imports.core import MISSING_LISTED
from domain.imports.results import MissingStudent
from data_access.models import RosterRecord, School, Student
from domain.terms import parse_term
from domain.privacy import mask_student_no

LEAVING = ("转出", "毕业", "死亡")   # statuses of students the previous term already saw leave


def previous_roster_term(session: Session, term: str, school_ids: Iterable[int]) -> str | None:
    """The latest term before `term` with roster records of any of these schools."""
    ids = sorted(set(school_ids))
    found = [session.scalar(select(func.max(RosterRecord.term_code))
                            .where(RosterRecord.term_code < term, RosterRecord.school_id.in_(ids[i:i + 500])))
             for i in range(0, len(ids), 500)]
    found = [t for t in found if t]
    return max(found) if found else None


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
        where = [*conds, old.c.school_id.in_(ids[i:i + 500])]
        if len(listed) >= limit:
            count += session.scalar(select(func.count()).select_from(old).where(*where)) or 0
            continue
        rows = session.execute(              # the first ones and, on each row, how many there are (one pass)
            select(Student.student_no, Student.name, School.code, School.name, old.c.grade, old.c.class_name,
                   old.c.status, func.count().over())
            .join(Student, Student.id == old.c.student_id).join(School, School.id == old.c.school_id)
            .where(*where).order_by(School.code, old.c.grade, old.c.class_name, Student.student_no)
            .limit(limit - len(listed))).all()
        count += rows[0][-1] if rows else 0
        listed += [MissingStudent(mask_student_no(row[0]), *row[1:-1], term=previous) for row in rows]
    return previous, listed, count
