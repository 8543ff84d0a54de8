"""Lists across visits, scoped to the actor: the visit list with its filters, and the term's coverage
of each zone's townships and schools."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access.inspection.access import Actor, user_names
from data_access.models import Area, School, Team, TeamMember, Term, User, Zone, ZoneTownship
from data_access.names import scope_counties, with_county
from data_access.models import Finding, InspectionVisit, VisitSchool
from data_access.scope import scoped
from domain.areas import code_range
from domain.inspection.rules import coverage_state
from domain.inspection.views import VisitRow, ZoneCoverage
from domain.inspection.views import TownshipCoverage


def _visits_stmt(actor: Actor):  # noqa: ANN202 - a Select
    stmt = (select(InspectionVisit, Area.name, Zone.name, Team.name)
            .join(Area, Area.code == InspectionVisit.township_code)
            .outerjoin(Zone, Zone.id == InspectionVisit.zone_id).outerjoin(Team, Team.id == InspectionVisit.team_id))
    if actor.scope.school_id is not None:
        stmt = stmt.join(VisitSchool, VisitSchool.visit_id == InspectionVisit.id)
    return scoped(stmt, actor.scope, area_col=InspectionVisit.township_code, school_col=VisitSchool.school_id)


VISITS_PAGE_SIZE = 50


def _filtered_visits(actor: Actor, zone_id: int | None, township: str | None, term: str | None,
                     status: str | None):  # noqa: ANN202 - a Select
    stmt = _visits_stmt(actor)
    if zone_id is not None:
        stmt = stmt.where(InspectionVisit.zone_id == zone_id)
    if township:
        stmt = stmt.where(InspectionVisit.township_code == township)
    if term:
        stmt = stmt.where(InspectionVisit.term_code == term)
    if status:
        stmt = stmt.where(InspectionVisit.status == status)
    return stmt


def count_visits(session: Session, actor: Actor, zone_id: int | None = None, township: str | None = None,
                 term: str | None = None, status: str | None = None) -> int:
    """How many visits list_visits has for these filters, on all its pages."""
    stmt = _filtered_visits(actor, zone_id, township, term, status)
    return int(session.scalar(stmt.with_only_columns(func.count(InspectionVisit.id)).order_by(None)) or 0)


def list_visits(session: Session, actor: Actor, zone_id: int | None = None, township: str | None = None,
                term: str | None = None, status: str | None = None, offset: int = 0,
                limit: int = VISITS_PAGE_SIZE) -> list[VisitRow]:
    """The visits the actor may read, newest first, filtered: `limit` of them from `offset` (a page)."""
    stmt = _filtered_visits(actor, zone_id, township, term, status)
    rows = session.execute(stmt.order_by(InspectionVisit.visit_date.desc(), InspectionVisit.id.desc())
                           .offset(offset).limit(limit)).all()
    ids = [v.id for v, *_ in rows]
    schools: dict[int, list[str]] = {}
    school_stmt = (select(VisitSchool.visit_id, School.name).join(School, School.id == VisitSchool.school_id)
                   .where(VisitSchool.visit_id.in_(ids)).order_by(School.code))
    if actor.scope.school_id is not None:
        school_stmt = school_stmt.where(School.id == actor.scope.school_id)
    for vid, name in session.execute(school_stmt):
        schools.setdefault(vid, []).append(name)
    counts = dict((v, (n, fd)) for v, n, fd in session.execute(
        select(Finding.visit_id, func.count(), func.count().filter(Finding.kind == "false_data"))
        .where(Finding.visit_id.in_(ids)).group_by(Finding.visit_id)))
    counties = scope_counties(session, actor.scope, township)    # spanning counties: townships and teams say theirs
    signers = user_names(session, (v.signed_by for v, *_ in rows))
    return [VisitRow(v.id, v.term_code, v.visit_date, v.township_code, with_county(v.township_code, town, counties),
                     with_county(v.township_code, zone, counties) if zone else "",
                     with_county(v.township_code, team, counties) if team else "", v.status,
                     tuple(schools.get(v.id, ())), *counts.get(v.id, (0, 0)), signers.get(v.signed_by, ""))
            for v, town, zone, team in rows]


@dataclass(frozen=True)
class FilterOptions:
    """What the visit list may be filtered by, within the actor's scope."""

    zones: tuple[tuple[int, str], ...]
    townships: tuple[tuple[str, str, int | None], ...]
    terms: tuple[str, ...]


def _scoped_townships(session: Session, actor: Actor) -> list[tuple[str, str, int | None]]:
    if actor.scope.school_id is not None:
        school = session.get(School, actor.scope.school_id)
        codes = [school.township_code] if school else []
        stmt = select(Area.code, Area.name, ZoneTownship.zone_id).outerjoin(
            ZoneTownship, ZoneTownship.township_code == Area.code).where(Area.code.in_(codes))
    else:
        stmt = scoped(select(Area.code, Area.name, ZoneTownship.zone_id)
                      .outerjoin(ZoneTownship, ZoneTownship.township_code == Area.code)
                      .where(Area.level == "township"), actor.scope, area_col=Area.code)
    return [tuple(r) for r in session.execute(stmt.order_by(Area.code))]


