"""Demo geography: a county's townships, villages, schools, zones and schematic boundaries."""
from __future__ import annotations

import csv
import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from data_access.demo import names
from domain.dashboard import geometry

MENGHAI_CODE = "532822000000"
# 勐海县's townships in map order (the order of the seats, kinds and weights below), by their real 2023 statistical
# division codes; names and villages come from the public 2023 release (menghai_areas_2023.csv), so that a real
# areas file imports onto the demo without renaming anything.
MENGHAI_TOWNSHIP_CODES = ("532822101000", "532822201000", "532822203000", "532822202000", "532822103000",
                          "532822102000", "532822204000", "532822104000", "532822105000", "532822205000",
                          "532822106000")
MENGHAI_AREAS_FILE = Path(__file__).with_name("menghai_areas_2023.csv")
MENGHAI_ZONES = ((0, 1, 2, 3), (4, 5, 6), (7, 8, 9, 10))  # domain.md §2
MENGHAI_KINDS = ("good", "moderate", "good", "failing", "moderate", "good", "failing", "good", "good", "failing",
                 "moderate")
MENGHAI_WEIGHTS = (1.8, 0.8, 0.8, 0.7, 1.2, 0.9, 0.6, 1.5, 1.1, 0.6, 0.8)
MENGHAI_SEATS = ((100.45, 21.96), (100.58, 22.10), (100.63, 21.88), (100.64, 22.26), (100.38, 21.80),
                 (100.12, 21.73), (100.58, 21.67), (100.25, 22.03), (100.14, 21.90), (100.10, 22.15),
                 (100.33, 22.24))
MENGHAI_OUTLINE = ((100.05, 21.68), (100.30, 21.55), (100.62, 21.58), (100.83, 21.80), (100.86, 22.10),
                   (100.70, 22.36), (100.40, 22.39), (100.12, 22.27), (100.03, 21.98))
ZONE_NAMES = ("第一片区", "第二片区", "第三片区", "第四片区")
TEAM_NAMES = ("第一组", "第二组", "第三组", "第四组")

_ETHNIC = re.compile("哈尼族|布朗族|拉祜族|傣族|彝族|佤族")


def short_name(name: str) -> str:
    """A township's everyday name, as schools are named after it (格朗和哈尼族乡 → 格朗和乡)."""
    return _ETHNIC.sub("", name)


