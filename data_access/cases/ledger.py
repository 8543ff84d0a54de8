"""The suspected (疑似辍学) and confirmed (确认辍学) ledgers: the cases a user may see, filtered, with each
case's escalation clock; filter choices within scope; names masked for roles that do not see them."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, Integer, Select, case, func, literal, select
from sqlalchemy.orm import Session

from data_access.analytics.aggregates import attributed_area, household_outside
from data_access.models import Area, RosterRecord, School, Student
from data_access.json_rows import json_rows
from data_access.names import scope_counties, with_county
from data_access.models import CASE_LEDGERS, CASE_STATUSES, CaseAttempt, DropoutCase
from domain.cases.rules import CASE_REASONS
from data_access.scope import Scope, area_filter, scoped
from domain.cases.escalation import STEPS, clock
from domain.divisions import division_name
from domain.cases.views import CaseRow
from domain.privacy import mask_name, mask_student_no, may_see_names

STATUS_ORDER = {"open": 0, "outcome": 1, "closed": 2}


class LedgerRefused(Exception):
    """A filter outside the user's scope, or a value no page offers (answered with HTTP 403)."""


def student_name(role: str, name: str | None) -> str:
    """A child's name as the role may see it (masked for the roles that do not work cases)."""
    return (name or "—") if may_see_names(role) else mask_name(name)


def student_number(role: str, number: str | None) -> str:
    """A national student number as the role may see it (an embedded ID number always masked)."""
    return mask_student_no(number, may_see_names(role))


@dataclass(frozen=True)
class LedgerFilter:
    """What a ledger view shows: the ledger and its filters (None: all)."""

    ledger: str = "confirmed"
    township: str | None = None
    school_id: int | None = None
    step: int | None = None
    reason: str | None = None
    status: str | None = None
    overdue_only: bool = False
    outside_only: bool = False  # 外县户籍 pupils only: the list for notifying the household county

    def as_dict(self) -> dict:
        """The filter for audit entries and export links (empty filters left out)."""
        out = {"ledger": self.ledger, "township": self.township, "school": self.school_id, "step": self.step,
               "reason": self.reason, "status": self.status, "overdue": 1 if self.overdue_only else None,
               "outside": 1 if self.outside_only else None}
        return {k: v for k, v in out.items() if v is not None}


def groups_of(text: str | None) -> tuple[str, ...]:
    """The special-group keys of a case (stored comma-separated)."""
    return tuple(g.strip() for g in (text or "").split(",") if g.strip())


def scoped_cases(stmt: Select, scope: Scope) -> Select:
    """Keep the cases a user may see: by the case's township, or (school staff) by its school."""
    return scoped(stmt, scope, area_col=DropoutCase.township_code, school_col=DropoutCase.school_id)


def check_filter(session: Session, scope: Scope, flt: LedgerFilter) -> LedgerFilter:
    """Refuse a township or school outside the scope, and values no page offers."""
    if flt.ledger not in CASE_LEDGERS or (flt.step is not None and flt.step not in STEPS) \
            or (flt.reason is not None and flt.reason not in CASE_REASONS) \
            or (flt.status is not None and flt.status not in CASE_STATUSES):
        raise LedgerRefused()
    if flt.township is not None:
        if scope.school_id is not None:
            school = session.get(School, scope.school_id)
            if school is None or school.township_code != flt.township:
                raise LedgerRefused()
        elif not scope.covers_area(flt.township) or session.get(Area, flt.township) is None:
            raise LedgerRefused()
    if flt.school_id is not None:
        school = session.get(School, flt.school_id) if isinstance(flt.school_id, int) else None
        if school is None or not scope.covers_school(school):
            raise LedgerRefused()
    return flt


def _last_attempts(session: Session, ids: Sequence[int]) -> dict[int, tuple[dt.date, str, str]]:
    out: dict[int, tuple[dt.date, str, str]] = {}
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        ranked = (select(CaseAttempt.case_id, CaseAttempt.date, CaseAttempt.method, CaseAttempt.result,
                         func.row_number().over(partition_by=CaseAttempt.case_id,
                                                order_by=(CaseAttempt.date.desc(), CaseAttempt.id.desc())).label("n"))
                  .where(CaseAttempt.case_id.in_(chunk)).subquery())
        for case_id, day, method, result in session.execute(
                select(ranked.c.case_id, ranked.c.date, ranked.c.method, ranked.c.result).where(ranked.c.n == 1)):
            out[case_id] = (day, method, result or "")
    return out


