"""Dropout-case figures for the dashboards (issue 5 part 5): open cases by step, reason and special group,
steps due and overdue on the escalation clocks, cases returned this term; and the list of due case steps.

"Open" means not yet closed (销号): status open, or an outcome awaiting verification. Clocks run only for
status open (an outcome stops the escalation). Clocks are computed in Python over the open cases in scope,
fetched with one query on the indexed township/status columns.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from data_access.cases.ledger import clock_memo, groups_of, scoped_cases, student_name
from data_access.models import Area, School, Student, Term
from data_access.names import township_labels
from data_access.models import DropoutCase
from domain.cases.rules import CASE_REASONS, SPECIAL_GROUPS
from data_access.scope import Scope
from domain.cases.escalation import STEPS
from domain.terms import parse_term

UNSPECIFIED = "unspecified"  # by_reason key of open cases without a reason yet


@dataclass
class TownshipCases:
    """Open cases of one township, and how many of their steps are due and overdue."""

    name: str
    open: int = 0
    due: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class CaseSummary:
    """Case figures of a scope on a day.

    by_step: open cases per step (every step 1–6, zeros included); by_reason: open cases per reason (every
    reason, plus "unspecified" when some have none); special_groups: open cases per special group (every group);
    overdue_steps / due_steps: open cases whose step clock is overdue / due; returned_this_term: cases closed
    with the outcome "returned" within the term's dates; open_total: open cases; overdue_by_step: the
    overdue ones per step; by_township: open, due and overdue per township (code → TownshipCases).
    """

    by_step: dict[int, int]
    by_reason: dict[str, int]
    overdue_steps: int
    due_steps: int
    special_groups: dict[str, int]
    returned_this_term: int
    open_total: int
    overdue_by_step: dict[int, int]
    by_township: dict[str, TownshipCases]


def _term_dates(session: Session, term_code: str) -> tuple[dt.date, dt.date]:
    row = session.get(Term, term_code)
    if row is not None:
        return row.start_date, row.end_date
    t = parse_term(term_code)
    return t.start, t.end


def case_summary(session: Session, scope: Scope, today: dt.date, term_code: str,
                 step_days: dict[int, int] | None = None) -> CaseSummary:
    """The case figures of the user's scope on `today`, for the term `term_code`."""
    open_cases = DropoutCase.status != "closed"
    counted = func.count()  # grouped in SQL: a few rows per township, not one per case (issue 19)
    # no join to the areas for their names (asked once below): with the statistics of a table that an import has
    # just filled, PostgreSQL probed the area table once per case (26 ms a query for the province's 17,893)
    clock_rows = session.execute(scoped_cases(
        select(DropoutCase.township_code, DropoutCase.step, DropoutCase.step_started, DropoutCase.status, counted)
        .where(open_cases).group_by(DropoutCase.township_code, DropoutCase.step, DropoutCase.step_started,
                                    DropoutCase.status), scope)).all()
    names = township_labels(session, {row[0] for row in clock_rows})
    by_step = {s: 0 for s in STEPS}
    by_reason = {r: 0 for r in CASE_REASONS}
    groups = {g: 0 for g in SPECIAL_GROUPS}
    overdue = due = total = 0
    overdue_by_step = {s: 0 for s in STEPS}
    towns: dict[str, TownshipCases] = {}
    clk = clock_memo(today, step_days)  # a few hundred distinct step starts among thousands of cases
    for town_code, step, started, status, n in clock_rows:
        town = towns.setdefault(town_code, TownshipCases(names.get(town_code, town_code)))
        town.open += n
        total += n
        by_step[step] = by_step.get(step, 0) + n
        if status == "open":
            state = clk(step, started).state
            overdue += n * (state == "overdue")
            overdue_by_step[step] += n * (state == "overdue")
            town.overdue += n * (state == "overdue")
            town.due += n * (state == "due")
            due += n * (state == "due")
    for reason, special, n in session.execute(scoped_cases(   # (one pass: a few reasons × a few group sets)
            select(DropoutCase.reason, DropoutCase.special_groups, counted).where(open_cases)
            .group_by(DropoutCase.reason, DropoutCase.special_groups), scope)).all():
        key = reason or UNSPECIFIED
        by_reason[key] = by_reason.get(key, 0) + n
        for g in groups_of(special):
            groups[g] = groups.get(g, 0) + n
    start, end = _term_dates(session, term_code)
    returned = session.scalar(scoped_cases(
        select(func.count()).select_from(DropoutCase).where(
            DropoutCase.status == "closed", DropoutCase.outcome == "returned",
            DropoutCase.closed_at >= dt.datetime.combine(start, dt.time.min),
            DropoutCase.closed_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)), scope)) or 0
    return CaseSummary(by_step, by_reason, overdue, due, groups, returned, total, overdue_by_step,
                       dict(sorted(towns.items())))


@dataclass(frozen=True)
class CaseStepRow:
    """An open case whose step is due or overdue (student masked for the role)."""

    case_id: int
    student: str
    school: str
    township: str
    step: int
    due: dt.date
    state: str  # due | overdue
    ledger: str


def due_case_steps(session: Session, scope: Scope, today: dt.date, limit: int = 50, *, role: str | None = None,
                   step_days: dict[int, int] | None = None) -> list[CaseStepRow]:
    """Open cases in scope whose step clock is due or overdue: overdue first, then by due date."""
    role = role or scope.role
    clk = clock_memo(today, step_days)
    # the clocks of the distinct (step, start) pairs first, then the cases of the earliest due pairs only
    pairs = []
    for step, started, n in session.execute(scoped_cases(
            select(DropoutCase.step, DropoutCase.step_started, func.count()).where(DropoutCase.status == "open")
            .group_by(DropoutCase.step, DropoutCase.step_started), scope)).all():
        c = clk(step, started)
        if c.state in ("due", "overdue") and c.due is not None:
            pairs.append((c.state != "overdue", c.due, step, started, n))
    groups: dict[tuple[bool, dt.date], list[tuple[int, dt.date]]] = {}
    for late, due, step, started, _n in pairs:
        groups.setdefault((late, due), []).append((step, started))
    picked = []
    for key in sorted(groups):  # by state and due date; within one, by case id, cut in SQL
        if len(picked) >= limit:
            break
        for case_id, step, started in session.execute(scoped_cases(
                select(DropoutCase.id, DropoutCase.step, DropoutCase.step_started).where(
                    DropoutCase.status == "open",
                    or_(*[and_(DropoutCase.step == a, DropoutCase.step_started == b) for a, b in groups[key]])),
                scope).order_by(DropoutCase.id).limit(limit - len(picked))):
            c = clk(step, started)
            picked.append((c.state != "overdue", c.due, case_id, c))
    picked.sort(key=lambda x: x[:3])
    picked = picked[:limit]
    if not picked:
        return []
    details = {r[0]: r[1:] for r in session.execute(
        select(DropoutCase.id, DropoutCase.ledger, Student.name, School.name, Area.name)
        .join(Student, Student.id == DropoutCase.student_id)
        .outerjoin(School, School.id == DropoutCase.school_id)
        .join(Area, Area.code == DropoutCase.township_code)
        .where(DropoutCase.id.in_([p[2] for p in picked]))).all()}
    return [CaseStepRow(case_id, student_name(role, details[case_id][1]), details[case_id][2] or "—",
                        details[case_id][3], c.step, c.due, c.state, details[case_id][0])
            for _late, _due, case_id, c in picked if case_id in details]
