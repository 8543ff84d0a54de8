"""Rectification orders on a real database (SQLite, and PostgreSQL when configured): issuing from a
finding or by hand, the whole life cycle with its history, stale pages refused, permissions by role and
area, evidence, the board and the figures, and overdue orders in the notification tiers."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from data_access.analytics.report import load_report
from data_access.inspection.access import InvalidInput
from data_access.inspection.records import add_finding
from data_access.inspection.visits import reopen_visit, sign_visit
from data_access.models import AuditLog
from data_access.models import OrderEvent, OrderEvidence, RectificationOrder
from data_access.models import Finding
from data_access.rectification.orders import (OrderConflict, OrderRefused, close_order, default_deadline, edit_order,
                                       order_access, return_order, start_order, submit_order, take_action)
from data_access.rectification.evidence import locate_evidence, remove_evidence, store_evidence
from data_access.rectification.issue import OrderDraft, finding_for_order, issue_order
from data_access.rectification.stats import order_progress, overdue_by_township, overdue_extras, overdue_orders
from data_access.rectification.view import board_filters, count_orders, list_orders, load_order
from data_access.scope import Scope
from domain.rectification.rules import IllegalTransition
from domain.workdays import add_working_days
from tests import factories as f
from tests.inspection.test_inspection_fixtures import GAPS, actor, edit, new_visit, world  # noqa: F401

TODAY = dt.date(2026, 10, 12)  # a Monday after the National Day holiday
PDF = b"%PDF-1.4 evidence"


@pytest.fixture
def signed(session_factory, world):  # noqa: ANN001, ANN201, F811
    """A signed zone-2 visit to t2 with a township finding and a school (s2a) finding; their ids."""
    vid = new_visit(session_factory, world)
    with session_factory() as s, s.begin():
        a = actor(s, world, "insp2")
        town = add_finding(s, a, vid, edit(), "work_gap", None, "medium", None, "双线责任书未签到村民小组")
        school = add_finding(s, a, vid, edit(), "other", None, "high", world.s2a, "家访登记缺少本学期记录")
        sign_visit(s, actor(s, world, "lead2"), vid, edit(), GAPS)
    return {"visit": vid, "town": town, "school": school}


def _issue(session_factory, world, who="insp2", today=TODAY, **draft):  # noqa: ANN001, ANN003, ANN202, F811
    values = dict(title="整改", requirement="完成整改", deadline=(today + dt.timedelta(days=20)).isoformat())
    values.update(draft)
    with session_factory() as s, s.begin():
        return issue_order(s, actor(s, world, who), OrderDraft(**values), today).id


def _do(session_factory, world, who, fn, *args):  # noqa: ANN001, ANN002, ANN202, F811
    with session_factory() as s, s.begin():
        return fn(s, actor(s, world, who), *args)


def _backdate(session_factory, issued: dt.datetime, closed: dict[int, dt.datetime] | None = None) -> None:  # noqa: ANN001
    """Orders are stamped with the real time; move them to the test's calendar (UTC)."""
    from sqlalchemy import update
    with session_factory() as s, s.begin():
        s.execute(update(RectificationOrder).values(issued_at=issued))
        for oid, at in (closed or {}).items():
            s.execute(update(RectificationOrder).where(RectificationOrder.id == oid).values(closed_at=at))


def _version(session_factory, order_id: int) -> int:  # noqa: ANN001
    with session_factory() as s:
        return s.get(RectificationOrder, order_id).version


def test_issue_from_a_finding_takes_its_unit_and_term(session_factory, world, signed) -> None:  # noqa: ANN001, F811
    oid = _issue(session_factory, world, finding_id=signed["school"], township_code=world.t1, school_id=world.s1)
    with session_factory() as s:
        o = s.get(RectificationOrder, oid)
        assert (o.township_code, o.school_id, o.term_code, o.status, o.version) == (world.t2, world.s2a, "2024-1",
                                                                                    "issued", 1)
        assert o.team_id is not None and o.finding_id == signed["school"]
        events = s.scalars(select(OrderEvent).where(OrderEvent.order_id == oid)).all()
        assert [(e.action, e.from_status, e.to_status, e.user_id) for e in events] == [
            ("issue", None, "issued", world.users["insp2"])]
        assert s.scalar(select(AuditLog.id).where(AuditLog.entity == "rectification_order"))


