"""The eight indicators of domain.md §3: keys, names and kinds."""
from __future__ import annotations

from dataclasses import dataclass

ENROLLED = frozenset({"在读", "休学", "送教上门"})
DROPPED = "辍学"
THREE_DISABILITIES = frozenset({"视力", "听力", "智力"})


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
    Indicator("disabled_enrollment_rate", "三类残疾儿童少年入学率", "Enrollment rate of children with the three disabilities", True),
    Indicator("special_group_dropouts", "脱贫户家庭子女辍学人数", "Dropouts from registered poor families", False),
    Indicator("dropouts", "辍学总人数", "Dropouts", False),
)
INDICATOR_BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}
