"""The school-age children ledger (适龄儿童台账): per village (or township) and age, the population survey
against the children found on the term's roster; the named roster children of a line, a page at a time;
and the scoped student search of the new-case form."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from data_access.analytics.aggregates import attributed_area, household_outside
from data_access.cases.ledger import LedgerRefused, student_name, student_number
from data_access.grid import apply_grid
from data_access.names import COUNTY_SEPARATOR, scope_counties, with_county
from data_access.models import Area, Population, RosterAggregate, RosterRecord, School, SchoolAgeLine, Student, Term
from data_access.scope import Scope, area_filter, code_prefix_sql, scoped
from domain.cases.agreement import (AGES, DROPPED, ENROLLED, AreaAgeRow, PopulationCount, RosterCount,
                                    school_age_rows)
from domain.areas import code_range, township_of
from domain.divisions import division_name
from domain.grid_request import GridRequest, pick_rows
from domain.paging import clamp_page
from domain.privacy import mask_student_no, may_see_names
from domain.terms import parse_term
from domain.cases.views import AgeLine, ChildPage
from domain.cases.views import ChildRow

COUNTED = tuple(sorted(ENROLLED | {DROPPED}))
PAGE_SIZE = 50


def latest_term(session: Session) -> str | None:
    """The newest term with a roster."""
    return session.scalar(select(Term.code).order_by(Term.year.desc(), Term.semester.desc()).limit(1))


def _names(session: Session, codes: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    listed = sorted(codes)
    for i in range(0, len(listed), 900):
        out.update(session.execute(select(Area.code, Area.name).where(Area.code.in_(listed[i:i + 900]))).all())
    return out


def line_label(session: Session, scope: Scope, code: str, township: str | None = None) -> str:
    """A school-age line's place as the grid row of `scope` (within `township`, when one is picked) shows it: the
    township, after its county's where the grid names counties, and the village unless the line is the township's
    own."""
    town = township_of(code)
    names = _names(session, {code, town})
    label = _town_label(town, names.get(town), scope_counties(session, scope, township))
    return label if code == town else f"{label} {names.get(code, code)}"


def check_township(session: Session, scope: Scope, township: str | None) -> None:
    """Refuse a township outside the scope (school staff: other than their school's)."""
    if township is None:
        return
    if scope.school_id is not None:
        school = session.get(School, scope.school_id)
        ok = school is not None and school.township_code == township
    else:
        ok = scope.covers_area(township) and session.get(Area, township) is not None
    if not ok:
        raise LedgerRefused()


def _stored(scope: Scope) -> bool:
    """True when the stored lines serve this scope: whole townships or more (a line never crosses a township);
    school staff (their school's roster only) and a scope of villages are counted live."""
    return scope.school_id is None and all(lvl not in ("village", "school") for _c, lvl in scope.areas)


def _stored_lines(scope: Scope, term_code: str, township: str | None, folded: bool):  # noqa: ANN202 - a Select
    stmt = select(SchoolAgeLine).where(SchoolAgeLine.term_code == term_code, SchoolAgeLine.folded == folded,
                                       area_filter(scope, SchoolAgeLine.area_code))
    if township:
        stmt = stmt.where(SchoolAgeLine.township_code == township)
    return stmt


def _row(line: SchoolAgeLine) -> AreaAgeRow:
    return AreaAgeRow(line.area_code, line.age, line.population, line.outside, line.enrolled, line.dropped,
                      line.unplaced)


def _town_label(town: str, name: str | None, counties: dict[str, str] | None) -> str:
    """A line's township as the grid shows it: its name (its code when it has none), after its county's where the
    scope spans counties (the same rule in SQL: age_lines_block)."""
    return with_county(town, name, counties) if name else town


def longest_town_label(session: Session, scope: Scope, township: str | None = None) -> str:
    """The longest township label of the grid (its column is sized by it): of every township in the scope when none
    is picked (a province's 1,395: one read of names); else "" (one township: its first line says it)."""
    if township is not None or scope.school_id is not None:
        return ""
    counties = scope_counties(session, scope)
    towns = session.execute(select(Area.code, Area.name).where(Area.level == "township",
                                                               area_filter(scope, Area.code)))
    return max((_town_label(code, name, counties) for code, name in towns), key=len, default="")


def _named(session: Session, rows: list[AreaAgeRow], counties: dict[str, str] | None = None) -> list[AgeLine]:
    names = _names(session, {r.area_code for r in rows} | {township_of(r.area_code) for r in rows})
    return [AgeLine(r, names.get(r.area_code, r.area_code), township_of(r.area_code),
                    _town_label(township_of(r.area_code), names.get(township_of(r.area_code)), counties))
            for r in rows]


AGE_SORTABLE = frozenset({"township", "area", "age", "population", "outside", "found", "enrolled", "dropped", "gap"})
AGE_FILTERABLE = {"township": "text", "area": "text", "age": "number", "population": "number", "gap": "number"}


def _line_value(line: AgeLine, column: str) -> object:
    """A line's value in a column of the school-age grid (names as the grid shows them)."""
    if column in ("township", "area"):
        return line.township_name if column == "township" else line.area_name
    return getattr(line.row, column)


def age_lines_block(session: Session, scope: Scope, term_code: str, township: str | None,
                    request: GridRequest) -> tuple[list[AgeLine], int]:
    """The block of age_lines a grid asks for (filtered, ordered and cut) and how many lines the filters leave:
    in SQL over the stored lines, with the township's and village's names joined; for the scopes counted live (a
    school's, villages') over their short list in memory, by the same rules."""
    check_township(session, scope, township)
    if not _stored(scope):
        lines = age_lines(session, scope, term_code, township)
        return pick_rows(lines, request, _line_value)
    L = SchoolAgeLine
    stmt = _stored_lines(scope, term_code, township, False)
    columns: dict[str, Any] = {"age": L.age, "population": L.population, "outside": L.outside,
                               "found": L.enrolled + L.dropped, "enrolled": L.enrolled, "dropped": L.dropped,
                               "gap": L.gap}
    counties = scope_counties(session, scope, township)
    if _NAMED & ({c for c, _desc in request.sorts} | {f.column for f in request.filters}):
        # sorted or filtered by a name: the names joined before the cut (the township's as _town_label words it)
        town, village, county = aliased(Area), aliased(Area), aliased(Area)
        label: Any = town.name
        if counties:
            in_county = county.code == code_prefix_sql(L.township_code, "county").concat("000000")
            stmt = stmt.outerjoin(county, and_(in_county, county.level == "county", area_filter(scope, county.code)))
            label = case((county.name.is_(None), town.name),
                         else_=county.name.concat(COUNTY_SEPARATOR).concat(town.name))
        stmt = (stmt.add_columns(label, village.name).outerjoin(town, town.code == L.township_code)
                .outerjoin(village, village.code == L.area_code))
        columns |= {"township": label, "area": village.name}
        page, count = apply_grid(stmt, request, columns, [L.area_code, L.age, L.id])
        lines = [AgeLine(_row(line), village_name or line.area_code, line.township_code,
                         town_label or line.township_code) for line, town_label, village_name in session.execute(page)]
    else:
        # else only the block's lines are named: joining a province's 119,313 lines to their names before sorting
        # them took ~90 ms of PostgreSQL's time
        page, count = apply_grid(stmt, request, columns, [L.area_code, L.age, L.id])
        lines = _named(session, [_row(x) for x in session.scalars(page)], counties)
    return lines, int(session.scalar(count) or 0)


_NAMED = frozenset({"township", "area"})   # the school-age grid's columns of names


def population_gap_lines(session: Session, scope: Scope, term_code: str, limit: int
                         ) -> tuple[list[AgeLine], int, int, int]:
    """The agreement check's population gaps (folded lines with gap > 0), largest first: the first `limit`, and of
    them all: how many lines, how many children, how many pupils of those lines could not be placed in a village."""
    if not _stored(scope):
        lines = [x for x in age_lines(session, scope, term_code, fold_unplaced=True)
                 if x.row.gap is not None and x.row.gap > 0]
        lines.sort(key=lambda x: (-x.row.gap, x.row.area_code, x.row.age))
        return (lines[:limit], len(lines), sum(x.row.gap for x in lines), sum(x.row.unplaced for x in lines))
    stmt = _stored_lines(scope, term_code, None, True).where(SchoolAgeLine.gap > 0)
    sub = stmt.subquery()
    n, children, unplaced = session.execute(select(func.count(), func.coalesce(func.sum(sub.c.gap), 0),
                                                   func.coalesce(func.sum(sub.c.unplaced), 0))).one()
    found = session.scalars(stmt.order_by(SchoolAgeLine.gap.desc().nulls_last(), SchoolAgeLine.area_code,
                                          SchoolAgeLine.age).limit(limit)).all()   # (the order of ix_age_line_gap*)
    return (_named(session, [_row(x) for x in found], scope_counties(session, scope)), n or 0, int(children or 0),
            int(unplaced or 0))


def age_lines(session: Session, scope: Scope, term_code: str, township: str | None = None,
              fold_unplaced: bool = False) -> list[AgeLine]:
    """The ledger's lines for the term (survey of the term's school year; school staff: their school's
    roster only, without survey figures), within scope, optionally one township."""
    check_township(session, scope, township)
    if _stored(scope):
        found = session.scalars(_stored_lines(scope, term_code, township, fold_unplaced)
                                .order_by(SchoolAgeLine.area_code, SchoolAgeLine.age)).all()
        return _named(session, [_row(x) for x in found], scope_counties(session, scope, township))
    year = parse_term(term_code).year
    agg = RosterAggregate
    enrolled = func.sum(case((agg.status.in_(sorted(ENROLLED)), agg.students), else_=0))
    dropped = func.sum(case((agg.status == DROPPED, agg.students), else_=0))
    counts = (select(agg.area_code, agg.age, enrolled, dropped)
              .where(agg.term_code == term_code, agg.age.between(AGES.start, AGES.stop - 1),
                     agg.status.in_(COUNTED)).group_by(agg.area_code, agg.age))
    counts = scoped(counts, scope, area_col=agg.area_code, school_col=agg.school_id)
    population: list[PopulationCount] = []
    if scope.school_id is None:
        pop = select(Population.area_code, Population.age, Population.population, Population.outside_attendance).where(
            Population.year == year, Population.age.between(AGES.start, AGES.stop - 1),
            area_filter(scope, Population.area_code))
        if township:
            pop = pop.where(Population.area_code.between(*code_range(township, "township")))
        population = [PopulationCount(a, age, p or 0, o or 0) for a, age, p, o in session.execute(pop)]
    if township:
        counts = counts.where(agg.area_code.between(*code_range(township, "township")))
    roster = [RosterCount(a, age, e or 0, d or 0) for a, age, e, d in session.execute(counts)]
    return _named(session, school_age_rows(population, roster, fold_unplaced=fold_unplaced),
                  scope_counties(session, scope, township))


def children_page(session: Session, scope: Scope, term_code: str, area_code: str, age: int, *,
                  status: str | None = None, search: str | None = None, page: int = 1,
                  page_size: int = PAGE_SIZE, role: str | None = None) -> ChildPage:
    """The roster children behind a ledger line (same attribution as the counts), a page at a time."""
    role = role or scope.role
    if not (isinstance(age, int) and age in AGES) or not (isinstance(area_code, str) and len(area_code) == 12):
        raise LedgerRefused()
    if scope.school_id is None and not scope.covers_area(area_code):
        raise LedgerRefused()
    if status is not None and status not in {"在读", "休学", "送教上门", "辍学", "转出", "毕业", "死亡"}:
        raise LedgerRefused()
    attributed, (exact, on_exact), (town, on_town) = attributed_area()  # as the counts (domain.md §3)
    stmt = (select(RosterRecord, Student.name, Student.student_no, Student.gender, School.name,
                   household_outside(exact, town))
            .join(School, School.id == RosterRecord.school_id).join(Student, Student.id == RosterRecord.student_id)
            .outerjoin(exact, on_exact).outerjoin(town, on_town)
            .where(RosterRecord.term_code == term_code, RosterRecord.age == age))
    stmt = scoped(stmt, scope, area_col=attributed, school_col=RosterRecord.school_id)
    year = parse_term(term_code).year
    own_line = scope.school_id is None and session.get(Population, (area_code, year, age)) is not None
    if own_line and township_of(area_code) == area_code:
        surveyed = select(Population.area_code).where(Population.year == year, Population.age == age,
                                                      Population.area_code.between(*code_range(area_code, "township")),
                                                      Population.area_code != area_code)
        stmt = stmt.where(attributed.between(*code_range(area_code, "township")), attributed.not_in(surveyed))
    else:
        stmt = stmt.where(attributed == area_code)
    stmt = stmt.where(RosterRecord.status == status) if status else stmt.where(RosterRecord.status.in_(COUNTED))
    text = (search or "").strip()[:40]
    if text:
        by_number = Student.student_no == text.upper()      # whole numbers only: a prefix rebuilds masked ones
        stmt = stmt.where(or_(by_number, Student.name.contains(text, autoescape=True)) if may_see_names(role)
                          else by_number)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page, pages = clamp_page(page, total, page_size)
    found = session.execute(stmt.order_by(School.code, RosterRecord.grade, RosterRecord.class_name, Student.student_no)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    rows = [ChildRow(r.student_id, student_name(role, name), student_number(role, number), gender, r.age, school,
                     r.grade, r.class_name or "", r.status, r.household_code or "", r.poverty_registered,
                     bool(outside), division_name(r.household_code) if outside else "")
            for r, name, number, gender, school, outside in found]
    return ChildPage(rows, total, page, pages)


@dataclass(frozen=True)
class RosterLine:
    """A student's roster line in a term, as the case forms need it."""

    student_id: int
    name: str
    student_no: str
    school_id: int
    school: str
    township_code: str
    grade: int
    class_name: str
    status: str
    poverty_registered: bool


def _roster_stmt(scope: Scope, term_code: str):  # noqa: ANN202 - a Select
    stmt = (select(RosterRecord, Student.name, Student.student_no, School.name, School.township_code)
            .join(School, School.id == RosterRecord.school_id).join(Student, Student.id == RosterRecord.student_id)
            .where(RosterRecord.term_code == term_code))
    return scoped(stmt, scope, school_area_col=School.township_code, school_col=RosterRecord.school_id)


def _line(r: RosterRecord, name: str, number: str, school: str, town: str) -> RosterLine:
    return RosterLine(r.student_id, name, mask_student_no(number), r.school_id, school, town, r.grade, r.class_name or "", r.status,
                      r.poverty_registered)


def find_students(session: Session, scope: Scope, term_code: str, text: str | None, limit: int = 20) -> list[RosterLine]:
    """Roster students of the user's schools whose whole number is, or whose name contains, the text (numbers are
    never matched by prefix: that would rebuild the ID numbers inside them); numbers come masked."""
    text = (text or "").strip()[:40]
    if len(text) < 1:
        return []
    stmt = _roster_stmt(scope, term_code).where(or_(Student.student_no == text.upper(),
                                                    Student.name.contains(text, autoescape=True)))
    return [_line(*row) for row in session.execute(stmt.order_by(Student.student_no).limit(limit))]


def roster_line(session: Session, scope: Scope, term_code: str, student_id: object) -> RosterLine | None:
    """A student's roster line if the student is on a roster of the user's schools (None otherwise)."""
    if not isinstance(student_id, int) or isinstance(student_id, bool):
        return None
    row = session.execute(_roster_stmt(scope, term_code).where(RosterRecord.student_id == student_id)).first()
    return _line(*row) if row else None
