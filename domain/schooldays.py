"""School days (domain.md §7, §9): working days inside a term's teaching period, so that school-day clocks
(a returned child attending 10 school days, term-start reports) skip the winter and summer vacations. The
county sets each term's teaching period; without one, the default period below applies. Escalation clocks
stay in working days (domain.workdays)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from domain.terms import TermCode, parse_term, term_for_date
from domain.workdays import IsWorkday, default_is_workday

Span = tuple[dt.date, dt.date]  # first and last teaching day, both included


def default_teaching_span(term: TermCode) -> Span:
    """1 Sept – 15 Jan (autumn) and 1 Mar – 5 Jul (spring): the usual teaching periods of Yunnan's counties."""
    if term.semester == 1:
        return dt.date(term.year, 9, 1), dt.date(term.year + 1, 1, 15)
    return dt.date(term.year + 1, 3, 1), dt.date(term.year + 1, 7, 5)


def check_span(start: dt.date, end: dt.date, term_code: str) -> Span:
    """A teaching period set for a term: it must lie in the term's half-year and not end before it starts."""
    term = parse_term(term_code)
    first = dt.date(term.year, 8, 1) if term.semester == 1 else dt.date(term.year + 1, 2, 1)
    last = dt.date(term.year + 1, 2, 28) if term.semester == 1 else dt.date(term.year + 1, 8, 31)
    if end < start:
        raise ValueError("the teaching period ends before it starts")
    if start < first or end > last:
        raise ValueError(f"the teaching period of {term_code} must lie between {first} and {last}")
    return start, end


def school_day_checker(spans: Mapping[str, Span], is_workday: IsWorkday = default_is_workday) -> IsWorkday:
    """Is a day a school day: a working day inside its term's teaching period (the county's, else the default)."""
    def is_school_day(day: dt.date) -> bool:
        term = term_for_date(day)  # a spring term may start in February, an autumn term in late August
        after = TermCode(term.year, 2) if term.semester == 1 else TermCode(term.year + 1, 1)
        for t in (term.previous(), term, after):
            start, end = spans.get(t.code) or default_teaching_span(t)
            if start <= day <= end:
                return is_workday(day)
        return False
    return is_school_day


def school_days_between(start: dt.date, end: dt.date, is_school_day: IsWorkday) -> int:
    """School days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_school_day(day)
    return count


def school_days_reached(start: dt.date, days: int, is_school_day: IsWorkday, limit_days: int = 400) -> dt.date | None:
    """The day on which `days` school days after `start` are complete (None beyond `limit_days` calendar days)."""
    day, left = start, days
    for _ in range(limit_days):
        if left <= 0:
            return day
        day += dt.timedelta(days=1)
        left -= is_school_day(day)
    return day if left <= 0 else None


def absence_start(found: dt.date, absence_days: int, is_school_day: IsWorkday, limit_days: int = 400) -> dt.date:
    """The first school day a child was absent: `absence_days` school days up to and including `found`
    (found itself when no days are known, or when the calendar runs out)."""
    if absence_days <= 0:
        return found
    day, left, first = found, absence_days, found
    for _ in range(limit_days):
        if is_school_day(day):
            first, left = day, left - 1
            if left == 0:
                return first
        day -= dt.timedelta(days=1)
    return first