def visit_filters(session: Session, actor: Actor) -> FilterOptions:
    """Zones, townships and terms to filter the visit list by."""
    counties = scope_counties(session, actor.scope)     # spanning counties: each township and zone says its county
    towns = [(code, with_county(code, name, counties), zone) for code, name, zone in _scoped_townships(session, actor)]
    zone_ids = sorted({z for _c, _n, z in towns if z is not None})
    zones = session.execute(select(Zone.id, Zone.name, Zone.county_code).where(Zone.id.in_(zone_ids))
                            .order_by(Zone.id)).all()
    terms = session.scalars(select(Term.code).order_by(Term.year.desc(), Term.semester.desc())).all()
    return FilterOptions(tuple((i, with_county(county, name, counties)) for i, name, county in zones), tuple(towns),
                         tuple(terms))


# --- coverage ---------------------------------------------------------------------------------


def visible_zones(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """Zones with a township in the actor's scope (an inspector's: their team's zone)."""
    if actor.scope.school_id is not None:
        return []
    stmt = scoped(select(Zone.id, Zone.name).join(ZoneTownship, ZoneTownship.zone_id == Zone.id),
                  actor.scope, area_col=ZoneTownship.township_code)
    return sorted({(i, n) for i, n in session.execute(stmt)})


def coverage(session: Session, actor: Actor, term: str, due: dt.date, today: dt.date,
             state: Callable[..., str] = coverage_state, county: str | None = None,
             with_schools: bool = True) -> list[ZoneCoverage]:
    """Per visible zone (of one county, when given), which townships and schools have been visited in the term and
    which not; `with_schools=False` leaves the schools' lists empty (a province's summary by county needs only
    the townships' states)."""
    zones = visible_zones(session, actor)
    zone_ids = [z for z, _n in zones]
    town_stmt = (select(ZoneTownship.zone_id, Area.code, Area.name).join(Area, Area.code == ZoneTownship.township_code)
                 .where(ZoneTownship.zone_id.in_(zone_ids)))
    if county is not None:
        town_stmt = town_stmt.where(ZoneTownship.township_code.between(*code_range(county, "county")))
    towns = session.execute(scoped(town_stmt, actor.scope, area_col=ZoneTownship.township_code)
                            .order_by(Area.code)).all()
    codes = [c for _z, c, _n in towns]

    def among(col: Any) -> Any:      # the townships' codes; a province's 1,395 as their range (looked up by code)
        return col.in_(codes) if len(codes) <= 500 else col.between(min(codes), max(codes))
    in_towns = among(InspectionVisit.township_code)
    visits: dict[str, list[tuple[int, dt.date, str]]] = {}
    for vid, town, day, status in session.execute(
            select(InspectionVisit.id, InspectionVisit.township_code, InspectionVisit.visit_date,
                   InspectionVisit.status).where(InspectionVisit.term_code == term, in_towns)
            .order_by(InspectionVisit.visit_date)):
        visits.setdefault(town, []).append((vid, day, status))
    visited: set[int] = set()
    schools: dict[str, list[tuple[int, str]]] = {}
    if with_schools:
        visited = set(session.scalars(select(VisitSchool.school_id).join(
            InspectionVisit, InspectionVisit.id == VisitSchool.visit_id).where(InspectionVisit.term_code == term,
                                                                               in_towns)))
        for sid, name, town in session.execute(select(School.id, School.name, School.township_code)
                                               .where(among(School.township_code)).order_by(School.code)):
            schools.setdefault(town, []).append((sid, name))
    findings = {t: (n, fd) for t, n, fd in session.execute(
        select(Finding.township_code, func.count(), func.count().filter(Finding.kind == "false_data"))
        .join(InspectionVisit, InspectionVisit.id == Finding.visit_id)
        .where(InspectionVisit.term_code == term, among(Finding.township_code)).group_by(Finding.township_code))}
    teams = {z: (t, lead) for z, t, lead in session.execute(
        select(Team.zone_id, Team.name, func.max(func.coalesce(User.display_name, User.username)))
        .outerjoin(TeamMember, (TeamMember.team_id == Team.id) & (TeamMember.role == "leader"))
        .outerjoin(User, User.id == TeamMember.user_id).where(Team.zone_id.in_(zone_ids)).group_by(Team.zone_id, Team.name))}
    by_zone: dict[int, list[tuple[str, str]]] = {}
    for z, code, name in towns:
        by_zone.setdefault(z, []).append((code, name))
    out = []
    for zid, zname in zones:
        if county is not None and zid not in by_zone:
            continue                                   # another county's zone
        rows = []
        for code, name in by_zone.get(zid, []):
            vs = visits.get(code, [])
            drafts = sum(1 for _i, _d, s in vs if s == "draft")
            f = findings.get(code, (0, 0))
            rows.append(TownshipCoverage(
                code, name, state(drafts, len(vs) - drafts, due, today,
                                  min((d for _i, d, st in vs if st == "signed"), default=None)), tuple(vs),
                tuple(n for s, n in schools.get(code, []) if s in visited),
                tuple(n for s, n in schools.get(code, []) if s not in visited), f[0], f[1]))
        team, leader = teams.get(zid, ("", ""))
        out.append(ZoneCoverage(zid, zname, team or "", leader or "", tuple(rows)))
    return out


def term_start(session: Session, term: str) -> dt.date | None:
    """The first day of a term."""
    return session.scalar(select(Term.start_date).where(Term.code == term))