@functools.lru_cache(maxsize=1)
def menghai_divisions() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Township code → (name, [(village code, name), …]) of 勐海县 from the 2023 statistical release."""
    with MENGHAI_AREAS_FILE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out: dict[str, tuple[str, list[tuple[str, str]]]] = {
        r["区划代码"]: (r["名称"], []) for r in rows if r["级别"] == "乡镇" and r["上级代码"] == MENGHAI_CODE}
    for r in rows:
        if r["级别"] == "村" and r["上级代码"] in out:
            out[r["上级代码"]][1].append((r["区划代码"], r["名称"]))
    return out


MENGHAI_TOWNSHIPS = tuple(menghai_divisions()[c][0] for c in MENGHAI_TOWNSHIP_CODES)


def village_stem(name: str) -> str:
    """The place name of a village committee or community (曼真村民委员会 → 曼真, 曼真村 → 曼真)."""
    for suffix in ("村民委员会", "社区居民委员会", "社区", "村"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def is_community(name: str) -> bool:
    """A town community (社区) rather than a rural village (村)."""
    return "社区" in name


# School types and the grades they teach.
GRADES = {"小学": (1, 6), "初中": (7, 9), "九年一贯制": (1, 9), "完全中学": (7, 9), "教学点": (1, 3),
          "特殊教育学校": (1, 9)}


@dataclass(frozen=True)
class Profile:
    """How well a township does: dropout prevalence per term, enrollment and consolidation levels."""

    kind: str
    primary_dropout: float
    junior_dropout: float
    primary_enrollment: float
    junior_enrollment: float
    consolidation: float
    poverty: float
    older: float
    poverty_dropouts: bool
    disabled_missing: float


PROFILES = {
    "good": Profile("good", 0.0006, 0.004, 1.007, 1.008, 0.988, 0.10, 0.10, False, 0.0),
    "moderate": Profile("moderate", 0.0025, 0.010, 0.9975, 0.9925, 0.972, 0.15, 0.15, False, 0.01),
    "failing": Profile("failing", 0.012, 0.032, 0.984, 0.978, 0.940, 0.27, 0.25, True, 0.06),
}


@dataclass(frozen=True)
class CountySpec:
    """What the layout of one county is generated from."""

    code: str
    name: str
    index: int
    center: tuple[float, float]
    radius: float
    students: int
    township_names: tuple[str, ...] = ()
    dai_share: float = 0.15


@dataclass
class Township:
    """A township of the demo county with its seat, villages and profile."""

    code: str
    name: str
    seat: tuple[float, float]
    weight: float
    profile: Profile
    villages: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SchoolPlan:
    """A school row plus what the student generator needs (township index, grades, weight)."""

    id: int
    code: str
    name: str
    type: str
    township: int
    is_central: bool
    lon: float
    lat: float
    weight: float

    @property
    def grades(self) -> tuple[int, int]:
        """Lowest and highest grade taught."""
        return GRADES[self.type]


@dataclass
class CountyLayout:
    """A generated county: townships, schools, zones (township indexes) and township cells."""

    spec: CountySpec
    townships: list[Township]
    schools: list[SchoolPlan]
    zones: list[tuple[int, ...]]
    outline: list[tuple[float, float]]
    cells: list[list[tuple[float, float]]]


def _outline(spec: CountySpec, rng: np.random.Generator) -> list[tuple[float, float]]:
    if spec.code == MENGHAI_CODE:
        return geometry.convex_hull(list(MENGHAI_OUTLINE))
    k = 12
    angles = (np.arange(k) + rng.uniform(-0.3, 0.3, k)) * 2 * math.pi / k
    radii = spec.radius * rng.uniform(0.8, 1.0, k)
    cx, cy = spec.center
    return geometry.convex_hull([(cx + r * math.cos(a), cy + r * math.sin(a)) for a, r in zip(angles, radii)])


def _seats(spec: CountySpec, n: int, outline: list[tuple[float, float]],
           rng: np.random.Generator) -> list[tuple[float, float]]:
    if spec.code == MENGHAI_CODE:
        return list(MENGHAI_SEATS)
    seats = [(spec.center[0] + rng.uniform(-0.05, 0.05) * spec.radius,
              spec.center[1] + rng.uniform(-0.05, 0.05) * spec.radius)]
    min_dist = 0.9 * spec.radius / math.sqrt(n)
    for attempt in range(5000):
        if len(seats) == n:
            break
        p = (spec.center[0] + rng.uniform(-1, 1) * spec.radius, spec.center[1] + rng.uniform(-1, 1) * spec.radius)
        if geometry.point_in_polygon(p, outline) and all(math.dist(p, q) >= min_dist for q in seats):
            seats.append(p)
        elif attempt % 500 == 499:
            min_dist *= 0.8
    return seats


def _township_names(spec: CountySpec, n: int, rng: np.random.Generator) -> list[str]:
    if spec.township_names:
        return list(spec.township_names)
    stems = names.unique_names(rng, n, names.place_stem)
    return [s + ("镇" if i == 0 or rng.random() < 0.5 else "乡") for i, s in enumerate(stems)]


def _villages(code9: str, seat_township: bool, dai: bool, rng: np.random.Generator) -> list[tuple[str, str]]:
    n = int(rng.integers(5, 13))
    communities = 2 if seat_township else 1
    vnames = names.unique_names(rng, n, lambda r: names.village_name(r, dai and r.random() < 0.7))
    out = []
    for j, vname in enumerate(vnames):
        if j < communities:
            out.append((f"{code9}{j + 1:03d}", vname[:-1] + "社区"))
        else:
            out.append((f"{code9}{201 + j - communities:03d}", vname))
    return out


def _near(seat: tuple[float, float], cell: list[tuple[float, float]], rng: np.random.Generator,
          spread: float) -> tuple[float, float]:
    dx, dy = rng.uniform(-spread, spread, 2)
    for _ in range(6):
        p = (round(seat[0] + dx, 5), round(seat[1] + dy, 5))
        if geometry.point_in_polygon(p, cell):
            return p
        dx, dy = dx / 2, dy / 2
    return (round(seat[0], 5), round(seat[1], 5))


def _schools(spec: CountySpec, townships: list[Township], cells: list[list[tuple[float, float]]],
             first_id: int, rng: np.random.Generator) -> list[SchoolPlan]:
    county_short = spec.name[:-1]
    seq = iter(range(1, 10000))
    schools: list[SchoolPlan] = []

    def add(t: int, type_: str, name: str, weight: float, central: bool = False, exact: bool = False) -> None:
        tw = townships[t]
        lon, lat = tw.seat if exact else _near(tw.seat, cells[t], rng, 0.025)
        schools.append(SchoolPlan(first_id + len(schools), f"21{spec.code[2:6]}{next(seq):04d}", name, type_, t,
                                  central, round(lon, 5), round(lat, 5), weight))

    for t, tw in enumerate(townships):
        town = short_name(tw.name)
        short = town[:-1]
        nine_year = rng.random() < 0.35
        add(t, "九年一贯制" if nine_year else "小学", f"{town}中心{'学校' if nine_year else '小学'}", 3.0,
            central=True, exact=True)
        villages = [village_stem(v) + "村" for _, v in tw.villages
                    if not is_community(v) and village_stem(v) != short]   # not 勐混勐混小学
        n_primary = int(np.clip(round(2.2 + 2.5 * tw.weight + rng.uniform(-0.5, 0.5)), 2, 7))
        for k in range(n_primary):
            vname = villages[k % len(villages)][:-1] if villages else f"第{k + 2}"
            add(t, "小学", f"{short}{vname}小学", 1.5)
        n_junior = 2 if tw.weight > 1.1 else 1
        for k in range(n_junior):
            add(t, "初中", f"{town}{'第二' if k else ''}中学", 1.0)
        n_points = int(rng.integers(1, 3)) + (1 if tw.profile.kind == "failing" else 0)
        for k in range(n_points):
            vname = villages[-1 - (k % len(villages))][:-1] if villages else f"第{k + 1}"
            add(t, "教学点", f"{short}{vname}教学点{'' if k < len(villages) else k + 1}", 0.3)
    add(0, "完全中学", f"{county_short}县第一中学", 1.0)
    add(0, "特殊教育学校", f"{county_short}县特殊教育学校", 0.0)
    return schools


def plan_county(spec: CountySpec, first_school_id: int, rng: np.random.Generator) -> CountyLayout:
    """Generate the townships, villages, schools, zones and schematic cells of one county."""
    menghai = spec.code == MENGHAI_CODE
    n = len(MENGHAI_TOWNSHIPS) if menghai else int(rng.integers(8, 18))
    outline = _outline(spec, rng)
    seats = _seats(spec, n, outline, rng)
    n = len(seats)
    tnames = _township_names(spec, n, rng)
    if menghai:
        kinds, weights = list(MENGHAI_KINDS), list(MENGHAI_WEIGHTS)
    else:
        kinds = list(rng.choice(["good", "moderate", "failing"], size=n, p=[0.6, 0.27, 0.13]))
        weights = [1.8] + list(np.round(rng.uniform(0.5, 1.4, n - 1), 2))
    code6 = spec.code[:6]
    townships = []
    for i in range(n):
        if menghai:
            code = MENGHAI_TOWNSHIP_CODES[i]
            name, villages = menghai_divisions()[code]
            townships.append(Township(code, name, seats[i], float(weights[i]), PROFILES[str(kinds[i])],
                                      list(villages)))
            continue
        code9 = f"{code6}{101 + i:03d}"
        townships.append(Township(code9 + "000", tnames[i], seats[i], float(weights[i]), PROFILES[str(kinds[i])],
                                  _villages(code9, i == 0, spec.dai_share > 0.3, rng)))
    cells = geometry.voronoi_cells(seats, outline)
    if menghai:
        zones = [tuple(z) for z in MENGHAI_ZONES]
    else:
        order = sorted(range(1, n), key=lambda i: math.atan2(seats[i][1] - seats[0][1], seats[i][0] - seats[0][0]))
        parts = [list(p) for p in np.array_split(np.array(order), 3)]
        parts[0].insert(0, 0)
        zones = [tuple(sorted(int(i) for i in p)) for p in parts if len(p)]
    schools = _schools(spec, townships, cells, first_school_id, rng)
    return CountyLayout(spec, townships, schools, zones, outline, cells)
