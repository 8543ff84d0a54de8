"""Indicators, targets, tiers and rankings against hand-computed cases (domain.md §3–§5)."""
from __future__ import annotations

import pytest

from domain.dashboard.indicators import Counts, indicator_values, overall_dropout_rate
from domain.dashboard.report import Policy, build_report
from domain.dashboard.targets import FAIL, NO_DATA, NO_TARGET, PASS, WARNING, TargetBound, evaluate
from domain.dashboard.tiers import RankRow, TierInput, assign_tier, rank


def test_indicator_values_by_hand() -> None:
    c = Counts(primary_enrolled=990, outside_primary=5, population_primary=1000, junior_enrolled=480,
               outside_junior=0, population_junior=500, primary_dropped=6, primary_base=1000, junior_dropped=9,
               junior_base=500, grade9_enrolled=147, grade1_base=150, disabled_enrolled=9, disabled_population=10,
               special_group_dropouts=1, dropouts=15)
    v = indicator_values(c)
    assert v["primary_enrollment_rate"].value == pytest.approx(99.5)
    assert (v["primary_enrollment_rate"].numerator, v["primary_enrollment_rate"].denominator) == (995, 1000)
    assert v["junior_gross_enrollment_rate"].value == pytest.approx(96.0)
    assert v["primary_dropout_rate"].value == pytest.approx(0.6)
    assert v["junior_dropout_rate"].value == pytest.approx(1.8)
    assert v["consolidation_rate"].value == pytest.approx(98.0)
    assert v["disabled_enrollment_rate"].value == pytest.approx(90.0)
    assert v["special_group_dropouts"].value == 1 and v["dropouts"].value == 15
    assert overall_dropout_rate(c) == pytest.approx(100 * 15 / 1500)


@pytest.mark.parametrize(("counts", "key"), [
    (Counts(primary_enrolled=10), "primary_enrollment_rate"),                      # no population imported
    (Counts(primary_enrolled=10, population_primary=0), "primary_enrollment_rate"),  # zero denominator
    (Counts(), "primary_dropout_rate"),                                            # nobody in grades 1–6
    (Counts(grade9_enrolled=100), "consolidation_rate"),                            # missing history
    (Counts(disabled_enrolled=3), "disabled_enrollment_rate"),
])
def test_no_data_is_never_zero_or_hundred(counts: Counts, key: str) -> None:
    v = indicator_values(counts)[key]
    assert v.value is None and not v.has_data


def test_term_without_roster_is_all_no_data() -> None:
    values = indicator_values(Counts(has_roster=False, population_primary=100))
    assert all(v.value is None for v in values.values())


def test_enrollment_may_exceed_hundred() -> None:
    v = indicator_values(Counts(primary_enrolled=1010, population_primary=1000))["primary_enrollment_rate"]
    assert v.value == pytest.approx(101.0)


GE = TargetBound("primary_enrollment_rate", ">=", 99.5, 0.5)
LE = TargetBound("junior_dropout_rate", "<=", 1.8, 0.5)
EQ = TargetBound("special_group_dropouts", "==", 0)


@pytest.mark.parametrize(("target", "value", "is_rate", "status"), [
    (GE, 99.5, True, WARNING),     # exactly at the bound: passes, inside the margin
    (GE, 99.99, True, WARNING),
    (GE, 100.0, True, PASS),       # exactly margin away: outside the margin
    (GE, 99.49, True, FAIL),
    (LE, 1.8, True, WARNING),
    (LE, 1.3, True, PASS),
    (LE, 1.31, True, WARNING),
    (LE, 1.81, True, FAIL),
    (EQ, 0.0, False, PASS),        # counts have no warning band
    (EQ, 1.0, False, FAIL),
    (GE, None, True, NO_DATA),
])
def test_evaluate_bounds_and_margin(target: TargetBound, value: float | None, is_rate: bool, status: str) -> None:
    assert evaluate(target.indicator, value, target, is_rate=is_rate).status == status


def test_evaluate_exact_bound_survives_float_arithmetic() -> None:
    value = indicator_values(Counts(primary_enrolled=199, population_primary=200))["primary_enrollment_rate"].value
    assert evaluate("primary_enrollment_rate", value, GE).status == WARNING  # 99.5 computed, not typed
    assert evaluate("dropouts", 3.0, None).status == NO_TARGET



