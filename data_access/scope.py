"""Area scoping: the one place that decides which rows a user may see (Superset's base_filter)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from domain.areas import LEVEL_DIGITS, code_range, contains
from data_access.models import Area, School, TeamMember, Team, User, ZoneTownship


@dataclass(frozen=True)
class Scope:
    """What a user may see: whole areas (code, level), or one school. Empty means nothing."""

    role: str
    areas: tuple[tuple[str, str], ...] = ()
    school_id: int | None = None
    unrestricted: bool = False

    def covers_area(self, code: str) -> bool:
        """True when an area code lies inside the scope (a school user covers no area)."""
        return self.unrestricted or any(contains(c, lvl, code) for c, lvl in self.areas)

    def covers_school(self, school: School) -> bool:
        """True when the user may see this school."""
        if self.school_id is not None:
            return school.id == self.school_id
        return self.covers_area(school.township_code)


def scope_for_user(session: Session, user: User) -> Scope:
    """Resolve a user's scope from role, area and (for inspectors) their team's zone."""
    if user.role == "school_staff":
        return Scope(user.role, school_id=user.school_id) if user.school_id else Scope(user.role)
    if user.role == "admin" and user.area_code is None:
        return Scope(user.role, unrestricted=True)
    if user.role == "inspector":
        rows = session.execute(
            select(Area.code, Area.level).join(ZoneTownship, ZoneTownship.township_code == Area.code)
            .join(Team, Team.zone_id == ZoneTownship.zone_id)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(TeamMember.user_id == user.id).order_by(Area.code)).all()
        if rows:
            return Scope(user.role, areas=tuple((c, lvl) for c, lvl in rows))
    if user.area_code is None:
        return Scope(user.role)
    level = session.scalar(select(Area.level).where(Area.code == user.area_code))
    return Scope(user.role, areas=((user.area_code, level),)) if level else Scope(user.role)


def code_prefix_sql(area_col: ColumnElement[str], level: str) -> ColumnElement[str]:
    """An area code column's significant digits at a level, in SQL (domain.areas.code_prefix's rule: a township's
    county is its first 6 digits)."""
    return func.substr(area_col, 1, LEVEL_DIGITS[level])


def area_filter(scope: Scope, area_col: ColumnElement[str]) -> ColumnElement[bool]:
    """A WHERE clause keeping rows whose area code lies in the scope."""
    if scope.unrestricted:
        return true()
    clauses = [area_col.between(*code_range(c, lvl)) for c, lvl in scope.areas]
    return or_(*clauses) if clauses else false()


def scoped(stmt: Select, scope: Scope, *, area_col: ColumnElement[str] | None = None,
           school_col: ColumnElement[int] | None = None,
           school_area_col: ColumnElement[str] | None = None) -> Select:
    """Apply the user's scope to a query: every scoped query goes through here.

    `area_col` filters by an area code, `school_col` by a school id; for a school user the
    query must offer `school_col`, otherwise nothing is returned.
    """
    if scope.school_id is not None:
        return stmt.where(school_col == scope.school_id if school_col is not None else false())
    conds = []
    if area_col is not None:
        conds.append(area_filter(scope, area_col))
    if school_area_col is not None:
        conds.append(area_filter(scope, school_area_col))
    if not conds:
        raise ValueError("scoped() needs area_col or school_area_col")
    return stmt.where(and_(*conds))
