"""The To-do & progress page through the real callback route: each user sees the overdue orders and due
case steps of their own area only, with names masked for county leaders."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from data_access.models import Student
from data_access.models import RectificationOrder
from tests.cases.test_ledger_fixtures import T1, T2, TERM, build, case

OUTPUTS = [("progress-cards", "children"), ("progress-orders", "children"), ("progress-steps", "children"),
           ("progress-step-chart", "figure"), ("progress-reason-chart", "figure"),
           ("progress-group-chart", "figure"), ("progress-town-cases", "figure"),
           ("progress-townships", "children"), ("progress-teams", "children"),
           ("progress-step-chart", "style"), ("progress-reason-chart", "style"), ("progress-group-chart", "style"),
           ("progress-town-cases", "style")]


@pytest.fixture
def world(session_factory):  # noqa: ANN001, ANN201
    """Two townships, each with one overdue case step and one overdue order; a closed order on time in T1."""
    w = build(session_factory)
    long_ago = dt.date.today() - dt.timedelta(days=40)
    now = dt.datetime.now()
    with session_factory() as s, s.begin():
        case(s, w.students["G"], T1, w.s2, step=2, started=long_ago, found=long_ago, reason="poverty")
        case(s, w.students["X"], T2, w.s3, step=1, started=long_ago, found=long_ago)
        s.get(Student, w.students["G"]).name = "李测试"
        s.get(Student, w.students["X"]).name = "王测试"
        for town, title in ((T1, "一乡整改：学籍核查"), (T2, "二乡整改：控辍台账")):
            s.add(RectificationOrder(township_code=town, title=title, requirement="…", status="issued",
                                     deadline=dt.date.today() - dt.timedelta(days=3), issued_at=now))
        s.add(RectificationOrder(township_code=T1, title="一乡已整改", requirement="…", status="closed",
                                 deadline=dt.date.today() + dt.timedelta(days=3), issued_at=now, closed_at=now))
    return w


def show(user, selection: str | None = None):  # noqa: ANN001, ANN201
    return user.callback(OUTPUTS, [("shell-selection", "value", selection), ("shell-term", "value", TERM)])


def body(resp) -> str:  # noqa: ANN001
    assert resp.status_code == 200, resp.data[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def test_officer_sees_own_overdue_orders_and_due_steps_only(web_user, world) -> None:  # noqa: ANN001
    text = body(show(web_user("officer1")))
    assert "一乡整改：学籍核查" in text and "李测试" in text
    assert "二乡整改" not in text and "王测试" not in text
    assert "/rectification/order?id=" in text and "/cases/case?id=" in text
    other = body(show(web_user("officer2")))
    assert "二乡整改：控辍台账" in other and "王测试" in other and "一乡" not in other


def test_county_sees_every_township_with_names_masked(web_user, world) -> None:  # noqa: ANN001
    text = body(show(web_user("leader")))
    assert "一乡整改：学籍核查" in text and "二乡整改：控辍台账" in text
    assert "李测试" not in text and "李*" in text and "王*" in text


def test_progress_figures_count_by_township(web_user, world) -> None:  # noqa: ANN001
    resp = show(web_user("leader")).get_json()["response"]
    towns = json.dumps(resp["progress-townships"]["children"], ensure_ascii=False)
    assert towns.count("bx-progress-row") == 2  # both townships, T1 with one on time and one overdue
    assert f'"data-code": "{T1}"' in towns and f'"data-code": "{T2}"' in towns
    assert "50.0%" in towns and "0.0%" in towns
    town_cases = resp["progress-town-cases"]["figure"]["data"]  # on time, due, overdue per township
    assert [sum(t["x"]) for t in town_cases] == [0, 0, 2] and len(town_cases[0]["y"]) == 2
    cards = json.dumps(resp["progress-cards"]["children"], ensure_ascii=False)
    assert "33%" in cards  # 1 closed on time of 3 due (2 overdue)


def test_overdue_orders_are_counted_whole_where_the_list_shows_the_first(web_user, world,  # noqa: ANN001
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The overdue orders' card note and the lists' badges count every overdue order and due or overdue case step,
    as the board and the cards do (they counted the 50 listed: "逾期 50" beside a board saying 337, a badge of 50
    under a card of 17,893 overdue steps at province scope)."""
    import importlib
    page = importlib.import_module("pages.inbox.progress")   # (dash registers pages/ as modules, not attributes)
    real = page.overdue_orders
    monkeypatch.setattr(page, "overdue_orders", lambda *a, **k: real(*a, **k)[:1])   # a list of the first one
    steps = page.due_case_steps
    monkeypatch.setattr(page, "due_case_steps", lambda *a, **k: steps(*a, **k)[:1])
    resp = show(web_user("leader")).get_json()["response"]
    assert _pills(resp["progress-steps"]["children"]) == ["2"]      # both townships' overdue case steps
    cards = json.dumps(resp["progress-cards"]["children"], ensure_ascii=False)
    listed = json.dumps(resp["progress-orders"]["children"], ensure_ascii=False)
    assert "逾期2" in cards.replace(" ", "") and listed.count("/rectification/order?id=") == 1
    assert _pills(resp["progress-orders"]["children"]) == ["2"]


