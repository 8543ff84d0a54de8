"""Demo students of one county and their roster lines term by term, generated with numpy."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data_access.demo import names
from data_access.demo.layout import CountyLayout, is_community
from data_access.models import DISABILITIES, STATUSES
from domain.terms import TermCode

ST = {s: i for i, s in enumerate(STATUSES)}  # status → code
ENROLLED_CODES = (ST["在读"], ST["休学"], ST["送教上门"])
DIS = {d: i for i, d in enumerate(DISABILITIES)}  # disability → code, 0 = 无
_DISABILITY_P = np.array([0.24, 0.20, 0.30, 0.12, 0.04, 0.06, 0.04])  # 视力 听力 智力 肢体 精神 言语 多重
_NO_EVENT, _DROP, _TRANSFER, _SUSPEND, _DEATH = range(5)
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.array(list("10X98765432"))


@dataclass
class TermRoster:
    """The roster of one term: indexes into the county's student arrays plus per-line values."""

    term: TermCode
    student: np.ndarray
    grade: np.ndarray
    school: np.ndarray  # index into layout.schools
    status: np.ndarray  # index into STATUSES
    age: np.ndarray
    class_no: np.ndarray


@dataclass
class CountyStudents:
    """Per-student arrays (sorted by student number) and the roster of every term."""

    student_no: list[str]
    id_number: list[str]
    name: list[str]
    male: np.ndarray
    birth: np.ndarray  # datetime64[D]
    township: np.ndarray  # home township index
    village: np.ndarray  # home village index into village_codes
    household: list[str | None]
    guardian_name: list[str]
    guardian_phone: list[str | None]
    poverty: np.ndarray
    disability: np.ndarray
    left_behind: np.ndarray
    migrant: np.ndarray
    village_codes: list[str]
    village_township: np.ndarray
    rosters: list[TermRoster]
    left_behind_kind: list[str | None] | None = None  # 单亲 / 双亲 for left-behind children
    board_mid: np.ndarray | None = None  # boards in grades 4–6
    board_junior: np.ndarray | None = None  # boards in grades 7–9

    def boarding(self, student: np.ndarray, grade: np.ndarray) -> np.ndarray:
        """Whether each roster line's pupil boards (就读方式 住校) in that grade."""
        if self.board_mid is None or self.board_junior is None:
            return np.zeros(len(student), dtype=bool)
        return np.where(grade >= 7, self.board_junior[student], np.where(grade >= 4, self.board_mid[student], False))


def id_check_digits(first17: list[str]) -> list[str]:
    """GB 11643 check characters for 17-digit resident-ID bodies (vectorised)."""
    digits = np.frombuffer("".join(first17).encode("ascii"), dtype=np.uint8).reshape(-1, 17).astype(np.int64) - 48
    return _ID_CHECK[(digits @ _ID_WEIGHTS) % 11].tolist()