def _fail():  # noqa: ANN202
    return evaluate("junior_dropout_rate", 2.31, LE)


def _warn():  # noqa: ANN202
    return evaluate("junior_dropout_rate", 1.5, LE)


def _pass():  # noqa: ANN202
    return evaluate("junior_dropout_rate", 0.2, LE)


@pytest.mark.parametrize(("data", "tier", "kinds"), [
    (TierInput([_pass()]), 0, []),
    (TierInput([_warn()]), 1, ["margin"]),
    (TierInput([_pass()], overdue_rectifications=2), 1, ["overdue"]),
    (TierInput([_fail()]), 2, ["missed"]),
    (TierInput([_pass()], special_group_dropouts=1), 2, ["special_group"]),
    (TierInput([_fail()], previous_tiers=[2]), 3, ["consecutive", "missed"]),
    (TierInput([_fail()], previous_tiers=[1, 2]), 2, ["missed"]),       # not consecutive
    (TierInput([_warn()], previous_tiers=[2]), 1, ["margin"]),           # recovered: no admonition
    (TierInput([_pass()], false_data_findings=1), 3, ["false_data"]),
    (TierInput([_fail()], previous_tiers=[3, 2]), 4, ["still_failing_after_3", "consecutive", "missed"]),
    (TierInput([_pass()], special_group_dropouts=1, previous_tiers=[3]), 3, ["consecutive", "special_group"]),
])
def test_tiers(data: TierInput, tier: int, kinds: list[str]) -> None:
    result = assign_tier(data)
    assert result.tier == tier
    assert [r.kind for r in result.reasons] == kinds


def test_tier_reason_carries_the_facts() -> None:
    reason = assign_tier(TierInput([_fail()])).reasons[0]
    assert (reason.indicator, reason.value, reason.op, reason.bound) == ("junior_dropout_rate", 2.31, "<=", 1.8)


def test_ranking_order_and_last_place() -> None:
    rows = [RankRow("a", "A", 2, 1, 0.5), RankRow("b", "B", 0, 0, 0.9), RankRow("c", "C", 2, 2, 0.1),
            RankRow("d", "D", 0, 0, 0.1), RankRow("e", "E", 2, 1, None)]
    ranked = rank(rows)
    assert [r.code for r in ranked] == ["d", "b", "a", "e", "c"]
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5]
    assert [r.last_place for r in ranked] == [False] * 4 + [True]


def test_a_lone_ranked_unit_is_not_last_place() -> None:
    alone = rank([RankRow("a", "A", 2, 1, 0.5), RankRow("b", "B", 0, 0, None, has_data=False)])
    assert [(r.code, r.rank, r.last_place) for r in alone] == [("a", 1, False), ("b", 0, False)]


def test_units_without_data_rank_after_all_others_unranked() -> None:
    rows = [RankRow("a", "A", 0, 0, None, has_data=False), RankRow("b", "B", 2, 1, 0.5), RankRow("c", "C", 0, 0, 0.1)]
    ranked = rank(rows)
    assert [(r.code, r.rank, r.last_place) for r in ranked] == [("c", 1, False), ("b", 2, True), ("a", 0, False)]


def test_report_history_escalates_across_terms() -> None:
    policy = Policy("p", {"junior_dropout_rate": LE})
    bad = Counts(junior_dropped=5, junior_base=100)   # 5% > 1.8%
    good = Counts(junior_dropped=0, junior_base=100)
    terms = ["2023-2", "2024-1", "2024-2"]
    counts = {"2023-2": {"x": bad, "y": good}, "2024-1": {"x": bad, "y": bad}, "2024-2": {"x": bad, "y": good}}
    report = build_report("2024-2", "township", terms, counts, {"x": "X", "y": "Y"}, policy)
    by = {u.code: u for u in report.units}
    assert [t for _, t in by["x"].history] == [2, 3] and by["x"].tier.tier == 4
    assert [t for _, t in by["y"].history] == [0, 2] and by["y"].tier.tier == 0
    assert [u.code for u in report.units] == ["y", "x"] and report.units[-1].last_place
    assert report.tier_counts[4] == 1 and report.tier_counts[0] == 1
