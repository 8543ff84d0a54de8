"""The unit_counts analytics table: indicator inputs per term for every area level and school.

Refreshed for a term after any roster, population or history write; dashboards, `rates`, tiers
and exports read it (one source of truth) instead of aggregating student rows live.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from data_access.models import Area, EnrollmentHistory, Population, RosterAggregate as Agg, School, SchoolMove, Term, UnitCounts
from domain.areas import LEVEL_DIGITS
from domain.dashboard.indicators import (COMPULSORY_AGES, combine_sources, CONSOLIDATION_SPAN, DROPPED, ENROLLED, JUNIOR_AGES, JUNIOR_GRADES,
                               PRIMARY_AGES, PRIMARY_GRADES, THREE_DISABILITIES)
from domain.terms import parse_term

_ENR = Agg.status.in_(ENROLLED)
_DROP = Agg.status == DROPPED
_PRIMARY = Agg.grade.between(PRIMARY_GRADES.start, PRIMARY_GRADES.stop - 1)
_JUNIOR = Agg.grade.between(JUNIOR_GRADES.start, JUNIOR_GRADES.stop - 1)

ROSTER_FIELDS: dict[str, object] = {
    "primary_enrolled": _ENR & _PRIMARY & Agg.age.between(PRIMARY_AGES.start, PRIMARY_AGES.stop - 1),
    "junior_enrolled": _ENR & _JUNIOR,
    "primary_dropped": _DROP & _PRIMARY,
    "primary_base": (_ENR | _DROP) & _PRIMARY,
    "junior_dropped": _DROP & _JUNIOR,
    "junior_base": (_ENR | _DROP) & _JUNIOR,
    "disabled_enrolled": _ENR & Agg.age.between(COMPULSORY_AGES.start, COMPULSORY_AGES.stop - 1)
    & Agg.disability.in_(THREE_DISABILITIES),
    "special_group_dropouts": _DROP & Agg.poverty_registered.is_(True),
    "dropouts": _DROP,
    "enrolled": _ENR,
    "left_behind_enrolled": _ENR & Agg.left_behind.is_(True),
    "migrant_enrolled": _ENR & Agg.migrant.is_(True),
    "poverty_enrolled": _ENR & Agg.poverty_registered.is_(True),
    "disabled_dropped": _DROP & (Agg.disability != "无"),
    "left_behind_dropped": _DROP & Agg.left_behind.is_(True),
    "migrant_dropped": _DROP & Agg.migrant.is_(True),
}
POPULATION_FIELDS = ("outside_primary", "outside_junior", "population_primary", "population_junior",
                     "disabled_population")
AREA_LEVELS = ("province", "prefecture", "county", "township", "village")


def _grouped(session: Session, key: object, term: str, fields: dict[str, object]) -> dict[object, list[int]]:
    cols = [func.sum(Agg.students).filter(cond) for cond in fields.values()]
    rows = session.execute(select(key, *cols).where(Agg.term_code == term).group_by(key)).all()
    return {r[0]: [int(v or 0) for v in r[1:]] for r in rows}


def _roll_up(by_code: dict[str, list[int | None]], codes_by_level: dict[str, set[str]]
             ) -> dict[tuple[str, str], list[int | None]]:
    """Sum full-code rows into every level's areas (only areas that exist at that level)."""
    out: dict[tuple[str, str], list[int | None]] = {}
    for level in AREA_LEVELS:
        d = LEVEL_DIGITS[level]
        known = codes_by_level.get(level, set())
        acc: dict[str, list[int | None]] = {}
        for code, values in by_code.items():
            unit = code[:d] + "0" * (12 - d)
            if unit not in known:
                continue
            cur = acc.get(unit)
            acc[unit] = list(values) if cur is None else [
                None if a is None and b is None else (a or 0) + (b or 0) for a, b in zip(cur, values)]
        out.update({(level, u): v for u, v in acc.items()})
    return out


def _population(session: Session, year: int) -> dict[str, list[int | None]]:
    def band(col, ages: range):  # noqa: ANN001, ANN202
        return func.sum(col).filter(Population.age.between(ages.start, ages.stop - 1))
    rows = session.execute(select(
        Population.area_code, band(Population.outside_attendance, PRIMARY_AGES),
        band(Population.outside_attendance, JUNIOR_AGES), band(Population.population, PRIMARY_AGES),
        band(Population.population, JUNIOR_AGES), band(Population.disabled_population, COMPULSORY_AGES),
    ).where(Population.year == year).group_by(Population.area_code)).all()
    return {r[0]: [None if v is None else int(v) for v in r[1:]] for r in rows}


def _township_of(code: str) -> str:
    return code[:9] + "000"


def _grade1_base(session: Session, year: int
                 ) -> tuple[dict[str, list[int | None]], dict[str, str], dict[int, int]]:
    """Grade-1 enrolled in autumn of `year` by area code (with its source) and by school, chosen per township
    (domain.md §3): the roster count where the township has roster rows for that term, the imported history
    otherwise."""
    base_term = f"{year}-1"
    cond = {"g1": _ENR & (Agg.grade == 1)}
    roster = {k: v[0] for k, v in _grouped(session, Agg.area_code, base_term, cond).items()}
    by_school = {k: v[0] for k, v in _grouped(session, Agg.school_id, base_term, cond).items()}
    on_roster = {_township_of(code) for code in roster}
    history = session.execute(select(EnrollmentHistory.area_code, func.sum(EnrollmentHistory.enrolled))
                              .where(EnrollmentHistory.year == year, EnrollmentHistory.grade == 1)
                              .group_by(EnrollmentHistory.area_code)).all()
    by_area = {code: [n] for code, n in roster.items()}
    sources = dict.fromkeys(roster, "roster")
    for code, n in history:
        if _township_of(code) not in on_roster:
            by_area[code], sources[code] = [int(n or 0)], "history"
    return by_area, sources, by_school


