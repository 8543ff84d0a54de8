"""Inspection teams' duties (issue 18.2, seed 000: teams report monthly): a duty for teams, its periods on the
county's board with lateness, the item in the team leader's inbox (not a member's), sending it as the leader only
(a member and another team's leader are refused through the real callback route), the figures Baoxue fills in."""
from __future__ import annotations

import datetime as dt
import json
import sys

from sqlalchemy import select

from data_access.inbox.duties import board, set_duty, team_code
from data_access.inbox.items import inbox_items
from data_access.inspection.access import Actor
from data_access.models import DutyReport, Team, TeamMember, Zone, ZoneTownship
from data_access.scope import Scope
from tests import factories as f
from tests.admin.conftest import COUNTY, T1, T2, world  # noqa: F401 - the fixture
from tests.imports.test_imports_rates import cli

TODAY = dt.date(2026, 12, 4)
SEND_OUT = [("reports-msg", "children"), ("reports-refresh", "data")]


def _teams(session_factory) -> dict[str, int]:  # noqa: ANN001
    with session_factory() as s, s.begin():
        ids = {}
        for n, town in ((1, T1), (2, T2)):
            zone = Zone(county_code=COUNTY, name=f"第{n}片区")
            s.add(zone)
            s.flush()
            s.add(ZoneTownship(township_code=town, zone_id=zone.id))
            team = Team(zone_id=zone.id, name=f"第{n}督导组")
            s.add(team)
            s.flush()
            ids[f"team{n}"] = team.id
            for name, role in ((f"lead{n}", "leader"), (f"member{n}", "member")):
                user = f.user.create(s, username=name, display_name=f"测试{name}", role="inspector",
                                     area_code=COUNTY)
                s.add(TeamMember(team_id=team.id, user_id=user.id, role=role))
                ids[name] = user.id
    return ids


def _send(user, value: str):  # noqa: ANN001, ANN201
    return user.callback(SEND_OUT, [("reports-send", "n_clicks", 1)],
                         [("reports-pick", "value", value), ("reports-notes", "value", "本月督导两所学校"),
                          ("reports-refresh", "data", 0)])


def test_a_team_duty_is_tracked_sent_by_the_leader_and_in_the_leaders_inbox(server, world, session_factory,
                                                                            web_user, monkeypatch) -> None:  # noqa: ANN001
    ids = _teams(session_factory)
    result = cli(server, "set-duty", COUNTY, "督导组工作月报", "--reporter", "team", "--cadence", "monthly",
                 "--due-days", "5", "--since", "2026-10-01")
    assert result.exit_code == 0, result.output
    one, two = team_code(ids["team1"]), team_code(ids["team2"])
    with session_factory() as s:
        rows = {(r.unit_code, r.period.key): r for r in board(s, Scope("admin", unrestricted=True), TODAY)
                if r.reporter == "team"}
        assert rows[(one, "2026-10")].state == "missing" and rows[(two, "2026-10")].state == "missing"   # late
        assert rows[(one, "2026-11")].state == "due" and rows[(one, "2026-11")].unit_name == "第1督导组"
        duty = rows[(one, "2026-11")].duty_id

        def items(user: str, area: tuple) -> list[str]:
            actor = Actor(ids[user], "inspector", Scope("inspector", areas=(area,)))
            return [i.kind + ":" + i.place for i in inbox_items(s, actor, TODAY) if i.kind.startswith("report")]
        assert sorted(items("lead1", (T1, "township"))) == [      # September's is due 2026-10-14 (since 10-01)
            "report_due:第1督导组 · 2026-11", "report_missing:第1督导组 · 2026-09", "report_missing:第1督导组 · 2026-10"]
        assert items("member1", (T1, "township")) == []                  # the leader sends it
        assert all("第1督导组" not in i for i in items("lead2", (T2, "township")))   # another zone's team
        townships = [r for r in board(s, Scope("township_officer", areas=((T1, "township"),)), TODAY)
                     if r.reporter == "team"]
        assert townships == []                                            # a township does not oversee teams
    monkeypatch.setattr(sys.modules["pages.inbox.reports"], "local_today", lambda: TODAY)
    assert _send(web_user("member1"), f"{duty}|2026-11|{one}").status_code == 403
    assert _send(web_user("lead2"), f"{duty}|2026-11|{one}").status_code == 403
    assert _send(web_user("officer1"), f"{duty}|2026-11|{one}").status_code == 403
    ok = json.dumps(_send(web_user("lead1"), f"{duty}|2026-11|{one}").get_json(), ensure_ascii=False)
    assert "text-success" in ok
    with session_factory() as s:
        report = s.scalars(select(DutyReport)).one()
        assert (report.unit_code, report.unit_area, report.notes) == (one, COUNTY, "本月督导两所学校")
        assert set(json.loads(report.figures_json)) == {"visits_month", "visits_term", "visits_unsigned",
                                                        "orders_open"}
        state = {r.unit_code: r.state for r in board(s, Scope("admin", unrestricted=True), TODAY)
                 if r.period.key == "2026-11" and r.reporter == "team"}
        assert state[one] in ("on_time", "late") and state[two] == "due"
    leader = web_user("leader")       # the county sees the teams' reports in its summary
    page = json.dumps(leader.callback(
        [("reports-form", "hidden"), ("reports-pick", "options"), ("reports-pick", "value"),
         ("reports-mine", "children"), ("reports-summary", "children")],
        [("reports-refresh", "data", 0), ("reports-county", "value", None)]).get_json(),
        ensure_ascii=False)
    assert "第2督导组" in page and "督导组工作月报" in page


