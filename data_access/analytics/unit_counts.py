"""The unit_counts analytics table: indicator inputs per term for every area level and school.

Refreshed for a term after any roster, population or history write; dashboards, `rates`, tiers
and exports read it (one source of truth) instead of aggregating student rows live.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from data_access.models import Area, EnrollmentHistory, Population, RosterAggregate as Agg, School, SchoolMove, Term, UnitCounts
from domain.areas import LEVEL_DIGITS
from domain.dashboard.indicators import (COMPULSORY_AGES, combine_sources, CONSOLIDATION_SPAN, DROPPED, ENROLLED, JUNIOR_AGES, JUNIOR_GRADES,
                               PRIMARY_AGES, PRIMARY_GRADES, THREE_DISABILITIES)
from domain.terms import parse_term
from domain.warning.factors import SCORED_STATUSES

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
# + every line, any status; the pupils in school early warning scores
SCHOOL_FIELDS: dict[str, object | None] = {**ROSTER_FIELDS, "roster_lines": None,
                                           "in_school": Agg.status.in_(SCORED_STATUSES)}
POPULATION_FIELDS = ("outside_primary", "outside_junior", "population_primary", "population_junior",
                     "disabled_population")
AREA_LEVELS = ("province", "prefecture", "county", "township", "village")


def _grouped(session: Session, key: object, term: str, fields: dict[str, object | None], *where: object
             ) -> dict[object, list[int]]:
    """Per key, the sum of students of the cells meeting each field's condition (None: every cell)."""
    cols = [func.sum(Agg.students) if cond is None else func.sum(Agg.students).filter(cond)
            for cond in fields.values()]
    rows = session.execute(select(key, *cols).where(Agg.term_code == term, *where).group_by(key)).all()
    return {r[0]: [int(v or 0) for v in r[1:]] for r in rows}


def _sum(a: int | None, b: int | None) -> int | None:
    return None if a is None and b is None else (a or 0) + (b or 0)


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
            acc[unit] = list(values) if cur is None else [_sum(a, b) for a, b in zip(cur, values)]
        out.update({(level, u): v for u, v in acc.items()})
    return out


def _population(session: Session, year: int, *where: object) -> dict[str, list[int | None]]:
    def band(col, ages: range):  # noqa: ANN001, ANN202
        return func.sum(col).filter(Population.age.between(ages.start, ages.stop - 1))
    rows = session.execute(select(
        Population.area_code, band(Population.outside_attendance, PRIMARY_AGES),
        band(Population.outside_attendance, JUNIOR_AGES), band(Population.population, PRIMARY_AGES),
        band(Population.population, JUNIOR_AGES), band(Population.disabled_population, COMPULSORY_AGES),
    ).where(Population.year == year, *where).group_by(Population.area_code)).all()
    return {r[0]: [None if v is None else int(v) for v in r[1:]] for r in rows}


def _township_of(code: str) -> str:
    return code[:9] + "000"


_G1 = {"g1": _ENR & (Agg.grade == 1)}
_G9 = {"g9": _ENR & (Agg.grade == 9)}


def _grade1_base(session: Session, year: int, span: tuple[str, str] | None = None
                 ) -> tuple[dict[str, list[int | None]], dict[str, str]]:
    """Grade-1 enrolled in autumn of `year` by area code (with its source), chosen per township (domain.md §3):
    the roster count where the township has roster rows for that term, the imported history otherwise. `span`
    limits it to a range of codes holding whole townships (a county's)."""
    base_term = f"{year}-1"
    roster = {k: v[0] for k, v in _grouped(session, Agg.area_code, base_term, _G1,
                                           *_in_span(Agg.area_code, span)).items()}
    on_roster = {_township_of(code) for code in roster}
    history = session.execute(select(EnrollmentHistory.area_code, func.sum(EnrollmentHistory.enrolled))
                              .where(EnrollmentHistory.year == year, EnrollmentHistory.grade == 1,
                                     *_in_span(EnrollmentHistory.area_code, span))
                              .group_by(EnrollmentHistory.area_code)).all()
    by_area = {code: [n] for code, n in roster.items()}
    sources = dict.fromkeys(roster, "roster")
    for code, n in history:
        if _township_of(code) not in on_roster:
            by_area[code], sources[code] = [int(n or 0)], "history"
    return by_area, sources


