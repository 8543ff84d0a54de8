"""Areas and schools administration (issue 15.3), for admins in their own area: the hierarchy (county →
township → village, schools under their townships), names, schools closed or merged from a term on (their
history stays), schools moved to another township from a term on (earlier terms stay with the old township),
and an areas file previewed (renamed, moved, retired codes) before it is imported. Every change is audit-logged.
A township admin edits only their own township; nobody renames the area their own scope is."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.analytics.aggregates import refresh_roster_aggregates
from data_access.analytics.unit_counts import refresh_terms
from data_access.models import Area, RosterRecord, School, SchoolMove, Term
from data_access.scope import Scope, scoped
from domain.admin.areas import AreaTree, AreasPreview, SchoolNode, TownshipNode, VillageNode
from domain.areas import code_range
from domain.terms import parse_term

ADMIN_ROLES = ("admin",)
NAME_MAX = 100


class AreasRefused(Exception):
    """The user may not administer this area or school (HTTP 403; unknown ones look the same)."""


class AreasInvalid(Exception):
    """A value the rules refuse; `code` names it for the page's words, `params` fills them."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def check_admin(role: str) -> None:
    """Refuse every role but admin."""
    if role not in ADMIN_ROLES:
        raise AreasRefused(role)


def tops(session: Session, role: str, scope: Scope) -> list[tuple[str, str]]:
    """(code, name) of the areas the admin may browse: the counties inside their scope, else their own area
    (a township admin: their township)."""
    check_admin(role)
    stmt = scoped(select(Area.code, Area.name).where(Area.level == "county"), scope, area_col=Area.code)
    found = [tuple(r) for r in session.execute(stmt.order_by(Area.code))]
    if found or scope.unrestricted:
        return found
    codes = [c for c, lvl in scope.areas if lvl == "township"]
    return [tuple(r) for r in session.execute(select(Area.code, Area.name).where(Area.code.in_(codes))
                                              .order_by(Area.code))]


def _area(session: Session, scope: Scope, code: object) -> Area:
    """A stored area inside the scope (AreasRefused otherwise)."""
    if not isinstance(code, str) or len(code) != 12 or not code.isdigit() or not scope.covers_area(code):
        raise AreasRefused(code)
    area = session.get(Area, code)
    if area is None:
        raise AreasRefused(code)
    return area


def _school(session: Session, scope: Scope, school_id: object) -> School:
    """A school whose township lies inside the scope (AreasRefused otherwise)."""
    if not isinstance(school_id, int) or isinstance(school_id, bool):
        raise AreasRefused(school_id)
    school = session.get(School, school_id)
    if school is None or not scope.covers_area(school.township_code):
        raise AreasRefused(school_id)
    return school


def area_tree(session: Session, role: str, scope: Scope, top: str) -> AreaTree:
    """A county (or township) with its townships, villages and schools, as far as the scope reaches."""
    check_admin(role)
    area = _area(session, scope, top)
    if area.level not in ("county", "township"):
        raise AreasRefused(top)
    level = area.level
    lo, hi = code_range(area.code, level)
    towns = session.scalars(select(Area).where(Area.level == "township", Area.code.between(lo, hi))
                            .order_by(Area.code)).all()
    towns = [t for t in towns if scope.covers_area(t.code)]
    codes = [t.code for t in towns]
    villages: dict[str, list[VillageNode]] = {}
    for v in session.scalars(select(Area).where(Area.level == "village", Area.parent_code.in_(codes))
                             .order_by(Area.code)):
        villages.setdefault(v.parent_code, []).append(VillageNode(v.code, v.name, bool(v.retired)))
    names = dict(session.execute(select(Area.code, Area.name).where(Area.level == "township")).all())
    moves: dict[int, list[str]] = {}
    for m in session.scalars(select(SchoolMove).order_by(SchoolMove.from_term, SchoolMove.id)):
        moves.setdefault(m.school_id, []).append(
            f"{m.from_term}: {names.get(m.from_township, m.from_township)} → {names.get(m.to_township, m.to_township)}")
    school_names = dict(session.execute(select(School.id, School.name)).all())
    schools: dict[str, list[SchoolNode]] = {}
    for s in session.scalars(select(School).where(School.township_code.in_(codes)).order_by(School.code)):
        schools.setdefault(s.township_code, []).append(SchoolNode(
            s.id, s.code, s.name, s.type, s.closed_from,
            school_names.get(s.merged_into_id) if s.merged_into_id else None, tuple(moves.get(s.id, ()))))
    return AreaTree(area.code, area.name, tuple(
        TownshipNode(t.code, t.name, bool(t.retired), tuple(villages.get(t.code, ())), tuple(schools.get(t.code, ())))
        for t in towns), editable_top=_may_rename(scope, area.code))


def _may_rename(scope: Scope, code: str) -> bool:
    """An area inside the scope, but not the area the scope itself is (a township admin renames villages)."""
    return scope.unrestricted or (scope.covers_area(code) and code not in {c for c, _lvl in scope.areas})


def _name(value: object) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise AreasInvalid("name_empty")
    if len(name) > NAME_MAX:
        raise AreasInvalid("name_long", count=str(NAME_MAX))
    return name


