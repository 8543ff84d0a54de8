"""The roster export (issue 15.7) through the real route and page, as every role and area: the file has exactly
the import's columns, goes back through the real import with nothing changed, and every export is audit-logged."""
from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from data_access.admin.roster_export import HEADERS
from data_access.imports.files import import_roster
from data_access.models import AuditLog, School
from data_access.scope import Scope
from tests.admin.conftest import S1, S2, T1
from tests.imports.test_imports import TERM, run


def export(user, school: int | str, term: str = TERM):  # noqa: ANN001, ANN201
    return user.client.get(f"/admin/roster.xlsx?school={school}&term={term}")


def test_registrar_exports_own_school_and_reimport_changes_nothing(web_user, world, session_factory,  # noqa: ANN001
                                                                   tmp_path) -> None:
    resp = export(web_user("registrar1"), world["schools"][S1])
    assert resp.status_code == 200, resp.data[:300]
    assert "no-store" in resp.headers["Cache-Control"]
    rows = list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
    assert rows[0] == HEADERS and len(rows) == 4
    line = dict(zip(HEADERS, rows[1]))
    assert line["学校标识码"] == S1 and line["身份证件号"] in ("990101201503050010", None)
    assert any(dict(zip(HEADERS, r))["身份证件号"] == "990101201503050010" for r in rows[1:])  # full, not masked
    path = tmp_path / "roster.xlsx"
    path.write_bytes(resp.data)
    with session_factory() as s:
        school = s.scalars(select(School).where(School.code == S1)).one()
    again = run(session_factory, lambda s, *a: import_roster(s, *a, scope=Scope("school_staff", school_id=school.id)),
                path, TERM)
    assert again.ok, again.report()
    assert (again.new, again.changed, again.unchanged, again.removed) == (0, 0, 3, 0)
    assert again.summary().startswith("imported: 3 rows (0 new / 0 changed / 3 unchanged")
    with session_factory() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "export", AuditLog.entity == "roster")).one()
    assert entry.actor == "registrar1" and entry.area_code == T1
    assert json.loads(entry.after)["rows"] == 3 and entry.entity_key == f"{S1}:{TERM}"


@pytest.mark.parametrize(("name", "school", "allowed"), [
    ("registrar1", S2, False), ("officer1", S1, True), ("officer1", S2, False), ("town_admin", S1, False),
    ("town_admin", S2, True), ("admin", S2, True), ("leader", S1, False), ("inspector", S1, False)])
def test_roles_and_areas(web_user, world, session_factory, name, school, allowed) -> None:  # noqa: ANN001
    assert export(web_user(name), world["schools"][school]).status_code == (200 if allowed else 403)
    with session_factory() as s:
        logged = s.scalars(select(AuditLog).where(AuditLog.action == "export", AuditLog.entity == "roster")).all()
    assert len(logged) == (1 if allowed else 0)


@pytest.mark.parametrize("query", ["school=abc&term=2024-1", "school=1&term=2024-9", "school=1&term=2030-1",
                                   "school=99999&term=2024-1", "term=2024-1"])
def test_bad_requests_are_refused(web_user, world, query) -> None:  # noqa: ANN001
    assert web_user("admin").client.get(f"/admin/roster.xlsx?{query}").status_code == 403


def test_anonymous_is_turned_away(web_user, world) -> None:  # noqa: ANN001
    assert export(web_user(None), world["schools"][S1]).status_code in (302, 401)


def test_export_page_lists_only_the_schools_in_scope(web_user, world) -> None:  # noqa: ANN001
    grid = "roster-export-grid"
    officer = web_user("officer1")
    resp = officer.callback([("roster-export-list", "children")], [("shell-term", "value", TERM)])
    assert resp.status_code == 200 and grid in json.dumps(resp.get_json())
    block = officer.callback([(grid, "getRowsResponse")], [(grid, "getRowsRequest", {"startRow": 0, "endRow": 20})],
                             [("shell-term", "value", TERM)])
    answer = block.get_json()["response"][grid]["getRowsResponse"]
    assert answer["rowCount"] == 1 and [r["code"] for r in answer["rowData"]] == [S1]
    assert f"school={world['schools'][S1]}" in answer["rowData"][0]["export"]
    for output, inputs in ((("roster-export-list", "children"), [("shell-term", "value", TERM)]),
                           ((grid, "getRowsResponse"), [(grid, "getRowsRequest", {})])):
        assert web_user("leader").callback([output], inputs, [("shell-term", "value", TERM)] if output[0] == grid
                                           else []).status_code == 403
