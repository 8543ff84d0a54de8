"""Each risk factor, table-driven: just below, exactly at the threshold, and missing data; the back-test on a
hand-made history with recall and precision computed by hand."""
from __future__ import annotations

import pytest

from domain.warning.backtest import curve, measure
from domain.warning.factors import FACTOR_CODES, PupilFacts, Settings, parse_hits, score, settings_with


def fired(facts: PupilFacts, settings: Settings | None = None) -> dict[str, int]:
    return {h.code: h.value for h in score(facts, settings).hits}


@pytest.mark.parametrize(("facts", "code", "value"), [
    (PupilFacts(grade=3, age=9), "overage", None),             # 1 year over: below threshold 2
    (PupilFacts(grade=3, age=10), "overage", 2),               # exactly 2 years over grade 3's normal age 8
    (PupilFacts(grade=1, age=9), "overage", 3),
    (PupilFacts(grade=3, age=None), "overage", None),          # age missing
    (PupilFacts(grade=None, age=14), "overage", None),         # grade missing
    (PupilFacts(repeats=0), "repeated", None),
    (PupilFacts(repeats=1), "repeated", 1),
    (PupilFacts(past_dropout=True), "returned", 1),
    (PupilFacts(past_dropout=False), "returned", None),
    (PupilFacts(past_suspension=True), "suspended", 1),
    (PupilFacts(absence_days=2), "absence", None),
    (PupilFacts(absence_days=3), "absence", 3),
    (PupilFacts(inspection_absences=0), "inspection_absence", None),
    (PupilFacts(inspection_absences=1), "inspection_absence", 1),
    (PupilFacts(grade=6, semester=2), "transition", 1),
    (PupilFacts(grade=7, semester=1), "transition", 1),
    (PupilFacts(grade=8, semester=2), "transition", 1),
    (PupilFacts(grade=7, semester=2), "transition", None),
    (PupilFacts(grade=6, semester=None), "transition", None),
    (PupilFacts(poverty=True), "poverty", 1),
    (PupilFacts(poverty=None), "poverty", None),
    (PupilFacts(left_behind=True, left_behind_kind="双亲"), "left_behind_two", 1),
    (PupilFacts(left_behind=True, left_behind_kind="单亲"), "left_behind_one", 1),
    (PupilFacts(left_behind=True, left_behind_kind=None), "left_behind_one", 1),  # kind unknown: counted as one
    (PupilFacts(left_behind=None, left_behind_kind=None), "left_behind_one", None),
    (PupilFacts(left_behind=True, left_behind_kind="单亲"), "left_behind_two", None),
    (PupilFacts(migrant=True), "migrant", 1),
    (PupilFacts(orphan=True), "orphan", 1),
    (PupilFacts(orphan=None), "orphan", None),
    (PupilFacts(disability="智力"), "disability", 1),
    (PupilFacts(disability="无"), "disability", None),
    (PupilFacts(boarding=True), "boarding", 1),
    (PupilFacts(boarding=None), "boarding", None),
    (PupilFacts(transfers=1), "churn", None),
    (PupilFacts(transfers=2), "churn", 2),
])
def test_each_factor(facts: PupilFacts, code: str, value: int | None) -> None:
    assert fired(facts).get(code) == value


def test_no_facts_no_score() -> None:
    assert score(PupilFacts()).total == 0


def test_weights_add_up_and_heaviest_first() -> None:
    s = score(PupilFacts(grade=3, age=10, absence_days=7, left_behind=True, left_behind_kind="双亲"))
    assert s.total == 3 + 3 + 2
    assert [h.code for h in s.hits] == ["overage", "absence", "left_behind_two"]
    assert parse_hits(s.codes)[0].value == 2


def test_county_settings_change_weight_and_threshold() -> None:
    strict = settings_with({"overage": (5, 1), "boarding": (0, 1)}, list_threshold=3)
    s = score(PupilFacts(grade=3, age=9, boarding=True), strict)
    assert (s.total, [h.code for h in s.hits]) == (5, ["overage"])  # boarding switched off
    assert strict.list_threshold == 3
    assert set(strict.factors) == set(FACTOR_CODES)


def test_backtest_by_hand() -> None:
    # term A: pupils 1-10; scores 9,8,6,5,4,2,1,0,0,0; pupils 1, 3 and 9 dropped out by term B.
    term_a = {1: 9, 2: 8, 3: 6, 4: 5, 5: 4, 6: 2, 7: 1, 8: 0, 9: 0, 10: 0}
    # term B: pupils 1-5 (scores 7,0,0,5,0); pupil 4 dropped out; pupil 99 dropped out but was not scored.
    term_b = {1: 7, 2: 0, 3: 0, 4: 5, 5: 0}
    m = measure(term_a, {1, 3, 9}, 5)
    assert (m.listed, m.dropouts, m.caught) == (4, 3, 2)
    assert m.recall == pytest.approx(2 / 3) and m.precision == pytest.approx(2 / 4)
    assert m.list_share == pytest.approx(4 / 10)
    at5, at10 = curve([(term_a, {1, 3, 9}), (term_b, {4, 99})], [5, 10])
    # pooled at 5: listed 4 + 2 = 6, dropouts 3 + 1 = 4, caught 2 + 1 = 3
    assert (at5.recall, at5.precision, at5.list_share) == (pytest.approx(3 / 4), pytest.approx(3 / 6),
                                                           pytest.approx(6 / 15))
    assert at10.listed == 0 and at10.precision is None and at10.recall == 0
