"""Plain view models of the early-warning page."""
from __future__ import annotations

from dataclasses import dataclass

from domain.warning.factors import Hit
from domain.warning.model import Contribution


@dataclass(frozen=True)
class RiskRow:
    """A pupil on the list: name and number as the role may see them, class, score, factors, support."""

    student_id: int
    name: str
    student_no: str
    school: str
    township: str
    grade: int
    class_name: str
    score: int
    hits: tuple[Hit, ...]
    support: tuple[str, ...]  # kinds recorded (pairing, home_visit, talk, plan)
    chance: float | None = None   # the model's chance when the model drew the list
    contributions: tuple[Contribution, ...] = ()   # the model's largest contributions (coefficient × value)


@dataclass(frozen=True)
class CountyCount:
    """An area spanning counties: per county, its pupils in school, listed and listed with a plan (never names)."""

    county: str
    name: str
    pupils: int
    listed: int
    with_plan: int


@dataclass(frozen=True)
class CountRow:
    """The county view: per township and school, pupils listed and those with a plan (never names)."""

    township: str
    school: str
    pupils: int
    listed: int
    with_plan: int
