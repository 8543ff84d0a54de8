"""Scoped read queries for the pages: pickers and overview figures."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import Session

from data_access.analytics.publish import published_counts
from data_access.memo import memo
from data_access.models import Area, School, Term, UnitCounts
from data_access.scope import Scope, scoped
from domain.areas import CHILD_LEVEL, code_range

MAX_PICKER_OPTIONS = 3000


@dataclass(frozen=True)
class Choice:
    """One picker entry: an area (12-digit code) or a school (10-digit code)."""

    code: str
    name: str
    level: str  # an area level, or "school"
    depth: int


def selection_choices(session: Session, scope: Scope) -> list[Choice]:
    """The areas (roots and two levels below) or the school a user may pick."""
    if scope.school_id is not None:
        school = session.get(School, scope.school_id)
        return [Choice(school.code, school.name, "school", 0)] if school else []
    if scope.unrestricted:
        roots = session.execute(select(Area.code, Area.name, Area.level)
                                .where(Area.parent_code.is_(None)).order_by(Area.code)).all()
    else:
        codes = [c for c, _ in scope.areas]
        roots = session.execute(select(Area.code, Area.name, Area.level)
                                .where(Area.code.in_(codes)).order_by(Area.code)).all()
    choices: list[Choice] = []
    for code, name, level in roots:
        choices.append(Choice(code, name, level, 0))
        depth_levels = [lvl for lvl in (CHILD_LEVEL.get(level), CHILD_LEVEL.get(CHILD_LEVEL.get(level, ""), ""))
                        if lvl]
        if not depth_levels:
            continue
        rows = session.execute(select(Area.code, Area.name, Area.level)
                               .where(Area.code.between(*code_range(code, level)), Area.level.in_(depth_levels))
                               .order_by(Area.code).limit(MAX_PICKER_OPTIONS)).all()
        choices.extend(Choice(c, n, lvl, 1 + depth_levels.index(lvl)) for c, n, lvl in rows)
    return choices[:MAX_PICKER_OPTIONS]


_A, _T = Area.__table__, Term.__table__
# built once: read in nearly every callback (a statement built per call costs ~0.1 ms of Python before it is sent)
_AREA = select(_A.c.code, _A.c.name, _A.c.level, _A.c.parent_code, _A.c.retired,
               _A.c.retired_at).where(_A.c.code == bindparam("code"))
_TERM_CODES = select(_T.c.code).order_by(_T.c.year.desc(), _T.c.semester.desc())


def known_area(session: Session, code: str) -> Row | None:
    """The area of a code (code, name, level, parent_code, retired, retired_at), None if unknown; read once per
    request (the selection check and a report's levels share it)."""
    return memo(session, ("area", code), lambda: session.execute(_AREA, {"code": code}).first())


def area_level(session: Session, code: str) -> str | None:
    """The level of an area code, or None if unknown (read once per request: known_area)."""
    area = known_area(session, code)
    return area.level if area is not None else None


def selection_allowed(session: Session, scope: Scope, code: str) -> bool:
    """True when the user may see this area (12 digits) or school (10 digits)."""
    if len(code) == 10 and code.isdigit():
        school = session.scalar(select(School).where(School.code == code))
        return school is not None and scope.covers_school(school)
    if scope.school_id is not None or not (len(code) == 12 and code.isdigit()):
        return False
    return scope.covers_area(code) and known_area(session, code) is not None


def selection_scope(session: Session, scope: Scope, code: str) -> Scope:
    """The user's scope narrowed to a selection they may see (check it with selection_allowed first)."""
    if len(code) == 10:
        school_id = session.scalar(select(School.id).where(School.code == code))
        return Scope(scope.role, school_id=school_id)
    return Scope(scope.role, areas=((code, area_level(session, code)),))


def term_codes(session: Session) -> list[str]:
    """Terms that have roster data, newest first."""
    return list(memo(session, "term_codes", lambda: session.scalars(_TERM_CODES).all()))


@dataclass(frozen=True)
class OverviewFigures:
    """KPI figures of an area or a school for a term."""

    schools: int
    enrolled: int
    dropouts: int
    special_group_dropouts: int


def _unit_scoped(stmt, scope: Scope, school_level: bool):  # noqa: ANN001, ANN202 - a Select
    """Scope a unit_counts query: areas by their code, schools by their id."""
    if school_level:
        return scoped(stmt, scope, school_area_col=UnitCounts.township_code,
                      school_col=select(School.id).where(School.code == UnitCounts.unit_code).scalar_subquery())
    return scoped(stmt, scope, area_col=UnitCounts.unit_code)


def overview_figures(session: Session, scope: Scope, code: str, term: str) -> OverviewFigures:
    """Schools, enrolled students, dropouts and special-group dropouts for a selection and term
    (read from the unit_counts analytics table)."""
    is_school = len(code) == 10
    stmt = select(UnitCounts.enrolled, UnitCounts.dropouts, UnitCounts.special_group_dropouts).where(
        UnitCounts.term_code == term, UnitCounts.unit_code == code,
        UnitCounts.level == ("school" if is_school else select(Area.level).where(Area.code == code).scalar_subquery()))
    row = session.execute(_unit_scoped(stmt, scope, is_school)).first()
    if is_school:
        schools = 1
    else:
        level = area_level(session, code)
        school_stmt = select(func.count(School.id)).where(
            School.township_code.between(*code_range(code, level)))
        schools = session.scalar(scoped(school_stmt, scope, school_area_col=School.township_code,
                                        school_col=School.id)) or 0
    enrolled, dropouts, special = row if row else (0, 0, 0)
    if row is not None:  # a published term shows what was published (issue 18.3)
        published = published_counts(session, code, "school" if is_school else level, term)
        if code in published:
            c = published[code]
            enrolled, dropouts, special = c["enrolled"], c["dropouts"], c["special_group_dropouts"]
    return OverviewFigures(schools, int(enrolled or 0), int(dropouts or 0), int(special or 0))


def child_dropouts(session: Session, scope: Scope, code: str, term: str) -> list[tuple[str, str, int, int]]:
    """Per child area of an area: name, code, enrolled and dropouts (from unit_counts)."""
    if len(code) == 10:
        return []
    level = area_level(session, code)
    child = CHILD_LEVEL.get(level)
    if child is None:
        return []
    stmt = (select(Area.name, UnitCounts.unit_code, UnitCounts.enrolled, UnitCounts.dropouts)
            .join(Area, Area.code == UnitCounts.unit_code)
            .where(UnitCounts.term_code == term, UnitCounts.level == child,
                   UnitCounts.unit_code.between(*code_range(code, level)))
            .order_by(UnitCounts.unit_code))
    published = published_counts(session, code, child, term)   # a published term as published (issue 18.3)
    return [(n, c, *((published[c]["enrolled"], published[c]["dropouts"]) if c in published else (int(e or 0), int(d or 0))))
            for n, c, e, d in session.execute(_unit_scoped(stmt, scope, False))]