def _in_span(col: object, span: tuple[str, str] | None) -> list[object]:
    return [] if span is None else [col.between(*span)]  # type: ignore[attr-defined]


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


def _has_roster(session: Session, term_code: str) -> bool:
    return session.scalar(select(Agg.id).where(Agg.term_code == term_code).limit(1)) is not None


def _area_rows(session: Session, term_code: str, autumn_known: bool, span: tuple[str, str] | None = None,
               levels: tuple[str, ...] = AREA_LEVELS) -> list[dict]:
    """The area rows of a term: every level's, or (`span`: a county's range of codes) those of `levels` inside it,
    computed from the leaf codes in the span alone (a county, township or village sums only codes under it)."""
    term = parse_term(term_code)
    names = list(ROSTER_FIELDS)
    by_area = _grouped(session, Agg.area_code, term_code, ROSTER_FIELDS, *_in_span(Agg.area_code, span))
    g9_area = {k: [v[0]] for k, v in _grouped(session, Agg.area_code, f"{term.year}-1", _G9,
                                              *_in_span(Agg.area_code, span)).items()}
    g1_area, g1_sources = _grade1_base(session, term.year - CONSOLIDATION_SPAN, span)
    codes_by_level: dict[str, set[str]] = defaultdict(set)
    for code, level in session.execute(select(Area.code, Area.level).where(*_in_span(Area.code, span))):
        if level in levels:
            codes_by_level[level].add(code)
    roster = _roll_up(by_area, codes_by_level)
    grade9 = _roll_up(g9_area, codes_by_level)
    grade1 = _roll_up(g1_area, codes_by_level)
    grade1_source = _roll_up_sources(g1_sources, codes_by_level)
    population = _roll_up(_population(session, term.year, *_in_span(Population.area_code, span)), codes_by_level)
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
    return rows


def _school_rows(session: Session, term_code: str, autumn_known: bool, school_ids: list[int] | None = None
                 ) -> list[dict]:
    """The school rows of a term: every school's, or those of `school_ids` (the ones with roster rows)."""
    term = parse_term(term_code)
    names = list(SCHOOL_FIELDS)
    chunks = [None] if school_ids is None else [school_ids[i:i + 500] for i in range(0, len(school_ids), 500)]
    by_school: dict[object, list[int]] = {}
    g9_school: dict[object, int] = {}
    g1_school: dict[object, int] = {}
    base_term = f"{term.year - CONSOLIDATION_SPAN}-1"
    for chunk in chunks:
        where = [] if chunk is None else [Agg.school_id.in_(chunk)]
        by_school.update(_grouped(session, Agg.school_id, term_code, SCHOOL_FIELDS, *where))
        g9_school.update({k: v[0] for k, v in _grouped(session, Agg.school_id, f"{term.year}-1", _G9,
                                                       *where).items()})
        g1_school.update({k: v[0] for k, v in _grouped(session, Agg.school_id, base_term, _G1, *where).items()})
    school_where = [] if school_ids is None else [School.id.in_(school_ids)]
    move_where = [] if school_ids is None else [SchoolMove.school_id.in_(school_ids)]
    schools = dict(session.execute(select(School.id, School.code).where(*school_where)).all())
    townships = dict(session.execute(select(School.id, School.township_code).where(*school_where)).all())
    # a school moved from a later term on is listed under its township of this term (the earliest such move's)
    for school_id, town in session.execute(select(SchoolMove.school_id, SchoolMove.from_township)
                                           .where(SchoolMove.from_term > term_code, *move_where)
                                           .order_by(SchoolMove.from_term.desc())).all():
        townships[school_id] = town
    rows = []
    for school_id, values in by_school.items():
        g1 = g1_school.get(school_id) if autumn_known else None
        row = dict(zip(names, values), term_code=term_code, level="school", unit_code=schools[school_id],
                   township_code=townships[school_id], grade9_enrolled=g9_school.get(school_id, 0),
                   grade1_base=g1, grade1_source="roster" if g1 is not None else None)
        row.update(dict.fromkeys(POPULATION_FIELDS))
        rows.append(row)
    return rows


def _insert(session: Session, rows: list[dict]) -> None:
    for i in range(0, len(rows), 5000):
        session.execute(insert(UnitCounts), rows[i:i + 5000])