def test_a_finding_has_at_most_one_open_order(session_factory, world, signed) -> None:  # noqa: ANN001, F811
    first = _issue(session_factory, world, finding_id=signed["town"])
    with pytest.raises(InvalidInput) as err:
        _issue(session_factory, world, finding_id=signed["town"])
    assert err.value.code == "finding_has_open_order" and err.value.params == {"order": first}
    # once closed, a new order may follow up the same finding
    _walk_to_closed(session_factory, world, first)
    second = _issue(session_factory, world, finding_id=signed["town"])
    assert second != first


def test_orders_only_from_signed_visits_of_the_own_team(session_factory, world) -> None:  # noqa: ANN001, F811
    vid = new_visit(session_factory, world)
    with session_factory() as s, s.begin():
        fid = add_finding(s, actor(s, world, "insp2"), vid, edit(), "other", None, "low", None, "草稿问题")
    with pytest.raises(InvalidInput) as err:
        _issue(session_factory, world, finding_id=fid)
    assert err.value.code == "visit_not_signed"
    for stranger in ("insp1", "lead1", "officer2", "staff2a", "leader", "loner"):
        with session_factory() as s, pytest.raises(OrderRefused):
            finding_for_order(s, actor(s, world, stranger), fid)
    with session_factory() as s, pytest.raises(OrderRefused):
        finding_for_order(s, actor(s, world, "insp2"), 999999)


def test_issue_by_hand_checks_unit_deadline_and_texts(session_factory, world) -> None:  # noqa: ANN001, F811
    oid = _issue(session_factory, world, township_code=world.t3, school_id=None)
    with session_factory() as s:
        assert s.get(RectificationOrder, oid).school_id is None
    for draft, code in ((dict(township_code=world.t2, school_id=world.s1), "order_school_not_in_township"),
                        (dict(township_code=world.t2, deadline="2026-10-11"), "deadline_past"),
                        (dict(township_code=world.t2, deadline="2026-13-01"), "bad_date"),
                        (dict(township_code=world.t2, deadline="2028-01-01"), "deadline_too_far"),
                        (dict(township_code=world.t2, title="  "), "title_required"),
                        (dict(township_code=world.t2, requirement=""), "requirement_required"),
                        (dict(township_code=world.t2, title="x" * 201), "too_long")):
        with pytest.raises(InvalidInput) as err:
            _issue(session_factory, world, **draft)
        assert err.value.code == code, draft
    # the deadline may be today; outside the team's zone (or a county, or for a non-team role) it is refused
    _issue(session_factory, world, township_code=world.t2, deadline=TODAY.isoformat())
    for who, town in (("insp2", world.t1), ("insp1", world.t2), ("officer2", world.t2), ("leader", world.t2),
                      ("admin", world.county), ("insp2", "999999999999"), ("insp2", None)):
        with pytest.raises(OrderRefused):
            _issue(session_factory, world, who=who, township_code=town)
    assert _issue(session_factory, world, who="admin", township_code=world.t1)


def test_default_deadline_is_fifteen_working_days() -> None:
    # 2026-09-28 (Mon) + 15 working days skips the National Day week and counts the make-up Saturday 10-10
    assert default_deadline(dt.date(2026, 9, 28)) == add_working_days(dt.date(2026, 9, 28), 15)
    assert default_deadline(dt.date(2026, 11, 2)) == dt.date(2026, 11, 23)


def _walk_to_closed(session_factory, world, oid: int, unit: str = "officer2") -> None:  # noqa: ANN001, F811
    _do(session_factory, world, unit, start_order, oid, _version(session_factory, oid))
    _do(session_factory, world, unit, lambda s, a: store_evidence(s, a, oid, _tmp_folder(), "scan.pdf", PDF))
    _do(session_factory, world, unit, submit_order, oid, _version(session_factory, oid), "已完成")
    _do(session_factory, world, "lead2", close_order, oid, _version(session_factory, oid), "")


_FOLDER: list = []


def _tmp_folder():  # noqa: ANN202
    return _FOLDER[0]


