"""Names of divisions anywhere in China (province, prefecture, county) from python-stdnum's division list, for
households outside the areas Baoxue holds (外县户籍): the county to notify."""
from __future__ import annotations

import functools

from stdnum import numdb

_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖县级行政单位", "自治区直辖县级行政单位"})


def _latest(value: str) -> str:
    """The current name of a list entry ("[1983-2000]甲县,[2001-]乙区" → 乙区)."""
    names = [v.split("]", 1)[-1] for v in value.split(",") if v]
    return names[-1] if names else ""


@functools.lru_cache(maxsize=4096)
def _info(code6: str) -> dict[str, str]:
    return {k: _latest(v) for _part, props in numdb.get("cn/loc").info(code6) for k, v in props.items()}


def division_name(code: str | None) -> str:
    """The province, prefecture and county of a 12-digit (or 6/9-digit) division code, e.g. 云南省西双版纳傣族自治州勐海县;
    as much of it as is known, "" when nothing is."""
    if not code or not code[:6].isdigit() or len(code) < 6:
        return ""
    province = _info(code[:2] + "0000").get("province", "")
    prefecture = _info(code[:4] + "00").get("county", "") if code[2:4] != "00" else ""
    county = _info(code[:6]).get("county", "") if code[4:6] != "00" else ""
    parts = [p for p in (province, prefecture, county) if p and p not in _PLACEHOLDERS]
    return "".join(dict.fromkeys(parts))
