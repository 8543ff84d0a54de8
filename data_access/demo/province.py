"""The demo province: prefectures and county specs (勐海县 first), placed on a schematic map."""
from __future__ import annotations

import math

import numpy as np
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from data_access.demo import names
from data_access.demo.layout import MENGHAI_CODE, MENGHAI_TOWNSHIPS, CountySpec

PROVINCE = ("530000000000", "云南省")
XISHUANGBANNA = ("532800000000", "西双版纳傣族自治州")
MENGHAI_CENTER = (100.45, 21.95)
# Prefecture-level code prefixes of the province (the names below them are generated).
PREFECTURE_PREFIXES = ("5301", "5303", "5304", "5305", "5306", "5307", "5308", "5309", "5323", "5325", "5326",
                       "5328", "5329", "5331", "5333", "5334")
COUNTY_STUDENTS = 40_000
PROVINCE_STUDENTS = 4_450_000  # in grades 1–9 of the first term; about 5 million students in all
_BOX = (97.6, 21.2, 106.0, 29.0)  # lon/lat box the schematic counties are spread over


def menghai_spec(students: int = COUNTY_STUDENTS, index: int = 0) -> CountySpec:
    """The county modelled on seed 000: 勐海县 with its real township names."""
    return CountySpec(MENGHAI_CODE, "勐海县", index, MENGHAI_CENTER, 0.42, students, MENGHAI_TOWNSHIPS, 0.45)


def county_codes(prefix4: str) -> list[str]:
    """County-level 6-digit codes under a prefecture that resident IDs of 2008–2020 births may carry.

    Taken from python-stdnum's division list, so that every generated resident ID validates.
    """
    def valid(code6: str, year: int) -> bool:
        body = f"{code6}{year}0101001"
        try:
            return bool(ric.validate(body + ric.calc_check_digit(body + "0")))
        except (ValidationError, KeyError):  # KeyError: a code stdnum knows only above county level
            return False
    return [f"{prefix4}{k:02d}" for k in range(2, 100)
            if valid(f"{prefix4}{k:02d}", 2008) and valid(f"{prefix4}{k:02d}", 2020)]


def _grid_centres(n: int) -> tuple[list[tuple[float, float]], float]:
    """n cell centres on a grid over the box, none near 勐海县, and the grid spacing."""
    x0, y0, x1, y1 = _BOX
    spacing = math.sqrt((x1 - x0) * (y1 - y0) / (n + 6))
    while True:
        centres = [(x0 + spacing * (i + 0.5), y0 + spacing * (j + 0.5))
                   for j in range(int((y1 - y0) / spacing)) for i in range(int((x1 - x0) / spacing))]
        centres = [c for c in centres if math.dist(c, MENGHAI_CENTER) > 0.45 + 0.45 * spacing]
        if len(centres) >= n:
            return centres[:n], spacing
        spacing *= 0.97


def plan_province(seed: int, n_counties: int | None = None,
                  students_per_county: int | None = None) -> tuple[list[tuple[str, str]], list[CountySpec]]:
    """Prefectures (code, name) and county specs of the demo province, 勐海县 first."""
    rng = np.random.default_rng([seed, 999_999])
    codes = {prefix: county_codes(prefix) for prefix in PREFECTURE_PREFIXES}
    stems = names.unique_names(rng, len(PREFECTURE_PREFIXES) + sum(len(c) for c in codes.values()),
                               names.place_stem, taken={"勐海", "西双"})
    prefectures: list[tuple[str, str]] = []
    slots: list[tuple[str, str]] = []  # (county code, generated name)
    for prefix in PREFECTURE_PREFIXES:
        if prefix == XISHUANGBANNA[0][:4]:
            prefectures.append(XISHUANGBANNA)
        else:
            prefectures.append((prefix + "00000000", stems.pop() + ("州" if rng.random() < 0.3 else "市")))
        for code6 in codes[prefix]:
            if code6 + "000000" != MENGHAI_CODE:
                slots.append((code6 + "000000", stems.pop() + "县"))
    slots.sort()
    total = len(slots) + 1
    n = min(n_counties or total, total)
    sizes = rng.lognormal(0.0, 0.35, len(slots))
    sizes = sizes / sizes.sum() * (PROVINCE_STUDENTS - COUNTY_STUDENTS)
    centres, spacing = _grid_centres(len(slots))
    specs = [menghai_spec(students_per_county or COUNTY_STUDENTS)]
    for i, (code, name) in enumerate(slots[:n - 1]):
        students = students_per_county or int(sizes[i])
        specs.append(CountySpec(code, name, i + 1, centres[i], 0.42 * spacing, students, (),
                                0.45 if code.startswith("5328") else 0.12))
    used = {s.code[:4] for s in specs}
    return [p for p in prefectures if p[0][:4] in used], specs
