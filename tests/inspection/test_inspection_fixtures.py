"""A small inspected county shared by the inspection tests: two zones with their teams, schools with
a hand-countable roster, and one user of every kind (all people here are made up)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from werkzeug.security import generate_password_hash

from data_access.inspection.access import Actor, EditState
from data_access.inspection.visits import create_visit
from data_access.models import Student, Team, TeamMember, User, Zone, ZoneTownship
from data_access.scope import scope_for_user
from tests import factories as f

TERM = "2024-1"
PASSWORD_HASH = generate_password_hash(f.DEMO_PASSWORD)  # hashed once: scrypt per user is slow
DAY = dt.date(2024, 9, 20)


@dataclass
class World:
    """Codes and ids of the inspected county."""

    county: str
    t1: str
    t2: str
    t3: str
    s1: int
    s2a: int
    s2b: int
    s3: int
    users: dict[str, int]
    roster: dict[str, int]  # name → roster record id (school s2a)


def _phone(i: int) -> str:
    return f"1380000{i:04d}"


@pytest.fixture
def world(session_factory) -> World:  # noqa: ANN001
    """County 532822 with townships t1 (zone 1) and t2, t3 (zone 2); teams; schools and roster."""
    return build_world(session_factory)


def build_world(session_factory) -> World:  # noqa: ANN001
    """Fill an empty database with the inspected county (see `world`)."""
    with session_factory() as s, s.begin():
        county, (t1, t2, t3) = f.county_with_townships(s, 3)
        s1 = f.school.create(s, township_code=t1.code, code="5328220001", name="一中心小学")
        s2a = f.school.create(s, township_code=t2.code, code="5328220002", name="二中心小学")
        s2b = f.school.create(s, township_code=t2.code, code="5328220003", name="二村小学")
        s3 = f.school.create(s, township_code=t3.code, code="5328220004", name="三中心小学")
        roster: dict[str, int] = {}
        n = 0
        for grade, names in ((1, ("甲一", "甲二", "甲三", "甲四", "甲五")), (2, ("乙一", "乙二", "乙三", "乙四"))):
            for name in names:
                n += 1
                rec = f.roster(s, TERM, s2a, grade=grade, class_name="1班", guardian_phone=_phone(n),
                               guardian_name=f"家长{n}", poverty_registered=name == "甲二",
                               left_behind=name == "乙三")
                s.get(Student, rec.student_id).name = name
                roster[name] = rec.id
        roster["休学生"] = f.roster(s, TERM, s2a, grade=2, class_name="1班", status="休学").id
        roster["辍学生"] = f.roster(s, TERM, s2a, grade=2, class_name="1班", status="辍学").id
        for i in range(3):
            f.roster(s, TERM, s2b, grade=3, class_name="2班", guardian_phone=_phone(50 + i))
            f.roster(s, TERM, s1, grade=4, class_name="1班", guardian_phone=_phone(80 + i))
        f.roster(s, TERM, s3, grade=5, class_name="1班")
        zones = []
        for name, towns in (("第一片区", [t1.code]), ("第二片区", [t2.code, t3.code])):
            z = Zone(county_code=county.code, name=name)
            s.add(z)
            s.flush()
            s.add_all([ZoneTownship(township_code=c, zone_id=z.id) for c in towns])
            team = Team(zone_id=z.id, name=name.replace("片区", "组"))
            s.add(team)
            s.flush()
            zones.append(team.id)
        users: dict[str, int] = {}

        def user(name: str, role: str, area: str | None = None, school: int | None = None,
                 team: int | None = None, team_role: str = "member") -> None:
            u = f.user.create(s, username=name, role=role, area_code=area, school_id=school, display_name=name,
                              password_hash=PASSWORD_HASH)
            users[name] = u.id
            if team is not None:
                s.add(TeamMember(team_id=team, user_id=u.id, role=team_role))
                s.flush()

        user("lead1", "inspector", county.code, team=zones[0], team_role="leader")
        user("insp1", "inspector", county.code, team=zones[0])
        user("lead2", "inspector", county.code, team=zones[1], team_role="leader")
        user("insp2", "inspector", county.code, team=zones[1])
        user("insp2b", "inspector", county.code, team=zones[1])
        user("loner", "inspector", t1.code)
        user("leader", "county_leader", county.code)
        user("officer1", "township_officer", t1.code)
        user("officer2", "township_officer", t2.code)
        user("staff2a", "school_staff", t2.code, school=s2a.id)
        user("staff2b", "school_staff", t2.code, school=s2b.id)
        user("admin", "admin")
    return World(county.code, t1.code, t2.code, t3.code, s1.id, s2a.id, s2b.id, s3.id, users, roster)


def actor(session, world: World, name: str) -> Actor:  # noqa: ANN001
    """The Actor of a world user, with the scope the server would resolve."""
    user = session.get(User, world.users[name])
    return Actor(user.id, user.role, scope_for_user(session, user), name)


def new_visit(session_factory, world: World, who: str = "insp2", township: str | None = None,  # noqa: ANN001
              schools: list[int] | None = None) -> int:
    """A draft visit by a zone-2 inspector to township t2 (schools s2a) by default."""
    with session_factory() as s, s.begin():
        a = actor(s, world, who)
        v = create_visit(s, a, TERM, township or world.t2, schools or [world.s2a], DAY.isoformat(),
                         [world.users["lead2"], world.users["insp2"]] if (township or world.t2) != world.t1 else [])
        return v.id


def edit(version: int = 1, token: str = "tab-a") -> EditState:
    """An edit state as a page would send it."""
    return EditState(version, token)


GAPS = "the rest is checked on the next visit"  # the reason tests give to sign a visit with gaps


def neighbour_county(session, township_name: str, zone_name: str) -> None:  # noqa: ANN001
    """A second county, 勐腊县 532823, with one township (532823101000) in a zone of its own and a draft visit of
    TERM there (lists spanning counties)."""
    from data_access.models import Area, InspectionVisit, Zone, ZoneTownship
    session.add_all([Area(code="532823000000", name="勐腊县", level="county"),
                     Area(code="532823101000", name=township_name, level="township", parent_code="532823000000")])
    session.flush()
    zone = Zone(county_code="532823000000", name=zone_name)
    session.add(zone)
    session.flush()
    session.add(ZoneTownship(township_code="532823101000", zone_id=zone.id))
    now = dt.datetime(2024, 10, 1, 9)
    session.add(InspectionVisit(term_code=TERM, township_code="532823101000", zone_id=zone.id, visit_date=DAY,
                                created_at=now, updated_at=now))
