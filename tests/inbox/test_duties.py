"""Reporting duties (issue 18.2): periods and deadlines per cadence, a report's state at its boundaries, sending a
report through the real callback route as the right and wrong users, and a missed report counted in the tiers
as 未报送."""
from __future__ import annotations

import datetime as dt
import json
import sys

import pytest
from sqlalchemy import select

from data_access.inbox.duties import DutyRefused, board, missed_extras, set_duty
from data_access.models import DutyReport
from data_access.scope import Scope
from domain.dashboard.tiers import TierInput, assign_tier
from domain.inbox.duties import DutyPeriod, DutySpec, check_duty, periods, report_state
from domain.workdays import add_working_days
from tests.admin.conftest import COUNTY, S1, S2, S3, T1, world  # noqa: F401 - the fixture

AUTUMN = {"2026-1": (dt.date(2026, 9, 1), dt.date(2027, 1, 15))}
TODAY = dt.date(2026, 12, 4)


def test_term_start_deadline_counts_working_days() -> None:
    spec = DutySpec(1, "开学报告", "school", "term_start", 10)
    [p] = periods(spec, dt.date(2026, 9, 1), dt.date(2026, 12, 31), AUTUMN)
    assert (p.key, p.start) == ("2026-1", dt.date(2026, 9, 1))
    assert p.deadline == add_working_days(dt.date(2026, 9, 1), 10) == dt.date(2026, 9, 15)


