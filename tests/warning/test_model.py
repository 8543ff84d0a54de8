"""The statistical model against the rule on hand-made histories where the right answer is known: it wins when
dropping out follows a factor the rule under-weights, it is never better when it does worse, and every listed
pupil has an explanation in factor codes."""
from __future__ import annotations

from domain.warning.factors import PupilFacts, score
from domain.warning.model import HeldOutTerm, compare

RULE_RISK = PupilFacts(grade=4, age=12, semester=1, poverty=True, boarding=False)   # overage 3 + poverty = 5
BOARDER = PupilFacts(grade=4, age=9, semester=1, poverty=False, boarding=True)       # boarding only = 1
PLAIN = PupilFacts(grade=4, age=9, semester=1, poverty=False, boarding=False)        # 0


def _term(name: str, start: int, drop_boarders: bool, drop_rule: bool) -> HeldOutTerm:
    """20 rule-risk pupils, 20 boarders, 60 plain; who drops out is set per term."""
    facts, dropped = {}, set()
    for i in range(100):
        pid = start + i
        f = RULE_RISK if i < 20 else BOARDER if i < 40 else PLAIN
        facts[pid] = f
        if (drop_rule and i < 15) or (drop_boarders and 20 <= i < 35) or i == 99:
            dropped.add(pid)
    return HeldOutTerm(name, facts, {p: score(f).total for p, f in facts.items()}, frozenset(dropped))


def test_model_wins_when_dropping_out_follows_what_the_rule_underweights() -> None:
    history = [_term(f"202{k}-1", 1000 * k, drop_boarders=True, drop_rule=False) for k in range(4)]
    cmp = compare(history, threshold=5, thresholds=[1, 3, 5], held_out=1)
    assert cmp.trained_on == ("2020-1", "2021-1", "2022-1") and cmp.held_out == ("2023-1",)
    at = cmp.at_threshold
    # the rule lists the 20 rule-risk pupils, none of whom drops out: 0 of 16 caught
    assert (at.rule.listed, at.rule.dropouts, at.rule.caught) == (20, 16, 0)
    # the model's 20 top pupils are boarders: 15 of 16 caught at the same list size
    assert at.model.caught == 15 and at.model.recall > at.rule.recall and at.model.precision > at.rule.precision
    assert cmp.model_better
    boarder = history[3].facts[3020]
    why = cmp.model.explain(boarder)
    assert why and why[0].code == "boarding" and why[0].value == 1 and why[0].weight > 0


def test_model_is_not_better_when_it_does_worse_on_held_out_terms() -> None:
    # trained where boarders drop out, held out where the rule's pupils do: the model does worse
    history = [_term(f"202{k}-1", 1000 * k, drop_boarders=True, drop_rule=False) for k in range(3)]
    history.append(_term("2023-1", 3000, drop_boarders=False, drop_rule=True))
    cmp = compare(history, threshold=5, thresholds=[1, 3, 5], held_out=1)
    assert cmp.at_threshold.rule.caught == 15 and cmp.at_threshold.model.caught < 15
    assert not cmp.model_better


def test_model_is_not_better_when_it_only_ties() -> None:
    history = [_term(f"202{k}-1", 1000 * k, drop_boarders=False, drop_rule=True) for k in range(4)]
    cmp = compare(history, threshold=5, thresholds=[5], held_out=1)
    assert cmp.at_threshold.model.caught == cmp.at_threshold.rule.caught == 15
    assert not cmp.model_better


def test_no_model_without_history_or_without_dropouts() -> None:
    one = [_term("2023-1", 0, drop_boarders=True, drop_rule=False)]
    assert not compare(one, 5, [5]).model_better and compare(one, 5, [5]).model is None
    quiet = [HeldOutTerm(f"202{k}-1", {1: PLAIN, 2: BOARDER}, {1: 0, 2: 1}, frozenset()) for k in range(3)]
    cmp = compare(quiet, 5, [5])
    assert cmp.model is None and not cmp.model_better and cmp.at_threshold is None


def test_every_listed_pupil_is_explained() -> None:
    history = [_term(f"202{k}-1", 1000 * k, drop_boarders=True, drop_rule=True) for k in range(4)]
    cmp = compare(history, threshold=5, thresholds=[5], held_out=1)
    held = history[-1]
    probs = dict(zip(held.facts, cmp.model.probabilities(list(held.facts.values()))))
    top = sorted(probs, key=lambda p: -probs[p])[:40]
    for pid in top:
        why = cmp.model.explain(held.facts[pid])
        assert why, pid
        assert all(c.weight > 0 for c in why)


def test_stored_chance_is_near_the_real_rate_and_ranks_as_the_model() -> None:
    # balanced class weights inflate the fitted chances; the stored weights shift them back to the real odds
    history = [_term(f"202{k}-1", 1000 * k, drop_boarders=True, drop_rule=False) for k in range(4)]
    cmp = compare(history, threshold=5, thresholds=[5], held_out=1)
    held = history[-1]
    fitted = dict(zip(held.facts, cmp.model.probabilities(list(held.facts.values()))))
    stored = {p: cmp.model.weights.probability(f) for p, f in held.facts.items()}
    assert sorted(fitted, key=lambda p: (-fitted[p], p)) == sorted(stored, key=lambda p: (-stored[p], p))
    trained = [p for t in history[:3] for p in t.facts]
    rate = sum(len(t.dropped) for t in history[:3]) / len(trained)      # 16 of 100 per term
    mean = sum(cmp.model.weights.probability(f) for t in history[:3] for f in t.facts.values()) / len(trained)
    assert abs(mean - rate) < 0.03 and sum(fitted.values()) / len(fitted) > rate + 0.05
    boarder = held.facts[3020]
    assert 0.6 < cmp.model.weights.probability(boarder) < 0.85                        # 15 of 20 boarders leave
    assert cmp.model.weights.to_text() and cmp.model.weights == type(cmp.model.weights).from_text(
        cmp.model.weights.to_text())
