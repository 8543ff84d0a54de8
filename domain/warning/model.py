"""A statistical model of dropping out trained on a county's own history (issue 20 item 5): logistic regression
(scikit-learn) on the measured values of the rule factors (domain/warning/factors.py), compared with the
rule-based score in the same back-test on held-out terms, at the same list size. Per-pupil explanations are
coefficient × value for each factor, in the factors' own words. Pure: no database."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # scikit-learn takes ~1.5 s to import: only when a model is trained, not at every start-up
    from sklearn.linear_model import LogisticRegression

from domain.warning.backtest import Measure
from domain.warning.factors import FACTOR_CODES, FACTORS, PupilFacts

CAP = 30  # a measured value above this counts as this (absence days, transfers)


def features(facts: PupilFacts) -> list[float]:
    """The measured value of each factor (missing: 0, negative overage: 0), in FACTORS order."""
    out = []
    for factor in FACTORS:
        v = factor.measure(facts)
        out.append(float(min(max(v or 0, 0), CAP)))
    return out


@dataclass(frozen=True)
class Contribution:
    """One factor's share of a pupil's model score: the factor, the measured value and coefficient × value."""

    code: str
    value: int
    weight: float


EXPLAINED = 3  # contributions stored and shown per pupil (the largest)


@dataclass(frozen=True)
class Weights:
    """A trained model as numbers: the intercept and one coefficient per factor (FACTORS order). Stored per county
    (data_access/warning/model.py), so scoring a school needs neither scikit-learn nor the history."""

    intercept: float
    coefficients: tuple[float, ...]

    def probability(self, facts: PupilFacts) -> float:
        """The pupil's modelled chance of dropping out by the next term."""
        return self.assess(facts, 0)[0]

    def explain(self, facts: PupilFacts, top: int = 5) -> tuple[Contribution, ...]:
        """The factors that raised the pupil's model score (coefficient × value > 0), largest first."""
        return self.assess(facts, top)[1]

    def assess(self, facts: PupilFacts, top: int = 5) -> tuple[float, tuple[Contribution, ...]]:
        """The chance and the `top` largest contributions at once (the factors measured once)."""
        values = features(facts)
        z = self.intercept + sum(c * v for c, v in zip(self.coefficients, values))
        chance = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
        if top <= 0:
            return chance, ()
        parts = [Contribution(f.code, int(v), float(c * v)) for f, v, c in zip(FACTORS, values, self.coefficients)
                 if c * v > 0]
        parts.sort(key=lambda c: (-c.weight, FACTOR_CODES.index(c.code)))
        return chance, tuple(parts[:top])

    def to_text(self) -> str:
        """`intercept;code:coefficient,…` (stored)."""
        return f"{self.intercept!r};" + ",".join(f"{f.code}:{c!r}" for f, c in zip(FACTORS, self.coefficients))

    @staticmethod
    def from_text(text: str) -> Weights:
        """Back from `to_text` (factors missing from the text: 0)."""
        head, _, body = text.partition(";")
        coef = dict((k, float(v)) for k, _, v in (p.partition(":") for p in body.split(",") if p))
        return Weights(float(head), tuple(coef.get(f.code, 0.0) for f in FACTORS))


def contributions_code(parts: Sequence[Contribution]) -> str:
    """Contributions as stored with a score: `code:value:weight,…` (weight to 3 decimals)."""
    return ",".join(f"{c.code}:{c.value}:{c.weight:.3f}" for c in parts)


def parse_contributions(text: str | None) -> tuple[Contribution, ...]:
    """Stored contributions back (unknown codes are skipped)."""
    out = []
    for part in (text or "").split(","):
        code, value, weight = (part.split(":") + ["", ""])[:3]
        if code in FACTOR_CODES:
            out.append(Contribution(code, int(value or 0), float(weight or 0)))
    return tuple(out)