def clock_memo(today: dt.date, step_days: dict[int, int] | None = None):  # noqa: ANN201 - a function
    """clock() for one day and one set of step clocks, computed once per (step, start, closed): thousands of open
    cases share a few hundred step starts (issue 19)."""
    cache: dict[tuple[int, dt.date, bool], object] = {}

    def get(step: int, started: dt.date, closed: bool = False):  # noqa: ANN202 - a StepClock
        key = (step, started, closed)
        if key not in cache:
            cache[key] = clock(step, started, today, step_days, closed=closed)
        return cache[key]
    return get


@dataclass(frozen=True)
class LedgerOrder:
    """What a ledger view holds, counted over every case it lists (no names yet), and how to read its pages in
    display order (ledger_page)."""

    total: int
    overdue: int  # open cases whose step is overdue
    due: int
    cases: Select  # the filtered cases (id, step, step_started, status)
    dues: list[tuple[int, dt.date, dt.date]]  # (step, step start, due date) of the open cases' steps
    clock: Callable[..., Any]  # clock_memo of the day
    overdue_only: bool = False  # then `dues` holds the overdue steps alone


STATUS_RANK = case(STATUS_ORDER, value=DropoutCase.status, else_=len(STATUS_ORDER))


def _filtered(stmt: Select, scope: Scope, flt: LedgerFilter, outside) -> Select:  # noqa: ANN001
    stmt = scoped_cases(stmt.where(DropoutCase.ledger == flt.ledger), scope)
    if flt.township:
        stmt = stmt.where(DropoutCase.township_code == flt.township)
    if flt.school_id is not None:
        stmt = stmt.where(DropoutCase.school_id == flt.school_id)
    if flt.step is not None:
        stmt = stmt.where(DropoutCase.step == flt.step)
    if flt.reason:
        stmt = stmt.where(DropoutCase.reason == flt.reason)
    if flt.status:
        stmt = stmt.where(DropoutCase.status == flt.status)
    if flt.overdue_only:
        stmt = stmt.where(DropoutCase.status == "open")
    if flt.outside_only:
        stmt = stmt.where(outside)
    return stmt


def _roster_join(stmt: Select) -> tuple[Select, object]:
    """Outer-join the case's term's roster line and the areas of its household; the 外县户籍 condition."""
    _area, (exact, on_exact), (town, on_town) = attributed_area()
    stmt = (stmt.outerjoin(RosterRecord, (RosterRecord.student_id == DropoutCase.student_id)  # the case's term's line
                           & (RosterRecord.term_code == DropoutCase.term_code))
            .outerjoin(exact, on_exact).outerjoin(town, on_town))
    return stmt, household_outside(exact, town)


def ledger_order(session: Session, scope: Scope, flt: LedgerFilter, today: dt.date,
                 step_days: dict[int, int] | None = None) -> LedgerOrder:
    """The cases of a ledger the user may see, filtered: counted, and ordered for ledger_page. A step's clock
    depends on its start alone (and the day, the step clocks, the calendar), and thousands of cases share a few
    hundred starts: the clocks are computed once per (step, start, status) and the due dates handed to SQL, which
    sorts and cuts the page (a province's 17,893 cases sorted in Python took ~120 ms; cut to the newest 5,000, the
    ledger said 5,000 cases and hid the oldest overdue ones)."""
    flt = check_filter(session, scope, flt)
    stmt = select(DropoutCase.id, DropoutCase.step, DropoutCase.step_started, DropoutCase.status
                  ).select_from(DropoutCase)
    outside = None
    if flt.outside_only:
        stmt, outside = _roster_join(stmt)
    cases = _filtered(stmt, scope, flt, outside)
    starts = cases.with_only_columns(DropoutCase.step, DropoutCase.step_started, DropoutCase.status, func.count()
                                     ).group_by(DropoutCase.step, DropoutCase.step_started, DropoutCase.status)
    clk = clock_memo(today, step_days)
    total = overdue = due = 0
    dues: list[tuple[int, dt.date, dt.date]] = []
    for step, started, status, n in session.execute(starts):
        c = clk(step, started, status != "open")
        if flt.overdue_only and c.state != "overdue":
            continue
        total += n
        if status == "open":
            overdue += n if c.state == "overdue" else 0
            due += n if c.state == "due" else 0
            if c.due is not None:
                dues.append((step, started, c.due))
    return LedgerOrder(total, overdue, due, cases, dues, clk, flt.overdue_only)


def _step_dues(session: Session, dues: Sequence[tuple[int, dt.date, dt.date]]) -> Any:
    """The (step, started, due) rows as a table to join, sent as one JSON parameter however many starts there are."""
    return json_rows(session, "step_due", dues, {"step": Integer(), "started": Date(), "due": Date()})