def _pills(node: object) -> list[str]:
    """The texts of the pill badges in a component tree (as JSON)."""
    if isinstance(node, list):
        return [t for child in node for t in _pills(child)]
    if not isinstance(node, dict):
        return []
    props = node.get("props", {})
    own = [props["children"]] if node.get("type") == "Badge" and props.get("pill") else []
    return own + _pills(props.get("children"))


def test_anonymous_is_refused(web_user, world) -> None:  # noqa: ANN001
    assert show(web_user(None)).status_code in (401, 403)


def test_selection_narrows_and_foreign_selection_is_refused(web_user, world) -> None:  # noqa: ANN001
    text = body(show(web_user("leader"), T2))
    assert "二乡整改：控辍台账" in text and "一乡整改" not in text and "王*" in text and "李*" not in text
    assert show(web_user("officer1"), T2).status_code == 403
    assert show(web_user("officer1"), "532822999000").status_code == 403


def test_province_scope_shows_the_townships_that_need_attention(dash_app) -> None:  # noqa: ANN001
    """Issue 19: at province scope (~1,400 townships) the chart and the order bars keep the 30 townships with the
    most overdue, then open, work, and say how many are left out (the teams' bars too: ~340 teams); at county scope
    every township is shown."""
    from data_access.cases.stats import CaseSummary, TownshipCases
    from domain.rectification.views import ProgressRow
    from components.rectification.board import BARS_SHOWN as TOWN_ROWS, capped_progress_bars
    from pages.inbox.progress import _case_charts
    towns = {f"t{i}": TownshipCases(f"乡镇{i:04d}", open=i % 7, due=0, overdue=1 if i % 50 == 0 else 0)
             for i in range(1395)}
    summary = CaseSummary({n: 0 for n in range(1, 7)}, {}, 0, 0, {}, 0, 0, {}, towns)
    with dash_app.server.test_request_context():
        chart = _case_charts(summary)[3]
        names = list(chart["data"][0]["y"])
        assert len(names) == TOWN_ROWS and "乡镇0000" in names and "乡镇1350" in names  # the overdue ones first
        assert "1395" in chart["layout"]["title"]["text"]
        rows = [ProgressRow(f"t{i}", f"乡镇{i:04d}", 3, 2, i % 3, 1, 1, 50.0) for i in range(1395)]
        text = json.dumps(capped_progress_bars(rows, "none").to_plotly_json(), default=str, ensure_ascii=False)
        assert text.count("bx-progress-row") == TOWN_ROWS and "1365" in text and "乡镇" in text
        teams = json.dumps(capped_progress_bars(rows[:340], "none", by="team").to_plotly_json(), default=str,
                           ensure_ascii=False)
        assert teams.count("bx-progress-row") == TOWN_ROWS and "310" in teams
        few = json.dumps(capped_progress_bars(rows[:5], "none").to_plotly_json(), default=str, ensure_ascii=False)
        assert few.count("bx-progress-row") == 5


def _components(node: object) -> int:
    """The Dash components of a tree: what the browser's renderer mounts (and, under Dash 4.2–4.4.1, remounts)."""
    from dash.development.base_component import Component
    return 1 + sum(isinstance(child, Component) for child in node._traverse())  # type: ignore[attr-defined]


def test_a_province_page_of_work_stays_within_the_browsers_component_budget(dash_app) -> None:  # noqa: ANN001
    """Issue 19: the province leader's progress page drew ~1,750 components (50 orders and 50 steps of ~7 each, 60
    bars of ~16), and Dash 4.4.1 kept the browser busy for seconds remounting them (plotly/dash#3846). A work item is
    now a link and its badge, a bar one grid row: the page's two lists and two sets of bars stay under 800."""
    from components.inbox.progress import WorkItem, work_list
    from components.rectification.board import BARS_SHOWN, capped_progress_bars
    from domain.rectification.views import ProgressRow
    items = [WorkItem(f"/cases/case?id={i}", f"学生{i}", "某小学 · 某乡", "期限 2026-12-01", "overdue", "已逾期")
             for i in range(50)]
    rows = [ProgressRow(f"t{i}", f"乡镇{i:04d}", 4, 2, 1, 1, 1, 50.0) for i in range(1395)]
    with dash_app.server.test_request_context():
        listed = _components(work_list("l", "t", "alarm", items, "none", "/cases", "all", total=900))
        bars = _components(capped_progress_bars(rows, "none"))
    assert listed <= 50 * 2 + 12, listed
    assert bars <= BARS_SHOWN * 10 + 15, bars
    assert 2 * listed + 2 * bars <= 800         # (was ~1,700)