@pytest.fixture(autouse=True)
def _evidence_folder(tmp_path):  # noqa: ANN001, ANN202
    _FOLDER[:] = [tmp_path / "orders"]
    yield


def test_the_whole_life_cycle_with_history(session_factory, world, signed, tmp_path) -> None:  # noqa: ANN001, F811
    oid = _issue(session_factory, world, finding_id=signed["school"])
    folder = tmp_path / "orders"
    # the school's staff start; evidence only while working on it
    with pytest.raises(InvalidInput) as err:
        _do(session_factory, world, "staff2a", lambda s, a: store_evidence(s, a, oid, folder, "a.pdf", PDF))
    assert err.value.code == "evidence_not_now"
    assert _do(session_factory, world, "staff2a", start_order, oid, 1) == "in_progress"
    # submitting needs an explanation and a file
    with pytest.raises(InvalidInput) as err:
        _do(session_factory, world, "staff2a", submit_order, oid, 2, "  ")
    assert err.value.code == "explanation_required"
    with pytest.raises(InvalidInput) as err:
        _do(session_factory, world, "staff2a", submit_order, oid, 2, "已补齐家访记录")
    assert err.value.code == "evidence_required"
    ev = _do(session_factory, world, "staff2a", lambda s, a: store_evidence(s, a, oid, folder, "家访.pdf", PDF).id)
    gone = _do(session_factory, world, "staff2a",
               lambda s, a: store_evidence(s, a, oid, folder, "wrong.png", b"\x89PNG\r\n\x1a\nxx").id)
    name = _do(session_factory, world, "staff2a", lambda s, a: remove_evidence(s, a, oid, gone))
    assert name.endswith(".png")
    assert _do(session_factory, world, "staff2a", submit_order, oid, 2, "已补齐家访记录") == "submitted"
    # the team returns it with a reason (required), the unit resubmits, the team closes it
    with pytest.raises(InvalidInput) as err:
        _do(session_factory, world, "lead2", return_order, oid, 3, "")
    assert err.value.code == "return_reason_required"
    assert _do(session_factory, world, "insp2", return_order, oid, 3, "缺少签字页") == "returned"
    with pytest.raises(InvalidInput) as err:  # handed-in files stay
        _do(session_factory, world, "staff2a", lambda s, a: remove_evidence(s, a, oid, ev))
    assert err.value.code == "evidence_submitted"
    _do(session_factory, world, "staff2a", lambda s, a: store_evidence(s, a, oid, folder, "签字页.pdf", PDF))
    assert _do(session_factory, world, "staff2a", submit_order, oid, 4, "补充签字页") == "submitted"
    assert _do(session_factory, world, "lead2", close_order, oid, 5, "核实无误") == "closed"
    with session_factory() as s:
        o = s.get(RectificationOrder, oid)
        assert (o.status, o.version, o.closed_by, o.return_reason) == ("closed", 6, world.users["lead2"], "缺少签字页")
        events = s.scalars(select(OrderEvent).where(OrderEvent.order_id == oid).order_by(OrderEvent.id)).all()
        assert [(e.action, e.from_status, e.to_status, e.note) for e in events] == [
            ("issue", None, "issued", ""), ("start", "issued", "in_progress", ""),
            ("submit", "in_progress", "submitted", "已补齐家访记录"), ("return", "submitted", "returned", "缺少签字页"),
            ("submit", "returned", "submitted", "补充签字页"), ("verify_close", "submitted", "closed", "核实无误")]
        files = s.scalars(select(OrderEvidence).where(OrderEvidence.order_id == oid).order_by(OrderEvidence.id)).all()
        assert [f.event_id for f in files] == [events[2].id, events[4].id]
        view = load_order(s, order_access(s, actor(s, world, "officer2"), oid))
        assert [len(e.files) for e in view.events] == [0, 0, 1, 0, 1, 0] and view.finding.id == signed["school"]
        found = locate_evidence(s, folder, files[0].id)
        assert found.order_id == oid and found.path.read_bytes() == PDF and found.download_name == "家访.pdf"
    with pytest.raises(IllegalTransition) as err:  # closed is final
        _do(session_factory, world, "lead2", return_order, oid, 6, "再看看")
    assert err.value.params == {"status": "closed", "action": "return"}