def _rank_in_groups(key: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random rank of each element inside its key group, and the size of that group."""
    order = np.lexsort((rng.random(len(key)), key))
    _, start, inverse, counts = np.unique(key[order], return_index=True, return_inverse=True, return_counts=True)
    rank = np.empty(len(key), dtype=np.int64)
    rank[order] = np.arange(len(key)) - start[inverse]
    size = np.empty(len(key), dtype=np.int64)
    size[order] = counts[inverse]
    return rank, size


def _resident_ids(prefix6: str, birth: np.ndarray, male: np.ndarray, rng: np.random.Generator) -> list[str]:
    days = birth.astype(np.int64)
    rank, _ = _rank_in_groups(days * 2 + male, rng)
    offset = rng.integers(0, 150, len(days))  # an offset per person; ranks keep each group distinct
    _, first_idx, inverse = np.unique(days * 2 + male, return_index=True, return_inverse=True)
    k = offset[first_idx][inverse] + rank
    if len(k) and k.max() >= 500:
        raise RuntimeError("too many births on one day for the 3-digit sequence")
    seq = (2 * k + male).tolist()
    dates = np.datetime_as_string(birth).tolist()
    bodies = [f"{prefix6}{d[:4]}{d[5:7]}{d[8:10]}{s:03d}" for d, s in zip(dates, seq)]
    return [b + c for b, c in zip(bodies, id_check_digits(bodies))]


def _choose(rng: np.random.Generator, groups: np.ndarray, options: dict[int, tuple[list[int], list[float]]],
            out: np.ndarray) -> None:
    for g, (items, weights) in options.items():
        mask = groups == g
        if mask.any() and items:
            p = np.asarray(weights, dtype=float)
            out[mask] = rng.choice(np.asarray(items), size=int(mask.sum()), p=p / p.sum())


def _classes(school: np.ndarray, cohort: np.ndarray, caps: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    rank, size = _rank_in_groups(school * 100 + (cohort - cohort.min()), rng)
    n_classes = np.maximum(1, np.ceil(size / caps[school])).astype(np.int64)
    return rank % n_classes + 1


def _intake(layout: CountyLayout, terms: list[TermCode], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y0, y1 = terms[0].year, terms[-1].year
    cohorts = np.arange(y0 - 8, y1 + 1)
    trend = np.where(cohorts <= 2024, 0.968 ** (2024 - cohorts), 0.98 ** (cohorts - 2024))
    first_term = (cohorts >= y0 - 8) & (cohorts <= y0)
    level = layout.spec.students / trend[first_term].sum()
    w = np.array([t.weight for t in layout.townships])
    counts = rng.poisson(level * np.outer(w / w.sum(), trend))
    town = np.repeat(np.repeat(np.arange(len(w)), len(cohorts)), counts.ravel())
    cohort = np.repeat(np.tile(cohorts, len(w)), counts.ravel())
    return town, cohort


def simulate_county(layout: CountyLayout, terms: list[TermCode], rng: np.random.Generator) -> CountyStudents:
    """Generate the students of a county and their status in every term (terms in order)."""
    town, cohort = _intake(layout, terms, rng)
    n = len(town)
    prof = [t.profile for t in layout.townships]
    older = rng.random(n) < np.array([p.older for p in prof])[town]
    male = rng.random(n) < 0.52
    b_year = cohort - 7 - older
    years = np.unique(b_year)
    sept1 = np.array([f"{y}-09-01" for y in years], dtype="datetime64[D]")
    span = (np.array([f"{y + 1}-09-01" for y in years], dtype="datetime64[D]") - sept1).astype(np.int64)
    pos = np.searchsorted(years, b_year)
    birth = sept1[pos] + (rng.random(n) * span[pos]).astype(np.int64)
    ids = _resident_ids(layout.spec.code[:6], birth, male, rng)
    perm = np.argsort(np.array(ids))
    town, cohort, older, male, birth, b_year = (a[perm] for a in (town, cohort, older, male, birth, b_year))
    ids = [ids[i] for i in perm]

    village_codes = [c for t in layout.townships for c, _ in t.villages]
    village_town = np.array([i for i, t in enumerate(layout.townships) for _ in t.villages])
    village = np.zeros(n, dtype=np.int64)
    vw = rng.uniform(0.5, 1.5, len(village_codes)) * np.where(
        np.array([is_community(v) for t in layout.townships for _, v in t.villages]), 2.0, 1.0)
    _choose(rng, town, {t: (list(np.flatnonzero(village_town == t)), list(vw[village_town == t]))
                        for t in range(len(prof))}, village)

    poverty = rng.random(n) < np.array([p.poverty for p in prof])[town]
    disability = np.where(rng.random(n) < 0.011, rng.choice(np.arange(1, 8), n, p=_DISABILITY_P), 0)
    failing = np.array([p.kind == "failing" for p in prof])[town]
    left_behind = rng.random(n) < np.where(failing, 0.28, 0.19)
    migrant = ~left_behind & (rng.random(n) < np.where(town == 0, 0.10, 0.04))
    severe = np.isin(disability, [DIS["智力"], DIS["肢体"], DIS["多重"]]) & (rng.random(n) < 0.25)

    schools = layout.schools
    caps = np.array([1000 if s.type == "教学点" else 12 if s.type == "特殊教育学校" else 45 for s in schools])
    stown = town.copy()
    cross = (rng.random(n) < 0.02) & (len(prof) > 1)
    stown[cross] = (town[cross] + rng.integers(1, max(2, len(prof)), int(cross.sum()))) % len(prof)
    low, jun = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    _choose(rng, stown, {t: ([i for i, s in enumerate(schools) if s.township == t and s.grades[0] == 1
                              and s.type != "特殊教育学校"],
                             [s.weight for s in schools if s.township == t and s.grades[0] == 1
                              and s.type != "特殊教育学校"]) for t in range(len(prof))}, low)
    central = {s.township: i for i, s in enumerate(schools) if s.is_central}
    mid = np.where(np.array([s.type == "教学点" for s in schools])[low],
                   np.array([central[s.township] for s in schools])[low], low)
    _choose(rng, stown, {t: ([i for i, s in enumerate(schools) if s.township == t and s.type in ("初中", "九年一贯制")],
                             [1.0 if s.type == "初中" else 0.8 for s in schools
                              if s.township == t and s.type in ("初中", "九年一贯制")])
                         for t in range(len(prof))}, jun)
    by_type = {s.type: i for i, s in enumerate(schools)}
    if "完全中学" in by_type:
        jun[rng.random(n) < np.where(stown == 0, 0.15, 0.05)] = by_type["完全中学"]
    if "特殊教育学校" in by_type:
        special = np.isin(disability, [DIS[d] for d in ("视力", "听力", "智力", "多重")]) & ~severe & (
            rng.random(n) < 0.35)
        low[special] = mid[special] = jun[special] = by_type["特殊教育学校"]
    school_town = np.array([s.township for s in schools])
    home_school = (school_town[low] == town) & (school_town[mid] == town) & (school_town[jun] == town)
    no_household = home_school & (rng.random(n) < 0.10)
    household = [None if nh else village_codes[v] for nh, v in zip(no_household.tolist(), village.tolist())]
    classes = [_classes(s, cohort, caps, rng) for s in (low, mid, jun)]

    # registry fields and dropout risk (issue 20) from a generator of their own, so that every other figure of the
    # demo stays as it was; dropping out depends on the factors research reports (overage, left-behind with both
    # parents away, migrant, boarding far from home, the 6→7 transition in _term_rosters; poverty as before),
    # rescaled so that each township's dropout rates stay where the profiles put them
    extra = np.random.default_rng([n, int(town.sum()) % 2 ** 31, 20])
    two_parent = left_behind & (extra.random(n) < 0.45)
    rural = town != 0
    board_mid = extra.random(n) < np.where(rural, 0.12, 0.03)
    board_junior = extra.random(n) < np.where(rural, 0.60, 0.20)
    risk = ((1.0 + 1.5 * older) * (1.0 + 0.8 * two_parent + 0.3 * (left_behind & ~two_parent))
            * (1.0 + 0.5 * migrant) * (1.0 + 0.4 * board_junior))
    rosters = _term_rosters(terms, rng, prof, town, cohort, b_year, poverty, severe,
                            (low, mid, jun), classes, risk)
    _ensure_poverty_dropout(rosters[-1], failing, poverty)
    name = names.person_names(rng, male, layout.spec.dai_share)
    phones = names.mobile_phones(rng, n)
    no_phone = rng.random(n) < 0.03
    return CountyStudents(
        student_no=["G" + i for i in ids], id_number=ids, name=name, male=male, birth=birth, township=town,
        village=village, household=household, guardian_name=names.guardian_names(rng, name),
        guardian_phone=[None if x else p for x, p in zip(no_phone.tolist(), phones)], poverty=poverty,
        disability=disability, left_behind=left_behind, migrant=migrant, village_codes=village_codes,
        village_township=village_town, rosters=rosters,
        left_behind_kind=[("双亲" if t else "单亲") if lb else None for lb, t in zip(left_behind.tolist(),
                                                                                   two_parent.tolist())],
        board_mid=board_mid, board_junior=board_junior)


def _term_rosters(terms: list[TermCode], rng: np.random.Generator, prof: list, town: np.ndarray,
                  cohort: np.ndarray, b_year: np.ndarray, poverty: np.ndarray, severe: np.ndarray,
                  band_school: tuple[np.ndarray, ...], band_class: list[np.ndarray],
                  risk: np.ndarray | None = None) -> list[TermRoster]:
    n = len(town)
    counters = [2 * t.year + t.semester - 1 for t in terms]
    first, last = counters[0], counters[-1]
    window = last - first + 1 + 3  # dropouts may have started up to three terms before the first roster
    start_pre = rng.integers(first - 3, last + 1, n)
    start_in = rng.integers(first, last + 1, n)
    grade_at = start_pre // 2 - cohort + 1
    prim = np.array([p.primary_dropout for p in prof])[town]
    juni = np.array([p.junior_dropout for p in prof])[town]
    pov_rate = np.array([p.poverty for p in prof])[town]
    pov_ok = np.array([p.poverty_dropouts for p in prof])[town]
    factor = np.where(pov_ok, np.where(poverty, 2.0, 1.0) / (1.0 + pov_rate),
                      np.where(poverty, 0.0, 1.0 / (1.0 - pov_rate)))
    p_drop = np.where(grade_at <= 6, prim, juni) * window / 2.5 * factor
    p_drop[(grade_at < 1) | (grade_at > 9) | severe] = 0.0
    if risk is not None:
        rel = risk * np.select([grade_at == 7, grade_at == 8, grade_at == 9], [2.0, 1.3, 0.5], 1.0)
        group = town * 2 + (grade_at >= 7)
        eligible = p_drop > 0
        mean = np.bincount(group[eligible], rel[eligible], minlength=group.max() + 1) / np.maximum(
            1, np.bincount(group[eligible], minlength=group.max() + 1))
        p_drop = p_drop * rel / np.where(mean[group] > 0, mean[group], 1.0)
    k = len(terms)
    thresholds = np.stack([p_drop, p_drop + 0.0015 * k, p_drop + 0.0025 * k, p_drop + 0.00255 * k], axis=1)
    event = (rng.random(n)[:, None] >= thresholds).sum(axis=1) + 1
    event[event == 5] = _NO_EVENT
    start = np.where(event == _DROP, start_pre, start_in)
    duration = np.where(event == _DROP, rng.integers(1, 5, n), rng.integers(1, 3, n))
    low, mid, jun = band_school
    out = []
    for term, c in zip(terms, counters):
        grade = term.year - cohort + 1
        present = (grade >= 1) & (grade <= 9) & ~(((event == _TRANSFER) | (event == _DEATH)) & (c > start))
        active = (c >= start) & (c < start + duration)
        status = np.where(severe, ST["送教上门"], ST["在读"])
        status[(event == _DROP) & active] = ST["辍学"]
        status[(event == _SUSPEND) & active] = ST["休学"]
        status[(event == _TRANSFER) & (c == start)] = ST["转出"]
        status[(event == _DEATH) & (c == start)] = ST["死亡"]
        school = np.where(grade <= 3, low, np.where(grade <= 6, mid, jun))
        class_no = np.where(grade <= 3, band_class[0], np.where(grade <= 6, band_class[1], band_class[2]))
        idx = np.flatnonzero(present)
        out.append(TermRoster(term, idx, grade[idx], school[idx], status[idx], (term.year - b_year - 1)[idx],
                              class_no[idx]))
    return out


def _ensure_poverty_dropout(roster: TermRoster, failing: np.ndarray, poverty: np.ndarray) -> None:
    """Make sure a failing township shows a 脱贫户 dropout in the last term (if it has any dropout)."""
    dropped = roster.student[(roster.status == ST["辍学"]) & failing[roster.student]]
    if len(dropped) and not poverty[dropped].any():
        poverty[dropped[0]] = True
