"""Zones (片区) and their teams, for administrators: a zone's townships (each in at most one zone),
its team's name, leader and members (inspectors, each on at most one team)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access.inspection.access import Actor, InvalidInput, VisitRefused
from data_access.models import Area, Team, TeamMember, User, Zone, ZoneTownship
from data_access.models import InspectionVisit
from data_access.scope import scoped
from domain.areas import code_range
from domain.inspection.views import ZoneAdmin


def _require_admin(session: Session, actor: Actor, county: str) -> None:
    if actor.role != "admin" or not isinstance(county, str) or not actor.scope.covers_area(county):
        raise VisitRefused()
    if session.scalar(select(Area.level).where(Area.code == county)) != "county":
        raise VisitRefused()


def counties(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """The counties an admin may organise into zones."""
    if actor.role != "admin":
        return []
    stmt = scoped(select(Area.code, Area.name).where(Area.level == "county"), actor.scope, area_col=Area.code)
    return [tuple(r) for r in session.execute(stmt.order_by(Area.code))]


def zones_of_county(session: Session, actor: Actor, county: str) -> list[ZoneAdmin]:
    """The county's zones with their townships and teams."""
    _require_admin(session, actor, county)
    out = []
    for zone in session.scalars(select(Zone).where(Zone.county_code == county).order_by(Zone.id)):
        towns = tuple(session.scalars(select(ZoneTownship.township_code).where(ZoneTownship.zone_id == zone.id)
                                      .order_by(ZoneTownship.township_code)))
        team = session.scalar(select(Team).where(Team.zone_id == zone.id))
        members = session.execute(select(TeamMember.user_id, TeamMember.role).where(
            TeamMember.team_id == team.id)).all() if team else []
        visits = session.scalar(select(func.count()).select_from(InspectionVisit).where(InspectionVisit.zone_id == zone.id))
        out.append(ZoneAdmin(zone.id, zone.name, towns, team.name if team else "",
                             next((u for u, r in members if r == "leader"), None),
                             tuple(sorted(u for u, r in members if r == "member")), visits))
    return out


def township_options(session: Session, county: str) -> list[tuple[str, str]]:
    """(code, name) of the county's townships."""
    return [tuple(r) for r in session.execute(
        select(Area.code, Area.name).where(Area.level == "township", Area.code.between(*code_range(county, "county")))
        .order_by(Area.code))]


def inspector_options(session: Session, county: str) -> list[tuple[int, str]]:
    """(id, label) of the active inspectors of the county (or with no area)."""
    lo, hi = code_range(county, "county")
    rows = session.execute(select(User.id, User.display_name, User.username).where(
        User.role == "inspector", User.is_active.is_(True),
        User.area_code.is_(None) | User.area_code.between(lo, hi)).order_by(User.username)).all()
    return [(i, f"{d} ({u})" if d and d != u else u) for i, d, u in rows]


def add_zone(session: Session, actor: Actor, county: str, name: Any) -> int:
    """A new zone of the county with an empty team of the same name."""
    _require_admin(session, actor, county)
    name = _name(name)
    if session.scalar(select(Zone.id).where(Zone.county_code == county, Zone.name == name)):
        raise InvalidInput("zone_name_taken", name=name)
    zone = Zone(county_code=county, name=name)
    session.add(zone)
    session.flush()
    session.add(Team(zone_id=zone.id, name=name))
    session.flush()
    return zone.id


def _name(value: Any) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name or len(name) > 50:
        raise InvalidInput("name_required")
    return name


def _ids(value: Any) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in value):
        raise InvalidInput("bad_value")
    return sorted(set(value))


