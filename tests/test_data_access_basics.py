"""Scope resolution, scoped queries, audit log and users on a real database."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from data_access.models import Area, AuditLog, Team, TeamMember, User, Zone, ZoneTownship
from data_access.queries import overview_figures, selection_allowed, selection_choices
from data_access.scope import scope_for_user
from data_access.admin.users import authenticate, create_user
from tests import factories as f


@pytest.fixture
def county(session_factory):  # noqa: ANN001, ANN201
    with session_factory() as s, s.begin():
        county, towns = f.county_with_townships(s, 3)
        s.add(Area(code=f"{towns[0].code[:9]}201", name="村一", level="village", parent_code=towns[0].code))
        schools = [f.school.create(s, township_code=t.code, code=f"53282200{i}0") for i, t in enumerate(towns)]
        for i, sch in enumerate(schools):
            for _ in range(i + 1):
                f.roster(s, "2024-1", sch, grade=4)
        f.refresh(s, "2024-1")
    return county.code, [t.code for t in towns], [sc.code for sc in schools]


def test_scopes_by_role(session_factory, county) -> None:  # noqa: ANN001
    county_code, towns, schools = county
    with session_factory() as s, s.begin():
        leader = f.user.create(s, role="county_leader", area_code=county_code)
        officer = f.user.create(s, role="township_officer", area_code=towns[1])
        admin = f.user.create(s, role="admin", area_code=None)
        zone = Zone(county_code=county_code, name="第二片区")
        s.add(zone)
        s.flush()
        s.add_all([ZoneTownship(township_code=towns[1], zone_id=zone.id),
                   ZoneTownship(township_code=towns[2], zone_id=zone.id)])
        team = Team(zone_id=zone.id, name="第二组")
        s.add(team)
        s.flush()
        inspector = f.user.create(s, role="inspector", area_code=county_code)
        s.add(TeamMember(team_id=team.id, user_id=inspector.id, role="member"))
        s.flush()
        assert scope_for_user(s, leader).covers_area(towns[0])
        assert not scope_for_user(s, officer).covers_area(towns[0])
        assert scope_for_user(s, officer).covers_area(towns[1])
        assert scope_for_user(s, admin).unrestricted
        insp = scope_for_user(s, inspector)
        assert [c for c, _ in insp.areas] == [towns[1], towns[2]]
        assert [c.code for c in selection_choices(s, insp)] == [towns[1], towns[2]]
        assert selection_allowed(s, insp, schools[2]) and not selection_allowed(s, insp, schools[0])
        assert overview_figures(s, insp, towns[2], "2024-1").enrolled == 3
        choices = selection_choices(s, scope_for_user(s, leader))
        assert [c.code for c in choices][:2] == [county_code, towns[0]]
        assert overview_figures(s, scope_for_user(s, leader), county_code, "2024-1").enrolled == 6


def test_audit_log_records_before_and_after(session_factory, county) -> None:  # noqa: ANN001
    from data_access import audit
    with audit.acting_as(7, "tester"), session_factory() as s, s.begin():
        area = s.get(Area, county[1][0])
        area.name = "新名字"
    with session_factory() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "update")).one()
        assert (entry.user_id, entry.actor, entry.entity, entry.entity_key) == (7, "tester", "area", county[1][0])
        assert json.loads(entry.after) == {"name": "新名字"}


def test_create_user_validates_and_hashes(session_factory, county) -> None:  # noqa: ANN001
    county_code, towns, schools = county
    with session_factory() as s, s.begin():
        with pytest.raises(ValueError, match="unknown role"):
            create_user(s, "x", "long-password", "boss", county_code)
        with pytest.raises(ValueError, match="at least 10"):
            create_user(s, "x", "short", "county_leader", county_code)
        with pytest.raises(ValueError, match="not imported"):
            create_user(s, "x", "long-password", "county_leader", "999999999999")
        with pytest.raises(ValueError, match="10-digit"):
            create_user(s, "x", "long-password", "school_staff", towns[0])
        staff = create_user(s, "staff", "long-password", "school_staff", schools[0])
        assert staff.area_code == towns[0] and staff.password_hash.startswith("scrypt:")
        entry = s.scalars(select(AuditLog).where(AuditLog.entity == "app_user")).first()
        assert "long-password" not in (entry.after or "") and '"***"' in entry.after
    with session_factory() as s:
        assert authenticate(s, "staff", "long-password") is not None
        assert authenticate(s, "staff", "wrong-password") is None
        assert authenticate(s, "nobody", "long-password") is None


def test_cli_create_user(server, county, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("BAOXUE_NEW_PASSWORD", "cli-password")
    runner = CliRunner()
    ok = runner.invoke(server.cli, ["create-user", "chief", "--role", "county_leader", "--area", county[0]])
    assert ok.exit_code == 0, ok.output
    dup = runner.invoke(server.cli, ["create-user", "chief", "--role", "county_leader", "--area", county[0]])
    assert dup.exit_code != 0 and "exists already" in dup.output
    with server.extensions["baoxue"].session_factory() as s:
        assert s.scalar(select(User.role).where(User.username == "chief")) == "county_leader"


def test_township_names_by_list_and_by_range_agree(session_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many townships' names are read as a range of township codes (a province's ~1,400; long lists of codes are
    slow to plan on PostgreSQL); the answer is the same as asking for each code."""
    from data_access import names
    with session_factory() as s, s.begin():
        _county, towns = f.county_with_townships(s, 4)
        s.add(Area(code=f"{towns[1].code[:9]}201", name="村一", level="village", parent_code=towns[1].code))
    wanted = {towns[0].code, towns[2].code, towns[3].code}
    with session_factory() as s:
        listed = names.township_names(s, wanted)
        monkeypatch.setattr(names, "_LISTED", 1)
        ranged = names.township_names(s, wanted)
        assert names.township_names(s, set()) == {}
    assert listed == ranged == {t.code: t.name for t in towns if t.code in wanted}