def _roll_up_sources(sources: dict[str, str], codes_by_level: dict[str, set[str]]) -> dict[tuple[str, str], str]:
    """The source of each area's consolidation base: roster, history, or mixed where both were summed."""
    out: dict[tuple[str, str], str] = {}
    for level in AREA_LEVELS:
        d = LEVEL_DIGITS[level]
        known = codes_by_level.get(level, set())
        for code, source in sources.items():
            unit = code[:d] + "0" * (12 - d)
            if unit in known:
                out[(level, unit)] = combine_sources(out.get((level, unit)), source) or source
    return out


def refresh_unit_counts(session: Session, term_code: str) -> int:
    """Recompute unit_counts of one term for every area level and every school; return rows written.

    Every area with roster pupils, population or a consolidation base gets a row once the term has a roster:
    a township whose children are on no roster has 0 enrolled against its population (0%), not "no data"."""
    term = parse_term(term_code)
    session.execute(delete(UnitCounts).where(UnitCounts.term_code == term_code))
    names = list(ROSTER_FIELDS)
    by_area = _grouped(session, Agg.area_code, term_code, ROSTER_FIELDS)
    if not by_area:
        return 0
    by_school = _grouped(session, Agg.school_id, term_code, ROSTER_FIELDS)
    autumn = f"{term.year}-1"
    g9 = {"g9": _ENR & (Agg.grade == 9)}
    g9_area = {k: [v[0]] for k, v in _grouped(session, Agg.area_code, autumn, g9).items()}
    g9_school = {k: v[0] for k, v in _grouped(session, Agg.school_id, autumn, g9).items()}
    autumn_known = bool(g9_area) or session.scalar(
        select(Agg.id).where(Agg.term_code == autumn).limit(1)) is not None
    g1_area, g1_sources, g1_school = _grade1_base(session, term.year - CONSOLIDATION_SPAN)
    codes_by_level: dict[str, set[str]] = defaultdict(set)
    for code, level in session.execute(select(Area.code, Area.level)):
        codes_by_level[level].add(code)
    roster = _roll_up(by_area, codes_by_level)
    grade9 = _roll_up(g9_area, codes_by_level)
    grade1 = _roll_up(g1_area, codes_by_level)
    grade1_source = _roll_up_sources(g1_sources, codes_by_level)
    population = _roll_up(_population(session, term.year), codes_by_level)
    zeros = [0] * len(names)
    rows = []
    for level, unit in sorted(set(roster) | set(population) | (set(grade1) if autumn_known else set())):
        row = dict(zip(names, roster.get((level, unit), zeros)), term_code=term_code, level=level, unit_code=unit,
                   township_code=None)
        row["grade9_enrolled"] = (grade9.get((level, unit)) or [0])[0]
        row["grade1_base"] = (grade1.get((level, unit)) or [None])[0] if autumn_known else None
        row["grade1_source"] = grade1_source.get((level, unit)) if row["grade1_base"] is not None else None
        row.update(zip(POPULATION_FIELDS, population.get((level, unit), [None] * len(POPULATION_FIELDS))))
        rows.append(row)
    schools = dict(session.execute(select(School.id, School.code)).all())
    townships = dict(session.execute(select(School.id, School.township_code)).all())
    # a school moved from a later term on is listed under its township of this term (the earliest such move's)
    for school_id, town in session.execute(select(SchoolMove.school_id, SchoolMove.from_township)
                                           .where(SchoolMove.from_term > term_code)
                                           .order_by(SchoolMove.from_term.desc())).all():
        townships[school_id] = town
    for school_id, values in by_school.items():
        g1 = g1_school.get(school_id) if autumn_known else None
        row = dict(zip(names, values), term_code=term_code, level="school", unit_code=schools[school_id],
                   township_code=townships[school_id], grade9_enrolled=g9_school.get(school_id, 0),
                   grade1_base=g1, grade1_source="roster" if g1 is not None else None)
        row.update(dict.fromkeys(POPULATION_FIELDS))
        rows.append(row)
    for i in range(0, len(rows), 5000):
        session.execute(insert(UnitCounts), rows[i:i + 5000])
    return len(rows)


def refresh_terms(session: Session, terms: Iterable[str] | None = None) -> None:
    """Refresh unit_counts for the given terms, or for every known term."""
    codes = list(terms) if terms is not None else list(session.scalars(select(Term.code)))
    for code in codes:
        refresh_unit_counts(session, code)


def terms_depending_on(session: Session, *, roster_term: str | None = None, year: int | None = None,
                       history_year: int | None = None) -> list[str]:
    """Known terms whose counts use a roster term, a population year, or a history year."""
    known = list(session.scalars(select(Term.code)))
    hit = set()
    for code in known:
        t = parse_term(code)
        if roster_term is not None:
            r = parse_term(roster_term)
            if code == roster_term or (r.semester == 1 and t.year in (r.year, r.year + CONSOLIDATION_SPAN)):
                hit.add(code)
        if year is not None and t.year == year:
            hit.add(code)
        if history_year is not None and t.year == history_year + CONSOLIDATION_SPAN:
            hit.add(code)
    return sorted(hit)
