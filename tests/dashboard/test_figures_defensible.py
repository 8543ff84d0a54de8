"""Issue 13, "figures a county can defend": one table-driven case per point, each through load_report (the path
pages, `rates`, `tiers` and the exports read), on SQLite and on PostgreSQL."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from data_access.analytics.aggregates import refresh_roster_aggregates
from data_access.analytics.report import load_report
from data_access.analytics.unit_counts import refresh_terms
from data_access.models import EnrollmentHistory, Population, RosterAggregate, School, Target, TargetPolicy
from data_access.scope import Scope
from domain.dashboard.report import Report
from tests import factories as f

COUNTY = "532822000000"
T1, T2, T3 = "532822101000", "532822102000", "532822103000"
OUTSIDE = "440106001001"  # a village of Guangzhou: a household outside the areas held (外县户籍)
ADMIN = Scope("admin", unrestricted=True)


@dataclass
class County:
    """The hand-made county of a case: three townships, a school in T1 and one in T2."""

    s: Session
    a: School
    b: School

    def agg(self, term: str, school: School, grade: int, status: str, n: int, area: str | None = None,
            age: int | None = None, poverty: bool = False) -> None:
        """n pupils of one kind as roster aggregates (the counted rows the indicators read)."""
        f.term(self.s, term)
        self.s.add(RosterAggregate(term_code=term, school_id=school.id, area_code=area or school.township_code,
                                   grade=grade, age=age if age is not None else grade + 5, status=status,
                                   poverty_registered=poverty, disability="无", left_behind=False, migrant=False,
                                   students=n))

    def policy(self, *targets: tuple, precision: int = 2) -> None:
        """An active county policy: (indicator, op, bound[, margin[, relative]]) per target."""
        self.s.add(TargetPolicy(name="县目标", area_code=COUNTY, active=True, precision=precision, targets=[
            Target(indicator=t[0], op=t[1], bound=t[2], margin=t[3] if len(t) > 3 else None,
                   margin_relative=t[4] if len(t) > 4 else False) for t in targets]))


def _report(session_factory, setup: Callable[[County], None], term: str = "2024-1") -> Report:  # noqa: ANN001
    with session_factory() as s, s.begin():
        f.county_with_townships(s, 3)
        county = County(s, f.school.create(s, township_code=T1, code="5328220001"),
                        f.school.create(s, township_code=T2, code="5328220002"))
        setup(county)
        s.flush()
        refresh_terms(s)
    with session_factory() as s:
        return load_report(s, ADMIN, COUNTY, "township", term)


def _units(report: Report) -> dict:
    return {u.code: u for u in report.units}


# --- 1. an empty township is 0%, counted and ranked, not "no data" --------------------------------------------

def _empty_township(c: County) -> None:
    c.agg("2024-1", c.a, 2, "在读", 10, age=7)
    c.s.add_all([Population(area_code=T1, year=2024, age=7, population=10, outside_attendance=0),
                 Population(area_code=T3, year=2024, age=7, population=12, outside_attendance=0)])
    c.policy(("primary_enrollment_rate", ">=", 99.5), ("primary_dropout_rate", "<=", 0.6))


def check_empty_township(report: Report) -> None:
    t3 = _units(report)[T3]
    assert t3.values["primary_enrollment_rate"].value == 0.0
    assert (t3.values["primary_enrollment_rate"].numerator, t3.values["primary_enrollment_rate"].denominator) == (0, 12)
    assert t3.values["dropouts"].value == 0 and t3.values["primary_dropout_rate"].value is None  # no pupils: no data
    assert t3.has_data and t3.tier.tier == 2 and t3.rank == 2 and t3.last_place  # T2 (nothing at all) unranked
    assert _units(report)[T1].values["primary_enrollment_rate"].value == 100.0


# --- 2. a pupil whose household is outside the areas held counts toward the school's township ---------------

def _outside_household(c: County) -> None:
    for status, home in (("辍学", OUTSIDE), ("在读", OUTSIDE), ("在读", T2[:9] + "201"), ("在读", None)):
        f.roster(c.s, "2024-1", c.a, grade=3, status=status, household_code=home)
    f.area.create(c.s, code=T2[:9] + "201", name="村二", level="village", parent_code=T2)
    refresh_roster_aggregates(c.s, "2024-1")
    c.policy(("dropouts", "==", 0))


def check_outside_household(report: Report) -> None:
    units = _units(report)
    assert units[T1].values["dropouts"].value == 1           # the 外县户籍 dropout counts for the school's township
    assert units[T1].counts.primary_base == 3                # two 外县户籍 pupils and the one with no household code
    assert units[T2].counts.primary_base == 1                # the village of T2 is held: counted there
    assert sum(u.counts.primary_base for u in report.units) == 4  # every pupil once


# --- 3. the consolidation base is chosen per area: roster where it has one, history otherwise ----------------

def _consolidation(c: County) -> None:
    c.agg("2016-1", c.a, 1, "在读", 4)                        # only T1 has a 2016 autumn roster
    c.s.add_all([EnrollmentHistory(area_code=T1, year=2016, grade=1, enrolled=10),  # ignored: T1 has the roster
                 EnrollmentHistory(area_code=T2, year=2016, grade=1, enrolled=5)])
    c.agg("2024-1", c.a, 9, "在读", 3)
    c.agg("2024-1", c.b, 9, "在读", 5)
    c.policy(("consolidation_rate", ">=", 96))


def check_consolidation(report: Report) -> None:
    units = _units(report)
    assert (units[T1].counts.grade1_base, units[T1].counts.grade1_source) == (4, "roster")
    assert (units[T2].counts.grade1_base, units[T2].counts.grade1_source) == (5, "history")
    assert units[T1].values["consolidation_rate"].value == 75.0 and units[T2].values["consolidation_rate"].value == 100


# --- 5. judged at the published precision: 3 of 499 is 0.60%, within ≤ 0.6% --------------------------------

def _precision(c: County, precision: int = 2) -> None:
    c.agg("2024-1", c.a, 3, "辍学", 3)
    c.agg("2024-1", c.a, 3, "在读", 496)
    c.agg("2024-1", c.b, 3, "辍学", 3)
    c.agg("2024-1", c.b, 3, "在读", 496)
    c.policy(("primary_dropout_rate", "<=", 0.6), precision=precision)


def check_precision(report: Report) -> None:
    ev = _units(report)[T1].evaluations["primary_dropout_rate"]
    assert _units(report)[T1].values["primary_dropout_rate"].value == pytest.approx(0.6012, abs=1e-4)
    assert ev.value == 0.6 and ev.status == "warning"        # what is printed (0.60%) decided: not missed
    assert _units(report)[T1].tier.tier == 1


def check_precision_four(report: Report) -> None:
    ev = _units(report)[T1].evaluations["primary_dropout_rate"]
    assert ev.value == 0.6012 and ev.status == "fail" and _units(report)[T1].tier.tier == 2


# --- 6. margins per indicator: 0.2 points for dropout rates by default; absolute or relative --------------

def _margins(c: County, *targets: tuple) -> None:
    c.agg("2024-1", c.a, 3, "辍学", 1)                         # 0.10% primary dropout: far from 0.6%
    c.agg("2024-1", c.a, 3, "在读", 999)
    c.agg("2024-1", c.b, 8, "辍学", 3)                         # 1.50% junior dropout: 0.3 points from 1.8%
    c.agg("2024-1", c.b, 8, "在读", 197)
    c.policy(*(targets or (("primary_dropout_rate", "<=", 0.6), ("junior_dropout_rate", "<=", 1.8))))


def check_margins(report: Report) -> None:
    units = _units(report)
    assert units[T1].evaluations["primary_dropout_rate"].status == "pass" and units[T1].tier.tier == 0
    assert units[T2].evaluations["junior_dropout_rate"].status == "pass" and units[T2].tier.tier == 0


def check_relative_margin(report: Report) -> None:
    t2 = _units(report)[T2]
    assert t2.evaluations["junior_dropout_rate"].status == "warning" and t2.tier.tier == 1
    assert t2.tier.reasons[0].kind == "margin"


# --- 7. no policy in force: no tier anywhere, never 达标 ----------------------------------------------------

def _no_policy(c: County) -> None:
    c.agg("2024-1", c.a, 3, "在读", 10)
    c.agg("2024-1", c.b, 3, "辍学", 1, poverty=True)


def check_no_policy(report: Report) -> None:
    assert report.policy is None and report.tier_counts == {t: 0 for t in range(5)}
    assert all(u.tier.tier is None and not u.graded and not u.tier.reasons for u in report.units)
    assert _units(report)[T1].evaluations["dropouts"].status == "no_target"


# --- 8 and 10. the actual run length; a period without data (未报送) neither counts nor breaks the run --------

def _failing(c: County, terms: tuple[str, ...]) -> None:
    for t in terms:
        c.agg(t, c.a, 8, "辍学", 1)
        c.agg(t, c.a, 8, "在读", 9)                             # 10% > 1.8% in T1
        c.agg(t, c.b, 8, "在读", 10)
    c.policy(("junior_dropout_rate", "<=", 1.8))


def check_run_length(report: Report) -> None:
    t1 = _units(report)[T1]
    assert [t for _, t in t1.history][-2:] == [2, 3]
    consecutive = next(r for r in t1.tier.reasons if r.kind == "consecutive")
    assert consecutive.count == 3 and t1.tier.tier == 4     # 约谈 last period and still missing: 问责


def _gap(c: County) -> None:
    _failing(c, ("2023-2", "2024-2"))
    c.agg("2024-1", c.b, 8, "在读", 10)                        # the county reported 2024-1, T1's school did not


def check_gap(report: Report) -> None:
    t1 = _units(report)[T1]
    assert t1.unreported == ("2024-1",) and dict(t1.history)["2024-1"] is None
    assert t1.tier.tier == 3 and any(r.kind == "consecutive" and r.count == 2 for r in t1.tier.reasons)


def _gap_now(c: County) -> None:
    _failing(c, ("2023-2",))
    c.agg("2024-1", c.b, 8, "在读", 10)


def check_gap_now(report: Report) -> None:
    t1 = _units(report)[T1]
    assert t1.not_reported and not t1.graded and t1.tier.tier is None


CASES = [
    ("1 empty township", _empty_township, "2024-1", check_empty_township),
    ("2 household outside", _outside_household, "2024-1", check_outside_household),
    ("3 consolidation base per area", _consolidation, "2024-1", check_consolidation),
    ("5 published precision", _precision, "2024-1", check_precision),
    ("5 precision set by the policy", lambda c: _precision(c, 4), "2024-1", check_precision_four),
    ("6 default margins per indicator", _margins, "2024-1", check_margins),
    ("6 relative margin (20% of 1.8)", lambda c: _margins(c, ("junior_dropout_rate", "<=", 1.8, 20.0, True)),
     "2024-1", check_relative_margin),
    ("7 no policy, no tier", _no_policy, "2024-1", check_no_policy),
    ("8 actual run length", lambda c: _failing(c, ("2023-2", "2024-1", "2024-2")), "2024-2", check_run_length),
    ("10 未报送 keeps the run", _gap, "2024-2", check_gap),
    ("10 未报送 this period", _gap_now, "2024-1", check_gap_now),
]


@pytest.mark.parametrize(("setup", "term", "check"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_point(session_factory, setup, term, check) -> None:  # noqa: ANN001
    check(_report(session_factory, setup, term))


def test_reason_prints_the_run_length_and_the_published_value(session_factory, server) -> None:  # noqa: ANN001
    from wording.dashboard import reason_text
    report = _report(session_factory, lambda c: _failing(c, ("2023-2", "2024-1", "2024-2")), "2024-2")
    with server.test_request_context():
        texts = [reason_text(r) for r in _units(report)[T1].tier.reasons]
    assert "连续 3 期被通报" in texts and "初中辍学率 10.00% > 1.8%" in texts
