"""四查三比对 with the poverty list (issue 16.4; 2024 national notice, domain.md §7), for one term and the user's scope:
the children of listed households who are of compulsory school age (6–14 on 31 August, from the ID number) and whose
ID number is on no roster of the term (of any school Baoxue holds: a child schooled in another township is not
missing), and the dropout cases of children on the list. Matching is by ID number only."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from data_access.cases.ledger import scoped_cases
from data_access.imports.poverty import listed_students
from data_access.models import Area, DropoutCase, PovertyMember, RosterRecord, School, Student
from data_access.scope import Scope, area_filter
from domain.cases.poverty import ListedDropout, PovertyComparison, UnrosteredChild
from domain.imports.poverty import SCHOOL_AGES, school_age
from domain.privacy import mask_id_number, mask_name, mask_student_no, may_see_names
from domain.terms import parse_term

MAX_LISTED = 5000


def poverty_comparison(session: Session, scope: Scope, role: str, term_code: str) -> PovertyComparison:
    """The comparison of the term's poverty list (members in the scope's townships) with the term's rosters."""
    term = parse_term(term_code)
    see = may_see_names(role)
    members = session.execute(
        select(PovertyMember, Area.name).join(Area, Area.code == PovertyMember.township_code)
        .where(PovertyMember.term_code == term.code, area_filter(scope, PovertyMember.township_code))
        .order_by(PovertyMember.township_code, PovertyMember.village_code, PovertyMember.head_name,
                  PovertyMember.id_number)).all()
    aged = [(m, town) for m, town in members if school_age(m.birth_date, term.year) in SCHOOL_AGES]
    numbers = sorted({m.id_number for m, _t in aged})
    rostered: set[str] = set()
    last: dict[str, tuple[str, str]] = {}
    for i in range(0, len(numbers), 500):
        chunk = numbers[i:i + 500]
        keys = chunk + ["G" + n for n in chunk] + ["L" + n for n in chunk]
        rows = session.execute(
            select(Student.id_number, Student.student_no, RosterRecord.term_code, RosterRecord.status)
            .join(RosterRecord, RosterRecord.student_id == Student.id)
            .where(or_(Student.id_number.in_(chunk), Student.student_no.in_(keys)),
                   RosterRecord.term_code <= term.code)).all()
        for id_number, student_no, t, status in rows:
            number = id_number if id_number in chunk else student_no[1:]
            if t == term.code:
                rostered.add(number)
            elif number not in last or t > last[number][0]:
                last[number] = (t, status)
    villages = dict(session.execute(select(Area.code, Area.name).where(
        Area.code.in_(sorted({m.village_code for m, _t in aged if m.village_code}) or [""]))).all())
    missing = [(m, town) for m, town in aged if m.id_number not in rostered]
    unrostered = tuple(
        UnrosteredChild(m.name if see else mask_name(m.name), mask_id_number(m.id_number), m.gender, m.birth_date,
                        school_age(m.birth_date, term.year), m.head_name if see else mask_name(m.head_name),
                        m.household_status, town, villages.get(m.village_code or "", ""),
                        *last.get(m.id_number, ("", "")))
        for m, town in missing[:MAX_LISTED])
    status_of = {}
    listed = listed_students(term.code).subquery()
    stmt = (select(DropoutCase, Student.name, Student.student_no, Student.id_number, School.name, Area.name)
            .join(Student, Student.id == DropoutCase.student_id)
            .outerjoin(School, School.id == DropoutCase.school_id)
            .join(Area, Area.code == DropoutCase.township_code)
            .where(DropoutCase.student_id.in_(select(listed.c.id))))
    stmt = scoped_cases(stmt, scope)
    found = session.execute(stmt.order_by(DropoutCase.found_date.desc()).limit(MAX_LISTED)).all()
    found_total = len(found) if len(found) < MAX_LISTED else \
        session.scalar(stmt.with_only_columns(func.count()).order_by(None))
    wanted = {n or (no[1:] if no and no[0] in "GL" else "") for _c, _n, no, n, _s, _a in found}
    if wanted:
        status_of = dict(session.execute(select(PovertyMember.id_number, PovertyMember.household_status).where(
            PovertyMember.term_code == term.code, PovertyMember.id_number.in_(sorted(wanted)))).all())
    dropouts = tuple(
        ListedDropout(c.id, name if see else mask_name(name), mask_student_no(no, see), school or "—", town, c.ledger,
                      c.status, c.found_date, status_of.get(n or (no[1:] if no and no[0] in "GL" else ""), ""))
        for c, name, no, n, school, town in found)
    loaded = session.scalar(select(RosterRecord.id).where(RosterRecord.term_code == term.code).limit(1))
    return PovertyComparison(term.code, len(members), len(aged), loaded is not None, unrostered, dropouts,
                             len(missing), int(found_total or 0))