def ledger_page(session: Session, order: LedgerOrder, offset: int = 0, limit: int | None = None
                ) -> list[tuple[int, Any]]:
    """(case id, its clock) of the cases from `offset` (at most `limit`), in display order: open ones first, overdue
    before due before running before those without a clock (ordering by the due date does it: a step's state follows
    from its due date), then the latest closed, the latest found, the newest. The overdue-only view keeps the open
    cases whose step is overdue."""
    stmt = order.cases
    due_date: Any = literal(None, Date())
    if order.dues:
        starts = _step_dues(session, order.dues)
        joined = (starts.c.step == DropoutCase.step) & (starts.c.started == DropoutCase.step_started) \
            & (DropoutCase.status == "open")
        stmt = stmt.join(starts, joined) if order.overdue_only else stmt.outerjoin(starts, joined)
        due_date = starts.c.due
    elif order.overdue_only:
        return []
    stmt = stmt.order_by(STATUS_RANK, due_date.asc().nulls_last(), DropoutCase.closed_at.desc().nulls_last(),
                         DropoutCase.found_date.desc(), DropoutCase.id.desc()).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(case_id, order.clock(step, started, status != "open"))
            for case_id, step, started, status in session.execute(stmt)]


def ledger_rows(session: Session, page: Sequence[tuple[int, Any]], role: str,
                counties: dict[str, str] | None = None) -> list[CaseRow]:
    """The rows of these cases ((id, clock) from ledger_page), in the order given; each township after its county's
    when `counties` (names.scope_counties: the view spans several) are given."""
    stmt = (select(DropoutCase, Student.name, Student.student_no, Student.gender, School.name, Area.name)
            .join(Student, Student.id == DropoutCase.student_id)
            .outerjoin(School, School.id == DropoutCase.school_id)
            .join(Area, Area.code == DropoutCase.township_code))
    stmt, outside = _roster_join(stmt)
    stmt = stmt.add_columns(RosterRecord.household_code, outside)
    by_id = {}
    ids = [case_id for case_id, _clock in page]
    clocks = dict(page)
    for i in range(0, len(ids), 900):
        for row in session.execute(stmt.where(DropoutCase.id.in_(ids[i:i + 900]))).all():
            by_id[row[0].id] = row
    attempts = _last_attempts(session, ids)
    rows = []
    for case_id in ids:
        if case_id not in by_id:  # (a case without its student or township row: never listed)
            continue
        c, name, number, gender, school, township, household, out = by_id[case_id]
        rows.append(CaseRow(c.id, c.ledger, student_name(role, name), student_number(role, number), gender,
                            school or "—", with_county(c.township_code, township, counties), c.found_date,
                            c.absence_days, c.reason, groups_of(c.special_groups), c.step, clocks[case_id],
                            c.gov_responsible, c.edu_responsible, c.helper, attempts.get(c.id), c.status, c.outcome, c.closed_at,
                            household or "", bool(out), division_name(household) if out else ""))
    return rows


def case_rows(session: Session, scope: Scope, flt: LedgerFilter, today: dt.date, role: str | None = None,
              step_days: dict[int, int] | None = None) -> list[CaseRow]:
    """Every case of a ledger the user may see, filtered: open ones first, overdue before due before running."""
    order = ledger_order(session, scope, flt, today, step_days)
    return ledger_rows(session, ledger_page(session, order), role or scope.role,
                       scope_counties(session, scope, flt.township))


@dataclass(frozen=True)
class FilterChoices:
    """Townships and schools the user may filter on."""

    townships: list[tuple[str, str]]
    schools: list[tuple[int, str, str]]  # id, name, township code


def filter_choices(session: Session, scope: Scope) -> FilterChoices:
    """The townships and schools within the user's scope (school staff: their school and its township)."""
    if scope.school_id is not None:
        school = session.get(School, scope.school_id)
        if school is None:
            return FilterChoices([], [])
        town = session.get(Area, school.township_code)
        return FilterChoices([(town.code, town.name)] if town else [], [(school.id, school.name, school.township_code)])
    towns = session.execute(select(Area.code, Area.name).where(Area.level == "township",
                                                               area_filter(scope, Area.code))
                            .order_by(Area.code)).all()
    schools = session.execute(scoped(select(School.id, School.name, School.township_code), scope,
                                     school_area_col=School.township_code, school_col=School.id)
                              .order_by(School.township_code, School.code)).all()
    counties = scope_counties(session, scope)
    return FilterChoices([(c, with_county(c, n, counties)) for c, n in towns],
                         [(i, with_county(t, n, counties), t) for i, n, t in schools])