def test_illegal_steps_are_refused_with_a_message(session_factory, world) -> None:  # noqa: ANN001, F811
    oid = _issue(session_factory, world, township_code=world.t2)
    with pytest.raises(IllegalTransition) as err:  # nothing submitted yet
        _do(session_factory, world, "lead2", close_order, oid, 1)
    assert err.value.params == {"status": "issued", "action": "verify_close"}
    _do(session_factory, world, "officer2", start_order, oid, 1)
    with pytest.raises(IllegalTransition) as err:
        _do(session_factory, world, "officer2", start_order, oid, 2)
    assert err.value.params == {"status": "in_progress", "action": "start"}
    with session_factory() as s:
        assert s.get(RectificationOrder, oid).version == 2


def test_a_stale_page_is_refused_and_names_who_changed_it(session_factory, world) -> None:  # noqa: ANN001, F811
    oid = _issue(session_factory, world, township_code=world.t2)
    _do(session_factory, world, "officer2", start_order, oid, 1)
    with pytest.raises(OrderConflict) as err:  # a second tab still on version 1
        _do(session_factory, world, "officer2", start_order, oid, 1)
    assert err.value.by == "officer2" and err.value.at is not None
    with pytest.raises(OrderConflict):
        _do(session_factory, world, "lead2", edit_order, oid, 1, "2026-12-01", "完成整改", TODAY)
    with pytest.raises(InvalidInput) as bad:
        _do(session_factory, world, "officer2", start_order, oid, "2")
    assert bad.value.code == "stale_page"


def test_permissions_by_role_and_area(session_factory, world) -> None:  # noqa: ANN001, F811
    town = _issue(session_factory, world, township_code=world.t2)
    school = _issue(session_factory, world, township_code=world.t2, school_id=world.s2a)
    with session_factory() as s:
        def rel(who: str, oid: int) -> tuple[bool, str | None]:
            acc = order_access(s, actor(s, world, who), oid)
            return acc.can_read, acc.relation
        assert rel("insp2", town) == (True, "team") and rel("insp2b", school) == (True, "team")
        assert rel("admin", town) == (True, "team")
        assert rel("officer2", town) == (True, "unit") and rel("officer2", school) == (True, "unit")
        assert rel("staff2a", school) == (True, "unit") and rel("staff2a", town) == (False, None)
        assert rel("staff2b", school) == (False, None)
        assert rel("leader", school) == (True, None)
        assert rel("officer1", town) == (False, None) and rel("insp1", town) == (False, None)
        assert rel("loner", town) == (False, None)
        assert order_access(s, actor(s, world, "insp2"), 999999) is None
        assert order_access(s, actor(s, world, "insp2"), "1") is None
    # each step refused for the wrong relation (nothing written)
    for who, fn, args in (("insp2", start_order, (town, 1)), ("officer1", start_order, (town, 1)),
                          ("staff2b", start_order, (school, 1)), ("leader", start_order, (town, 1)),
                          ("insp1", edit_order, (town, 1, "2026-12-01", "x", TODAY)),
                          ("officer2", edit_order, (town, 1, "2026-12-01", "x", TODAY)),
                          ("officer2", close_order, (town, 1)), ("insp2", submit_order, (town, 1, "x")),
                          ("officer1", return_order, (town, 1, "x")), ("staff2a", start_order, (town, 1)),
                          ("insp2", take_action, (town, 1, "delete"))):
        with pytest.raises(OrderRefused):
            _do(session_factory, world, who, fn, *args)
    with pytest.raises(OrderRefused):
        _do(session_factory, world, "officer1", lambda s, a: store_evidence(s, a, town, _tmp_folder(), "a.pdf", PDF))
    with session_factory() as s:
        assert {o.version for o in s.scalars(select(RectificationOrder))} == {1}