def save_zone(session: Session, actor: Actor, zone_id: Any, name: Any, townships: Any, team_name: Any,
              leader_id: Any, member_ids: Any) -> None:
    """Rename a zone, set its townships, and its team's name, leader and members."""
    zone = session.get(Zone, zone_id) if isinstance(zone_id, int) else None
    if zone is None:
        raise VisitRefused()
    _require_admin(session, actor, zone.county_code)
    name, team_name = _name(name), _name(team_name)
    if session.scalar(select(Zone.id).where(Zone.county_code == zone.county_code, Zone.name == name, Zone.id != zone.id)):
        raise InvalidInput("zone_name_taken", name=name)
    towns = townships if isinstance(townships, list) and all(isinstance(t, str) for t in townships) else None
    if towns is None and townships is not None:
        raise InvalidInput("bad_value")
    towns = sorted(set(towns or []))
    allowed = dict(township_options(session, zone.county_code))
    if not set(towns) <= set(allowed):
        raise InvalidInput("bad_value")
    for code, other in session.execute(select(ZoneTownship.township_code, Zone.name).join(
            Zone, Zone.id == ZoneTownship.zone_id).where(ZoneTownship.township_code.in_(towns),
                                                         ZoneTownship.zone_id != zone.id)):
        raise InvalidInput("township_in_other_zone", township=allowed[code], zone=other)
    leader = leader_id if isinstance(leader_id, int) and not isinstance(leader_id, bool) else None
    if leader_id is not None and leader is None:
        raise InvalidInput("bad_value")
    members = [m for m in _ids(member_ids) if m != leader]
    people = dict(inspector_options(session, zone.county_code))
    wanted = members + ([leader] if leader is not None else [])
    if not set(wanted) <= set(people):
        raise InvalidInput("bad_value")
    team = session.scalar(select(Team).where(Team.zone_id == zone.id))
    if team is None:
        team = Team(zone_id=zone.id, name=team_name)
        session.add(team)
        session.flush()
    for uid, other in session.execute(select(TeamMember.user_id, Team.name).join(Team, Team.id == TeamMember.team_id)
                                      .where(TeamMember.user_id.in_(wanted), TeamMember.team_id != team.id)):
        raise InvalidInput("user_on_other_team", user=people[uid], team=other)
    zone.name, team.name = name, team_name
    old_towns = set(session.scalars(select(ZoneTownship.township_code).where(ZoneTownship.zone_id == zone.id)))
    for code in old_towns - set(towns):
        session.delete(session.get(ZoneTownship, code))
    session.add_all([ZoneTownship(township_code=c, zone_id=zone.id) for c in sorted(set(towns) - old_towns)])
    old = {m.user_id: m for m in session.scalars(select(TeamMember).where(TeamMember.team_id == team.id))}
    roles = {m: "member" for m in members} | ({leader: "leader"} if leader is not None else {})
    for uid, row in old.items():
        if uid not in roles:
            session.delete(row)
        elif row.role != roles[uid]:
            row.role = roles[uid]
    session.add_all([TeamMember(team_id=team.id, user_id=u, role=r) for u, r in roles.items() if u not in old])
    session.flush()


def delete_zone(session: Session, actor: Actor, zone_id: Any) -> None:
    """Delete a zone without visits, with its team."""
    zone = session.get(Zone, zone_id) if isinstance(zone_id, int) else None
    if zone is None:
        raise VisitRefused()
    _require_admin(session, actor, zone.county_code)
    if session.scalar(select(func.count()).select_from(InspectionVisit).where(InspectionVisit.zone_id == zone.id)):
        raise InvalidInput("zone_has_visits")
    team_ids = list(session.scalars(select(Team.id).where(Team.zone_id == zone.id)))
    for row in session.scalars(select(TeamMember).where(TeamMember.team_id.in_(team_ids))):
        session.delete(row)
    for row in session.scalars(select(ZoneTownship).where(ZoneTownship.zone_id == zone.id)):
        session.delete(row)
    session.flush()
    for row in session.scalars(select(Team).where(Team.id.in_(team_ids))):
        session.delete(row)
    session.flush()
    session.delete(zone)
    session.flush()
