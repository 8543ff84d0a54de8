"""Target policies and the presets taken from the seed documents (domain.md §4)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from domain.dashboard.indicators import INDICATOR_BY_KEY

DEFAULT_PRECISION = 2  # decimals a rate is published (and judged) at, unless the policy sets another


def default_margin(indicator: str) -> float:
    """The warning margin of domain.md §4 when the policy sets none: 0.2 points for dropout rates, 0.5 for the
    other rates, none for counts."""
    if not INDICATOR_BY_KEY[indicator].is_rate:
        return 0.0
    return 0.2 if indicator.endswith("dropout_rate") else 0.5


@dataclass(frozen=True)
class TargetBound:
    """One bound: `>=` for rates that must be high, `<=` for dropout rates, `==` for counts; with its warning
    margin (percentage points, or with `relative` a percentage of the bound; None: the indicator's default)."""

    indicator: str
    op: str
    bound: float
    margin: float | None = None
    relative: bool = False

    def __post_init__(self) -> None:
        if self.indicator not in INDICATOR_BY_KEY:
            raise ValueError(f"unknown indicator {self.indicator!r}")
        if self.op not in (">=", "<=", "=="):
            raise ValueError(f"unknown operator {self.op!r}")
        if self.margin is not None and self.margin < 0:
            raise ValueError("a warning margin cannot be negative")

    @property
    def margin_points(self) -> float:
        """The warning margin in percentage points (a relative margin applied to the bound)."""
        margin = default_margin(self.indicator) if self.margin is None else self.margin
        return abs(self.bound) * margin / 100.0 if self.relative else margin


@dataclass(frozen=True)
class PolicyPreset:
    """A named preset policy with its source document."""

    name: str
    source: str
    targets: tuple[TargetBound, ...]
    precision: int = DEFAULT_PRECISION


def _t(indicator: str, op: str, bound: float) -> TargetBound:
    return TargetBound(indicator, op, bound, default_margin(indicator))


PRESETS: tuple[PolicyPreset, ...] = (
    PolicyPreset("勐海县 2019", "seed 000 海政办发〔2019〕32号", (
        _t("primary_enrollment_rate", ">=", 99.5), _t("junior_gross_enrollment_rate", ">=", 99),
        _t("primary_dropout_rate", "<=", 0.6), _t("junior_dropout_rate", "<=", 1.8),
        _t("special_group_dropouts", "==", 0))),
    PolicyPreset("姚安县 2018", "seed 001", (
        _t("consolidation_rate", ">=", 96), _t("special_group_dropouts", "==", 0))),
    PolicyPreset("华容区 2024", "seed 002", (
        _t("consolidation_rate", ">=", 98), _t("dropouts", "==", 0))),
    PolicyPreset("茂兰镇 2022–2023", "seed 003", (
        _t("primary_enrollment_rate", ">=", 100), _t("junior_gross_enrollment_rate", ">=", 100),
        _t("primary_dropout_rate", "<=", 0.6), _t("junior_dropout_rate", "<=", 1.8),
        _t("disabled_enrollment_rate", ">=", 100))),
    PolicyPreset("大渡口区", "seed 004", (
        _t("primary_enrollment_rate", ">=", 100), _t("junior_gross_enrollment_rate", ">=", 100),
        _t("consolidation_rate", ">=", 97))),
)


PASS, WARNING, FAIL, NO_DATA, NO_TARGET = "pass", "warning", "fail", "no_data", "no_target"
_EPS = 1e-9  # bounds and margins are typed decimals held in floating point


def published(value: float | None, precision: int = DEFAULT_PRECISION) -> float | None:
    """The value as published: rounded half up to `precision` decimals (0.6012 → 0.60)."""
    if value is None:
        return None
    step = _STEPS.get(precision) or Decimal(1).scaleb(-precision)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


_STEPS = {p: Decimal(1).scaleb(-p) for p in range(7)}   # published()'s steps, made once


@dataclass(frozen=True)
class Evaluation:
    """An indicator value against its target: pass, warning (inside the margin), fail, no data.

    `value` is the value as published (rates rounded to the policy's precision): the number that was judged."""

    indicator: str
    value: float | None
    target: TargetBound | None
    status: str


def evaluate(indicator: str, value: float | None, target: TargetBound | None,
             precision: int = DEFAULT_PRECISION, is_rate: bool = True) -> Evaluation:
    """Judge one value at the published precision; a rate on the passing side within the target's warning
    margin of its bound is a warning."""
    if is_rate:
        value = published(value, precision)
    if target is None:
        return Evaluation(indicator, value, None, NO_TARGET if value is not None else NO_DATA)
    if value is None:
        return Evaluation(indicator, None, target, NO_DATA)
    if target.op == ">=":
        ok, slack = value >= target.bound - _EPS, value - target.bound
    elif target.op == "<=":
        ok, slack = value <= target.bound + _EPS, target.bound - value
    else:
        ok, slack = abs(value - target.bound) <= _EPS, None
    if not ok:
        return Evaluation(indicator, value, target, FAIL)
    if is_rate and slack is not None and slack < target.margin_points - _EPS:
        return Evaluation(indicator, value, target, WARNING)
    return Evaluation(indicator, value, target, PASS)
