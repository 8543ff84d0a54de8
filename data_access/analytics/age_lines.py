"""The school-age ledger's lines, stored per term (analytics table school_age_line, issue 19): the survey of the
term's school year against the roster counts of roster_agg per area and age, joined by the domain's own rule
(domain.cases.agreement.school_age_rows), both unfolded (the children grid) and folded (the agreement check).

The join never crosses a township (a count goes to its own area's line or its township's; folding is per
township), so the lines are refreshed township by township: every write of roster_agg refreshes the townships
its schools' pupils count toward, before and after (aggregates.refresh_roster_aggregates), and a population import
the townships of its rows, in every term of that school year. `recount` computes the same lines afresh for tests
and checks.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.orm import Session

from data_access.models import Population, RosterAggregate as Agg, SchoolAgeLine as Line, Term
from domain.areas import code_range, township_of
from domain.cases.agreement import (AGES, DROPPED, ENROLLED, AreaAgeRow, PopulationCount, RosterCount,
                                    school_age_rows)
from domain.terms import parse_term

COUNTED = tuple(sorted(ENROLLED | {DROPPED}))
_CHUNK = 200  # townships per statement


def _inputs(session: Session, term_code: str, townships: list[str] | None
            ) -> tuple[list[PopulationCount], list[RosterCount]]:
    year = parse_term(term_code).year
    enrolled = func.sum(case((Agg.status.in_(sorted(ENROLLED)), Agg.students), else_=0))
    dropped = func.sum(case((Agg.status == DROPPED, Agg.students), else_=0))
    counts = (select(Agg.area_code, Agg.age, enrolled, dropped)
              .where(Agg.term_code == term_code, Agg.age.between(AGES.start, AGES.stop - 1), Agg.status.in_(COUNTED))
              .group_by(Agg.area_code, Agg.age))
    pop = select(Population.area_code, Population.age, Population.population, Population.outside_attendance).where(
        Population.year == year, Population.age.between(AGES.start, AGES.stop - 1))
    if townships is None:
        parts = [(pop, counts)]
    else:  # one township a statement: a single range on area_code is what the indexes serve (an OR of them is not)
        parts = [(pop.where(Population.area_code.between(*code_range(t, "township"))),
                  counts.where(Agg.area_code.between(*code_range(t, "township")))) for t in townships]
    population: list[PopulationCount] = []
    roster: list[RosterCount] = []
    for p_stmt, c_stmt in parts:
        population += [PopulationCount(a, age, p or 0, o or 0) for a, age, p, o in session.execute(p_stmt)]
        roster += [RosterCount(a, age, e or 0, d or 0) for a, age, e, d in session.execute(c_stmt)]
    return population, roster


def _lines(population: list[PopulationCount], roster: list[RosterCount], folded: bool) -> list[AreaAgeRow]:
    """school_age_rows township by township (the same result as over the whole, since no line crosses one)."""
    pops: dict[str, list[PopulationCount]] = defaultdict(list)
    counts: dict[str, list[RosterCount]] = defaultdict(list)
    for p in population:
        pops[township_of(p.area_code)].append(p)
    for r in roster:
        counts[township_of(r.area_code)].append(r)
    out: list[AreaAgeRow] = []
    for town in sorted(set(pops) | set(counts)):
        out += school_age_rows(pops.get(town, []), counts.get(town, []), fold_unplaced=folded)
    return out


def recount(session: Session, term_code: str, folded: bool) -> list[AreaAgeRow]:
    """The term's lines computed afresh from roster_agg and the population (what the stored lines must equal)."""
    population, roster = _inputs(session, term_code, None)
    return sorted(school_age_rows(population, roster, fold_unplaced=folded), key=lambda r: (r.area_code, r.age))


def _write(session: Session, term_code: str, townships: list[str] | None) -> None:
    population, roster = _inputs(session, term_code, townships)
    rows = [{"term_code": term_code, "folded": folded, "township_code": township_of(r.area_code),
             "area_code": r.area_code, "age": r.age, "population": r.population, "outside": r.outside,
             "enrolled": r.enrolled, "dropped": r.dropped, "unplaced": r.unplaced, "gap": r.gap}
            for folded in (False, True) for r in _lines(population, roster, folded)]
    for i in range(0, len(rows), 5000):
        session.execute(insert(Line), rows[i:i + 5000])


def refresh_age_lines(session: Session, term_code: str, townships: Iterable[str] | None = None) -> None:
    """Recompute a term's stored lines: of the given townships (codes of any level inside them are taken as their
    township), or of the whole term."""
    if townships is None:
        session.execute(delete(Line).where(Line.term_code == term_code))
        _write(session, term_code, None)
        return
    towns = sorted({township_of(t) for t in townships if t})
    for i in range(0, len(towns), _CHUNK):
        chunk = towns[i:i + _CHUNK]
        session.execute(delete(Line).where(Line.term_code == term_code, Line.township_code.in_(chunk)))
        _write(session, term_code, chunk)


def refresh_age_lines_for_population(session: Session, years: Iterable[int], areas: Iterable[str]) -> None:
    """After a population import: the townships of its areas, in every term of its school years."""
    towns = sorted({township_of(a) for a in areas if a})
    years = set(years)
    for code in session.scalars(select(Term.code)).all():
        if parse_term(code).year in years:
            refresh_age_lines(session, code, towns)


def areas_of_schools(session: Session, term_code: str, school_ids: list[int]) -> set[str]:
    """The area codes the roster_agg rows of these schools count toward in a term (before or after a refresh)."""
    out: set[str] = set()
    for i in range(0, len(school_ids), 500):
        chunk = school_ids[i:i + 500]
        out.update(a for _s, a in session.execute(  # (school, area): SQLite then reads uq_agg_cell
            select(Agg.school_id, Agg.area_code).where(Agg.term_code == term_code, Agg.school_id.in_(chunk))
            .distinct()))
    return out


def townships_of_schools(session: Session, term_code: str, school_ids: list[int]) -> set[str]:
    """The townships the roster_agg rows of these schools count toward in a term (before or after a refresh)."""
    return {township_of(a) for a in areas_of_schools(session, term_code, school_ids)}


def drop_term(session: Session, term_code: str) -> None:
    """A withdrawn term's lines."""
    session.execute(delete(Line).where(Line.term_code == term_code))


__all__ = ["areas_of_schools", "recount", "refresh_age_lines", "refresh_age_lines_for_population", "townships_of_schools", "drop_term"]
