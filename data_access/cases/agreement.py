"""Agreement of cases and roster (人账相符): the facts the comparison rules of domain.cases.agreement need, fetched
for the user's scope, the disagreements worded as rows (names masked per role), the population gaps, and
opening a case from a roster dropout that has none."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import literal, select, union
from sqlalchemy.orm import Session

from data_access.inspection.access import Actor, InvalidInput
from data_access.cases.ledger import LedgerRefused, groups_of, scoped_cases, student_name, student_number
from data_access.cases.children import population_gap_lines, roster_line
from data_access.models import Area, RosterRecord, School, Student, Term
from data_access.models import DropoutCase
from data_access.scope import Scope, scoped
from data_access.imports.missing import lost_graduates
from domain.cases.agreement import DROPPED, GRADUATE_LOST, KINDS, CaseFact, RosterFact, compare
from domain.terms import parse_term
from domain.cases.views import AgreementRow, GapRow
from domain.cases.views import OPENABLE

MAX_ROWS_PER_KIND = 500
OPEN_SOURCES = {"dropout_no_case": "roster_import", "returned_still_dropout": "comparison"}


@dataclass(frozen=True)
class Agreement:
    """Every disagreement of a scope for a term, and the count per kind."""

    term_code: str
    rows: list[AgreementRow]
    gaps: list[GapRow]
    counts: dict[str, int]
    gap_children: int
    gap_unplaced: int = 0  # of all the gap lines (`gaps` lists the largest MAX_ROWS_PER_KIND)


def _term_end(session: Session, term_code: str) -> dt.date:
    row = session.get(Term, term_code)
    return row.end_date if row is not None else parse_term(term_code).end


def _covers(scope: Scope, school_id: int | None, township: str | None) -> bool:
    """The same rule as scope.scoped(), for a row already fetched."""
    if scope.school_id is not None:
        return school_id == scope.school_id
    return township is not None and scope.covers_area(township)


def agreement(session: Session, scope: Scope, term_code: str, role: str | None = None) -> Agreement:
    """Compare the term's roster with the cases of the students in scope, and the survey with the roster."""
    role = role or scope.role
    term_end = _term_end(session, term_code)
    case_students = scoped_cases(select(DropoutCase.student_id), scope)
    schools = scoped(select(School.id), scope, area_col=School.township_code, school_col=School.id)
    roster_dropouts = select(RosterRecord.student_id).where(  # through (term, school): the roster's index
        RosterRecord.term_code == term_code, RosterRecord.school_id.in_(schools),
        RosterRecord.status == literal(DROPPED, literal_execute=True))  # a literal: the partial index ix_roster_dropped
    wanted = union(case_students, roster_dropouts).subquery()  # a semi-join in each query (no id lists bound)
    wanted = select(wanted.c[0])
    roster_rows = session.execute(
        select(RosterRecord.student_id, RosterRecord.status, RosterRecord.poverty_registered, RosterRecord.school_id,
               School.name, School.township_code)
        .join(School, School.id == RosterRecord.school_id)
        .where(RosterRecord.term_code == term_code, RosterRecord.student_id.in_(wanted))).all()
    case_rows = session.execute(
        select(DropoutCase.id, DropoutCase.student_id, DropoutCase.ledger, DropoutCase.status, DropoutCase.outcome,
               DropoutCase.special_groups, DropoutCase.found_date, DropoutCase.closed_at, DropoutCase.school_id,
               DropoutCase.township_code, School.name)
        .outerjoin(School, School.id == DropoutCase.school_id)
        .where(DropoutCase.student_id.in_(wanted))).all()
    roster = {r[0]: RosterFact(r[0], r[1], bool(r[2])) for r in roster_rows}
    roster_info = {r[0]: (r[3], r[4], r[5]) for r in roster_rows}
    facts = [CaseFact(c[0], c[1], c[2], c[3], c[4], frozenset(groups_of(c[5])), c[6],
                      c[7].date() if c[7] else None) for c in case_rows]
    case_info = {c[0]: c for c in case_rows}
    towns = {c for c in [r[5] for r in roster_rows] + [c[9] for c in case_rows]}
    town_names = dict(session.execute(select(Area.code, Area.name).where(Area.code.in_(sorted(towns)))).all()) \
        if towns else {}
    rows: list[AgreementRow] = []
    counts = {k: 0 for k in KINDS}
    for d in compare(roster, facts, term_end):
        rinfo = roster_info.get(d.student_id)
        cinfo = case_info.get(d.case_id) if d.case_id else None
        visible = (cinfo is not None and _covers(scope, cinfo[8], cinfo[9])) or \
                  (rinfo is not None and _covers(scope, rinfo[0], rinfo[2]))
        if not visible:
            continue
        counts[d.kind] += 1
        if counts[d.kind] > MAX_ROWS_PER_KIND:
            continue
        school = (cinfo[10] if cinfo is not None and cinfo[10] else rinfo[1] if rinfo else None) or "—"
        town = cinfo[9] if cinfo is not None else rinfo[2] if rinfo else None
        rows.append(AgreementRow(d.kind, d.student_id, d.case_id, None,
                                 None, school, town_names.get(town, town or "—"),
                                 roster[d.student_id].status, cinfo[2] if cinfo else None, cinfo[3] if cinfo else None,
                                 cinfo[4] if cinfo else None, d.poor, d.confirmed))
    ids = sorted({r.student_id for r in rows})  # names of the rows listed only (at most 500 a kind)
    students = {}
    for i in range(0, len(ids), 900):
        students.update({sid: (n, no) for sid, n, no in session.execute(
            select(Student.id, Student.name, Student.student_no).where(Student.id.in_(ids[i:i + 900])))})
    rows = [replace(r, student=student_name(role, students.get(r.student_id, (None, None))[0]),
                    student_no=student_number(role, students.get(r.student_id, (None, None))[1])) for r in rows]
    _spring, graduates, counts[GRADUATE_LOST] = lost_graduates(session, term_code, scope, without_case=True,
                                                               limit=MAX_ROWS_PER_KIND)
    rows += [AgreementRow(GRADUATE_LOST, g.student_id, None, student_name(role, g.name),
                          student_number(role, g.student_no), g.school_name, g.township_name, "毕业", None, None, None,
                          False, False) for g in graduates]
    lines, counts["population_gap"], gap_children, unplaced = population_gap_lines(session, scope, term_code,
                                                                                    MAX_ROWS_PER_KIND)
    gaps = [GapRow(line.row.area_code, line.area_name, line.township_name, line.row.age, line.row.population or 0,
                   line.row.outside, line.row.found, line.row.gap or 0, line.row.unplaced) for line in lines]
    return Agreement(term_code, rows, gaps, counts, gap_children, unplaced)


def open_from_agreement(session: Session, actor: Actor, term_code: str, student_id: object, kind: str,
                        today: dt.date, note: str = "") -> int:
    """Open a confirmed case for a roster dropout of the user's schools that has no open case; the case id.

    Refused (LedgerRefused) for a student not on a roster the user may see, or not 辍学 there.
    """
    if kind not in OPENABLE:
        raise LedgerRefused()
    if kind == GRADUATE_LOST:  # 小升初: one of the actor's lost graduates of this autumn term, as a suspected case
        from data_access.cases.transition import open_lost_graduates
        open_lost_graduates(session, actor, term_code, student_id, note)  # refused unless on their list
        return session.scalar(select(DropoutCase.id).where(DropoutCase.student_id == student_id,
                                                           DropoutCase.status != "closed"))
    line = roster_line(session, actor.scope, term_code, student_id)
    if line is None:
        raise LedgerRefused()
    if line.status != DROPPED:
        raise InvalidInput("roster_not_dropout")
    from data_access.cases.cases import open_case  # the case helper's entry point (idempotent for an open case)
    return open_case(session, actor, student_id=line.student_id, source=OPEN_SOURCES[kind], found_date=today,
                     ledger="confirmed", school_id=line.school_id, note=note)
