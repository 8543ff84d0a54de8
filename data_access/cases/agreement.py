"""Agreement of cases and roster (人账相符): the facts the comparison rules of domain.cases.agreement need, fetched
for the user's scope, the disagreements worded as rows (names masked per role), the population gaps, and
opening a case from a roster dropout that has none."""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, or_, select, text, union
from sqlalchemy.orm import aliased
from sqlalchemy.orm import Session

from data_access.db import using_index
from data_access.inspection.access import Actor, InvalidInput
from data_access.cases.ledger import LedgerRefused, groups_of, scoped_cases, student_name, student_number
from data_access.cases.children import population_gap_lines, roster_line
from data_access.models import Area, RosterRecord, School, Student, Term
from data_access.models import DropoutCase
from data_access.scope import Scope, scoped
from data_access.imports.bulk import is_postgresql, local_setting
from data_access.imports.missing import lost_graduates
from domain.cases.agreement import (BACK_IN_SCHOOL, DROPPED, GRADUATE_LOST, IN_SCHOOL, KINDS, LEFT, POVERTY, CaseFact,
                                    RosterFact, compare)
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


def _candidates(scope: Scope, term_code: str, term_end: dt.date) -> Select:
    """The students in scope whose roster line of the term can disagree with their cases at all, by the rules of
    `domain.cases.agreement.student_disagreements`: a superset of those `compare` reports (it still decides on
    everything fetched), so that only these students are fetched. Where cases and roster agree (a 辍学 line and its
    open case) there are few, and they are found without looking up each case's roster line: the term's 辍学 lines
    come from their partial index and decide most cases.

    In scope: a case of the student is, or their 辍学 line is at a school that is (as before: the students whose
    disagreements may be visible). A disagreement needs, of the line and the student's cases (those found by the
    term's end and not closed after it): an unclosed case that is confirmed while the line is 在读 (and not back in
    school awaiting verification), or an unclosed case not flagged poor while the line is; a case closed as back in
    school while the line is 辍学, or as gone while it is 在读; or a 辍学 line and no case at all.
    """
    r, c = RosterRecord, aliased(DropoutCase)
    dropped_line = literal(DROPPED, literal_execute=True)  # a literal: the partial index ix_roster_dropped
    dropped = using_index(select(r.student_id).where(r.term_code == term_code, r.status == dropped_line),
                          r, "ix_roster_dropped")
    poor_dropped = using_index(select(r.student_id).where(r.term_code == term_code, r.status == dropped_line,
                                                          r.poverty_registered), r, "ix_roster_dropped_poor")
    schools = scoped(select(School.id), scope, area_col=School.township_code, school_col=School.id)
    groups = literal(",").concat(c.special_groups).concat(",")
    unflagged = func.replace(groups, f",{POVERTY},", "") == groups  # POVERTY is not one of its keys
    confirmed_at_school = and_(c.ledger == "confirmed",
                               or_(c.status != "outcome", func.coalesce(c.outcome, "").not_in(sorted(BACK_IN_SCHOOL))))

    unclosed = and_(c.status != "closed", c.found_date <= term_end)
    closed = and_(c.status == "closed", c.found_date <= term_end,
                  or_(c.closed_at.is_(None), c.closed_at < dt.datetime.combine(term_end + dt.timedelta(days=1),
                                                                                dt.time.min)))
    line_disagrees = exists().where(  # the student's line, looked up only for a student with no 辍学 line
        r.term_code == term_code, r.student_id == c.student_id,
        or_(and_(unclosed, or_(and_(r.status == IN_SCHOOL, confirmed_at_school),
                               and_(r.poverty_registered, unflagged))),
            and_(closed, c.outcome.in_(sorted(LEFT)), r.status == IN_SCHOOL)))
    may_disagree = case(  # a 辍学 line is never 在读: it needs poor and unflagged, or closed as back in school
        (c.student_id.in_(dropped), or_(and_(unclosed, unflagged, c.student_id.in_(poor_dropped)),
                                        and_(closed, c.outcome.in_(sorted(BACK_IN_SCHOOL))))),
        else_=line_disagrees)
    with_case = scoped_cases(select(DropoutCase.student_id), scope)  # the students in scope: a case is …
    dropped_here = dropped.where(r.school_id.in_(schools))             # … or their 辍学 line is
    without_case = dropped_here.where(~exists().where(c.student_id == r.student_id))
    if _broad(scope):  # every case is in scope or nearly: read them all once, testing each one found for scope
        in_scope = or_(exists(scoped_cases(select(DropoutCase.id).where(DropoutCase.student_id == c.student_id),
                                           scope)),
                       exists(dropped_here.where(r.student_id == c.student_id)))
    else:  # a prefecture or less: the cases of the students in scope, through the students
        in_scope = c.student_id.in_(union(with_case, dropped_here).subquery().select())
    return union(select(c.student_id).where(may_disagree, in_scope), without_case)


def _broad(scope: Scope) -> bool:
    """Whether the scope is a whole province (decides the form of `_candidates`' scope test, not its result)."""
    return scope.unrestricted or any(level == "province" for _code, level in scope.areas)


def _candidate_lines(session: Session, scope: Scope, term_code: str, term_end: dt.date) -> list:
    """The candidates' roster lines, each with every case of the student: one row a case (no case: one row of
    None); the line's student, status, poor flag, school id, name and township, then the case's columns."""
    candidates = _candidates(scope, term_code, term_end).subquery()
    case_school = aliased(School)
    return session.execute(
        select(RosterRecord.student_id, RosterRecord.status, RosterRecord.poverty_registered, RosterRecord.school_id,
               School.name, School.township_code,
               DropoutCase.id, DropoutCase.ledger, DropoutCase.status, DropoutCase.outcome,
               DropoutCase.special_groups, DropoutCase.found_date, DropoutCase.closed_at, DropoutCase.school_id,
               DropoutCase.township_code, case_school.name)
        .join(School, School.id == RosterRecord.school_id)
        .outerjoin(DropoutCase, DropoutCase.student_id == RosterRecord.student_id)
        .outerjoin(case_school, case_school.id == DropoutCase.school_id)
        .where(RosterRecord.term_code == term_code, RosterRecord.student_id.in_(select(candidates.c[0])))).all()


def _without_jit(session: Session) -> contextlib.AbstractContextManager[None]:
    """PostgreSQL compiles a query to machine code (JIT) when its estimated cost is high: the candidates' query is
    estimated so (its correlated subqueries) but runs in tens of ms, and compiling it took ~0.8 s. Off for it."""
    return local_setting(session, "jit", "off")


def agreement(session: Session, scope: Scope, term_code: str, role: str | None = None) -> Agreement:
    """Compare the term's roster with the cases of the students in scope, and the survey with the roster."""
    role = role or scope.role
    term_end = _term_end(session, term_code)
    with _without_jit(session):
        lines = _candidate_lines(session, scope, term_code, term_end)
    roster = {r[0]: RosterFact(r[0], r[1], bool(r[2])) for r in lines}
    roster_info = {r[0]: (r[3], r[4], r[5]) for r in lines}
    case_rows = [(c[6], c[0], *c[7:]) for c in lines if c[6] is not None]  # id, student, ledger, … , school name
    facts = [CaseFact(c[0], c[1], c[2], c[3], c[4], frozenset(groups_of(c[5])), c[6],
                      c[7].date() if c[7] else None) for c in case_rows]
    case_info = {c[0]: c for c in case_rows}
    towns = {r[5] for r in lines} | {c[9] for c in case_rows}
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
