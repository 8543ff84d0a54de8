"""School-day clocks skip the vacations (issue 14.3): working days inside the county's teaching periods, with the
defaults (1 Sept–15 Jan, 1 Mar–5 Jul) where the county has set none; closing a returned child's case counts them."""
from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from data_access.calendar import school_days_of, set_teaching_period
from data_access.models import Area, TermCalendar
from domain.cases.rules import Attendance, CaseRuleError, CaseState, transition
from domain.schooldays import (check_span, default_teaching_span, school_day_checker, school_days_between,
                               school_days_reached)
from domain.terms import parse_term
from domain.workdays import default_is_workday

D = dt.date
DEFAULT = school_day_checker({})


@pytest.mark.parametrize("day,school,working", [
    (D(2026, 1, 15), True, True),     # the last teaching day of the autumn term
    (D(2026, 1, 16), False, True),    # winter vacation: a working day, not a school day
    (D(2026, 2, 14), False, True),    # the Spring Festival make-up Saturday falls in the vacation
    (D(2026, 3, 2), True, True),      # the spring term's first Monday
    (D(2026, 7, 6), False, True),     # summer vacation
    (D(2026, 9, 1), True, True),      # the autumn term's first day
    (D(2026, 10, 1), False, False),   # National Day
    (D(2024, 10, 12), True, True),    # a make-up Saturday inside the term counts
])
def test_default_school_days(day: dt.date, school: bool, working: bool) -> None:
    assert DEFAULT(day) is school
    assert default_is_workday(day) is working


def test_ten_school_days_after_a_return_skip_the_winter_vacation() -> None:
    back = D(2026, 1, 12)
    assert school_days_between(back, D(2026, 2, 27), DEFAULT) == 3  # Jan 13–15 only
    assert school_days_reached(back, 10, DEFAULT) == D(2026, 3, 10)  # Mar 2–6, 9, 10 complete the ten
    spring_from_24_feb = school_day_checker({"2025-2": (D(2026, 2, 24), D(2026, 7, 10))})
    assert school_days_reached(back, 10, spring_from_24_feb) == D(2026, 3, 3)  # Feb 24–28 (28th: make-up day)


def test_closing_counts_school_days_not_calendar_days() -> None:
    returned = CaseState("confirmed", "outcome", 4, D(2026, 1, 5), None, "returned", D(2026, 1, 12))
    with pytest.raises(CaseRuleError) as err:  # 33 working days later, but only 3 school days
        transition(returned, "close", today=D(2026, 3, 1), is_school_day=DEFAULT)
    assert err.value.code == "verify_days_short" and err.value.params["ready"] == "2026-03-10"
    assert transition(returned, "close", today=D(2026, 3, 10), is_school_day=DEFAULT).verified_days == 10
    with pytest.raises(CaseRuleError, match="attendance_short"):  # the record's days are school days too
        transition(returned, "close", today=D(2026, 3, 1), is_school_day=DEFAULT,
                   attendance=Attendance("班主任", D(2026, 1, 13), D(2026, 2, 27)))


def test_teaching_periods_are_checked() -> None:
    assert default_teaching_span(parse_term("2025-1")) == (D(2025, 9, 1), D(2026, 1, 15))
    assert check_span(D(2026, 2, 24), D(2026, 7, 10), "2025-2") == (D(2026, 2, 24), D(2026, 7, 10))
    with pytest.raises(ValueError, match="ends before"):
        check_span(D(2026, 7, 10), D(2026, 2, 24), "2025-2")
    with pytest.raises(ValueError, match="must lie between"):
        check_span(D(2026, 1, 5), D(2026, 7, 10), "2025-2")


def test_a_county_sets_its_teaching_period(session_factory, server) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        s.add_all([Area(code="532822000000", name="勐海县", level="county"),
                   Area(code="532822101000", name="勐海镇", level="township"),
                   Area(code="532823000000", name="勐腊县", level="county")])
    runner = CliRunner()
    with server.app_context():
        result = runner.invoke(server.cli, ["set-teaching-period", "532822000000", "2025-2", "2026-02-24",
                                            "2026-07-10"])
        assert result.exit_code == 0, result.output
        bad = runner.invoke(server.cli, ["set-teaching-period", "532822000000", "2025-2", "2026-01-05", "2026-07-10"])
        assert bad.exit_code != 0 and "must lie between" in bad.output
        town = runner.invoke(server.cli, ["set-teaching-period", "532822101000", "2025-2", "2026-02-24", "2026-07-10"])
        assert town.exit_code != 0 and "not an imported county" in town.output
    with session_factory() as s:
        assert s.get(TermCalendar, ("532822000000", "2025-2")).teaching_start == D(2026, 2, 24)
        own, other = school_days_of(s, "532822101000"), school_days_of(s, "532823000000")
        assert own(D(2026, 2, 24)) and not other(D(2026, 2, 24))  # only that county's townships
    with session_factory() as s, s.begin():
        set_teaching_period(s, "532822000000", "2025-2", D(2026, 3, 2), D(2026, 7, 3))  # changed, not added
    with session_factory() as s:
        assert s.get(TermCalendar, ("532822000000", "2025-2")).teaching_start == D(2026, 3, 2)
