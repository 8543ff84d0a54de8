"""Scoped read queries for the pages: pickers and overview figures."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access.models import Area, RosterAggregate as Agg, School, Term
from data_access.scope import Scope, area_filter, scoped
from domain.areas import CHILD_LEVEL, LEVEL_DIGITS, code_range
from domain.indicators import DROPPED, ENROLLED

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


def selection_allowed(session: Session, scope: Scope, code: str) -> bool:
    """True when the user may see this area (12 digits) or school (10 digits)."""
    if len(code) == 10 and code.isdigit():
        school = session.scalar(select(School).where(School.code == code))
        return school is not None and scope.covers_school(school)
    if scope.school_id is not None or not (len(code) == 12 and code.isdigit()):
        return False
    return scope.covers_area(code) and session.get(Area, code) is not None


def term_codes(session: Session) -> list[str]:
    """Terms that have roster data, newest first."""
    return list(session.scalars(select(Term.code).order_by(Term.year.desc(), Term.semester.desc())))


@dataclass(frozen=True)
class OverviewFigures:
    """KPI figures of an area or a school for a term."""

    schools: int
    enrolled: int
    dropouts: int
    special_group_dropouts: int


def _agg_filter(session: Session, scope: Scope, code: str):  # noqa: ANN202 - list of clauses
    """Aggregate rows of a selection: a school's own students, or an area's by household attribution."""
    if len(code) == 10:
        return [Agg.school_id == select(School.id).where(School.code == code).scalar_subquery()]
    level = session.scalar(select(Area.level).where(Area.code == code))
    return [Agg.area_code.between(*code_range(code, level)), area_filter(scope, Agg.area_code)]


def overview_figures(session: Session, scope: Scope, code: str, term: str) -> OverviewFigures:
    """Schools, enrolled students, dropouts and special-group dropouts for a selection and term."""
    conds = _agg_filter(session, scope, code)
    enrolled = func.sum(Agg.students).filter(Agg.status.in_(ENROLLED))
    dropped = func.sum(Agg.students).filter(Agg.status == DROPPED)
    special = func.sum(Agg.students).filter(Agg.status == DROPPED, Agg.poverty_registered.is_(True))
    stmt = select(enrolled, dropped, special).where(Agg.term_code == term, *conds)
    stmt = scoped(stmt, scope, area_col=Agg.area_code, school_col=Agg.school_id)
    row = session.execute(stmt).one()
    if len(code) == 10:
        schools = 1
    else:
        level = session.scalar(select(Area.level).where(Area.code == code))
        school_stmt = select(func.count(School.id)).where(
            School.township_code.between(*code_range(code, level)))
        schools = session.scalar(scoped(school_stmt, scope, school_area_col=School.township_code,
                                        school_col=School.id)) or 0
    return OverviewFigures(schools, int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))


def child_dropouts(session: Session, scope: Scope, code: str, term: str) -> list[tuple[str, str, int, int]]:
    """Per child area (or per school inside a township): name, code, enrolled and dropouts."""
    if len(code) == 10:
        return []
    level = session.scalar(select(Area.level).where(Area.code == code))
    child = CHILD_LEVEL.get(level)
    if child is None:
        return []
    digits = LEVEL_DIGITS[child]
    prefix = func.substr(Agg.area_code, 1, digits)
    enrolled = func.sum(Agg.students).filter(Agg.status.in_(ENROLLED))
    dropped = func.sum(Agg.students).filter(Agg.status == DROPPED)
    stmt = (select(prefix, enrolled, dropped)
            .where(Agg.term_code == term, Agg.area_code.between(*code_range(code, level)))
            .group_by(prefix))
    rows = session.execute(scoped(stmt, scope, area_col=Agg.area_code, school_col=Agg.school_id)).all()
    pad = "0" * (12 - digits)
    names = dict(session.execute(select(Area.code, Area.name).where(
        Area.code.in_([p + pad for p, _, _ in rows]))).all())
    return sorted(((names.get(p + pad, p + pad), p + pad, int(e or 0), int(d or 0)) for p, e, d in rows),
                  key=lambda r: r[1])
