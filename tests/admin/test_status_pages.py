"""The Terms and data status page through the real callback route, as every role and area: who may read it,
what each sees, and the withdrawal (refused to strangers and township-scoped admins; preview, then confirm)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from data_access.models import AuditLog, RosterRecord
from tests.admin.conftest import S1, S2, S3
from tests.imports.test_imports import TERM

STATUS_OUT = [("status-terms", "children"), ("status-summary", "children"), ("status-schools", "children"),
              ("status-refusals", "children"), ("status-withdraw", "children")]
GRID = "status-schools-grid"
WD_OUT = [("withdraw-box", "children"), ("withdraw-seen", "data"), ("withdraw-go", "disabled"),
          ("withdraw-msg", "children")]


def status(user, term: str = TERM):  # noqa: ANN001, ANN201
    return user.callback(STATUS_OUT, [("shell-term", "value", term)])


def block(user, request: object = None, term: str = TERM):  # noqa: ANN001, ANN201
    """The grid's request for a block of schools, as AG Grid's infinite row model sends it."""
    request = {"startRow": 0, "endRow": 20, "sortModel": [], "filterModel": {}} if request is None else request
    return user.callback([(GRID, "getRowsResponse")], [(GRID, "getRowsRequest", request)],
                         [("shell-term", "value", term)])


def rows(resp) -> tuple[list[dict], int]:  # noqa: ANN001
    assert resp.status_code == 200, resp.data[:300]
    answer = resp.get_json()["response"][GRID]["getRowsResponse"]
    return answer["rowData"], answer["rowCount"]


def act(user, button: str, confirm: str | None = None, seen: dict | None = None):  # noqa: ANN001, ANN201
    return user.callback(WD_OUT, [("withdraw-preview", "n_clicks", 1), ("withdraw-go", "n_clicks", 1)],
                         [("shell-term", "value", TERM), ("withdraw-confirm", "value", confirm),
                          ("withdraw-seen", "data", seen)], changed=f"{button}.n_clicks")


def body(resp) -> str:  # noqa: ANN001
    assert resp.status_code == 200, resp.data[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def test_admin_sees_every_school_and_the_missing_one(web_user, world) -> None:  # noqa: ANN001
    admin = web_user("admin")
    text = body(status(admin))
    assert "2 / 3" in text and "withdraw-preview" in text and "status-schools-grid" in text
    assert '"infinite"' in text and "status-summary-alert" in text
    data, total = rows(block(admin))
    assert total == 3 and [r["code"] for r in data] == [S3, S1, S2]        # the missing school first
    assert data[0]["missing"] and data[0]["rows"] is None and data[0]["export"] == ""
    assert data[1]["by"] == "测试admin (admin)" and data[1]["file"] == "roster.csv" and data[1]["rows"] == 3
    assert f"/admin/roster.xlsx?school={world['schools'][S1]}" in data[1]["export"]


def test_leader_of_a_township_sees_only_its_schools_and_cannot_withdraw(web_user, world) -> None:  # noqa: ANN001
    leader = web_user("leader2")
    text = body(status(leader))
    assert "withdraw-preview" not in text
    data, total = rows(block(leader))
    assert total == 2 and {r["code"] for r in data} == {S2, S3}
    assert not any(r["export"] for r in data)                              # leaders take no personal data
    # a filter naming another township's school finds nothing, whatever the browser sends
    found, n = rows(block(leader, {"startRow": 0, "endRow": 20, "filterModel": {
        "code": {"filterType": "text", "type": "equals", "filter": S1}}}))
    assert (found, n) == ([], 0)


def test_the_school_grid_pages_sorts_and_filters_in_the_database(web_user, world) -> None:  # noqa: ANN001
    admin = web_user("admin")
    by_rows, _n = rows(block(admin, {"startRow": 0, "endRow": 20, "sortModel": [{"colId": "rows", "sort": "desc"}]}))
    assert [r["code"] for r in by_rows] == [S1, S2, S3]
    second, total = rows(block(admin, {"startRow": 1, "endRow": 2, "sortModel": [{"colId": "code", "sort": "asc"}]}))
    assert total == 3 and [r["code"] for r in second] == [S2]
    loaded, n = rows(block(admin, {"startRow": 0, "endRow": 20, "filterModel": {
        "rows": {"filterType": "number", "type": "greaterThan", "filter": 0}}}))
    assert n == 2 and {r["code"] for r in loaded} == {S1, S2}
    either, n = rows(block(admin, {"startRow": 0, "endRow": 20, "filterModel": {"code": {
        "filterType": "text", "operator": "OR", "conditions": [{"filterType": "text", "type": "endsWith", "filter": S1[-3:]},
                                                             {"filterType": "text", "type": "equals", "filter": S3}]}}}))
    assert n == 2 and {r["code"] for r in either} == {S1, S3}
    # LIKE's wildcards are text, unknown columns and types are dropped, a huge block is cut: never an error
    assert rows(block(admin, {"startRow": 0, "endRow": 20, "filterModel": {
        "school": {"filterType": "text", "type": "contains", "filter": "%"}}})) == ([], 0)
    crafted = {"startRow": -5, "endRow": 10 ** 9, "sortModel": [{"colId": "password", "sort": "asc"}, "x"],
               "filterModel": {"by": {"filterType": "text", "type": "contains", "filter": "x"},
                               "rows": {"filterType": "number", "type": "drop table", "filter": "1"}, "code": 7}}
    data, total = rows(block(admin, crafted))
    assert total == 3 and len(data) == 3
    assert rows(block(admin, "not a request"))[1] == 3


def test_the_grid_and_coverage_are_refused_to_other_roles_and_bad_terms(web_user, world) -> None:  # noqa: ANN001
    assert block(web_user("officer1")).status_code == 403
    assert block(web_user("admin"), term="2024-9").status_code == 403
    cover = web_user("admin").callback([("status-coverage", "children")], [("shell-term", "value", TERM)])
    assert "status-coverage-grid" in body(cover)
    refused = web_user("registrar1").callback([("status-coverage", "children")], [("shell-term", "value", TERM)])
    assert refused.status_code == 403


@pytest.mark.parametrize("name", ["officer1", "registrar1", "inspector"])
def test_other_roles_are_refused(web_user, world, name) -> None:  # noqa: ANN001
    assert status(web_user(name)).status_code == 403


def test_bad_term_is_refused_and_anonymous_is_turned_away(web_user, world) -> None:  # noqa: ANN001
    assert status(web_user("admin"), "2024-9").status_code == 403
    assert status(web_user(None)).status_code in (302, 401, 403)


@pytest.mark.parametrize("name", ["town_admin", "leader", "officer1"])
def test_withdrawal_is_refused_below_a_county(web_user, world, name) -> None:  # noqa: ANN001
    user = web_user(name)
    assert act(user, "withdraw-preview").status_code == 403
    assert act(user, "withdraw-go", TERM, {"term": TERM, "records": 5}).status_code == 403


def test_withdrawal_previews_then_needs_the_typed_term(web_user, world, session_factory) -> None:  # noqa: ANN001
    admin = web_user("county_admin")
    preview = act(admin, "withdraw-preview").get_json()["response"]
    assert preview["withdraw-seen"]["data"] == {"term": TERM, "records": 5}
    text = json.dumps(preview, ensure_ascii=False)
    assert "withdraw-preview-box" in text and "1 个案件" in text  # the 辍学 line's case is kept
    wrong = body(act(admin, "withdraw-go", "2024", {"term": TERM, "records": 5}))
    assert "text-danger" in wrong and "未删除任何数据" in wrong
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(RosterRecord)) == 5
    done = body(act(admin, "withdraw-go", TERM, {"term": TERM, "records": 5}))
    assert "withdraw-done" in done
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(RosterRecord)) == 0
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "withdraw_term")).one()
        assert entry.actor == "county_admin"


def test_the_coverage_grid_sends_a_block_of_the_users_townships(web_user, world) -> None:  # noqa: ANN001
    grid = "status-coverage-grid"

    def coverage_block(user, request: object):  # noqa: ANN001, ANN202
        resp = user.callback([(grid, "getRowsResponse")], [(grid, "getRowsRequest", request)],
                             [("shell-term", "value", TERM)])
        assert resp.status_code == 200, resp.data[:300]
        answer = resp.get_json()["response"][grid]["getRowsResponse"]
        return answer["rowData"], answer["rowCount"]
    data, total = coverage_block(web_user("admin"), {"startRow": 0, "endRow": 20})
    assert total == len(data) >= 2 and all("schools" in r and "survey" in r for r in data)
    mine, n = coverage_block(web_user("leader2"), {"startRow": 0, "endRow": 20, "filterModel": {
        "township": {"filterType": "text", "type": "notBlank"}}})
    assert n == 1 and len(mine) == 1 and mine[0]["schools"] == "1 / 2"
    assert web_user("officer1").callback([(grid, "getRowsResponse")], [(grid, "getRowsRequest", {})],
                                         [("shell-term", "value", TERM)]).status_code == 403


def test_drawing_the_withdrawal_card_computes_no_preview(web_user, world) -> None:  # noqa: ANN001
    """Dash fires the card's callback when the card is drawn, buttons unclicked: that must not run the preview
    (a province's took 6–22 s, and ran on every visit of an admin)."""
    admin = web_user("county_admin")
    drawn = admin.callback(WD_OUT, [("withdraw-preview", "n_clicks", None), ("withdraw-go", "n_clicks", None)],
                           [("shell-term", "value", TERM), ("withdraw-confirm", "value", None),
                            ("withdraw-seen", "data", None)], changed="withdraw-preview.n_clicks")
    assert drawn.status_code == 204