def test_edit_deadline_and_requirement(session_factory, world) -> None:  # noqa: ANN001, F811
    oid = _issue(session_factory, world, township_code=world.t2, deadline="2026-10-20")
    assert _do(session_factory, world, "insp2", edit_order, oid, 1, "2026-10-20", "完成整改", TODAY, "") is False
    assert _do(session_factory, world, "insp2", edit_order, oid, 1, "2026-11-20", "完成整改并报送", TODAY, "延期")
    with session_factory() as s:
        o = s.get(RectificationOrder, oid)
        assert (o.deadline, o.requirement, o.version) == (dt.date(2026, 11, 20), "完成整改并报送", 2)
        e = s.scalars(select(OrderEvent).where(OrderEvent.action == "edit")).one()
        assert '"deadline": ["2026-10-20", "2026-11-20"]' in e.note and "延期" in e.note
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "edit")).one()
        before = json.loads(entry.before)             # the full previous state of the order (issue 12)
        assert (before["deadline"], before["requirement"], before["version"], before["status"]) == (
            "2026-10-20", "完成整改", "1", "issued")
        assert {"title", "township_code", "closed_at", "id"} <= set(before)
    later = TODAY + dt.timedelta(days=60)  # now overdue: the old deadline may stay while the text changes
    assert _do(session_factory, world, "insp2", edit_order, oid, 2, "2026-11-20", "新要求", later)
    with pytest.raises(InvalidInput) as err:
        _do(session_factory, world, "insp2", edit_order, oid, 3, "2026-11-21", "新要求", later)
    assert err.value.code == "deadline_past"


def test_board_figures_and_overdue(session_factory, world) -> None:  # noqa: ANN001, F811
    late = _issue(session_factory, world, township_code=world.t2, title="逾期", deadline="2026-10-13")
    soon = _issue(session_factory, world, township_code=world.t3, title="未到期", deadline="2026-11-30")
    done = _issue(session_factory, world, township_code=world.t2, school_id=world.s2a, title="按时", deadline="2026-10-20")
    _walk_to_closed(session_factory, world, done, unit="staff2a")
    other = _issue(session_factory, world, who="insp1", township_code=world.t1, title="一片区", deadline="2026-10-13")
    _backdate(session_factory, dt.datetime(2026, 10, 12, 1), {done: dt.datetime(2026, 10, 19, 4)})
    later = dt.date(2026, 10, 20)
    with session_factory() as s:
        zone2 = actor(s, world, "insp2").scope
        rows = list_orders(s, zone2, later)
        assert [r.id for r in rows] == [late, soon, done]  # overdue first, then by deadline, closed last
        assert rows[0].days_overdue == 7 and rows[0].unit_name == "乡镇2" and rows[2].to_school
        assert [r.id for r in list_orders(s, zone2, later, overdue_only=True)] == [late]
        assert [r.id for r in list_orders(s, zone2, later, status="closed")] == [done]
        assert [r.id for r in list_orders(s, zone2, later, township=world.t3)] == [soon]
        assert [r.id for r in list_orders(s, zone2, later, township=world.t1)] == []  # a filter cannot widen
        assert [r.id for r in list_orders(s, actor(s, world, "staff2a").scope, later)] == [done]
        assert [r.id for r in list_orders(s, actor(s, world, "officer1").scope, later)] == [other]
        leader = actor(s, world, "leader").scope
        assert [r.id for r in list_orders(s, leader, later)] == [late, other, soon, done]
        assert [r.id for r in list_orders(s, leader, later, limit=3)] == [late, other, soon]   # cut in SQL
        assert count_orders(s, leader, later) == (4, 2)                     # (orders, overdue) as listed
        assert count_orders(s, zone2, later, status="closed") == (1, 0)
        assert count_orders(s, zone2, later, township=world.t1) == (0, 0)
        assert count_orders(s, actor(s, world, "staff2a").scope, later) == (1, 0)
        assert {c for c, _n in board_filters(s, zone2).townships} == {world.t2, world.t3}
        progress = {r.code: r for r in order_progress(s, zone2, later)}
        assert progress[world.t2] == progress[world.t2].__class__(world.t2, "乡镇2", 2, 1, 1, 1, 1, 50.0)
        assert progress[world.t3].on_time_rate is None and progress[world.t3].overdue == 0
        teams = order_progress(s, Scope("admin", unrestricted=True), later, by="team")
        assert [(r.total, r.overdue) for r in teams] == [(1, 1), (3, 1)]
        assert [r.id for r in overdue_orders(s, Scope("admin", unrestricted=True), later)] == [late, other]
        assert overdue_by_township(s, [world.t1, world.t2, world.t3], later) == {world.t1: 1, world.t2: 1}
        assert overdue_by_township(s, [world.t2], dt.date(2026, 10, 13)) == {}  # the deadline day is in time
        with pytest.raises(ValueError):
            order_progress(s, zone2, later, by="village")


