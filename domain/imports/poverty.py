"""The poverty list's rules (issue 16.4, domain.md §7 四查三比对): the household statuses it carries and how their
spellings map, how township and village cells are read (a code or a name), and who on it is of compulsory school age.

Pupils are matched to the list by resident ID number only; names never match (two children share a name far more
often than a number, and a name match would flag the wrong child)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from domain.imports.parsing import CellError, clean_text
from domain.terms import age_on_reference_day

POVERTY_STATUSES = ("脱贫户", "监测户")
# spellings seen on the bureau's lists → (status, detail kept as written)
STATUS_SPELLINGS: dict[str, str] = {
    "脱贫户": "脱贫户", "已脱贫户": "脱贫户", "脱贫人口": "脱贫户", "建档立卡户": "脱贫户", "建档立卡脱贫户": "脱贫户",
    "脱贫不享受政策户": "脱贫户", "脱贫享受政策户": "脱贫户", "稳定脱贫户": "脱贫户",
    "监测户": "监测户", "监测对象": "监测户", "防返贫监测户": "监测户", "防返贫监测对象": "监测户",
    "脱贫不稳定户": "监测户", "边缘易致贫户": "监测户", "突发严重困难户": "监测户",
}
SCHOOL_AGES = range(6, 15)       # compulsory school age, full years on 31 August (domain.md §3, §7)


def parse_household_status(raw: Any) -> tuple[str, str]:
    """A household status cell as (脱贫户 or 监测户, the spelling as written)."""
    value = clean_text(raw).replace(" ", "")
    status = STATUS_SPELLINGS.get(value)
    if status is None:
        raise CellError("must be 脱贫户 or 监测户 (also 脱贫不稳定户 / 边缘易致贫户 / 突发严重困难户 / 监测对象)")
    return status, value


def parse_place(raw: Any) -> str:
    """A township or village cell: a 6-, 9- or 12-digit division code (padded to 12), or a name."""
    value = clean_text(raw).lstrip("'")
    if not value:
        raise CellError("must not be empty")
    if value.isdigit():
        if len(value) not in (6, 9, 12):
            raise CellError("a division code has 6, 9 or 12 digits")
        return value.ljust(12, "0")
    if len(value) > 100:
        raise CellError("longer than 100 characters")
    return value


def is_code(value: str) -> bool:
    """True when a parsed place is a code (else a name)."""
    return value.isdigit()


def school_age(birth: dt.date, school_year: int) -> int:
    """A listed child's age as the indicators count it: full years on 31 August of the term's school year."""
    return age_on_reference_day(birth, school_year)


def of_school_age(birth: dt.date, school_year: int) -> bool:
    """True for a child aged 6–14 on 31 August of the school year (compulsory school age)."""
    return school_age(birth, school_year) in SCHOOL_AGES