def refresh_unit_counts(session: Session, term_code: str) -> int:
    """Recompute unit_counts of one term for every area level and every school; return rows written.

    Every area with roster pupils, population or a consolidation base gets a row once the term has a roster:
    a township whose children are on no roster has 0 enrolled against its population (0%), not "no data"."""
    term = parse_term(term_code)
    session.execute(delete(UnitCounts).where(UnitCounts.term_code == term_code))
    if not _has_roster(session, term_code):   # no roster for the term: no rows
        return 0
    autumn_known = _has_roster(session, f"{term.year}-1")
    rows = _area_rows(session, term_code, autumn_known) + _school_rows(session, term_code, autumn_known)
    _insert(session, rows)
    return len(rows)


# --- incremental refresh (issue 19 item 2) --------------------------------------------------------------------

_LOCAL_LEVELS = ("county", "township", "village")
_UPPER_LEVELS = ("province", "prefecture")
_EXISTS_CHUNK = 100


def _span(prefix: str) -> tuple[str, str]:
    pad = 12 - len(prefix)
    return prefix + "0" * pad, prefix + "9" * pad


def _county_gaps(session: Session) -> list[tuple[str, str]]:
    """Code ranges under a known province or prefecture but under no known county: a leaf code there would count
    toward a prefecture or the province without counting toward any county row."""
    uppers: set[str] = set()
    counties: list[int] = []
    for code, level in session.execute(select(Area.code, Area.level).where(Area.level.in_(
            ("province", "prefecture", "county")))):
        if level == "county":
            counties.append(int(code[:6]))
        else:
            uppers.add(code[:LEVEL_DIGITS[level]])
    outer = sorted(p for p in uppers if not any(p != q and p.startswith(q) for q in uppers))
    counties.sort()
    gaps: list[tuple[str, str]] = []
    for p in outer:
        lo, hi = int(p.ljust(6, "0")), int(p.ljust(6, "9"))
        cursor = lo
        for c in counties:
            if c < lo or c > hi:
                continue
            if c > cursor:
                gaps.append((f"{cursor:06d}000000", f"{c - 1:06d}999999"))
            cursor = c + 1
        if cursor <= hi:
            gaps.append((f"{cursor:06d}000000", f"{hi:06d}999999"))
    return gaps


def _any_in(session: Session, base: object, col: object, gaps: list[tuple[str, str]]) -> bool:
    """Whether a row of the SELECT `base` has `col` in one of the ranges (one indexed probe per range)."""
    for i in range(0, len(gaps), _EXISTS_CHUNK):
        probes = [exists(base.where(col.between(lo, hi))) for lo, hi in gaps[i:i + _EXISTS_CHUNK]]  # type: ignore
        if session.scalar(select(or_(*probes))):
            return True
    return False


def _leaves_outside_counties(session: Session, term_code: str, gaps: list[tuple[str, str]]) -> bool:
    """Whether any input of the term's counts has a leaf code in a gap (then prefecture and province rows are not
    the sums of county rows, and only the full refresh is exact)."""
    if not gaps:
        return False
    term = parse_term(term_code)
    base_year = term.year - CONSOLIDATION_SPAN
    for t in sorted({term_code, f"{term.year}-1", f"{base_year}-1"}):
        if _any_in(session, select(Agg.id).where(Agg.term_code == t), Agg.area_code, gaps):
            return True
    return (_any_in(session, select(Population.area_code).where(Population.year == term.year),
                    Population.area_code, gaps)
            or _any_in(session, select(EnrollmentHistory.area_code).where(
                EnrollmentHistory.year == base_year, EnrollmentHistory.grade == 1), EnrollmentHistory.area_code,
                gaps))


def _upper_rows(session: Session, term_code: str) -> list[dict]:
    """Prefecture and province rows re-summed from the term's county rows (exact when every leaf code under a
    known prefecture or province lies under a known county: _leaves_outside_counties)."""
    known = {(level, code) for code, level in session.execute(
        select(Area.code, Area.level).where(Area.level.in_(_UPPER_LEVELS)))}
    sums = list(ROSTER_FIELDS) + ["grade9_enrolled"]
    nullable = ["grade1_base", *POPULATION_FIELDS]
    acc: dict[tuple[str, str], dict] = {}
    table = UnitCounts.__table__
    for county in session.execute(select(table).where(table.c.term_code == term_code,  # not the ORM's identity map
                                                      table.c.level == "county")):
        for level in _UPPER_LEVELS:
            d = LEVEL_DIGITS[level]
            unit = county.unit_code[:d] + "0" * (12 - d)
            if (level, unit) not in known:
                continue
            row = acc.get((level, unit))
            if row is None:
                row = acc[(level, unit)] = dict(
                    {f: 0 for f in sums}, **{f: None for f in nullable}, term_code=term_code, level=level,
                    unit_code=unit, township_code=None, grade1_source=None)
            for f in sums:
                row[f] += getattr(county, f)
            for f in nullable:
                row[f] = _sum(row[f], getattr(county, f))
            row["grade1_source"] = combine_sources(row["grade1_source"], county.grade1_source)
    return [acc[k] for k in sorted(acc)]