def test_monthly_periods_follow_the_teaching_period_and_skip_holidays() -> None:
    spec = DutySpec(1, "月报", "school", "monthly", 5)
    got = periods(spec, dt.date(2026, 8, 1), dt.date(2026, 12, 31), AUTUMN)
    assert [p.key for p in got] == ["2026-09", "2026-10", "2026-11"]     # no August (vacation); December's is in 2027
    october = got[1]
    assert (october.start, october.end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert october.deadline == add_working_days(dt.date(2026, 10, 31), 5)
    september = got[0]   # 5 working days after 30 Sept skip the National Day holiday (1–7 Oct 2026)
    assert september.deadline > dt.date(2026, 10, 7)


def test_quarterly_and_yearly() -> None:
    q = periods(DutySpec(1, "复查", "township", "quarterly", 10), dt.date(2026, 1, 1), dt.date(2026, 12, 31), AUTUMN)
    assert [p.key for p in q] == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    assert q[-1].end == dt.date(2026, 9, 30)
    y = periods(DutySpec(1, "春季调查", "township", "yearly", due_month_day="04-30"), dt.date(2026, 1, 1),
                dt.date(2027, 12, 31), AUTUMN)
    assert [(p.key, p.deadline) for p in y] == [("2026", dt.date(2026, 4, 30)), ("2027", dt.date(2027, 4, 30))]


@pytest.mark.parametrize(("sent", "today", "state"), [
    (dt.date(2026, 9, 15), TODAY, "on_time"),                    # on the deadline itself: on time
    (dt.date(2026, 9, 16), TODAY, "late"),
    (None, dt.date(2026, 9, 16), "missing"),
    (None, dt.date(2026, 9, 15), "due"),
    (None, dt.date(2026, 9, 8), "due"),                          # seven days before
    (None, dt.date(2026, 9, 7), "open"),
])
def test_report_state(sent, today, state) -> None:  # noqa: ANN001
    period = DutyPeriod("2026-1", dt.date(2026, 9, 1), dt.date(2027, 2, 28), dt.date(2026, 9, 15))
    assert report_state(period, sent, today) == state


def test_check_duty() -> None:
    assert check_duty(DutySpec(1, "月报", "school", "monthly", 5)) == []
    assert check_duty(DutySpec(1, " ", "village", "weekly", 99)) == ["name", "reporter", "cadence", "due_days"]
    assert check_duty(DutySpec(1, "调查", "township", "yearly", due_month_day="02-30")) == ["due_month_day"]


def test_a_missed_report_raises_the_tier_to_at_least_a_warning() -> None:
    result = assign_tier(TierInput([], missed_reports=2))
    assert result.tier == 1 and [r.kind for r in result.reasons] == ["unreported_duty"]
    assert assign_tier(TierInput([])).tier == 0


SEND_OUT = [("reports-msg", "children"), ("reports-refresh", "data")]


def _send(user, value: str):  # noqa: ANN001, ANN201
    return user.callback(SEND_OUT, [("reports-send", "n_clicks", 1)],
                         [("reports-pick", "value", value), ("reports-notes", "value", "本月无新增辍学"),
                          ("reports-refresh", "data", 0)])


def test_sending_reports_as_the_right_and_the_wrong_user(web_user, world, session_factory, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(sys.modules["pages.inbox.reports"], "local_today", lambda: TODAY)   # the page's clock
    with session_factory() as s, s.begin():
        duty = set_duty(s, COUNTY, "开学情况报告", "school", "term_start", 10, since=dt.date(2026, 9, 1)).id
        with pytest.raises(DutyRefused) as exc:
            set_duty(s, COUNTY, "x", "school", "weekly")
        assert exc.value.fields == ["cadence"]
    registrar = web_user("registrar1")
    term = "2026-1"      # the term of TODAY
    refused = _send(registrar, f"{duty}|{term}|{S2}")               # another school's report
    assert refused.status_code == 403
    assert web_user("officer1").callback(SEND_OUT, [("reports-send", "n_clicks", 1)],
                                         [("reports-pick", "value", f"{duty}|{term}|{S1}"),
                                          ("reports-notes", "value", ""), ("reports-refresh", "data", 0)]
                                         ).status_code == 403        # a township officer sends no school report
    ok = json.dumps(_send(registrar, f"{duty}|{term}|{S1}").get_json(), ensure_ascii=False)
    assert "text-success" in ok
    again = json.dumps(_send(registrar, f"{duty}|{term}|{S1}").get_json(), ensure_ascii=False)
    assert "text-danger" in again                                    # once only
    with session_factory() as s:
        report = s.scalars(select(DutyReport)).one()
        assert (report.unit_code, report.period_key, report.notes) == (S1, term, "本月无新增辍学")
        assert set(json.loads(report.figures_json)) == {"enrolled", "dropouts", "change", "cases_open", "returned"}
        rows = {r.unit_code: r.state for r in board(s, Scope("admin", unrestricted=True), TODAY)}
        assert rows[S2] == rows[S3] == "missing" and rows[S1] == "late"     # due 2026-09-15, sent on TODAY
        extras = missed_extras(s, [term], "school", {S1, S2, S3}, TODAY)
        assert extras[(term, S2)].missed_reports == 1 and extras[(term, S3)].missed_reports == 1
        assert extras[(term, S1)].missed_reports == 1                     # late counts too
        assert missed_extras(s, [term], "township", {T1}, TODAY) == {}


def test_missed_reports_of_the_tiers_are_what_the_board_marks_missing_or_late(demo_county_template) -> None:  # noqa: ANN001
    """On the county demo (616 reports of several duties over years, on time, late and never sent), the tiers'
    未报送 counts per term and unit equal the board's missing and late rows counted by the term of their deadline."""
    from sqlalchemy.orm import sessionmaker
    from data_access.memo import forget
    from data_access.models import Area, School
    from domain.terms import term_for_date
    from tests.conftest import copy_sqlite
    engine = copy_sqlite(demo_county_template[0])
    today = dt.date(2026, 12, 4)
    terms = ["2024-2", "2025-1", "2025-2", "2026-1"]
    first, last = dt.date(2025, 3, 1), today
    with sessionmaker(engine)() as s, s.begin():  # a second county, with a teaching period of its own: the tiers
        # read every county's duties, calendars and reports at once, and must keep each county's apart
        from data_access.calendar import set_teaching_period
        s.add_all([Area(code="532823000000", name="勐腊县", level="county", parent_code="532800000000"),
                   Area(code="532823100000", name="勐腊镇", level="township", parent_code="532823000000"),
                   Area(code="532823101000", name="勐仑镇", level="township", parent_code="532823000000")])
        s.flush()
        set_teaching_period(s, "532823000000", "2025-1", dt.date(2025, 9, 8), dt.date(2026, 1, 16))
        set_duty(s, "532823000000", "开学情况报告", "township", "term_start", 3, since=dt.date(2025, 3, 1))
        set_duty(s, "532823000000", "月报", "township", "monthly", due_days=5, since=dt.date(2026, 6, 1))
    with sessionmaker(engine)() as s:
        for level, reporter in (("school", "school"), ("township", "township")):
            codes = set(s.scalars(select(School.code)) if level == "school" else
                        s.scalars(select(Area.code).where(Area.level == "township")))
            expected: dict = {}
            for r in board(s, Scope("admin", unrestricted=True), today, first, last):
                term = term_for_date(r.period.deadline).code
                if r.reporter == reporter and r.state in ("missing", "late") and term in terms:
                    expected[(term, r.unit_code)] = expected.get((term, r.unit_code), 0) + 1
            got = {k: e.missed_reports for k, e in missed_extras(s, terms, level, codes, today).items()}
            assert got == expected and sum(got.values()) >= 5, level
            if level == "township":
                assert {c for (_t, c) in got} >= {"532823100000", "532823101000"}
                forget(s)        # the same when a report passes the townships it has just read (half of them here)
                known = set(sorted(codes)[::2])
                assert {k: e.missed_reports for k, e in missed_extras(s, terms, level, codes, today, known).items()} \
                    == got
    engine.dispose()


def test_a_duty_asks_only_for_periods_due_since_it_was_set_and_the_command(server, world, session_factory) -> None:  # noqa: ANN001
    from tests.imports.test_imports_rates import cli
    result = cli(server, "set-duty", COUNTY, "月报", "--reporter", "township", "--cadence", "monthly",
                 "--due-days", "5", "--since", "2026-11-01")
    assert result.exit_code == 0, result.output
    bad = cli(server, "set-duty", COUNTY, "调查", "--reporter", "township", "--cadence", "yearly", "--due-date", "13-01")
    assert bad.exit_code != 0 and "due_month_day" in bad.output
    with session_factory() as s:
        rows = board(s, Scope("admin", unrestricted=True), TODAY)
        assert {r.period.key for r in rows} == {"2026-10", "2026-11", "2026-12"}   # 2026-10 is due 2026-11-06
        assert {r.state for r in rows if r.period.key == "2026-10"} == {"missing"}
