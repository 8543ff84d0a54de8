"""The eight indicators of domain.md §3: keys, names, and their values from counted inputs."""
from __future__ import annotations

from dataclasses import dataclass, fields

ENROLLED = frozenset({"在读", "休学", "送教上门"})
DROPPED = "辍学"
THREE_DISABILITIES = frozenset({"视力", "听力", "智力"})
PRIMARY_GRADES = range(1, 7)
JUNIOR_GRADES = range(7, 10)
PRIMARY_AGES = range(6, 12)
JUNIOR_AGES = range(12, 15)
COMPULSORY_AGES = range(6, 15)
CONSOLIDATION_SPAN = 8  # grade 9 in autumn of Y against grade 1 in autumn of Y-8


@dataclass(frozen=True)
class Indicator:
    """An indicator's key, Chinese and English names, and whether it is a rate (%) or a count."""

    key: str
    name_zh: str
    name_en: str
    is_rate: bool


INDICATORS: tuple[Indicator, ...] = (
    Indicator("primary_enrollment_rate", "小学适龄儿童入学率", "Primary enrollment rate", True),
    Indicator("junior_gross_enrollment_rate", "初中毛入学率", "Junior secondary gross enrollment rate", True),
    Indicator("primary_dropout_rate", "小学辍学率", "Primary dropout rate", True),
    Indicator("junior_dropout_rate", "初中辍学率", "Junior secondary dropout rate", True),
    Indicator("consolidation_rate", "九年义务教育巩固率", "Nine-year consolidation rate", True),
    Indicator("disabled_enrollment_rate", "三类残疾儿童少年入学率",
              "Enrollment rate of children with the three disabilities", True),
    Indicator("special_group_dropouts", "脱贫户家庭子女辍学人数", "Dropouts from registered poor families", False),
    Indicator("dropouts", "辍学总人数", "Dropouts", False),
)
INDICATOR_BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}


@dataclass(frozen=True)
class Counts:
    """The counted inputs of the indicators for one area (or school) and term.

    Population-based inputs are None where no population was imported; `grade1_base` is None
    where neither the roster nor the history of eight years earlier is known.
    """

    primary_enrolled: int = 0          # ENROLLED, grades 1–6, aged 6–11
    junior_enrolled: int = 0           # ENROLLED, grades 7–9, any age
    primary_dropped: int = 0           # 辍学, grades 1–6
    primary_base: int = 0              # ENROLLED ∪ 辍学, grades 1–6
    junior_dropped: int = 0            # 辍学, grades 7–9
    junior_base: int = 0               # ENROLLED ∪ 辍学, grades 7–9
    grade9_enrolled: int = 0           # ENROLLED grade 9 in the autumn term of Y
    disabled_enrolled: int = 0         # ENROLLED aged 6–14 with 视力/听力/智力
    special_group_dropouts: int = 0    # 辍学 and 脱贫户
    dropouts: int = 0                  # 辍学
    outside_primary: int | None = None    # verified attending outside the county, aged 6–11
    outside_junior: int | None = None     # the same, aged 12–14
    population_primary: int | None = None  # population aged 6–11
    population_junior: int | None = None   # population aged 12–14
    disabled_population: int | None = None  # disabled population aged 6–14
    grade1_base: int | None = None         # ENROLLED grade 1 in autumn of Y−8
    grade1_source: str | None = None       # where grade1_base came from: roster | history | mixed
    has_roster: bool = True                # False for a term with no roster at all: everything is "no data"

    def __add__(self, other: Counts) -> Counts:
        """Sum two areas' counts (None + None stays None: still no data)."""
        def add(a: int | None, b: int | None) -> int | None:
            return None if a is None and b is None else (a or 0) + (b or 0)
        summed = {f.name: add(getattr(self, f.name), getattr(other, f.name))
                  for f in fields(self) if f.name not in ("has_roster", "grade1_source")}
        return Counts(**summed, grade1_source=combine_sources(self.grade1_source, other.grade1_source),
                      has_roster=self.has_roster or other.has_roster)


def combine_sources(a: str | None, b: str | None) -> str | None:
    """The source of a sum: the one source, or "mixed" when roster and history figures were added."""
    if a is None or b is None or a == b:
        return a or b
    return "mixed"


@dataclass(frozen=True)
class IndicatorValue:
    """One indicator's value: numerator, denominator (rates) and the value; None is "no data"."""

    key: str
    numerator: int | None
    denominator: int | None
    value: float | None

    @property
    def has_data(self) -> bool:
        """False on a zero or missing denominator."""
        return self.value is not None


def _rate(key: str, numerator: int | None, denominator: int | None) -> IndicatorValue:
    if numerator is None or not denominator:
        return IndicatorValue(key, numerator, denominator, None)
    return IndicatorValue(key, numerator, denominator, 100.0 * numerator / denominator)


def _plus(a: int, b: int | None) -> int:
    return a + (b or 0)


def indicator_values(c: Counts) -> dict[str, IndicatorValue]:
    """All eight indicators from the counts, exactly as domain.md §3 defines them."""
    if not c.has_roster:
        return {i.key: IndicatorValue(i.key, None, None, None) for i in INDICATORS}
    values = [
        _rate("primary_enrollment_rate", _plus(c.primary_enrolled, c.outside_primary), c.population_primary),
        _rate("junior_gross_enrollment_rate", _plus(c.junior_enrolled, c.outside_junior), c.population_junior),
        _rate("primary_dropout_rate", c.primary_dropped, c.primary_base),
        _rate("junior_dropout_rate", c.junior_dropped, c.junior_base),
        _rate("consolidation_rate", c.grade9_enrolled, c.grade1_base),
        _rate("disabled_enrollment_rate", c.disabled_enrolled, c.disabled_population),
        IndicatorValue("special_group_dropouts", c.special_group_dropouts, None, float(c.special_group_dropouts)),
        IndicatorValue("dropouts", c.dropouts, None, float(c.dropouts)),
    ]
    return {v.key: v for v in values}


def overall_dropout_rate(c: Counts) -> float | None:
    """Dropouts of grades 1–9 over their base (the ranking's tie-break)."""
    base = c.primary_base + c.junior_base
    return 100.0 * (c.primary_dropped + c.junior_dropped) / base if base else None