def test_overdue_orders_of_each_report_term_as_of_its_last_day(session_factory, world) -> None:  # noqa: ANN001, F811
    """A report counts an earlier term's overdue orders as they stood on the term's last day, the current term's
    as of today, and none for a term not begun: per township, per school and per county."""
    from sqlalchemy import update
    from data_access.models import School
    closed_late = _issue(session_factory, world, township_code=world.t2, school_id=world.s2a, title="逾期后整改")
    _walk_to_closed(session_factory, world, closed_late, unit="staff2a")
    still_open = _issue(session_factory, world, who="insp1", township_code=world.t1, title="仍未整改")
    _issue(session_factory, world, township_code=world.t3, title="未到期", deadline="2026-11-30")
    _backdate(session_factory, dt.datetime(2026, 8, 1, 1), {closed_late: dt.datetime(2026, 9, 5, 4)})
    with session_factory() as s, s.begin():  # both were due in the summer term 2025-2 (ends 2026-08-31)
        s.execute(update(RectificationOrder).where(RectificationOrder.id.in_([closed_late, still_open]))
                  .values(deadline=dt.date(2026, 8, 15)))
    today, terms = dt.date(2026, 10, 20), ["2025-2", "2026-1", "2026-2"]
    with session_factory() as s:
        def counts(level: str, codes: set[str]) -> dict:
            return {k: e.overdue_rectifications for k, e in overdue_extras(s, terms, level, codes, today).items()}
        assert counts("township", {world.t1, world.t2, world.t3}) == {
            ("2025-2", world.t1): 1, ("2025-2", world.t2): 1, ("2026-1", world.t1): 1}
        school = s.get(School, world.s2a).code
        assert counts("school", {school}) == {("2025-2", school): 1}  # closed on 5 September: on time for 2026-1
        county = world.t1[:6] + "000000"
        assert county == world.t2[:6] + "000000"
        assert counts("county", {county}) == {("2025-2", county): 2, ("2026-1", county): 1}
        # read by a code range spanning the units (domain.areas.span_range): a neighbour's orders count only for it
        below, above = f"{int(county[:6]) - 1}000000", f"{int(county[:6]) + 1}000000"
        assert counts("county", {below}) == {} and counts("county", {above}) == {}
        assert counts("county", {below, above}) == {}
        assert counts("prefecture", {county[:4] + "00000000"}) == {("2025-2", county[:4] + "00000000"): 2,
                                                                  ("2026-1", county[:4] + "00000000"): 1}
        assert counts("village", {world.t1}) == {}


def _compliant_county(session_factory) -> tuple[str, str]:  # noqa: ANN001
    """Two townships with ten pupils each, nobody dropped out, a county target they meet."""
    from data_access.models import Target, TargetPolicy
    with session_factory() as s, s.begin():
        _county, towns = f.county_with_townships(s, 2)
        for i, town in enumerate(towns):
            school = f.school.create(s, township_code=town.code, code=f"532822000{i}")
            for _ in range(10):
                f.roster(s, "2024-1", school, grade=3)
        s.add(TargetPolicy(name="县目标", area_code="532822000000", active=True, targets=[
            Target(indicator="primary_dropout_rate", op="<=", bound=1.8)]))
        s.flush()
        f.refresh(s, "2024-1")
    return towns[0].code, towns[1].code


