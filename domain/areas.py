"""Area codes: the 12-digit statistical division codes and their levels."""
from __future__ import annotations

from collections.abc import Iterable

LEVEL_DIGITS: dict[str, int] = {"province": 2, "prefecture": 4, "county": 6, "township": 9, "village": 12}
LEVEL_NAMES_ZH: dict[str, str] = {"province": "省", "prefecture": "市", "county": "县", "township": "乡镇", "village": "村"}
CHILD_LEVEL: dict[str, str] = {"province": "prefecture", "prefecture": "county", "county": "township",
                               "township": "village"}


def is_area_code(code: str) -> bool:
    """True for a 12-digit code."""
    return len(code) == 12 and code.isdigit()


def code_prefix(code: str, level: str) -> str:
    """The significant digits of a code at its level (e.g. county 532822000000 → 532822)."""
    return code[: LEVEL_DIGITS[level]]


def code_range(code: str, level: str) -> tuple[str, str]:
    """Lowest and highest 12-digit codes inside an area, for an indexed BETWEEN filter."""
    prefix = code_prefix(code, level)
    pad = 12 - len(prefix)
    return prefix + "0" * pad, prefix + "9" * pad


def span_range(codes: Iterable[str], level: str) -> tuple[str, str]:
    """Lowest and highest 12-digit codes inside any of these areas of one level (one indexed BETWEEN that holds
    them all: exact for one area, a superset for several; callers keep only their own units)."""
    codes = list(codes)
    return code_range(min(codes), level)[0], code_range(max(codes), level)[1]


def contains(outer_code: str, outer_level: str, inner_code: str) -> bool:
    """True when inner_code lies inside (or is) the area outer_code."""
    return inner_code.startswith(code_prefix(outer_code, outer_level))


def township_of(code: str) -> str:
    """The township code of a village or township code."""
    return code[:9] + "000"


def county_of(code: str) -> str:
    """The county code of a county, township or village code."""
    return code[:6] + "000000"


def ancestors(code: str) -> list[str]:
    """The area and the areas above it (12-digit codes), nearest first."""
    return [code[:d] + "0" * (12 - d) for d in sorted(set(LEVEL_DIGITS.values()), reverse=True)]
