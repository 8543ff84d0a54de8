"""Reporting duties (issue 18.2; domain.md §9, seeds 000, 001, 004, the 2024 notice's 四个一): who reports what, how
often, by when — and, for a period, whether a unit's report is on time, late, missing or not yet due. Pure."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.terms import TermCode, parse_term
from domain.workdays import IsWorkday, add_working_days, default_is_workday

CADENCES = ("term_start", "monthly", "quarterly", "yearly")
REPORTERS = ("school", "township", "team")   # team: the county's inspection teams (seed 000: monthly)
DUE_SOON_DAYS = 7            # a report whose deadline is this close shows in the inbox as due


@dataclass(frozen=True)
class DutySpec:
    """A duty as configured by a county: the reporting units, the cadence and the deadline — working days after
    the term's start (term_start) or after the period's end (monthly, quarterly), or a day of the year (yearly)."""

    id: int
    name: str
    reporter: str
    cadence: str
    due_days: int = 0
    due_month_day: str | None = None      # "04-30" for yearly duties


@dataclass(frozen=True)
class DutyPeriod:
    """One period of a duty: its key ("2026-1", "2026-11", "2026-Q4", "2027"), span and deadline."""

    key: str
    start: dt.date
    end: dt.date
    deadline: dt.date


def check_duty(spec: DutySpec) -> list[str]:
    """What is wrong with a duty's settings (field names); empty when it is usable."""
    problems = []
    if not spec.name.strip():
        problems.append("name")
    if spec.reporter not in REPORTERS:
        problems.append("reporter")
    if spec.cadence not in CADENCES:
        problems.append("cadence")
    if spec.cadence == "yearly":
        try:
            month, day = (int(x) for x in (spec.due_month_day or "").split("-"))
            dt.date(2024, month, day)
        except ValueError:
            problems.append("due_month_day")
    elif not 0 <= spec.due_days <= 60:
        problems.append("due_days")
    return problems


def _months(first: dt.date, last: dt.date) -> Iterable[tuple[dt.date, dt.date]]:
    day = first.replace(day=1)
    while day <= last:
        nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        yield day, nxt - dt.timedelta(days=1)
        day = nxt


def _in_teaching(start: dt.date, end: dt.date, spans: Iterable[tuple[dt.date, dt.date]]) -> bool:
    return any(start <= s_end and s_start <= end for s_start, s_end in spans)


def periods(spec: DutySpec, first: dt.date, last: dt.date, teaching: Mapping[str, tuple[dt.date, dt.date]],
            is_workday: IsWorkday = default_is_workday) -> list[DutyPeriod]:
    """The duty's periods whose deadline falls between `first` and `last`, oldest first. Monthly and quarterly
    reports are due only for months and quarters that overlap a teaching period (`teaching`: term → span)."""
    out: list[DutyPeriod] = []
    spans = list(teaching.values())
    if spec.cadence == "term_start":
        for code, (start, _end) in teaching.items():
            term: TermCode = parse_term(code)
            out.append(DutyPeriod(code, start, term.end, add_working_days(start, spec.due_days, is_workday)))
    elif spec.cadence == "monthly":
        for start, end in _months(first - dt.timedelta(days=62), last):
            if _in_teaching(start, end, spans):
                out.append(DutyPeriod(f"{start:%Y-%m}", start, end, add_working_days(end, spec.due_days, is_workday)))
    elif spec.cadence == "quarterly":
        for start, end in _months(first - dt.timedelta(days=124), last):
            if start.month % 3 == 1:
                q_end = (start.replace(day=28) + dt.timedelta(days=4 + 62)).replace(day=1) - dt.timedelta(days=1)
                out.append(DutyPeriod(f"{start.year}-Q{(start.month - 1) // 3 + 1}", start, q_end,
                                      add_working_days(q_end, spec.due_days, is_workday)))
    elif spec.cadence == "yearly" and spec.due_month_day:
        month, day = (int(x) for x in spec.due_month_day.split("-"))
        for year in range(first.year, last.year + 1):
            due = dt.date(year, month, day)
            out.append(DutyPeriod(str(year), dt.date(year, 1, 1), due, due))
    return sorted((p for p in out if first <= p.deadline <= last), key=lambda p: (p.deadline, p.key))


def report_state(period: DutyPeriod, submitted: dt.date | None, today: dt.date) -> str:
    """on_time | late | missing (deadline passed, nothing sent) | due (deadline within DUE_SOON_DAYS) | open."""
    if submitted is not None:
        return "on_time" if submitted <= period.deadline else "late"
    if today > period.deadline:
        return "missing"
    return "due" if (period.deadline - today).days <= DUE_SOON_DAYS else "open"
