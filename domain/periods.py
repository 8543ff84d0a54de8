"""Reporting periods of the bulletins and notices (issue 18.4, seed 001): the county's bulletin per semester, a
township's bulletin over its schools and villages per half-semester, a central school's notice over its teaching
points and classes per month. Keys: 2026-1 (a term), 2026-1a / 2026-1b (its first / second half, split at the
middle of the teaching period), 2026-11 (a month). Pure."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from domain.terms import parse_term, term_for_date

CADENCE_BY_ISSUER = {"county": "semester", "township": "half_semester", "central_school": "monthly"}
_HALF = re.compile(r"^(\d{4}-[12])([ab])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Period:
    """A named period: its key, kind (semester | half_semester | month), term, first and last day."""

    key: str
    kind: str
    term: str
    start: dt.date
    end: dt.date
    half: str = ""        # a / b for half-semesters
    month: int = 0        # 1–12 for months


def _month(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    return first, (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def split_teaching(span: tuple[dt.date, dt.date]) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The two halves of a teaching period: the first ends the day before the middle day."""
    start, end = span
    middle = start + dt.timedelta(days=(end - start).days // 2 + 1)
    return (start, middle - dt.timedelta(days=1)), (middle, end)


def parse_period(key: str, teaching: tuple[dt.date, dt.date]) -> Period:
    """A period from its key; `teaching` is the teaching span of the period's term (ValueError if malformed)."""
    key = (key or "").strip()
    half = _HALF.match(key)
    if half:
        term = parse_term(half.group(1)).code
        first, second = split_teaching(teaching)
        start, end = first if half.group(2) == "a" else second
        return Period(key, "half_semester", term, start, end, half=half.group(2))
    month = _MONTH.match(key)
    if month:
        start, end = _month(int(month.group(1)), int(month.group(2)))
        return Period(key, "month", term_for_date(start).code, start, end, month=start.month)
    term = parse_term(key)
    return Period(term.code, "semester", term.code, term.start, term.end)


def term_of_period(key: str) -> str:
    """The term a period key belongs to, without its teaching span (ValueError if malformed)."""
    return parse_period(key, (dt.date(2000, 1, 1), dt.date(2000, 1, 2))).term


def periods_of(kind: str, term: str, teaching: tuple[dt.date, dt.date]) -> list[Period]:
    """The periods of a kind in a term: the term, its two halves, or the months of its teaching span."""
    if kind == "half_semester":
        return [parse_period(f"{term}a", teaching), parse_period(f"{term}b", teaching)]
    if kind == "monthly":
        out, day = [], teaching[0].replace(day=1)
        while day <= teaching[1]:
            out.append(parse_period(f"{day:%Y-%m}", teaching))
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return out
    return [parse_period(term, teaching)]


def current_period(kind: str, term: str, teaching: tuple[dt.date, dt.date], today: dt.date) -> Period:
    """The period of a kind that holds `today` (else the last one begun, else the first)."""
    found = periods_of(kind, term, teaching)
    begun = [p for p in found if p.start <= today]
    return next((p for p in found if p.start <= today <= p.end), begun[-1] if begun else found[0])
