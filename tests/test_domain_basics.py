"""Table-driven tests of the pure rules behind the foundation: terms, ages, area codes."""
from __future__ import annotations

import datetime as dt

import pytest

from domain.areas import code_range, contains, span_range, township_of
from domain.terms import age_on_reference_day, parse_term, term_for_date, term_label_zh


@pytest.mark.parametrize(("birth", "year", "age"), [
    (dt.date(2018, 8, 31), 2024, 6),   # birthday exactly on the reference day counts
    (dt.date(2018, 9, 1), 2024, 5),    # one day later: not yet six
    (dt.date(2012, 2, 29), 2024, 12),  # leap-day birth
    (dt.date(2010, 1, 1), 2024, 14),
])
def test_age_on_31_august(birth: dt.date, year: int, age: int) -> None:
    assert age_on_reference_day(birth, year) == age


@pytest.mark.parametrize(("code", "start", "end"), [
    ("2024-1", dt.date(2024, 9, 1), dt.date(2025, 2, 28)),
    ("2024-2", dt.date(2025, 3, 1), dt.date(2025, 8, 31)),
    ("2023-1", dt.date(2023, 9, 1), dt.date(2024, 2, 29)),
])
def test_term_dates(code: str, start: dt.date, end: dt.date) -> None:
    t = parse_term(code)
    assert (t.start, t.end) == (start, end)


@pytest.mark.parametrize("bad", ["2024", "2024-3", "24-1", "2024/1", ""])
def test_bad_term_codes_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="YYYY-1"):
        parse_term(bad)


@pytest.mark.parametrize(("day", "term"), [
    (dt.date(2026, 11, 22), "2026-1"), (dt.date(2027, 2, 1), "2026-1"), (dt.date(2027, 3, 1), "2026-2"),
    (dt.date(2027, 8, 31), "2026-2"), (dt.date(2027, 9, 1), "2027-1"),
])
def test_term_for_date(day: dt.date, term: str) -> None:
    assert term_for_date(day).code == term


def test_term_labels_and_previous() -> None:
    assert term_label_zh("2024-1") == "2024–2025学年第一学期"
    assert parse_term("2024-1").previous().code == "2023-2"
    assert parse_term("2024-2").previous().code == "2024-1"


@pytest.mark.parametrize(("outer", "level", "inner", "inside"), [
    ("532822000000", "county", "532822101201", True),
    ("532822000000", "county", "532823101201", False),
    ("532822101000", "township", "532822101201", True),
    ("532822101000", "township", "532822102201", False),
    ("530000000000", "province", "532822101201", True),
])
def test_area_containment(outer: str, level: str, inner: str, inside: bool) -> None:
    assert contains(outer, level, inner) is inside
    lo, hi = code_range(outer, level)
    assert (lo <= inner <= hi) is inside


def test_span_range_holds_every_unit() -> None:
    assert span_range(["532822000000"], "county") == code_range("532822000000", "county")
    assert span_range(["532823000000", "532801000000", "532822000000"], "county") == ("532801000000", "532823999999")
    assert span_range(["532822101000", "532822203000"], "township") == ("532822101000", "532822203999")


def test_township_of_village() -> None:
    assert township_of("532822101201") == "532822101000"


def test_times_are_shown_in_the_counties_time_zone() -> None:
    from domain.localtime import local_clock
    assert local_clock("2026-12-04T00:54:10.123+00:00") == "2026-12-04 08:54"  # a job file's UTC stamp
    assert local_clock("2026-12-04T16:30:00") == "2026-12-05 00:30"  # naive times are stored UTC
    assert local_clock("") == "" and local_clock("not a time") == ""


def test_a_local_day_begins_at_its_utc_start() -> None:
    """utc_start_of(d) is the stored (naive UTC) time the counties' day d begins: the board counts a report on time
    when it was sent before the start of the day after its deadline, as local_date would say."""
    import datetime as dt
    from domain.localtime import local_date, utc_start_of
    day = dt.date(2026, 11, 9)
    start = utc_start_of(day)
    assert start == dt.datetime(2026, 11, 8, 16, 0)                  # Asia/Shanghai: UTC+8
    assert local_date(start) == day and local_date(start - dt.timedelta(microseconds=1)) == day - dt.timedelta(days=1)
