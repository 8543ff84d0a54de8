"""Inspection rules (domain.inspection.rules), table-driven: the stratified reproducible sample, findings from
each method, checklist score, masked phones, working-day due dates and coverage states."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from domain.workdays import add_working_days
from domain.inspection.rules import (DEFAULT_CHECKLIST, AbsentStudent, CallResult, Candidate, ClassCount, FindingDraft,
                               ItemResult, checklist_score, coverage_state, draw_sample,
                               findings_from_file_review, findings_from_head_count, findings_from_phone_check,
                               is_special, mask_phone, sync_findings)

T = "532822102000"


def pool(per_grade: dict[int, int], special_every: int = 0) -> list[Candidate]:
    """Candidates with consecutive ids, grade by grade; every n-th one special."""
    out, rid = [], 0
    for grade, n in per_grade.items():
        for _ in range(n):
            rid += 1
            out.append(Candidate(rid, grade, bool(special_every) and rid % special_every == 0))
    return out


SAMPLES = [
    # (grades and sizes, sample size, expected calls per grade)
    ({1: 40, 2: 40, 3: 40}, 6, {1: 2, 2: 2, 3: 2}),
    ({1: 90, 2: 10}, 10, {1: 9, 2: 1}),            # in proportion
    ({1: 97, 2: 2, 3: 1}, 10, {1: 8, 2: 1, 3: 1}),  # … but every grade called
    ({1: 100, 2: 1, 3: 1}, 5, {1: 3, 2: 1, 3: 1}),  # small grades still get their one call
    ({1: 3, 2: 2}, 10, {1: 3, 2: 2}),              # more asked than there are: everybody
    ({g: 30 for g in range(1, 10)}, 9, {g: 1 for g in range(1, 10)}),
    ({1: 5}, 0, {}),
    ({}, 5, {}),
]


@pytest.mark.parametrize("sizes,size,expected", SAMPLES)
def test_sample_spread_across_grades(sizes: dict[int, int], size: int, expected: dict[int, int]) -> None:
    sample = draw_sample(pool(sizes), size, seed=11)
    assert dict(Counter(c.grade for c in sample)) == expected
    assert len({c.roster_id for c in sample}) == len(sample)


@pytest.mark.parametrize("size", [1, 2, 3])
def test_sample_smaller_than_grades_takes_distinct_grades(size: int) -> None:
    sample = draw_sample(pool({g: 10 for g in range(1, 7)}), size, seed=5)
    assert len(sample) == size and len({c.grade for c in sample}) == size


@pytest.mark.parametrize("seed", [0, 1, 42, 2**31 - 2])
def test_sample_reproducible_for_a_seed_whatever_the_input_order(seed: int) -> None:
    candidates = pool({1: 30, 2: 25, 3: 20, 7: 12}, special_every=6)
    a = draw_sample(candidates, 12, seed)
    b = draw_sample(list(reversed(candidates)), 12, seed)
    assert a == b and len(a) == 12


def test_other_seeds_give_other_samples() -> None:
    candidates = pool({1: 50, 2: 50, 3: 50})
    samples = {tuple(c.roster_id for c in draw_sample(candidates, 6, seed)) for seed in range(20)}
    assert len(samples) > 15


@pytest.mark.parametrize("specials_per_grade,quota", [(1, 3), (2, 3), (5, 3)])
def test_special_groups_first_within_each_grade(specials_per_grade: int, quota: int) -> None:
    candidates = []
    for grade in (1, 2):
        for i in range(30):
            candidates.append(Candidate(grade * 100 + i, grade, i < specials_per_grade))
    sample = draw_sample(candidates, 2 * quota, seed=9)
    for grade in (1, 2):
        picked = [c for c in sample if c.grade == grade]
        assert sum(c.special for c in picked) == min(specials_per_grade, quota)
    specials = [c.special for c in sample]
    assert specials == sorted(specials, reverse=True)  # the calls start with the special groups


@pytest.mark.parametrize("poverty,disability,left_behind,special", [
    (False, "无", False, False), (True, "无", False, True), (False, "听力", False, True),
    (False, None, True, True), (False, "", False, False),
])
def test_special_groups(poverty: bool, disability: str | None, left_behind: bool, special: bool) -> None:
    assert is_special(poverty, disability, left_behind) is special


@pytest.mark.parametrize("phone,masked", [("13812345893", "138****5893"), (" 15900001111 ", "159****1111"),
                                          (None, "—"), ("", "—"), ("12345", "****")])
def test_mask_phone(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_checklist_score_and_default_items() -> None:
    score = checklist_score(["pass", "pass", "fail", "na", None, None])
    assert (score.passed, score.failed, score.not_applicable, score.unanswered, score.total) == (2, 1, 1, 2, 6)
    assert score.percent == pytest.approx(200 / 3)
    assert checklist_score([None, "na"]).percent is None
    codes = [c for c, _zh, _en in DEFAULT_CHECKLIST]
    assert len(codes) == len(set(codes)) == 16
    assert any("双线" in zh for _c, zh, _en in DEFAULT_CHECKLIST)


def test_findings_from_file_review() -> None:
    items = [ItemResult(1, "领导小组", "pass"), ItemResult(2, "双线责任书", "fail", "未签到村"),
             ItemResult(3, "村规民约", "na"), ItemResult(4, "家访", None)]
    assert findings_from_file_review(T, items) == [
        FindingDraft("item:2", "file_review", "work_gap", "medium", T, subject="双线责任书", description="未签到村")]


HEAD_COUNTS = [
    # (roster, present, absences, expected (kind, count) list)
    (30, 30, (), []),
    (30, None, (), []),                                       # not counted: nothing to say
    (30, 28, (("事假", "在读"), ("病假", "在读")), []),        # everybody accounted for
    (30, 28, (("不明", "在读"), ("病假", "在读")), [("absence", None)]),
    (30, 27, (("病假", "在读"),), [("false_data", 2)]),        # two nobody can account for: 空挂学籍?
    (30, 29, (("辍学", "在读"),), [("suspected_dropout", None)]),
    (30, 29, (("转学", "在读"),), []),
    (30, 31, (), []),                                         # more present than on the roster
]


@pytest.mark.parametrize("roster,present,absences,expected", HEAD_COUNTS)
def test_findings_from_head_count(roster: int, present: int | None, absences: tuple, expected: list) -> None:
    cls = ClassCount(7, 3, "3年级1班", roster, present,
                     tuple(AbsentStudent(200 + i, 100 + i, f"学生{i}", r, st) for i, (r, st) in enumerate(absences)))
    found = findings_from_head_count(T, [cls])
    assert [(f.kind, f.count) for f in found] == expected
    for f in found:
        assert f.method == "head_count" and f.school_id == 3 and f.township_code == T
        if f.kind == "false_data":
            assert f.false_data_type == "ghost_enrolment" and f.severity == "high" and f.source_key == "unaccounted:7"


@pytest.mark.parametrize("outcome,status,kind", [
    ("attending", "在读", None), ("not_attending", "在读", "suspected_dropout"),
    ("not_attending", "休学", "suspected_dropout"), ("not_attending", "辍学", None),
    ("not_attending", "", "suspected_dropout"),  # the roster record is gone since: no better
    ("unreachable", "在读", None), ("wrong_number", "在读", None), ("no_number", "在读", None), (None, "在读", None),
])
def test_findings_from_phone_check(outcome: str | None, status: str, kind: str | None) -> None:
    found = findings_from_phone_check(T, [CallResult(77, 55, 3, "张三", status, outcome)])
    assert [f.kind for f in found] == ([kind] if kind else [])
    if kind:
        assert (found[0].roster_record_id, found[0].student_id, found[0].source_key) == (55, 77, "call:77")


def test_sync_keeps_severity_updates_and_removes() -> None:
    keep = FindingDraft("item:1", "file_review", "work_gap", "medium", T, subject="A", description="old")
    gone = FindingDraft("item:2", "file_review", "work_gap", "medium", T, subject="B")
    wanted = [FindingDraft("item:1", "file_review", "work_gap", "medium", T, subject="A", description="new"),
              FindingDraft("item:3", "file_review", "work_gap", "medium", T, subject="C")]
    plan = sync_findings(wanted, {"item:1": (10, FindingDraft(**{**keep.__dict__, "severity": "high"})),
                                  "item:2": (11, gone)})
    assert [d.source_key for d in plan.add] == ["item:3"]
    assert plan.update == ((10, FindingDraft(**{**wanted[0].__dict__, "severity": "high"})),)
    assert plan.remove == (11,)
    assert sync_findings(wanted[:1], {"item:1": (10, wanted[0])}) == sync_findings([], {}).__class__((), (), ())


def _weekdays(day: dt.date) -> bool:
    return day.weekday() < 5


@pytest.mark.parametrize("start,days,due", [
    (dt.date(2024, 9, 2), 0, dt.date(2024, 9, 2)),     # a Monday
    (dt.date(2024, 9, 2), 1, dt.date(2024, 9, 3)),
    (dt.date(2024, 9, 6), 1, dt.date(2024, 9, 9)),     # Friday + 1 → Monday
    (dt.date(2024, 9, 1), 15, dt.date(2024, 9, 20)),   # a Sunday start
])
def test_working_days_plain_weeks(start: dt.date, days: int, due: dt.date) -> None:
    assert add_working_days(start, days, _weekdays) == due


def test_working_days_skip_chinese_holidays() -> None:
    # National Day 2024: 1–7 October off, Sunday 29 Sept and Saturday 12 Oct are make-up working days
    assert add_working_days(dt.date(2024, 9, 27), 2) == dt.date(2024, 9, 30)
    assert add_working_days(dt.date(2024, 9, 30), 1) == dt.date(2024, 10, 8)
    assert add_working_days(dt.date(2024, 9, 28), 1) == dt.date(2024, 9, 29)


@pytest.mark.parametrize("drafts,signed,today,state", [
    (0, 1, dt.date(2024, 12, 1), "done"), (1, 1, dt.date(2024, 9, 5), "done"),
    (1, 0, dt.date(2024, 12, 1), "in_progress"), (0, 0, dt.date(2024, 9, 20), "due"),
    (0, 0, dt.date(2024, 9, 21), "overdue"),
])
def test_coverage_state(drafts: int, signed: int, today: dt.date, state: str) -> None:
    assert coverage_state(drafts, signed, dt.date(2024, 9, 20), today) == state


@pytest.mark.parametrize("first_signed,state", [
    (dt.date(2024, 9, 20), "done"), (dt.date(2024, 9, 21), "done_late"), (None, "done")])
def test_a_visit_after_the_due_date_is_marked_late(first_signed: dt.date | None, state: str) -> None:
    assert coverage_state(0, 1, dt.date(2024, 9, 20), dt.date(2024, 12, 1), first_signed) == state