def rename_area(session: Session, role: str, scope: Scope, code: object, name: object) -> bool:
    """Rename an area inside the scope (not the scope's own area); False when the name is unchanged."""
    check_admin(role)
    area = _area(session, scope, code)
    if not _may_rename(scope, area.code):
        raise AreasRefused(code)
    new = _name(name)
    if new == area.name:
        return False
    before = area.name
    session.execute(update(Area).where(Area.code == area.code).values(name=new))
    audit.record(session, "rename", "area", area.code, before={"name": before}, after={"name": new}, area=area.code)
    return True


def rename_school(session: Session, role: str, scope: Scope, school_id: object, name: object) -> bool:
    """Rename a school of a township inside the scope; False when the name is unchanged."""
    check_admin(role)
    school = _school(session, scope, school_id)
    new = _name(name)
    if new == school.name:
        return False
    before = school.name
    session.execute(update(School).where(School.id == school.id).values(name=new))
    audit.record(session, "rename", "school", str(school.id), before={"name": before}, after={"name": new},
                 area=school.township_code)
    return True


def _term(value: object) -> str:
    try:
        return parse_term(value if isinstance(value, str) else "").code
    except ValueError as exc:
        raise AreasInvalid("term") from exc


def close_school(session: Session, role: str, scope: Scope, school_id: object, from_term: object,
                 merged_into: object = None) -> None:
    """Close a school from a term on, or merge it into another school of the scope from then: no roster is
    expected of it from that term; its rosters, cases and figures of earlier terms stay."""
    check_admin(role)
    school = _school(session, scope, school_id)
    term = _term(from_term)
    target = None
    if merged_into not in (None, ""):
        target = _school(session, scope, merged_into)
        if target.id == school.id:
            raise AreasInvalid("merge_self")
        if target.closed_from is not None:
            raise AreasInvalid("merge_closed")
    later = session.scalar(select(RosterRecord.term_code).where(RosterRecord.school_id == school.id,
                                                                RosterRecord.term_code >= term)
                           .order_by(RosterRecord.term_code.desc()).limit(1))
    if later is not None:
        raise AreasInvalid("has_roster", term=later)
    before = {"closed_from": school.closed_from, "merged_into_id": school.merged_into_id}
    after = {"closed_from": term, "merged_into_id": target.id if target else None}
    session.execute(update(School).where(School.id == school.id).values(**after))
    audit.record(session, "merge" if target else "close", "school", str(school.id), before=before,
                 after={**after, "merged_into": target.name if target else None}, area=school.township_code)


def reopen_school(session: Session, role: str, scope: Scope, school_id: object) -> None:
    """Undo a closure or merger (a school closed by mistake)."""
    check_admin(role)
    school = _school(session, scope, school_id)
    if school.closed_from is None:
        return
    before = {"closed_from": school.closed_from, "merged_into_id": school.merged_into_id}
    session.execute(update(School).where(School.id == school.id).values(closed_from=None, merged_into_id=None))
    audit.record(session, "reopen", "school", str(school.id), before=before, after={"closed_from": None},
                 area=school.township_code)


def move_school(session: Session, role: str, scope: Scope, school_id: object, township: object,
                from_term: object, user_id: int | None = None) -> None:
    """Move a school to another township of the scope from a term on. Its roster lines of earlier terms stay
    attributed to the old township (school_move, read by the aggregates), those of that term on count toward the
    new one; the figures of every term are recomputed."""
    check_admin(role)
    school = _school(session, scope, school_id)
    target = _area(session, scope, township)
    if target.level != "township":
        raise AreasInvalid("not_township")
    if target.retired:
        raise AreasInvalid("retired")
    if target.code == school.township_code:
        raise AreasInvalid("same_township")
    term = _term(from_term)
    last = session.scalar(select(SchoolMove.from_term).where(SchoolMove.school_id == school.id)
                          .order_by(SchoolMove.from_term.desc()).limit(1))
    if last is not None and term <= last:
        raise AreasInvalid("move_order", term=last)
    old = school.township_code
    session.add(SchoolMove(school_id=school.id, from_township=old, to_township=target.code, from_term=term,
                           at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), user_id=user_id))
    session.execute(update(School).where(School.id == school.id).values(township_code=target.code))
    session.flush()
    audit.record(session, "move", "school", str(school.id), before={"township_code": old},
                 after={"township_code": target.code, "from_term": term}, area=old)
    terms = session.scalars(select(Term.code)).all()
    for code in terms:
        refresh_roster_aggregates(session, code, [school.id])
    refresh_terms(session)


def closed_before(term: str) -> object:
    """A SQL condition: the school is closed at or before this term (no roster expected of it)."""
    return School.closed_from.is_not(None) & (School.closed_from <= term)


def preview_areas(session: Session, role: str, scope: Scope, path: str | Path, file_name: str) -> AreasPreview:
    """An areas file checked and compared with what is stored; nothing is written."""
    from data_access.imports.files import area_changes, check_areas_file
    check_admin(role)
    rows, _h, _present, problems = check_areas_file(session, path, scope=scope)
    if problems:
        return AreasPreview(file_name, tuple(problems.listed()))
    return AreasPreview(file_name, (), area_changes(session, rows, scope))


def import_areas_file(session: Session, role: str, scope: Scope, path: str | Path, confirm: bool) -> object:
    """Import an areas file for an admin (rows outside their scope refused), with the renames confirmed."""
    from data_access.imports.files import import_areas
    check_admin(role)
    return import_areas(session, path, confirm_renames=confirm, scope=scope)