def test_overdue_order_raises_a_compliant_township_to_warning(session_factory) -> None:  # noqa: ANN001
    t1, t2 = _compliant_county(session_factory)
    everything = Scope("admin", unrestricted=True)

    def tiers(day: dt.date) -> dict:
        with session_factory() as s:
            return {u.code: u.tier for u in load_report(s, everything, "532822000000", "township", "2024-1",
                                                        today=day).units}
    before = tiers(dt.date(2024, 10, 8))
    assert before[t1].tier == before[t2].tier == 0, before
    with session_factory() as s, s.begin():
        from data_access.inspection.access import Actor
        admin = f.user.create(s, username="boss", role="admin")
        issue_order(s, Actor(admin.id, "admin", everything, "boss"),
                    OrderDraft("整改", "完成整改", "2024-10-10", t2), dt.date(2024, 9, 20))
    _backdate(session_factory, dt.datetime(2024, 9, 20, 2))
    assert tiers(dt.date(2024, 10, 10))[t2].tier == 0  # the deadline day is still in time
    after = tiers(dt.date(2024, 10, 18))
    assert after[t2].tier == 1
    assert [(r.kind, r.count) for r in after[t2].reasons] == [("overdue", 1)]
    assert after[t1] == before[t1]  # the other township is not touched
    assert tiers(dt.date(2025, 5, 1))[t2].tier == 1  # still open when the term ended
    assert tiers(dt.date(2024, 9, 10))[t2].tier == 0  # before it was issued


def test_overdue_orders_at_school_and_county_level(session_factory) -> None:  # noqa: ANN001
    from data_access.inspection.access import Actor
    from data_access.models import School
    _t1, t2 = _compliant_county(session_factory)
    everything = Scope("admin", unrestricted=True)
    with session_factory() as s, s.begin():
        school = s.scalar(select(School).where(School.township_code == t2))
        admin = f.user.create(s, username="boss", role="admin")
        issue_order(s, Actor(admin.id, "admin", everything, "boss"),
                    OrderDraft("整改", "完成整改", "2024-10-10", t2, school.id), dt.date(2024, 9, 20))
        code = school.code
    _backdate(session_factory, dt.datetime(2024, 9, 20, 2))
    with session_factory() as s:
        schools = {u.code: u.tier for u in load_report(s, everything, t2, "school", "2024-1",
                                                       today=dt.date(2024, 10, 18)).units}
        counties = {u.code: u.tier for u in load_report(s, everything, "532800000000", "county", "2024-1",
                                                        today=dt.date(2024, 10, 18)).units}
    assert schools[code].tier == 1 and schools[code].reasons[0].kind == "overdue"
    assert counties["532822000000"].tier >= 1
    assert any(r.kind == "overdue" and r.count == 1 for r in counties["532822000000"].reasons)


def test_reopened_visit_dropping_a_finding_keeps_the_order(session_factory, world, signed) -> None:  # noqa: ANN001, F811
    oid = _issue(session_factory, world, finding_id=signed["town"])
    with session_factory() as s, s.begin():
        reopen_visit(s, actor(s, world, "lead2"), signed["visit"], "补充记录")
    from data_access.inspection.records import remove_finding
    from data_access.models import InspectionVisit
    with session_factory() as s, s.begin():
        v = s.get(InspectionVisit, signed["visit"])
        remove_finding(s, actor(s, world, "insp2"), signed["visit"], edit(v.version, "tab-b"), signed["town"])
    with session_factory() as s:
        assert s.get(Finding, signed["town"]) is None
        o = s.get(RectificationOrder, oid)
        assert o.finding_id is None and o.status == "issued"


def test_one_open_order_per_finding_is_enforced_by_the_database(session_factory, world, signed) -> None:  # noqa: ANN001, F811
    from sqlalchemy.exc import IntegrityError
    now = dt.datetime(2026, 10, 12, 2)

    def order(status: str) -> RectificationOrder:
        return RectificationOrder(finding_id=signed["town"], township_code=world.t2, title="x", requirement="y",
                                  deadline=TODAY, status=status, issued_at=now)
    with session_factory() as s, s.begin():
        s.add_all([order("closed"), order("closed"), order("issued")])  # closed ones may repeat
    with session_factory() as s, pytest.raises(IntegrityError), s.begin():
        s.add(order("returned"))
        s.flush()


