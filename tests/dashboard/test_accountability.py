"""约谈 / 问责 records (issue 18.5) on the demo county: a published period's tier-3/4 units wait in the county
leader's inbox until what was done is recorded; the record shows under the unit's tier; wrong roles, unpublished
periods, units not summoned and bad values are refused, each with its message."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from data_access.analytics.accountability import due
from data_access.analytics.publish import publish_period
from data_access.analytics.report import policy_for
from data_access.db import make_sessionmaker
from data_access.demo.build import DEMO_PASSWORD
from data_access.inbox.items import inbox_items
from data_access.inspection.access import Actor
from data_access.models import AccountabilityRecord, User
from data_access.scope import Scope
from domain.dashboard.accountability import record_problems
from tests.conftest import WebUser, copy_sqlite

COUNTY, TERM = "532822000000", "2026-1"
FIELDS = ("acc-held-on", "acc-talked-to", "acc-held-by", "acc-decision", "acc-follow-up-deadline")
TODAY = dt.date(2026, 12, 4)


@pytest.mark.parametrize(("values", "expected"), [
    ((TODAY, "镇长", "副县长", "限期整改", None), []),
    ((None, "", "副县长", "x", None), [("held_on", "required"), ("talked_to", "required")]),
    ((TODAY + dt.timedelta(days=1), "a", "b", "c", None), [("held_on", "future")]),
    ((TODAY, "a" * 201, "b", "c", TODAY - dt.timedelta(days=1)),
     [("talked_to", "too_long"), ("follow_up_deadline", "before_meeting")]),
    ((TODAY, "a", "b", "c", TODAY), []),                       # the follow-up may be the same day
])
def test_record_problems(values, expected) -> None:  # noqa: ANN001
    assert record_problems(*values, TODAY) == expected


@pytest.fixture(scope="module")
def demo(dash_app, demo_county_template) -> Iterator:  # noqa: ANN001
    engine = copy_sqlite(demo_county_template[0])
    factory = make_sessionmaker(engine)
    server = dash_app.server
    previous = server.extensions["baoxue"].engine
    server.extensions["baoxue"].use_engine(engine)
    server.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    yield factory
    server.extensions["baoxue"].use_engine(previous)


def _save(user: WebUser, unit: str, values: tuple, term: str = TERM):  # noqa: ANN202
    return user.callback([("acc-msg", "children"), ("acc-refresh", "data")], [("acc-save", "n_clicks", 1)],
                         [("acc-query", "data", {"unit": unit, "term": term}),
                          *((f, "value", v) for f, v in zip(FIELDS, values)), ("acc-refresh", "data", 0)])


def _text(resp) -> str:  # noqa: ANN001
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def test_a_published_summons_waits_until_recorded(dash_app, demo) -> None:  # noqa: ANN001
    leader = WebUser(dash_app.server, "leader", DEMO_PASSWORD)
    good = ("2026-12-01", "镇长、分管副镇长", "县政府分管副县长", "责令限期整改，一个月内报送整改报告", "2027-01-10")
    with demo() as s:
        county = Scope("admin", areas=((COUNTY, "county"),))
        assert due(s, county) == []                                 # nothing before the period is published
    # before publication: refused with a message, nothing written
    with demo() as s:
        from data_access.analytics.report import load_report
        report = load_report(s, Scope("admin", unrestricted=True), COUNTY, "township", TERM)
        summoned = [u for u in report.units if u.graded and u.tier.tier >= 3]
    assert summoned, "the demo has 约谈 / 问责 townships"
    unit = summoned[0].code
    assert "尚未发布" in _text(_save(leader, unit, good))
    with demo() as s:
        assert s.scalars(select(AccountabilityRecord)).all() == []
    with demo() as s, s.begin():
        publish_period(s, COUNTY, TERM, None, policy_for(s, COUNTY))
    with demo() as s:
        waiting = due(s, county)
        assert {d.unit_code for d in waiting} == {u.code for u in summoned}
        leader_user = s.scalar(select(User).where(User.username == "leader"))
        items = [i for i in inbox_items(s, Actor(leader_user.id, 'county_leader', county), TODAY) if i.kind == "accountability_due"]
        assert {i.href for i in items} == {f"/accountability?unit={u.code}&term={TERM}" for u in summoned}
    bad = _text(_save(leader, unit, ("2099-01-01", "", "县政府", "x", None)))
    assert "text-danger" in bad
    not_summoned = next(u.code for u in report.units if u.graded and u.tier.tier == 0)
    assert "text-danger" in _text(_save(leader, not_summoned, good))
    assert "text-success" in _text(_save(leader, unit, good))
    with demo() as s:
        rec = s.scalars(select(AccountabilityRecord)).one()
        assert (rec.unit_code, rec.term_code, rec.held_on, rec.follow_up_deadline) == (
            unit, TERM, dt.date(2026, 12, 1), dt.date(2027, 1, 10))
        assert unit not in {d.unit_code for d in due(s, county)}
    tiers = _text(leader.callback([("tiers-counts", "children"), ("tiers-table-box", "children"),
                                   ("tiers-title", "children")],
                                  [("shell-selection", "value", COUNTY), ("shell-term", "value", TERM),
                                   ("publish-refresh", "data", 0)]))
    assert "责令限期整改" in tiers and "bx-tier-note" in tiers


@pytest.mark.parametrize("name", ["township", "school", "inspector"])
def test_only_leaders_and_admins_record(dash_app, demo, name) -> None:  # noqa: ANN001
    user = WebUser(dash_app.server, name, DEMO_PASSWORD)
    assert _save(user, "532822101000", ("2026-12-01", "a", "b", "c", None)).status_code == 403


def test_a_leader_cannot_record_outside_the_area(dash_app, demo) -> None:  # noqa: ANN001
    with demo() as s, s.begin():   # a county leader scoped to one township records only there
        s.scalar(select(User).where(User.username == "leader")).area_code = s.scalar(
            select(User.area_code).where(User.username == "township"))
        other = s.scalar(select(User.area_code).where(User.username == "township02"))
    try:
        user = WebUser(dash_app.server, "leader", DEMO_PASSWORD)
        assert _save(user, other, ("2026-12-01", "a", "b", "c", None)).status_code == 403
    finally:
        with demo() as s, s.begin():
            s.scalar(select(User).where(User.username == "leader")).area_code = COUNTY
