"""Compliance report: indicator values, target evaluations, tiers with history, and the ranking
of the units (areas of a level, or schools) for a term — pure, from counted inputs."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
import datetime as dt
from dataclasses import dataclass, field

from domain.dashboard.indicators import INDICATOR_BY_KEY, INDICATORS, Counts, IndicatorValue, indicator_values, overall_dropout_rate
from domain.dashboard.targets import DEFAULT_PRECISION, Evaluation, TargetBound, evaluate
from domain.dashboard.tiers import NO_TIER, RankRow, TierInput, TierResult, TierRules, assign_tier, rank

NOT_REPORTED = "not_reported"  # a period with no data for a unit that had data before (未报送, domain.md §5)


@dataclass(frozen=True)
class Policy:
    """The targets in force for an area (each with its warning margin) and the precision rates are published at."""

    name: str
    targets: Mapping[str, TargetBound]
    precision: int = DEFAULT_PRECISION
    id: int | None = None                 # the stored version (pages link to it)
    effective_from: str | None = None     # the term it took effect from (None: from the first term)


@dataclass(frozen=True)
class UnitExtras:
    """Inputs to the tiers that come from inspection and rectification, per unit and term."""

    overdue_rectifications: int = 0
    false_data_findings: int = 0
    missed_reports: int = 0       # reporting duties missed or sent late in the period (未报送, issue 18.2)


@dataclass(frozen=True)
class UnitReport:
    """One unit's figures for the report's term, with its tier history (oldest first)."""

    code: str
    name: str
    counts: Counts
    values: Mapping[str, IndicatorValue]
    evaluations: Mapping[str, Evaluation]
    tier: TierResult
    history: Sequence[tuple[str, int | None]]  # (term, tier) for earlier terms, None where no data or no tier
    dropout_rate: float | None
    rank: int = 0
    last_place: bool = False
    not_reported: bool = False            # 未报送: no data this period though it had data before
    unreported: Sequence[str] = ()        # the earlier terms flagged 未报送

    @property
    def has_data(self) -> bool:
        """False when the unit has no roster figures in the report's term."""
        return _has_data(self.counts, self.values)

    @property
    def graded(self) -> bool:
        """True when the unit has a tier (it has data and a target policy is in force)."""
        return self.tier.tier is not None

    @property
    def missed(self) -> list[Evaluation]:
        """The evaluations that fail their target."""
        return [e for e in self.evaluations.values() if e.status == "fail"]


@dataclass(frozen=True)
class PublicationNote:
    """A report read from a published period (issue 18.3): when and by whom, and which of its units' live
    figures have changed since (later imports are shown as changes, never applied to the published result)."""

    publication_id: int
    area_code: str
    published_at: dt.datetime      # local time of the counties
    published_by: str
    changed_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """All units of a level under a parent for one term, ranked, with the policy in force."""

    term: str
    level: str
    policy: Policy | None
    units: Sequence[UnitReport]
    tier_counts: Mapping[int, int] = field(default_factory=dict)
    publication: PublicationNote | None = None   # set when the term is read from a published period


def _has_data(counts: Counts, values: Mapping[str, IndicatorValue]) -> bool:
    return counts.has_roster and any(v.has_data for v in values.values())


def evaluate_all(values: Mapping[str, IndicatorValue], policy: Policy | None) -> dict[str, Evaluation]:
    """Every indicator judged against the policy at its published precision (no target: "no_target")."""
    precision = policy.precision if policy else DEFAULT_PRECISION
    return {k: evaluate(k, v.value, policy.targets.get(k) if policy else None, precision,
                        INDICATOR_BY_KEY[k].is_rate) for k, v in values.items()}


def _tier(counts: Counts, has_data: bool, evaluations: Mapping[str, Evaluation], extras: UnitExtras,
          previous: list[int], policy: Policy | None, rules: TierRules) -> TierResult:
    """The unit's tier; none without data or without a policy in force (never 达标 by default)."""
    if policy is None or not has_data:
        return NO_TIER
    return assign_tier(TierInput(list(evaluations.values()), counts.special_group_dropouts,
                                 extras.overdue_rectifications, extras.false_data_findings, previous,
                                 policy.precision, extras.missed_reports), rules)


def build_report(term: str, level: str, terms: Sequence[str], counts: Mapping[str, Mapping[str, Counts]],
                 names: Mapping[str, str], policy: Policy | None,
                 extras: Mapping[tuple[str, str], UnitExtras] | None = None,
                 rules: TierRules = TierRules(),
                 unit_policies: Mapping[str, Policy | None] | None = None,
                 history_policies: Mapping[str, Policy | None] | None = None) -> Report:
    """Compute the report for `term`; `terms` (oldest first, ending with `term`) feed the tier history.

    `policy` is the parent's; `unit_policies` gives a unit its own where it has one (a county under a prefecture
    with no policy of its own). `history_policies` gives the parent's policy in force in each earlier term (each
    period is judged by the policy in force then, domain.md §4; default: `policy`). `counts[term][code]` holds each unit's inputs. A unit with no data in a term after it had data is flagged
    未报送 there, and that period neither counts in nor breaks a run of notified periods (domain.md §5).
    """
    extras = extras or {}
    current = counts.get(term, {})
    units: list[UnitReport] = []
    parent_policy = policy
    for code in sorted(set(names) | set(current)):
        policy = (unit_policies or {}).get(code, parent_policy)
        previous: list[int] = []  # tiers of the reported periods, most recent first
        history: list[tuple[str, int | None]] = []
        unreported: list[str] = []
        seen_data = False
        for t in terms[:-1]:
            c = counts.get(t, {}).get(code)
            values = indicator_values(c) if c is not None else None
            if c is None or not _has_data(c, values):
                if seen_data:
                    unreported.append(t)  # 未报送: flagged, and the run of failing periods goes on past it
                history.append((t, None))
                continue
            seen_data = True
            then = policy if history_policies is None or code in (unit_policies or {}) \
                else history_policies.get(t)
            ev = evaluate_all(values, then)
            tier_t = _tier(c, True, ev, extras.get((t, code), UnitExtras()), previous, then, rules).tier
            if tier_t is not None:
                previous.insert(0, tier_t)
            history.append((t, tier_t))
        c = current.get(code, Counts(has_roster=False))
        values = indicator_values(c)
        evaluations = evaluate_all(values, policy)
        has_data = _has_data(c, values)
        tier = _tier(c, has_data, evaluations, extras.get((term, code), UnitExtras()), previous, policy, rules)
        units.append(UnitReport(code, names.get(code, code), c, values, evaluations, tier, history,
                                overall_dropout_rate(c), not_reported=seen_data and not has_data,
                                unreported=tuple(unreported)))
    ranked = {r.code: r for r in rank([RankRow(u.code, u.name, u.tier.tier, u.tier.missed_targets, u.dropout_rate,
                                               has_data=u.has_data) for u in units])}
    order = {code: i for i, code in enumerate(ranked)}
    ordered = sorted(units, key=lambda u: order[u.code])
    final = [UnitReport(**{**u.__dict__, "rank": ranked[u.code].rank, "last_place": ranked[u.code].last_place})
             for u in ordered]
    tier_counts = {t: sum(1 for u in final if u.tier.tier == t) for t in range(5)}  # graded units only
    return Report(term, level, parent_policy, final, tier_counts)


def indicator_keys() -> list[str]:
    """The indicator keys in display order."""
    return [i.key for i in INDICATORS]
