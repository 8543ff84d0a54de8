"""Pupils whose household is outside the areas Baoxue holds (外县户籍, domain.md §3 and issue 13.2): the
school-age drill-down lists them under the school's township, the case ledgers and the case page mark them, and
the confirmed ledger filtered to them (with its .xlsx) is the list for notifying the household county — scoped
like the ledger, through the real callback route and export route."""
from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from data_access.cases.cases import open_cases_from_roster
from data_access.cases.children import children_page
from data_access.cases.ledger import LedgerFilter, case_rows
from data_access.cases.view import load_case
from data_access.inspection.access import Actor
from data_access.models import AuditLog, DropoutCase
from data_access.scope import Scope
from domain.divisions import division_name
from domain.localtime import local_today
from tests import factories as f
from tests.cases.test_ledger_fixtures import T1, T2, TERM, build, kid
from tests.cases.test_ledger_pages import CASES_OUT

BEIJING, KUNMING, T1_UNHELD_VILLAGE = "110101001001", "530102001000", "532822101299"


@pytest.fixture
def world(session_factory, server):  # noqa: ANN001, ANN201
    """The ledger county plus an outside pupil in each township and one from an unheld village of T1, all 辍学,
    with their cases opened the way a roster import opens them."""
    w = build(session_factory)
    with session_factory() as s, s.begin():
        from data_access.models import School
        s2, s3 = s.get(School, w.s2), s.get(School, w.s3)
        kid(s, w, "O1", s2, status="辍学", household=BEIJING, name="京测试")
        kid(s, w, "O2", s3, grade=7, status="辍学", household=KUNMING, name="滇测试")
        kid(s, w, "O3", s2, status="辍学", household=T1_UNHELD_VILLAGE, name="村测试")
        f.refresh(s, TERM)
        open_cases_from_roster(s, None, TERM, [w.s1, w.s2, w.s3])
    return w


def _scope(role: str, area: str | None = None, school: int | None = None) -> Scope:
    if role == "admin":
        return Scope(role, unrestricted=True)
    if school is not None:
        return Scope(role, school_id=school)
    return Scope(role, areas=((area, "county" if area.endswith("000000") else "township"),))


def test_division_names() -> None:
    assert division_name(BEIJING) == "北京市东城区"
    assert division_name(KUNMING) == "云南省昆明市五华区"
    assert division_name("990000000000") == ""


def test_drill_down_lists_outside_pupils_under_the_school_township(session_factory, world) -> None:  # noqa: ANN001
    with session_factory() as s:
        page = children_page(s, _scope("township_officer", T1), TERM, T1, 7, role="township_officer")
        by_name = {r.name: r for r in page.rows}
        assert {"京测试", "村测试"} <= set(by_name)                  # both count toward T1 (§3)
        assert by_name["京测试"].outside and by_name["京测试"].household_name == "北京市东城区"
        assert by_name["京测试"].area_code == BEIJING
        assert not by_name["村测试"].outside                          # its township is held: not 外县户籍
        assert "滇测试" not in by_name
        t2 = children_page(s, _scope("township_officer", T2), TERM, T2, 12, role="township_officer")
        assert [r.name for r in t2.rows if r.outside] == ["滇测试"]


@pytest.mark.parametrize(("who", "expected"), [
    (("township_officer", T1, None), {"京测试"}),
    (("township_officer", T2, None), {"滇测试"}),
    (("county_leader", "532822000000", None), {"京**", "滇**"}),
    (("school_staff", None, "s2"), {"京测试"}),
    (("school_staff", None, "s1"), set()),
])
def test_outside_dropout_list_scoped_like_the_ledger(session_factory, world, who, expected) -> None:  # noqa: ANN001
    role, area, school = who
    scope = _scope(role, area, getattr(world, school) if school else None)
    with session_factory() as s:
        rows = case_rows(s, scope, LedgerFilter("confirmed", outside_only=True), local_today(), role)
        everything = case_rows(s, scope, LedgerFilter("confirmed"), local_today(), role)
    assert {r.student for r in rows} == expected
    assert all(r.outside and r.household_code in (BEIJING, KUNMING) and r.household_name for r in rows)
    assert {r.id for r in rows} == {r.id for r in everything if r.outside}
    assert not any(r.outside for r in everything if r.household_code == T1_UNHELD_VILLAGE)


