"""Target policies and the presets taken from the seed documents (domain.md §4)."""
from __future__ import annotations

from dataclasses import dataclass

from domain.indicators import INDICATOR_BY_KEY


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