BOARD_OUT = [("reports-form", "hidden"), ("reports-pick", "options"), ("reports-pick", "value"),
             ("reports-mine", "children"), ("reports-summary", "children")]


def test_an_area_spanning_counties_sees_reports_by_county_until_one_is_picked(world, session_factory,  # noqa: ANN001
                                                                             web_user) -> None:  # noqa: ANN001
    """A province's board was every school × period in one grid (22 MB): a leader above one county gets each
    county's reports counted by state, then a county's own list when one of theirs is picked."""
    from data_access.models import Area
    from domain.localtime import local_today
    from tests.inspection.test_inspection_fixtures import PASSWORD_HASH
    since = local_today() - dt.timedelta(days=120)
    with session_factory() as s, s.begin():
        if s.get(Area, "530000000000") is None:
            s.add(Area(code="530000000000", name="云南省", level="province"))
        s.add_all([Area(code="532823000000", name="勐腊县", level="county"),
                   Area(code="532823101000", name="勐腊镇", level="township", parent_code="532823000000")])
        s.flush()
        f.school.create(s, township_code="532823101000", code="5328230001", name="勐腊镇中心小学")
        set_duty(s, COUNTY, "学校月报", "school", "monthly", 5, since=since)
        set_duty(s, "532823000000", "学校月报", "school", "monthly", 5, since=since)
        f.user.create(s, username="province", role="county_leader", area_code="530000000000", display_name="p",
                      password_hash=PASSWORD_HASH)
    province = web_user("province")

    def summary(county: str | None) -> str:
        answer = province.callback(BOARD_OUT, [("reports-refresh", "data", 0), ("reports-county", "value", county)])
        return json.dumps(answer.get_json()["response"]["reports-summary"], ensure_ascii=False)
    counties = summary(None)
    assert "reports-counties" in counties and "勐腊县" in counties and "/reports?county=532823000000" in counties
    assert "勐腊镇中心小学" not in counties                                  # no unit listed yet
    one = summary("532823000000")
    assert "reports-grid" in one and "勐腊镇中心小学" in one and "reports-counties" not in one
    from data_access.models import School
    with session_factory() as s:
        others = s.scalars(select(School.name).where(School.township_code.between(COUNTY, COUNTY[:6] + "999999")))
        assert all(name not in one for name in others)                   # the other county's schools are not
    assert "reports-counties" in summary("110101000000")                    # not one of the area's counties
    # the counts by county are board()'s states counted, without its rows (reports sent included: one on time,
    # one late)
    from collections import Counter
    from data_access.models import DutyReport, ReportingDuty
    with session_factory() as s, s.begin():
        [row, *_] = [r for r in board(s, Scope("admin", unrestricted=True), local_today())
                     if r.unit_code == "5328230001"]
        duty = s.scalar(select(ReportingDuty.id).where(ReportingDuty.county_code == "532823000000"))
        s.add(DutyReport(duty_id=duty, period_key=row.period.key, unit_code="5328230001", unit_area="532823101000",
                         submitted_at=dt.datetime.combine(row.period.deadline + dt.timedelta(days=3), dt.time(4))))
        other = next(r for r in board(s, Scope("admin", unrestricted=True), local_today())
                     if r.township_code.startswith(COUNTY[:6]) and r.reporter == "school")
        s.add(DutyReport(duty_id=other.duty_id, period_key=other.period.key, unit_code=other.unit_code,
                         unit_area=other.township_code,
                         submitted_at=dt.datetime.combine(other.period.deadline - dt.timedelta(days=1), dt.time(4))))
        # a report for the first county's duty by a school that now lies in the other county (moved since) counts
        # in neither county: board() reads each county's own units
        s.add(DutyReport(duty_id=other.duty_id, period_key=other.period.key, unit_code="5328230001",
                         unit_area=other.township_code, submitted_at=dt.datetime.combine(other.period.deadline,
                                                                                         dt.time(4))))
    from data_access.inbox.duties import counts_by_county
    from data_access.names import scope_counties
    with session_factory() as s:
        for scope in (Scope("county_leader", areas=(("530000000000", "province"),)), Scope("admin", unrestricted=True)):
            rows = board(s, scope, local_today())
            expected = {}
            for r in rows:
                expected.setdefault(r.township_code[:6] + "000000", Counter())[r.state] += 1
            counted = {code: dict(n) for code, _name, n in counts_by_county(s, scope, local_today(),
                                                                            scope_counties(s, scope) or {})}
            assert counted == {code: dict(n) for code, n in expected.items()} and len(counted) == 2
            assert {"on_time", "late"} <= set().union(*(n for n in counted.values()))
