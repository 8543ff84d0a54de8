"""Working-day clocks (domain.md §7, §9): weekends and Chinese public holidays excluded, make-up
working days (调休) included, from chinese-calendar; for a year it does not know, Monday to Friday,
and callers show a warning (`calendar_known`)."""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable

IsWorkday = Callable[[dt.date], bool]


def calendar_known(day: dt.date) -> bool:
    """True when chinese-calendar knows the holidays of the day's year."""
    return _year_known(day.year)


@functools.lru_cache(maxsize=64)
def _year_known(year: int) -> bool:
    try:
        import chinese_calendar
        chinese_calendar.is_workday(dt.date(year, 6, 1))
        return True
    except (ImportError, NotImplementedError):
        return False


@functools.lru_cache(maxsize=8192)  # the calendar is fixed per package version; clocks ask about the same days
def default_is_workday(day: dt.date) -> bool:
    """Chinese working days (holidays and make-up days) where known, else Monday to Friday."""
    try:
        import chinese_calendar
        return bool(chinese_calendar.is_workday(day))
    except (ImportError, NotImplementedError):
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int, is_workday: IsWorkday = default_is_workday) -> dt.date:
    """The date `days` working days after `start` (start itself not counted; 0 days: `start`)."""
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, is_workday: IsWorkday = default_is_workday) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_workday(day)
    return count


def unknown_years(days: Iterable[dt.date]) -> list[int]:
    """The years among `days` whose holidays chinese-calendar does not know (sorted, once each)."""
    return sorted({d.year for d in days if not calendar_known(d)})
