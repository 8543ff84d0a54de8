"""Demo population (乡镇排查) and enrollment history, derived from the generated rosters."""
from __future__ import annotations

import numpy as np

from data_access.demo.layout import CountyLayout
from data_access.demo.students import DIS, ENROLLED_CODES, ST, CountyStudents, TermRoster

HISTORY_FIRST_YEAR = 2014
_AGES = np.arange(6, 15)
_THREE = (DIS["视力"], DIS["听力"], DIS["智力"])


def _roster_per_year(students: CountyStudents, *, spring_first: bool) -> dict[int, TermRoster]:
    """One roster per school year: the autumn term first, or the spring term first."""
    out: dict[int, TermRoster] = {}
    for r in sorted(students.rosters, key=lambda r: (r.term.year, r.term.semester), reverse=spring_first):
        out.setdefault(r.term.year, r)
    return dict(sorted(out.items()))


def _spread(totals: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Split integer totals over columns in proportion to shares (largest remainder)."""
    totals = np.rint(totals).astype(np.int64)
    row_sum = shares.sum(axis=1, keepdims=True)
    even = np.zeros_like(shares, dtype=float)
    even[:, -1] = 1.0  # rows without any child of the ages: put the total on the last age
    weights = np.where(row_sum > 0, shares / np.where(row_sum > 0, row_sum, 1), even)
    raw = weights * totals[:, None]
    floor = np.floor(raw).astype(np.int64)
    need = totals - floor.sum(axis=1)
    ranks = np.argsort(np.argsort(-(raw - floor), axis=1, kind="stable"), axis=1)
    return floor + (ranks < need[:, None])


def population_rows(layout: CountyLayout, students: CountyStudents, rng: np.random.Generator) -> list[dict]:
    """Population per village, school year and age 6–14, calibrated to each township's profile.

    Like the township survey (乡镇排查), it is taken in spring: calibrated on the spring roster
    of a school year when there is one, else on its autumn roster.
    """
    prof = [t.profile for t in layout.townships]
    n_town = len(prof)
    r_primary = np.array([p.primary_enrollment for p in prof]) + rng.uniform(-0.0015, 0.0015, n_town)
    r_junior = np.array([p.junior_enrollment for p in prof]) + rng.uniform(-0.0015, 0.0015, n_town)
    missing = np.array([p.disabled_missing for p in prof])
    n_vill = len(students.village_codes)
    vt = students.village_township
    rows: list[dict] = []
    for year, roster in _roster_per_year(students, spring_first=True).items():
        village = students.village[roster.student]
        enrolled = np.isin(roster.status, ENROLLED_CODES)
        counted = enrolled | (roster.status == ST["辍学"])
        in_ages = (roster.age >= 6) & (roster.age <= 14)
        hist = np.zeros((n_vill, len(_AGES)))
        np.add.at(hist, (village[counted & in_ages], roster.age[counted & in_ages] - 6), 1)
        p_num = np.bincount(village[enrolled & (roster.grade <= 6) & (roster.age >= 6) & (roster.age <= 11)],
                            minlength=n_vill)
        j_num = np.bincount(village[enrolled & (roster.grade >= 7)], minlength=n_vill)
        pop = np.concatenate([_spread(p_num / r_primary[vt], hist[:, :6]),
                              _spread(j_num / r_junior[vt], hist[:, 6:])], axis=1)
        outside = rng.binomial(pop, 0.004)
        pop = pop + outside
        dis = np.zeros((n_vill, len(_AGES)), dtype=np.int64)
        three = counted & in_ages & np.isin(students.disability[roster.student], _THREE)
        np.add.at(dis, (village[three], roster.age[three] - 6), 1)
        dis = np.minimum(dis + rng.binomial(1, missing[vt][:, None] * (pop > 0)), pop)
        for v, code in enumerate(students.village_codes):
            for a in range(len(_AGES)):
                rows.append({"area_code": code, "year": year, "age": int(_AGES[a]), "population": int(pop[v, a]),
                             "outside_attendance": int(outside[v, a]), "disabled_population": int(dis[v, a])})
    return rows


def history_rows(layout: CountyLayout, students: CountyStudents, rng: np.random.Generator) -> list[dict]:
    """Enrolled counts per township, school year and grade before the first roster year."""
    by_year = _roster_per_year(students, spring_first=False)
    first_year = min(by_year)
    n_town = len(layout.townships)
    counts: dict[int, np.ndarray] = {}
    for year, roster in by_year.items():
        enrolled = np.isin(roster.status, ENROLLED_CODES)
        mat = np.zeros((n_town, 10), dtype=np.int64)
        np.add.at(mat, (students.township[roster.student][enrolled], roster.grade[enrolled]), 1)
        counts[year] = mat
    cons = np.array([t.profile.consolidation for t in layout.townships]) + rng.uniform(-0.006, 0.006, n_town)
    rows: list[dict] = []
    for t, tw in enumerate(layout.townships):
        survive = cons[t] ** ((np.arange(10) - 1) / 8.0)  # share of a grade-1 intake still enrolled in grade g
        intake: dict[int, float] = {}
        for cohort in range(first_year - 8, first_year):
            if cohort + 8 in counts:
                intake[cohort] = counts[cohort + 8][t, 9] / cons[t]
            else:
                grade = first_year - cohort + 1
                intake[cohort] = counts[first_year][t, grade] / survive[grade]
        oldest = first_year - 8
        for year in range(HISTORY_FIRST_YEAR, first_year):
            for grade in range(1, 10):
                cohort = year - grade + 1
                size = intake.get(cohort, intake[oldest] * 0.968 ** (oldest - cohort))
                rows.append({"area_code": tw.code, "year": year, "grade": grade,
                             "enrolled": int(round(size * survive[grade]))})
    return rows
