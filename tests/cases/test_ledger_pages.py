"""The ledger and agreement pages through the real callback route, and the .xlsx export route, as users of
different roles and areas: a township officer never gets another township's rows (HTTP 403 for a foreign
filter), the county leader sees names masked, exports are audit-logged and read back with openpyxl."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from data_access.models import AuditLog, Student
from data_access.models import DropoutCase
from tests.inspection.test_inspection_pages import call
from tests.cases.test_ledger_fixtures import T1, T2, TERM, V1, agreement_cases, build, case

CASES_OUT = [("ledger-cases", "children"), ("ledger-summary", "children"), ("ledger-case-pager", "max_value"),
             ("ledger-case-pager", "active_page"), ("ledger-export", "href")]
AGES_OUT = [("ledger-grid-box", "children"), ("ledger-age-note", "children")]
AGREEMENT_OUT = [("agreement-counts", "children"), ("agreement-list", "children"), ("agreement-term", "children")]


@pytest.fixture
def world(session_factory, server):  # noqa: ANN001, ANN201
    """The ledger county with overdue cases (relative to the real today) in both townships."""
    w = build(session_factory)
    long_ago = dt.date.today() - dt.timedelta(days=40)
    st = w.students
    with session_factory() as s, s.begin():
        w.students["case_a"] = case(s, st["G"], T1, w.s2, step=2, started=long_ago, found=long_ago,
                                    reason="poverty", groups="poverty_registered")
        w.students["case_x"] = case(s, st["X"], T2, w.s3, step=1, started=long_ago, found=long_ago)
        s.get(Student, st["G"]).name = "李测试"
    return w


def cases_view(user, ledger: str = "confirmed", township: str | None = None, school: int | None = None,  # noqa: ANN001
               overdue: bool = False):  # noqa: ANN201
    return user.callback(CASES_OUT, [("ledger-tabs", "active_tab", ledger), ("ledger-town", "value", township),
                                     ("ledger-school", "value", school), ("ledger-step", "value", None),
                                     ("ledger-reason", "value", None), ("ledger-status", "value", None),
                                     ("ledger-overdue", "value", overdue), ("ledger-case-pager", "active_page", 1),
                                     ("shell-term", "value", TERM), ("ledger-outside", "value", False)])


def text(resp) -> str:  # noqa: ANN001
    return json.dumps(resp.get_json(), ensure_ascii=False)


def test_officer_sees_own_township_cases_with_overdue_badge(web_user, world) -> None:  # noqa: ANN001
    resp = cases_view(web_user("officer1"))
    assert resp.status_code == 200, resp.data[:300]
    body = text(resp)
    assert "李测试" in body and "二乡中学" not in body
    assert "bx-ledger-overdue" in body and '"data-state": "overdue"' in body
    assert f"/cases/case?id={world.students['case_a']}" in body
    assert "ledger=confirmed" in body  # the export link of the view


@pytest.mark.parametrize(("township", "school"), [(T2, None), ("532822999000", None), (None, 3), (None, 999)])
def test_foreign_filters_are_refused(web_user, world, township, school) -> None:  # noqa: ANN001
    assert cases_view(web_user("officer1"), township=township, school=school).status_code == 403


def test_leader_sees_masked_names_and_both_townships(web_user, world) -> None:  # noqa: ANN001
    body = text(cases_view(web_user("leader")))
    assert "李测试" not in body and "李**" in body and "二乡中学" in body


def test_anonymous_refused(web_user, world) -> None:  # noqa: ANN001
    assert cases_view(web_user(None)).status_code == 401
    assert web_user(None).client.get("/cases/ledger.xlsx?ledger=confirmed").status_code in (302, 401)


def test_school_age_callbacks_scoped(web_user, world) -> None:  # noqa: ANN001
    officer = web_user("officer1")
    grid = officer.callback(AGES_OUT,
                            [("ledger-tabs", "active_tab", "children"), ("ledger-town", "value", None),
                             ("shell-term", "value", TERM)])
    assert grid.status_code == 200 and '"infinite"' in text(grid)

    def block(town: str | None, request: dict):  # noqa: ANN202
        return officer.callback([("ledger-grid", "getRowsResponse")], [("ledger-grid", "getRowsRequest", request)],
                                state=[("ledger-town", "value", town), ("shell-term", "value", TERM)])
    answer = block(None, {"startRow": 0, "endRow": 100}).get_json()["response"]["ledger-grid"]["getRowsResponse"]
    rows = answer["rowData"]
    line = next(r for r in rows if r["id"] == f"{V1}-7")
    assert (line["population"], line["found"], line["gap"]) == (14, 10, 3)
    assert all(r["township"] == "乡镇1" for r in rows) and answer["rowCount"] == len(rows)
    seven = block(None, {"startRow": 0, "endRow": 100, "filterModel": {
        "age": {"filterType": "number", "type": "equals", "filter": 7}}}).get_json()
    assert {r["age"] for r in seven["response"]["ledger-grid"]["getRowsResponse"]["rowData"]} == {7}
    for foreign in (officer.callback(AGES_OUT, [("ledger-tabs", "active_tab", "children"), ("ledger-town", "value", T2),
                                                ("shell-term", "value", TERM)]),
                    block(T2, {"startRow": 0, "endRow": 20})):
        assert foreign.status_code == 403
    kids_out = [("ledger-kids", "children"), ("ledger-drill-title", "children"), ("ledger-drill-box", "style"),
                ("ledger-kid-pager", "max_value"), ("ledger-kid-pager", "active_page")]

    def kids(code: str, age: int):  # noqa: ANN202
        return officer.callback(kids_out, [("ledger-drill", "data", {"code": code, "age": age, "name": "x"}),
                                           ("ledger-kid-status", "value", None), ("ledger-kid-search", "value", None),
                                           ("ledger-kid-pager", "active_page", 1)],
                                state=[("shell-term", "value", TERM)])
    mine = kids(V1, 7)
    assert mine.status_code == 200 and "张测试" in text(mine)
    assert kids(T2, 12).status_code == 403


def test_new_case_form_scoped(web_user, world, session_factory) -> None:  # noqa: ANN001
    staff = web_user("staff1")
    search = staff.callback([("ledger-new-student", "options")], [("ledger-new-student", "search_value", "测试")],
                            state=[("ledger-new-student", "value", None), ("shell-term", "value", TERM)])
    labels = [o["label"] for o in search.get_json()["response"]["ledger-new-student"]["options"]]
    assert any("张测试" in lb for lb in labels) and all("二乡" not in lb for lb in labels)

    def create(user, student: int, source: str = "school_report"):  # noqa: ANN001, ANN202
        return user.callback([("ledger-go", "href"), ("ledger-new-msg", "children")],
                             [("ledger-new-save", "n_clicks", 1)],
                             state=[("ledger-new-student", "value", student), ("ledger-new-date", "value",
                                                                               dt.date.today().isoformat()),
                                    ("ledger-new-days", "value", 3), ("ledger-new-ledger", "value", "suspected"),
                                    ("ledger-new-source", "value", source), ("ledger-new-note", "value", "班主任报告"),
                                    ("shell-term", "value", TERM)])
    assert create(staff, world.students["G"]).status_code == 403      # a school-2 child
    assert create(staff, world.students["X"]).status_code == 403      # another township
    assert create(web_user("leader"), world.students["A"]).status_code == 403  # the role may not open cases
    assert create(staff, world.students["A"], source="roster_import").status_code == 403  # not offered
    done = create(staff, world.students["A"])
    assert done.status_code == 200, done.data[:300]
    href = done.get_json()["response"]["ledger-go"]["href"]
    with session_factory() as s:
        row = s.scalar(select(DropoutCase).where(DropoutCase.student_id == world.students["A"]))
        assert href == f"/cases/case?id={row.id}"
        assert (row.source, row.ledger, row.absence_days, row.township_code, row.school_id) == (
            "school_report", "suspected", 3, T1, world.s1)
    again = create(staff, world.students["A"])
    assert again.get_json()["response"]["ledger-go"]["href"] == href  # idempotent: the open case


def test_agreement_page_and_open_case(web_user, world, session_factory) -> None:  # noqa: ANN001
    agreement_cases(session_factory, world)
    officer = web_user("officer1")
    resp = officer.callback(AGREEMENT_OUT, [("shell-term", "value", TERM)])
    assert resp.status_code == 200, resp.data[:300]
    body = text(resp)
    assert "欧阳测试" in body and "二乡中学" not in body and "BxActionButton" in body  # rows as grid data
    leader_body = text(web_user("leader").callback(AGREEMENT_OUT, [("shell-term", "value", TERM)]))
    assert "欧阳测试" not in leader_body and "欧阳**" in leader_body and "BxActionButton" not in leader_body

    def open_row(user, key: str, kind: str = "dropout_no_case"):  # noqa: ANN001, ANN202
        # the grid's "Open case" button sets cellRendererData; the row data is the grid's (as the browser sends it)
        grid = {"type": "agreement-grid", "kind": kind}
        done = {"type": "agreement-done", "kind": kind}
        student = world.students[key]
        clicked = {"colId": "action", "rowId": str(student), "rowIndex": 0, "value": "x", "timestamp": 1}
        return call(user, [(None, done, "children"), (None, grid, "rowTransaction")],
                    [(grid, "cellRendererData", clicked)],
                    [(grid, "rowData", [{"id": str(student), "action": "x"}]), ("shell-term", "value", TERM)],
                    key='..{"kind":["MATCH"],"type":"agreement-done"}.children...'
                        '{"kind":["MATCH"],"type":"agreement-grid"}.rowTransaction..')
    assert open_row(officer, "X").status_code == 403                  # another township's child
    assert open_row(web_user("leader"), "B").status_code == 403       # the role may not open cases
    assert open_row(officer, "B", kind="confirmed_enrolled").status_code == 403
    first = open_row(officer, "B")
    assert first.status_code == 200, first.data[:300]
    with session_factory() as s:
        row = s.scalar(select(DropoutCase).where(DropoutCase.student_id == world.students["B"]))
        assert (row.ledger, row.source, row.status, row.special_groups) == (
            "confirmed", "roster_import", "open", "poverty_registered")
    assert f"/cases/case?id={row.id}" in text(first)
    assert first.get_json()["response"]['{"kind":"dropout_no_case","type":"agreement-grid"}']["rowTransaction"][
        "update"][0]["action"] == ""  # the row loses its button
    after = text(officer.callback(AGREEMENT_OUT, [("shell-term", "value", TERM)]))
    assert f'"agreement-count-dropout_no_case"' in after and "欧阳测试" not in after


def _sheet(resp):  # noqa: ANN001, ANN202
    assert resp.status_code == 200, resp.data[:300]
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(resp.data)).active


def _values(ws) -> list[list]:  # noqa: ANN001
    return [[c for c in row] for row in ws.iter_rows(values_only=True)]


def test_export_masked_scoped_and_audited(web_user, world, session_factory) -> None:  # noqa: ANN001
    officer = web_user("officer1")
    ws = _sheet(officer.client.get("/cases/ledger.xlsx?ledger=confirmed&overdue=1"))
    rows = _values(ws)
    header = next(i for i, r in enumerate(rows) if r[0] == "案件编号" or r[0] == "Case")
    data = [r for r in rows[header + 1:] if r[0] is not None]
    assert [(r[0], r[1], r[4]) for r in data] == [(world.students["case_a"], "李测试", "乡镇1")]
    assert officer.client.get(f"/cases/ledger.xlsx?ledger=confirmed&township={T2}").status_code == 403
    assert officer.client.get("/cases/ledger.xlsx?ledger=confirmed&school=3").status_code == 403
    assert officer.client.get("/cases/ledger.xlsx?ledger=nothing").status_code == 403
    leader_rows = _values(_sheet(web_user("leader").client.get("/cases/ledger.xlsx?ledger=confirmed")))
    flat = json.dumps(leader_rows, ensure_ascii=False, default=str)
    assert "李测试" not in flat and "李**" in flat and "二乡中学" in flat
    with session_factory() as s:
        logs = s.scalars(select(AuditLog).where(AuditLog.action == "export").order_by(AuditLog.id)).all()
    assert len(logs) == 2  # refused exports are not logged
    first = json.loads(logs[0].after)
    assert (logs[0].entity, logs[0].entity_key, first["rows"]) == ("dropout_case", "confirmed", 1)
    assert first["filter"] == {"ledger": "confirmed", "overdue": 1} and first["masked"] is False
    assert json.loads(logs[1].after)["masked"] is True and json.loads(logs[1].after)["rows"] == 2


def test_school_age_export_read_back(web_user, world, session_factory) -> None:  # noqa: ANN001
    rows = _values(_sheet(web_user("officer1").client.get(f"/cases/ledger.xlsx?ledger=children&term={TERM}")))
    lines = {(r[2], r[3]): r for r in rows if isinstance(r[3], int)}
    assert lines[(V1, 7)][4:] == (14, 1, 10, 4, 6, 3) or list(lines[(V1, 7)][4:]) == [14, 1, 10, 4, 6, 3]
    assert all(code.startswith(T1[:9]) for code, _age in lines)
    assert web_user("officer1").client.get(f"/cases/ledger.xlsx?ledger=children&term={TERM}&township={T2}"
                                           ).status_code == 403
    with session_factory() as s:
        log = s.scalars(select(AuditLog).where(AuditLog.action == "export")).one()
    assert log.entity == "school_age_ledger" and json.loads(log.after)["rows"] == len(lines)
