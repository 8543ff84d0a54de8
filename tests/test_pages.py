"""Compliance, tiers, rankings and overview callbacks through the real callback route, as users of
different scopes (hand-made requests, like a browser or an attacker would send)."""
from __future__ import annotations

import json

import pytest

from data_access.models import School
from tests import factories as f

COUNTY = "532822000000"
SEL = ("shell-selection", "value")
TERM = ("shell-term", "value")


@pytest.fixture
def area_users(session_factory):  # noqa: ANN001, ANN201
    t1, t2, v1 = f.small_county(session_factory)
    with session_factory() as s, s.begin():
        f.user.create(s, username="leader", role="county_leader", area_code=COUNTY)
        f.user.create(s, username="officer1", role="township_officer", area_code=t1)
        f.user.create(s, username="staff", role="school_staff", area_code=t1,
                      school_id=s.query(School).filter_by(code="5328220001").one().id)
    return t1, t2, v1


def compliance(user, selection: str, units: str = "next"):  # noqa: ANN001, ANN201
    return user.callback([("compliance-body", "children"), ("compliance-groups", "children"),
                          ("compliance-title", "children")],
                         [(*SEL, selection), (*TERM, "2024-1"), ("compliance-units", "value", units)])


def tiers(user, selection: str):  # noqa: ANN001, ANN201
    return user.callback([("tiers-counts", "children"), ("tiers-table-box", "children"), ("tiers-title", "children")],
                         [(*SEL, selection), (*TERM, "2024-1"), ("publish-refresh", "data", 0)])


def rankings(user, selection: str, units: str = "school"):  # noqa: ANN001, ANN201
    return user.callback([("rankings-grid", "rowData"), ("rankings-grid", "columnDefs"), ("rankings-xlsx", "href"),
                          ("rankings-docx", "href"), ("rankings-xlsx", "className"),
                          ("rankings-docx", "className"), ("rankings-title", "children"),
                          ("rankings-units-box", "hidden")],
                         [(*SEL, selection), (*TERM, "2024-1"), ("rankings-units", "value", units)])


def text(resp) -> str:  # noqa: ANN001
    return json.dumps(resp.get_json(), ensure_ascii=False)


def test_compliance_matrix_marks_status(web_user, area_users) -> None:  # noqa: ANN001
    t1, t2, _ = area_users
    resp = compliance(web_user("leader"), COUNTY)
    assert resp.status_code == 200
    body = text(resp)
    assert body.count('"data-status": "fail"') >= 3  # both townships miss targets, and the county row
    assert "6/7" in body and "85.71%" in body       # township 1 primary enrollment, numerator/denominator
    assert "县目标" in body                          # the policy in force is named
    schools = text(compliance(web_user("leader"), COUNTY, "school"))
    assert "测试小学" in schools or "5328220001" in schools
    assert '"compliance-grid"' in schools and '"rowData"' in schools  # every school: grid rows, not components


def test_compliance_and_tiers_refused_outside_scope(web_user, area_users) -> None:  # noqa: ANN001
    t1, t2, _ = area_users
    officer = web_user("officer1")
    assert compliance(officer, t1).status_code == 200
    for call in (compliance, tiers, rankings):
        assert call(officer, t2).status_code == 403
        assert call(officer, COUNTY).status_code == 403
    staff = web_user("staff")
    assert compliance(staff, "5328220001").status_code == 200
    assert compliance(staff, "5328220002").status_code == 403
    assert compliance(web_user(None), t1).status_code == 401


def test_tiers_show_reasons(web_user, area_users) -> None:  # noqa: ANN001
    body = text(tiers(web_user("leader"), COUNTY))
    assert "初中辍学率 20.00% > 1.8%" in body  # township 2: 1 of 5 junior students dropped out
    assert '"id": "tiers-count-2", "children": "2"' in body or '"children": "2", "id": "tiers-count-2"' in body


def test_rankings_rows_and_scoped_download_links(web_user, area_users) -> None:  # noqa: ANN001
    t1, t2, _ = area_users
    payload = rankings(web_user("leader"), COUNTY).get_json()["response"]
    rows = payload["rankings-grid"]["rowData"]
    assert [r["code"] for r in rows] == [t2, t1]
    assert rows[-1]["last"] and rows[0]["missed"] == 1 and rows[1]["missed"] == 2
    assert payload["rankings-xlsx"]["href"] == f"/download/ranking.xlsx?term=2024-1&area={COUNTY}"
    assert payload["rankings-units-box"]["hidden"] is True          # schools or villages: under a township only