@dataclass(frozen=True)
class Model:
    """A trained logistic regression over the factor values."""

    fitted: LogisticRegression
    prior_shift: float = 0.0   # log(dropouts / others) of the training rows: undoes the balanced class weights

    @property
    def weights(self) -> Weights:
        """The intercept and coefficients, to store and to score with. Trained with balanced class weights (as if
        half the pupils dropped out), the intercept is shifted back by the training rows' real odds (the prior
        correction for weighted classes), so the stored chance is near the county's real rate; the ranking and
        the contributions are the same either way."""
        return Weights(float(self.fitted.intercept_[0]) + self.prior_shift,
                       tuple(float(c) for c in self.fitted.coef_[0]))

    def probabilities(self, facts: Sequence[PupilFacts]) -> list[float]:
        """Each pupil's modelled chance of dropping out by the next term."""
        if not facts:
            return []
        import numpy as np  # only where a model scores: the CLI's other commands start without numpy
        return [float(p) for p in self.fitted.predict_proba(np.array([features(f) for f in facts]))[:, 1]]

    def explain(self, facts: PupilFacts, top: int = 5) -> tuple[Contribution, ...]:
        """The factors that raised the pupil's model score (coefficient × value > 0), largest first."""
        return self.weights.explain(facts, top)


def train(rows: Sequence[tuple[PupilFacts, bool]]) -> Model | None:
    """Logistic regression on (facts as of a term, dropped out by the next term); None without both outcomes."""
    import numpy as np
    y = np.array([int(d) for _, d in rows])
    if len(rows) < 2 or y.min() == y.max():
        return None
    from sklearn.linear_model import LogisticRegression
    x = np.array([features(f) for f, _ in rows])
    fitted = LogisticRegression(max_iter=1000, C=1.0, class_weight="balanced")
    fitted.fit(x, y)
    dropped = int(y.sum())
    return Model(fitted, math.log(dropped / (len(y) - dropped)))


@dataclass(frozen=True)
class HeldOutTerm:
    """A term of the county's history: its pupils' facts and rule scores, and who had dropped out by the next."""

    term: str
    facts: Mapping[int, PupilFacts]
    scores: Mapping[int, int]
    dropped: frozenset[int]


@dataclass(frozen=True)
class Point:
    """Rule and model at the same list size (the rule's list at `threshold`, the model's top pupils as many)."""

    threshold: int
    rule: Measure
    model: Measure


@dataclass(frozen=True)
class Comparison:
    """Rule against model on the held-out terms: at the county threshold, as a curve, and which is better."""

    trained_on: tuple[str, ...]
    held_out: tuple[str, ...]
    at_threshold: Point | None
    curve: tuple[Point, ...]
    model_better: bool
    model: Model | None


def _pooled_point(terms: Sequence[HeldOutTerm], probs: Sequence[Mapping[int, float]], threshold: int) -> Point:
    rp = rl = rd = rc = mc = 0
    for t, pr in zip(terms, probs):
        gone = t.dropped & set(t.scores)
        listed = {p for p, s in t.scores.items() if s >= threshold}
        top = set(sorted(pr, key=lambda p: (-pr[p], p))[:len(listed)])
        rp += len(t.scores)
        rl += len(listed)
        rd += len(gone)
        rc += len(listed & gone)
        mc += len(top & gone)
    return Point(threshold, Measure(threshold, rp, rl, rd, rc), Measure(threshold, rp, rl, rd, mc))


def compare(history: Sequence[HeldOutTerm], threshold: int, thresholds: Sequence[int],
            held_out: int | None = None) -> Comparison:
    """Train on the earlier terms and compare on the last `held_out` terms (default: a third, at least one) at
    the same list size as the rule's. The model is better only if it catches more dropouts at the county's
    threshold on the held-out terms (so both recall and precision are higher) and no fewer summed over the
    curve; a model that cannot be trained is never better."""
    n = len(history)
    k = held_out if held_out is not None else max(1, n // 3)
    train_terms, test_terms = list(history[:max(0, n - k)]), list(history[max(0, n - k):])
    rows = [(t.facts[p], p in t.dropped) for t in train_terms for p in t.scores]
    model = train(rows) if train_terms and test_terms else None
    names = (tuple(t.term for t in train_terms), tuple(t.term for t in test_terms))
    if model is None:
        return Comparison(*names, None, (), False, None)
    probs = []
    for t in test_terms:
        ids = list(t.scores)
        probs.append(dict(zip(ids, model.probabilities([t.facts[p] for p in ids]))))
    at = _pooled_point(test_terms, probs, threshold)
    points = tuple(_pooled_point(test_terms, probs, th) for th in sorted(set(thresholds) | {threshold}))
    better = (at.rule.dropouts > 0 and at.model.caught > at.rule.caught
              and sum(p.model.caught for p in points) >= sum(p.rule.caught for p in points))
    return Comparison(*names, at, points, better, model)