def test_two_json_tables_in_one_statement_keep_their_own_rows(session_factory) -> None:  # noqa: ANN001
    """json_rows names its JSON parameter after its table: two tables in one statement once shared one parameter,
    and the reports board counted the periods' reports against the teams' JSON (every report missing)."""
    import datetime as dt

    from sqlalchemy import DateTime, Integer, String, and_

    from data_access.json_rows import json_rows
    with session_factory() as s:
        cut = json_rows(s, "cutoff", [(1, "2026-10", dt.datetime(2026, 11, 5, 16)), (2, "2026-11", None)],
                        {"duty": Integer(), "period": String(), "cutoff": DateTime()})
        teams = json_rows(s, "teams", [("team7", "532822")], {"code": String(), "county": String()})
        rows = s.execute(select(cut.c.duty, cut.c.period, cut.c.cutoff, teams.c.code)
                         .join(teams, and_(teams.c.county != cut.c.period)).order_by(cut.c.duty)).all()
    assert [tuple(r) for r in rows] == [(1, "2026-10", dt.datetime(2026, 11, 5, 16), "team7"),
                                        (2, "2026-11", None, "team7")]


def test_a_requests_area_is_read_once(session_factory, county) -> None:  # noqa: ANN001
    """The selection check and a report's level read the selected area once per request (one session): the session's
    identity map keeps the area only while something holds it (it was read twice)."""
    from sqlalchemy import event

    from data_access.analytics.report import area_level
    from data_access.scope import Scope
    code = county[0]
    reads: list[str] = []

    def seen(_conn, _cursor, statement, *_rest) -> None:  # noqa: ANN001
        if "FROM area" in statement:
            reads.append(statement)
    with session_factory() as s:
        event.listen(s.get_bind(), "before_cursor_execute", seen)
        try:
            assert selection_allowed(s, Scope("admin", unrestricted=True), code)
            assert area_level(s, code) == "county" and area_level(s, code) == "county"
            assert len(reads) == 1
        finally:
            event.remove(s.get_bind(), "before_cursor_execute", seen)
            s.rollback()