def _refresh_incrementally(session: Session, term_code: str, schools: set[int], area_codes: set[str],
                           roster_term: str | None, gaps: list[tuple[str, str]]) -> bool:
    """Refresh only what a write of `schools` (leaf codes `area_codes`) can have changed in the term's counts:
    those schools' rows, the county/township/village rows of the counties of those codes, and the prefecture and
    province rows. False, having written nothing, where that cannot be exact (then the caller rebuilds)."""
    term = parse_term(term_code)
    autumn = f"{term.year}-1"
    if session.scalar(select(UnitCounts.term_code).where(UnitCounts.term_code == term_code).limit(1)) is None:
        return False                       # never refreshed (or had no roster): the full rebuild
    if not _has_roster(session, term_code):
        return False                       # the term's roster is gone: the full rebuild writes no rows
    ids = sorted(schools)
    if roster_term is None or roster_term == autumn:
        # autumn_known (the autumn term has a roster) is unchanged when a school outside the write has autumn rows
        outside = select(Agg.id).where(Agg.term_code == autumn)
        if ids:
            outside = outside.where(Agg.school_id.not_in(ids))
        if session.scalar(outside.limit(1)) is None:
            return False
    if _leaves_outside_counties(session, term_code, gaps):
        return False
    autumn_known = True if roster_term is None or roster_term == autumn else _has_roster(session, autumn)
    rows: list[dict] = []
    for county in sorted({c[:6] for c in area_codes}):
        span = _span(county)
        session.execute(delete(UnitCounts).where(UnitCounts.term_code == term_code,
                                                 UnitCounts.level.in_(_LOCAL_LEVELS),
                                                 UnitCounts.unit_code.between(*span)))
        rows += _area_rows(session, term_code, autumn_known, span, _LOCAL_LEVELS)
    codes = list(session.scalars(select(School.code).where(School.id.in_(ids)))) if ids else []
    for i in range(0, len(codes), 500):
        session.execute(delete(UnitCounts).where(UnitCounts.term_code == term_code, UnitCounts.level == "school",
                                                 UnitCounts.unit_code.in_(codes[i:i + 500])))
    if ids:
        rows += _school_rows(session, term_code, autumn_known, ids)
    _insert(session, rows)
    session.execute(delete(UnitCounts).where(UnitCounts.term_code == term_code,
                                             UnitCounts.level.in_(_UPPER_LEVELS)))
    _insert(session, _upper_rows(session, term_code))
    return True


def refresh_terms(session: Session, terms: Iterable[str] | None = None, *, schools: Iterable[int] | None = None,
                  area_codes: Iterable[str] | None = None, roster_term: str | None = None) -> None:
    """Refresh unit_counts for the given terms, or for every known term.

    With `schools` and `area_codes` (what a roster write of `roster_term` touched: the schools whose roster_agg rows
    were recomputed, and the area codes of the rows deleted and inserted, as refresh_roster_aggregates returns them)
    only the rows those can change are recomputed, and each term falls back to the full rebuild where that would
    not be exact (no stored rows yet, the term's roster gone, the autumn term's roster appearing or vanishing, a
    leaf code under a known prefecture but no known county). Callers that change the area tree, schools' townships,
    population or history call it without them."""
    codes = list(terms) if terms is not None else list(session.scalars(select(Term.code)))
    if schools is None or area_codes is None:
        for code in codes:
            refresh_unit_counts(session, code)
        return
    touched, leaves = set(schools), set(area_codes)
    gaps = _county_gaps(session) if codes else []
    for code in codes:
        if not _refresh_incrementally(session, code, touched, leaves, roster_term, gaps):
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
