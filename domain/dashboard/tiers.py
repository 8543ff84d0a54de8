"""Notification tiers (通报分级) with their reasons, and rankings (domain.md §5)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.dashboard.targets import FAIL, WARNING, Evaluation

TIER_KEYS = ("compliant", "warning", "notified", "admonition", "accountability")
TIER_NAMES_ZH = ("达标", "预警", "通报", "约谈", "问责")
TIER_NAMES_EN = ("Compliant", "Warning", "Notified", "Admonition", "Accountability")


@dataclass(frozen=True)
class Reason:
    """Why a tier applies: a kind and its facts (formatted and translated where it is shown)."""

    kind: str  # missed | margin | overdue | unreported_duty | special_group | consecutive | false_data | still_failing_after_3
    tier: int
    indicator: str | None = None
    value: float | None = None
    op: str | None = None
    bound: float | None = None
    count: int | None = None
    precision: int = 2  # decimals the value was published and judged at


@dataclass(frozen=True)
class TierRules:
    """The configurable parts of the tier rules."""

    consecutive_periods_for_admonition: int = 2


@dataclass(frozen=True)
class TierInput:
    """What one area brings to its tier for one period."""

    evaluations: Sequence[Evaluation]
    special_group_dropouts: int = 0
    overdue_rectifications: int = 0
    false_data_findings: int = 0
    previous_tiers: Sequence[int] = field(default_factory=tuple)  # reported periods, most recent first
    precision: int = 2
    missed_reports: int = 0  # reporting duties missed or late in the period (未报送, issue 18.2)


@dataclass(frozen=True)
class TierResult:
    """The tier and every reason that applies (highest tier first)."""

    tier: int | None  # None: no tier given (no data, or no target policy in force)
    reasons: tuple[Reason, ...]

    @property
    def missed_targets(self) -> int:
        """How many targets are missed this period."""
        return sum(1 for r in self.reasons if r.kind == "missed")


NO_TIER = TierResult(None, ())


def _ev_reason(kind: str, tier: int, ev: Evaluation, precision: int) -> Reason:
    return Reason(kind, tier, ev.indicator, ev.value, ev.target.op if ev.target else None,
                  ev.target.bound if ev.target else None, precision=precision)


def failing_run(previous: Sequence[int]) -> int:
    """How many of the most recent reported periods in a row were notified or worse (tier ≥ 2)."""
    run = 0
    for t in previous:
        if t < 2:
            break
        run += 1
    return run


def assign_tier(data: TierInput, rules: TierRules = TierRules()) -> TierResult:
    """The highest tier whose rule applies (0 达标 … 4 问责), with all the reasons found."""
    reasons: list[Reason] = []
    missed = [e for e in data.evaluations if e.status == FAIL]
    reasons += [_ev_reason("missed", 2, e, data.precision) for e in missed]
    if data.special_group_dropouts > 0 and not any(e.indicator == "special_group_dropouts" for e in missed):
        reasons.append(Reason("special_group", 2, count=data.special_group_dropouts))
    reasons += [_ev_reason("margin", 1, e, data.precision) for e in data.evaluations if e.status == WARNING]
    if data.overdue_rectifications:
        reasons.append(Reason("overdue", 1, count=data.overdue_rectifications))
    if data.missed_reports:
        reasons.append(Reason("unreported_duty", 1, count=data.missed_reports))
    base = max((r.tier for r in reasons), default=0)
    tier = base
    previous = list(data.previous_tiers)
    run = failing_run(previous) + 1
    if base >= 2 and run >= rules.consecutive_periods_for_admonition:
        reasons.append(Reason("consecutive", 3, count=run))  # the actual run length, this period included
        tier = 3
    if data.false_data_findings:
        reasons.append(Reason("false_data", 3, count=data.false_data_findings))
        tier = max(tier, 3)
    if previous and previous[0] >= 3 and missed:
        reasons.append(Reason("still_failing_after_3", 4, count=len(missed)))
        tier = 4
    reasons.sort(key=lambda r: -r.tier)
    return TierResult(tier, tuple(reasons))


@dataclass(frozen=True)
class RankRow:
    """One area's place in a ranking."""

    code: str
    name: str
    tier: int | None
    missed_targets: int
    dropout_rate: float | None
    rank: int = 0
    last_place: bool = False
    has_data: bool = True


def rank(rows: Sequence[RankRow]) -> list[RankRow]:
    """Order by tier, then missed targets, then dropout rate, best first; units without data after all
    the others and unranked (rank 0); flag the last ranked unit when there are two or more."""
    ordered = sorted(rows, key=lambda r: (not r.has_data, r.tier if r.tier is not None else 0, r.missed_targets,
                                          r.dropout_rate if r.dropout_rate is not None else float("inf"), r.code))
    ranked = [r for r in ordered if r.has_data]
    out = [RankRow(r.code, r.name, r.tier, r.missed_targets, r.dropout_rate, i + 1,
                   len(ranked) > 1 and i == len(ranked) - 1)  # a lone unit is not "last place"
           for i, r in enumerate(ranked)]
    return out + [RankRow(r.code, r.name, r.tier, r.missed_targets, r.dropout_rate, 0, False, False)
                  for r in ordered if not r.has_data]