def test_demo_orders(session_factory) -> None:  # noqa: ANN001
    from collections import Counter

    from data_access.demo.build import seed_demo
    from data_access.models import Area, User
    from domain.localtime import local_today
    from data_access.scope import scope_for_user
    summary = seed_demo(session_factory, seed=1, progress=lambda _m: None, students_per_county=1500)
    assert summary["rectification_orders"] == 15
    today = local_today()
    with session_factory() as s:
        orders = s.scalars(select(RectificationOrder)).all()
        statuses = Counter(o.status for o in orders)
        assert set(statuses) == {"issued", "in_progress", "submitted", "returned", "closed"}
        closed = [o for o in orders if o.status == "closed"]
        assert any(o.closed_at.date() <= o.deadline for o in closed) and any(o.closed_at.date() > o.deadline
                                                                            for o in closed)
        overdue = [o for o in orders if o.status != "closed" and o.deadline < today]
        assert len(overdue) >= 3
        for o in orders:
            events = s.scalars(select(OrderEvent).where(OrderEvent.order_id == o.id).order_by(OrderEvent.at)).all()
            assert events[0].action == "issue" and events[-1].to_status == o.status and o.version == len(events)
            assert [e.at for e in events] == sorted(e.at for e in events)
        files = s.scalars(select(OrderEvidence)).all()
        assert files and all(f.event_id is not None for f in files)
        township = s.scalar(select(User).where(User.username == "township"))
        mine = list_orders(s, scope_for_user(s, township), today)
        assert {r.status for r in mine} >= {"returned", "issued"} and any(r.days_overdue for r in mine)
        school = s.scalar(select(User).where(User.username == "school"))
        assert any(r.status == "returned" for r in list_orders(s, scope_for_user(s, school), today))
        leader = s.scalar(select(User).where(User.username == "leader"))
        county = s.scalar(select(Area.code).where(Area.level == "county"))
        late_towns = {o.township_code for o in overdue}
        units = load_report(s, scope_for_user(s, leader), county, "township", "2026-1").units
        if parse_today_in_term(today):
            assert all(u.tier.tier >= 1 for u in units if u.code in late_towns)


def parse_today_in_term(today: dt.date) -> bool:
    """The demo's last term is 2026-1: overdue orders count in its tiers only while it runs."""
    from domain.terms import term_for_date
    return term_for_date(today).code == "2026-1"


def test_progress_names_say_their_county_where_the_units_span_several(session_factory) -> None:  # noqa: ANN001
    """A province's board lists townships and teams of many counties, whose names repeat (东城镇, 第一组): there each
    bar's and each order's township and team say their county; within one county the names stay short."""
    from data_access.models import Area, Team, Zone
    from tests import factories as f
    today = dt.date(2026, 11, 2)
    with session_factory() as s, s.begin():
        county, (town,) = f.county_with_townships(s, 1)
        other = Area(code="532801000000", name="景洪市", level="county", parent_code="532800000000")
        s.add(other)
        s.flush()
        twin = Area(code="532801100000", name=town.name, level="township", parent_code=other.code)
        s.add(twin)
        teams = []
        for c in (county.code, other.code):
            zone = Zone(county_code=c, name="第一片区")
            s.add(zone)
            s.flush()
            team = Team(zone_id=zone.id, name="第一组")
            s.add(team)
            s.flush()
            teams.append(team.id)
        for code, team_id in ((town.code, teams[0]), (twin.code, teams[1])):
            s.add(RectificationOrder(township_code=code, team_id=team_id, title="整改", requirement="…",
                                     status="issued", deadline=today, issued_at=dt.datetime(2026, 10, 1)))
    everything = Scope("admin", unrestricted=True)
    one_county = Scope("county_leader", areas=((county.code, "county"),))
    with session_factory() as s:
        towns = {r.code: r.name for r in order_progress(s, everything, today)}
        assert towns == {town.code: f"勐海县 · {town.name}", twin.code: f"景洪市 · {town.name}"}
        squads = {r.name for r in order_progress(s, everything, today, by="team")}
        assert squads == {"勐海县 · 第一组", "景洪市 · 第一组"}
        assert [r.name for r in order_progress(s, one_county, today)] == [town.name]
        assert [r.name for r in order_progress(s, one_county, today, by="team")] == ["第一组"]
        listed = {(r.township_name, r.unit_name, r.team_name) for r in list_orders(s, everything, today)}
        assert listed == {(f"勐海县 · {town.name}", town.name, "勐海县 · 第一组"),   # (the unit: its own name)
                          (f"景洪市 · {town.name}", town.name, "景洪市 · 第一组")}
        assert [(r.township_name, r.team_name) for r in list_orders(s, one_county, today)] == [(town.name, "第一组")]
