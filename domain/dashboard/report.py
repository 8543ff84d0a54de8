"""Compliance report: indicator values, target evaluations, tiers with history, and the ranking
of the units (areas of a level, or schools) for a term — pure, from counted inputs."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from domain.dashboard.indicators import INDICATOR_BY_KEY, INDICATORS, Counts, IndicatorValue, indicator_values, overall_dropout_rate
from domain.dashboard.targets import Evaluation, TargetBound, evaluate
from domain.dashboard.tiers import RankRow, TierInput, TierResult, TierRules, assign_tier, rank


@dataclass(frozen=True)
class Policy:
    """The targets in force for an area, with its warning margin."""

    name: str
    targets: Mapping[str, TargetBound]
    warning_margin: float = 0.5


@dataclass(frozen=True)
class UnitExtras:
    """Inputs to the tiers that come from inspection and rectification, per unit and term."""

    overdue_rectifications: int = 0
    false_data_findings: int = 0


@dataclass(frozen=True)
class UnitReport:
    """One unit's figures for the report's term, with its tier history (oldest first)."""

    code: str
    name: str
    counts: Counts
    values: Mapping[str, IndicatorValue]
    evaluations: Mapping[str, Evaluation]
    tier: TierResult
    history: Sequence[tuple[str, int | None]]  # (term, tier) for earlier terms, None where no data
    dropout_rate: float | None
    rank: int = 0
    last_place: bool = False

    @property
    def has_data(self) -> bool:
        """False when the unit has no roster figures in the report's term."""
        return self.counts.has_roster and any(v.has_data for v in self.values.values())

    @property
    def missed(self) -> list[Evaluation]:
        """The evaluations that fail their target."""
        return [e for e in self.evaluations.values() if e.status == "fail"]


@dataclass(frozen=True)
class Report:
    """All units of a level under a parent for one term, ranked, with the policy in force."""

    term: str
    level: str
    policy: Policy | None
    units: Sequence[UnitReport]
    tier_counts: Mapping[int, int] = field(default_factory=dict)


def evaluate_all(values: Mapping[str, IndicatorValue], policy: Policy | None) -> dict[str, Evaluation]:
    """Every indicator judged against the policy (no target: "no_target")."""
    margin = policy.warning_margin if policy else 0.0
    return {k: evaluate(k, v.value, policy.targets.get(k) if policy else None, margin,
                        INDICATOR_BY_KEY[k].is_rate) for k, v in values.items()}


def _tier(counts: Counts, evaluations: Mapping[str, Evaluation], extras: UnitExtras, previous: list[int],
          rules: TierRules) -> TierResult:
    return assign_tier(TierInput(list(evaluations.values()), counts.special_group_dropouts,
                                 extras.overdue_rectifications, extras.false_data_findings, previous), rules)


def build_report(term: str, level: str, terms: Sequence[str], counts: Mapping[str, Mapping[str, Counts]],
                 names: Mapping[str, str], policy: Policy | None,
                 extras: Mapping[tuple[str, str], UnitExtras] | None = None,
                 rules: TierRules = TierRules()) -> Report:
    """Compute the report for `term`; `terms` (oldest first, ending with `term`) feed the tier history.

    `counts[term][code]` holds each unit's inputs; a unit missing in a term has no data there and
    breaks the chain of consecutive notified periods.
    """
    extras = extras or {}
    current = counts.get(term, {})
    units: list[UnitReport] = []
    for code in sorted(set(names) | set(current)):
        previous: list[int] = []  # most recent first
        history: list[tuple[str, int | None]] = []
        for t in terms[:-1]:
            c = counts.get(t, {}).get(code)
            if c is None:
                previous.insert(0, 0)
                history.append((t, None))
                continue
            ev = evaluate_all(indicator_values(c), policy)
            tier_t = _tier(c, ev, extras.get((t, code), UnitExtras()), previous, rules).tier
            previous.insert(0, tier_t)
            history.append((t, tier_t))
        c = current.get(code, Counts(has_roster=False))
        values = indicator_values(c)
        evaluations = evaluate_all(values, policy)
        tier = _tier(c, evaluations, extras.get((term, code), UnitExtras()), previous, rules)
        units.append(UnitReport(code, names.get(code, code), c, values, evaluations, tier, history,
                                overall_dropout_rate(c)))
    ranked = {r.code: r for r in rank([RankRow(u.code, u.name, u.tier.tier, u.tier.missed_targets, u.dropout_rate,
                                               has_data=u.has_data) for u in units])}
    order = {code: i for i, code in enumerate(ranked)}
    ordered = sorted(units, key=lambda u: order[u.code])
    final = [UnitReport(**{**u.__dict__, "rank": ranked[u.code].rank, "last_place": ranked[u.code].last_place})
             for u in ordered]
    tier_counts = {t: sum(1 for u in final if u.tier.tier == t) for t in range(5)}
    return Report(term, level, policy, final, tier_counts)


def indicator_keys() -> list[str]:
    """The indicator keys in display order."""
    return [i.key for i in INDICATORS]