def test_villages_of_a_township_are_ranked_and_exported(web_user, area_users) -> None:  # noqa: ANN001
    t1, _, v1 = area_users
    officer = web_user("officer1")
    payload = rankings(officer, t1, "village").get_json()["response"]
    assert payload["rankings-units-box"]["hidden"] is False
    assert v1 in [r["code"] for r in payload["rankings-grid"]["rowData"]]
    href = payload["rankings-xlsx"]["href"]
    assert href == f"/download/ranking.xlsx?term=2024-1&area={t1}&level=village"
    resp = officer.client.get(href)
    assert resp.status_code == 200 and resp.data[:2] == b"PK"
    assert officer.client.get(f"/download/ranking.xlsx?term=2024-1&area={t1}&level=county").status_code == 400
    schools = rankings(officer, t1).get_json()["response"]
    assert v1 not in [r["code"] for r in schools["rankings-grid"]["rowData"]]


def test_overview_trend_and_indicator_cards(web_user, area_users) -> None:  # noqa: ANN001
    t1, _, _ = area_users
    leader = web_user("leader")
    resp = leader.callback([("overview-trend", "figure")], [(*SEL, t1), (*TERM, "2024-1"),
                                                           ("overview-trend-pick", "value", "primary_dropout_rate")])
    fig = resp.get_json()["response"]["overview-trend"]["figure"]
    assert fig["data"][0]["y"][-1] == pytest.approx(100 / 6)
    assert leader.callback([("overview-trend", "figure")], [(*SEL, "532822102000"), (*TERM, "2024-1"),
                                                            ("overview-trend-pick", "value", "dropouts")]
                           ).status_code == 200
    officer = web_user("officer1")
    assert officer.callback([("overview-trend", "figure")], [(*SEL, "532822102000"), (*TERM, "2024-1"),
                                                             ("overview-trend-pick", "value", "dropouts")]
                            ).status_code == 403


@pytest.mark.parametrize("path,pickers", [
    ("/", ["area", "term"]), ("/map", ["area", "term"]), ("/inspection", ["term"]), ("/cases", ["term"]),
    ("/inspection/visit", []), ("/cases/case", []), ("/rectification/order", []), ("/zones", []),
])
def test_a_page_shows_only_the_pickers_it_reads(web_user, area_users, path, pickers) -> None:  # noqa: ANN001
    """The frame carries each page's pickers for the browser, which shows or hides them as the user moves (a
    clientside callback: moving between pages posts nothing for it); the page itself draws them from it."""
    def store(node: object) -> dict | None:
        """The data of the frame's store of pickers, found in the layout's JSON."""
        if isinstance(node, list):
            return next((d for d in map(store, node) if d is not None), None)
        if not isinstance(node, dict):
            return None
        props = node.get("props", {})
        return props.get("data") if props.get("id") == "shell-page-pickers" else store(props.get("children"))
    assert store(web_user("leader").client.get("/_dash-layout").get_json())[path] == pickers




def test_every_page_layout_is_built_for_every_role(web_user, area_users, session_factory) -> None:  # noqa: ANN001
    """Each page's frame builds on the server for every role (a component given a property it does not have fails
    only when the frame is built: the inbox's "more" button once did, for every user)."""
    import dash
    with session_factory() as s, s.begin():
        f.user.create(s, username="admin", role="admin", area_code=COUNTY)
    paths = sorted({p["path"] for p in dash.page_registry.values() if "{" not in p["path"]})
    assert "/inbox" in paths and len(paths) > 20
    for name in ("admin", "leader", "officer1", "staff"):
        user = web_user(name)
        for path in paths:
            got = user.callback([("_pages_content", "children"), ("_pages_store", "data")],
                                [("_pages_location", "pathname", path), ("_pages_location", "search", "")])
            assert got.status_code in (200, 204), (name, path, got.get_data(as_text=True)[:300])
            assert "Traceback" not in got.get_data(as_text=True), (name, path)
