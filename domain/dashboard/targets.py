"""Target policies and the presets taken from the seed documents (domain.md §4)."""
from __future__ import annotations

from dataclasses import dataclass

from domain.dashboard.indicators import INDICATOR_BY_KEY


@dataclass(frozen=True)
class TargetBound:
    """One bound: `>=` for rates that must be high, `<=` for dropout rates, `==` for counts."""

    indicator: str
    op: str
    bound: float

    def __post_init__(self) -> None:
        if self.indicator not in INDICATOR_BY_KEY:
            raise ValueError(f"unknown indicator {self.indicator!r}")
        if self.op not in (">=", "<=", "=="):
            raise ValueError(f"unknown operator {self.op!r}")


@dataclass(frozen=True)
class PolicyPreset:
    """A named preset policy with its source document."""

    name: str
    source: str
    targets: tuple[TargetBound, ...]
    warning_margin: float = 0.5


def _t(indicator: str, op: str, bound: float) -> TargetBound:
    return TargetBound(indicator, op, bound)


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
_EPS = 1e-9  # values are computed in floating point; "exactly at the bound" must count as at the bound


@dataclass(frozen=True)
class Evaluation:
    """An indicator value against its target: pass, warning (inside the margin), fail, no data."""

    indicator: str
    value: float | None
    target: TargetBound | None
    status: str


def evaluate(indicator: str, value: float | None, target: TargetBound | None, margin: float,
             is_rate: bool = True) -> Evaluation:
    """Judge one value; a rate on the passing side within `margin` points of its bound is a warning."""
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
    if is_rate and slack is not None and slack < margin - _EPS:
        return Evaluation(indicator, value, target, WARNING)
    return Evaluation(indicator, value, target, PASS)
