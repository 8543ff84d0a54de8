"""Target policy checks (issue 15.2): pure rules, every refused field named, in Chinese and English."""
from __future__ import annotations

import pytest

from domain.admin.targets import (PolicyInvalid, TargetRow, check_policy, in_force, judged_terms,
                                  rows_from_records)


def refused(*rows: TargetRow, precision: object = 2, term: object = "2026-1", name: object = "县目标") -> dict:
    with pytest.raises(PolicyInvalid) as err:
        check_policy(name, precision, term, rows)
    return {(p.field, p.part): p for p in err.value.problems}


def test_a_good_policy_passes_with_defaults_and_aliases() -> None:
    checked = check_policy(" 县目标 ", "2", "2026-1", [
        TargetRow("junior_dropout_rate", "≤", "1.8", "", False),
        TargetRow("primary_enrollment_rate", ">=", 99.5, "10", True),
        TargetRow("dropouts", "=", "0")])
    assert checked.name == "县目标" and checked.precision == 2 and checked.effective_from == "2026-1"
    by = {t.indicator: t for t in checked.targets}
    assert by["junior_dropout_rate"].op == "<=" and by["junior_dropout_rate"].margin is None
    assert by["primary_enrollment_rate"].relative and by["primary_enrollment_rate"].margin_points == pytest.approx(9.95)
    assert by["dropouts"].bound == 0 and by["dropouts"].op == "=="
    assert check_policy("x", 0, "", [TargetRow("dropouts", "<=", 3)]).effective_from is None  # from the first term


def test_each_refusal_names_its_field() -> None:
    problems = refused(TargetRow("junior_dropout_rate", "<=", "120"), TargetRow("primary_dropout_rate", "<=", "-1"),
                       TargetRow("primary_enrollment_rate", ">=", "99", "100"),
                       TargetRow("consolidation_rate", "=>", "96"), TargetRow("dropouts", ">=", "1.5"),
                       precision=7, term="2026-3", name="")
    assert problems[("junior_dropout_rate", "bound")].reason == "rate_over_100"
    assert problems[("primary_dropout_rate", "bound")].reason == "bound_negative"
    assert problems[("primary_enrollment_rate", "margin")].reason == "margin_over_bound"
    assert problems[("consolidation_rate", "op")].reason == "op_unknown"
    assert problems[("dropouts", "op")].reason == "op_count"
    assert problems[("dropouts", "bound")].reason == "count_whole"
    assert problems[("precision", "")].reason == "precision_range"
    assert problems[("effective_from", "")].reason == "term_unknown"
    assert problems[("name", "")].reason == "name_length"


@pytest.mark.parametrize("row, key", [
    (TargetRow("junior_dropout_rate", "==", "1"), ("junior_dropout_rate", "op")),
    (TargetRow("junior_dropout_rate", "<=", "abc"), ("junior_dropout_rate", "bound")),
    (TargetRow("junior_dropout_rate", "<=", ""), ("junior_dropout_rate", "bound")),
    (TargetRow("junior_dropout_rate", "<=", "1.8", "-0.1"), ("junior_dropout_rate", "margin")),
    (TargetRow("junior_dropout_rate", "<=", "1.8", "150", True), ("junior_dropout_rate", "margin")),
    (TargetRow("dropouts", "==", "0", "1"), ("dropouts", "margin")),
    (TargetRow("nonsense", "<=", "1"), ("targets", "")),
])
def test_single_refusals(row: TargetRow, key: tuple) -> None:
    assert key in refused(row)


def test_no_targets_and_twice() -> None:
    assert refused()[("targets", "")].reason == "no_targets"
    twice = refused(TargetRow("dropouts", "==", 0), TargetRow("dropouts", "==", 0))
    assert twice[("dropouts", "")].reason == "indicator_twice"
    assert ("precision", "") in refused(TargetRow("dropouts", "==", 0), precision="2.5")
    assert ("effective_from", "") in refused(TargetRow("dropouts", "==", 0), term="1999-1")


def test_messages_in_both_languages(server) -> None:  # noqa: ANN001
    from wording.targets import policy_problem_text
    problems = refused(TargetRow("junior_dropout_rate", "<=", "120"),
                       TargetRow("primary_dropout_rate", "<=", "0.6", "0.8"), precision=9, term="2026-5")
    language = server.config["LANGUAGE"]
    try:
        with server.app_context():
            server.config["LANGUAGE"] = "zh"
            zh = [policy_problem_text(p) for p in problems.values()]
        with server.app_context():
            server.config["LANGUAGE"] = "en"
            en = [policy_problem_text(p) for p in problems.values()]
    finally:
        server.config["LANGUAGE"] = language
    assert any("初中辍学率" in m and "120" in m and "100" in m for m in zh), zh
    assert any("小学辍学率" in m and "0.8" in m and "0.6" in m for m in zh), zh
    assert any("Junior" in m or "junior" in m for m in en) and any("is over 100" in m for m in en), en
    assert any("2026-5" in m and "学期" in m for m in zh) and any("precision" in m.lower() for m in en)
    assert any("超过 100" in m for m in zh), zh


def test_versions_in_force_and_terms_judged() -> None:
    versions = [(1, None), (2, "2025-1"), (3, "2026-1")]
    assert in_force(versions, "2024-2") == 1 and in_force(versions, "2025-2") == 2 and in_force(versions, "2026-1") == 3
    assert in_force([(5, "2026-1")], "2025-2") is None
    loaded = ["2024-1", "2024-2", "2025-1", "2025-2", "2026-1"]
    assert judged_terms(None, "2025-1", loaded) == ["2024-1", "2024-2"]
    assert judged_terms("2026-1", None, loaded) == ["2026-1"] and judged_terms("2026-2", None, loaded) == []


def test_file_records_by_key_or_chinese_name() -> None:
    rows = rows_from_records([{"指标": "初中辍学率", "运算符": "<=", "目标值": "1.8", "预警幅度": "0.3", "相对": ""},
                              {"indicator": "dropouts", "op": "==", "bound": 0}, {"indicator": "", "op": ""}])
    assert [(r.indicator, r.op, r.bound, r.margin, r.relative) for r in rows] == [
        ("junior_dropout_rate", "<=", "1.8", "0.3", False), ("dropouts", "==", 0, None, False)]
