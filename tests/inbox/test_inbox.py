"""The inbox (issue 18.1): what waits on each user appears there and leaves when it is done."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, update

from data_access import audit
from data_access.admin.data_status import school_status
from data_access.inbox.items import inbox_items
from data_access.inspection.visits import sign_visit
from data_access.models import RectificationOrder, School, User
from data_access.scope import scope_for_user
from data_access.rectification.orders import close_order, start_order, submit_order
from domain.inbox.views import InboxItem, sort_items
from tests import factories as f
from tests.inspection.test_inspection_fixtures import GAPS, TERM, actor, edit, new_visit, world  # noqa: F401
from data_access.rectification.evidence import store_evidence
from tests.rectification.test_rectification_data import PDF, TODAY, _issue, signed  # noqa: F401

D = dt.date


def kinds(session_factory, world, who: str, today: dt.date = TODAY) -> list[tuple[str, str]]:  # noqa: ANN001, F811
    """(kind, href) of the user's inbox."""
    with session_factory() as s:
        return [(i.kind, i.href) for i in inbox_items(s, actor(s, world, who), today)]


def test_items_are_sorted_overdue_first_then_due_then_newest() -> None:
    items = [InboxItem("order_new", "a", "x", "/a", D(2026, 11, 1)), InboxItem("order_new", "b", "x", "/b", D(2026, 11, 5)),
             InboxItem("case_due", "c", "x", "/c", D(2026, 11, 9)), InboxItem("case_due", "d", "x", "/d", D(2026, 11, 8)),
             InboxItem("order_overdue", "e", "x", "/e", D(2026, 10, 1)), InboxItem("roster_missing", "f", "x", "/f", None),
             InboxItem("visit_sign", "g", "x", "/g", D(2026, 11, 2))]
    assert [i.subject for i in sort_items(items)] == ["e", "d", "c", "g", "b", "a", "f"]


def test_an_order_travels_through_the_inboxes(session_factory, world, signed, tmp_path) -> None:  # noqa: ANN001, F811
    oid = _issue(session_factory, world, finding_id=signed["town"])
    href = f"/rectification/order?id={oid}"
    assert ("order_new", href) in kinds(session_factory, world, "officer2")  # the township answers it
    assert href not in [h for _k, h in kinds(session_factory, world, "officer1")]  # not another township
    assert href not in [h for _k, h in kinds(session_factory, world, "insp2")]  # nothing for the team yet
    with session_factory() as s, s.begin():
        start_order(s, actor(s, world, "officer2"), oid, 1)
        store_evidence(s, actor(s, world, "officer2"), oid, tmp_path, "责任书.pdf", PDF)
        submit_order(s, actor(s, world, "officer2"), oid, 2, "已签订责任书")
    assert href not in [h for _k, h in kinds(session_factory, world, "officer2")]  # answered: it leaves
    assert ("order_verify", href) in kinds(session_factory, world, "insp2")  # the team verifies it
    assert href not in [h for _k, h in kinds(session_factory, world, "insp1")]  # another zone's team does not
    # an admin above one county sees which county the township is in (146 of a province's township names repeat)
    from data_access.inspection.access import Actor
    from data_access.models import Area
    with session_factory() as s, s.begin():
        if s.get(Area, "530000000000") is None:
            s.add(Area(code="530000000000", name="云南省", level="province"))
        s.add(Area(code="532823000000", name="勐腊县", level="county"))
        admin = f.user.create(s, username="province_admin", role="admin", area_code="530000000000")
        s.flush()
        items = inbox_items(s, Actor(admin.id, "admin", scope_for_user(s, admin)), TODAY)
        [verify] = [i for i in items if i.href == href]
        county = s.scalar(select(Area.name).where(Area.level == "county", Area.code != "532823000000",
                                                  Area.code != "530000000000"))
        assert verify.kind == "order_verify" and verify.place.startswith(f"{county} · ")
    with session_factory() as s, s.begin():
        close_order(s, actor(s, world, "insp2"), oid, 3, "核实完成")
    assert href not in [h for _k, h in kinds(session_factory, world, "insp2")]


def test_an_order_past_its_deadline_is_overdue_first(session_factory, world, signed) -> None:  # noqa: ANN001, F811
    oid = _issue(session_factory, world, finding_id=signed["town"])
    with session_factory() as s, s.begin():
        s.execute(update(RectificationOrder).where(RectificationOrder.id == oid).values(deadline=TODAY - dt.timedelta(days=1)))
    assert kinds(session_factory, world, "officer2")[0] == ("order_overdue", f"/rectification/order?id={oid}")