def test_case_page_marks_outside_household(session_factory, world) -> None:  # noqa: ANN001
    with session_factory() as s:
        ids = dict(s.execute(select(DropoutCase.student_id, DropoutCase.id)).all())
        admin = Actor(1, "admin", Scope("admin", unrestricted=True))
        out = load_case(s, admin, ids[world.students["O1"]])
        held = load_case(s, admin, ids[world.students["O3"]])
    assert (out.outside, out.household_code, out.household_name, out.township_code) == (
        True, BEIJING, "北京市东城区", T1)
    assert not held.outside and held.household_name == ""


def _cases(user, township: str | None = None, outside: bool = True):  # noqa: ANN001, ANN202
    return user.callback(CASES_OUT, [("ledger-tabs", "active_tab", "confirmed"), ("ledger-town", "value", township),
                                     ("ledger-school", "value", None), ("ledger-step", "value", None),
                                     ("ledger-reason", "value", None), ("ledger-status", "value", None),
                                     ("ledger-overdue", "value", False), ("ledger-case-pager", "active_page", 1),
                                     ("shell-term", "value", TERM), ("ledger-outside", "value", outside)])


def test_ledger_callback_filters_and_refuses(web_user, world) -> None:  # noqa: ANN001
    officer = web_user("officer1")
    resp = _cases(officer)
    assert resp.status_code == 200, resp.data[:300]
    body = json.dumps(resp.get_json(), ensure_ascii=False)
    assert "京测试" in body and "滇测试" not in body and "欧阳测试" not in body
    assert "ledger-outside-alert" in body and BEIJING in body and "北京市东城区" in body
    assert "outside=1" in body                                       # the export link keeps the filter
    assert _cases(officer, township=T2).status_code == 403          # another township: refused
    assert _cases(web_user("staff1"), township=T2).status_code == 403
    all_cases = json.dumps(_cases(officer, outside=False).get_json(), ensure_ascii=False)
    assert "欧阳测试" in all_cases and "bx-outside" in all_cases     # marked in the full ledger too


def _rows(resp) -> list[tuple]:  # noqa: ANN001
    assert resp.status_code == 200, resp.data[:300]
    return list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))


def test_outside_export_read_back(web_user, world, session_factory) -> None:  # noqa: ANN001
    officer = web_user("officer1")
    rows = _rows(officer.client.get("/cases/ledger.xlsx?ledger=confirmed&outside=1"))
    header = next(i for i, r in enumerate(rows) if r[0] in ("案件编号", "Case"))
    data = [r for r in rows[header + 1:] if r[0] is not None]
    assert [(r[1], r[-2], r[-1]) for r in data] == [("京测试", BEIJING, "北京市东城区")]
    assert any(isinstance(r[0], str) and "外县户籍" in r[0] for r in rows[:header])   # the filter line
    leader = _rows(web_user("leader").client.get("/cases/ledger.xlsx?ledger=confirmed&outside=1"))
    assert {r[-2] for r in leader if r[0] is not None and r[-2] in (BEIJING, KUNMING)} == {BEIJING, KUNMING}
    assert officer.client.get(f"/cases/ledger.xlsx?ledger=confirmed&outside=1&township={T2}").status_code == 403
    with session_factory() as s:
        log = s.scalars(select(AuditLog).where(AuditLog.action == "export").order_by(AuditLog.id)).first()
    assert json.loads(log.after)["filter"] == {"ledger": "confirmed", "outside": 1}