def test_a_draft_visit_waits_for_its_leader(session_factory, world) -> None:  # noqa: ANN001, F811
    vid = new_visit(session_factory, world)
    today = dt.date.today() + dt.timedelta(days=400)  # after the visit's date, whatever the test fixture's date is
    assert ("visit_sign", f"/inspection/visit?id={vid}") in kinds(session_factory, world, "lead2", today)
    assert not [k for k, _h in kinds(session_factory, world, "insp2", today) if k == "visit_sign"]  # members do not
    with session_factory() as s, s.begin():
        sign_visit(s, actor(s, world, "lead2"), vid, edit(), GAPS)
    assert not [k for k, _h in kinds(session_factory, world, "lead2", today) if k == "visit_sign"]


def test_a_refused_import_stays_until_an_import_of_its_kind_succeeds(session_factory, world) -> None:  # noqa: ANN001, F811
    today = dt.datetime.now(dt.timezone.utc).date()
    with session_factory() as s, s.begin(), audit.acting_as(world.users["staff2a"], "staff2a"):
        audit.record(s, "import_refused", "roster", "花名册.xlsx", after={"problems": 3})
    assert ("import_refused", "/imports") in kinds(session_factory, world, "staff2a", today)
    assert ("import_refused", "/imports") not in kinds(session_factory, world, "officer2", today)  # only who tried
    with session_factory() as s, s.begin(), audit.acting_as(world.users["staff2a"], "staff2a"):
        audit.record(s, "import", "roster", "花名册（改）.xlsx", after={"new": 3})
    assert ("import_refused", "/imports") not in kinds(session_factory, world, "staff2a", today)


def test_the_inbox_page_and_the_navigation_badge(web_user, world, signed, session_factory,  # noqa: ANN001, F811
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _issue(session_factory, world, finding_id=signed["town"])
    _issue(session_factory, world, finding_id=signed["school"])
    officer = web_user("officer2")
    out = [("inbox-list", "children"), ("inbox-more", "hidden"), ("inbox-more", "children")]

    def inbox(user, more: int | None = None) -> dict:  # noqa: ANN001
        page = user.callback(out, [("shell-url", "pathname", "/inbox"), ("inbox-more", "n_clicks", more)])
        assert page.status_code == 200
        return page.get_json()["response"]
    body = json.dumps(inbox(officer), ensure_ascii=False)
    assert "/rectification/order?id=" in body and "整改" in body
    # a long inbox shows the most urgent first and more on each click (a province admin's 224 items drawn at once
    # were 2 s of a busy browser)
    from pages.inbox import inbox as page_module
    everything = inbox(officer)
    count = json.dumps(everything["inbox-list"]).count("bx-inbox-item ")
    assert count >= 2 and everything["inbox-more"]["hidden"] is True
    monkeypatch.setattr(page_module, "PAGE", 1)
    first = inbox(officer)
    assert json.dumps(first["inbox-list"]).count("bx-inbox-item ") == 1 and first["inbox-more"]["hidden"] is False
    assert f"{count - 1:,}" in first["inbox-more"]["children"]
    assert json.dumps(inbox(officer, 1)["inbox-list"]).count("bx-inbox-item ") == 2
    monkeypatch.undo()
    nav = officer.callback([("shell-nav", "children")], [("shell-url", "pathname", "/inbox")])
    assert "shell-badge-inbox" in nav.get_data(as_text=True)
    other = web_user("staff2b")  # a school with nothing waiting
    empty = inbox(other)
    assert "inbox-empty" in json.dumps(empty) and empty["inbox-more"]["hidden"] is True


def test_a_school_without_the_terms_roster_is_asked_for_it_as_the_data_status_lists_it(
        session_factory, world) -> None:  # noqa: ANN001, F811
    today = D(2024, 10, 15)                   # past the ten days' grace of the autumn term 2024-1
    with session_factory() as s, s.begin():
        f.refresh(s, TERM)
        f.school.create(s, township_code=world.t1, code="5328220005", name="一村小学")
        f.school.create(s, township_code=world.t1, code="5328220006", name="撤并小学", closed_from=TERM)

    def missing(who: str) -> list[tuple[str, int | None]]:
        with session_factory() as s:
            return [(i.subject, i.count) for i in inbox_items(s, actor(s, world, who), today)
                    if i.kind == "roster_missing"]
    assert missing("officer1") == missing("leader") == [("一村小学", 1)]      # not the school closed from the term
    assert missing("officer2") == missing("staff2a") == []
    with session_factory() as s:
        listed = school_status(s, scope_for_user(s, s.get(User, world.users["leader"])), TERM)
        assert [r.school_code for r in listed if not r.rows] == ["5328220005"]
    with session_factory() as s, s.begin():          # its roster arrives: asked no more
        f.roster(s, TERM, s.scalars(select(School).where(School.code == "5328220005")).one())
        f.refresh(s, TERM)
    assert missing("officer1") == missing("leader") == []
