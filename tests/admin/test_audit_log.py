"""The audit log viewer (issue 15.5): entries record the area of the object they name (also older ones, through
migration 0006), the page and the .xlsx export as every role and area, filters, reveals, server-side pages."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from alembic import command
from openpyxl import load_workbook
from sqlalchemy import insert, select, text

from data_access import audit
from data_access.models import AuditLog, InspectionVisit, VisitSchool
from data_access.schema import alembic_config
from tests.admin.conftest import COUNTY, S1, T1, T2
from tests.test_schema import empty_engine  # noqa: F401 - a scratch SQLite file or PostgreSQL database

OUT = [("audit-table", "children"), ("audit-count", "children"), ("audit-pager", "max_value"),
       ("audit-pager", "active_page"), ("audit-export", "href")]


def view(user, *, who=None, area=None, objects=None, action=None, start=None, end=None, tab="all", page=1,  # noqa: ANN001
         changed="audit-user.value"):  # noqa: ANN001, ANN201
    return user.callback(OUT, [("audit-user", "value", who), ("audit-area", "value", area),
                               ("audit-objects", "value", objects), ("audit-action", "value", action),
                               ("audit-dates", "value", start), ("audit-dates-to", "value", end),
                               ("audit-tabs", "active_tab", tab), ("audit-pager", "active_page", page)],
                         changed=changed)


def body(resp) -> str:  # noqa: ANN001
    assert resp.status_code == 200, resp.data[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False)


@pytest.fixture
def logged(session_factory, world):  # noqa: ANN001, ANN201
    """A visit in township 1 (ORM: its school row finds the visit's area), reveals in both townships."""
    now = dt.datetime(2026, 12, 1, 2)
    with session_factory() as s, s.begin(), audit.acting_as(world["users"]["admin"], "admin"):
        visit = InspectionVisit(term_code="2024-1", township_code=T1, visit_date=now.date(), created_at=now,
                                updated_at=now)
        s.add(visit)
        s.flush()
        s.add(VisitSchool(visit_id=visit.id, school_id=world["schools"][S1]))
        s.flush()
        audit.record(s, "reveal_phone", "inspection_visit", str(visit.id), after={"student": 1})
        audit.record(s, "reveal_id_number", "dropout_case", "77", after={"field": "id_number"}, area=T2)
        audit.record(s, "seed", "demo", "county:1")
    return visit.id


def test_entries_record_the_area_of_their_object(session_factory, world, logged) -> None:  # noqa: ANN001
    with session_factory() as s:
        areas = dict(s.execute(select(AuditLog.entity, AuditLog.area_code)
                               .where(AuditLog.entity.in_(("inspection_visit", "visit_school")))).all())
        assert areas == {"inspection_visit": T1, "visit_school": T1}
        assert s.scalar(select(AuditLog.area_code).where(AuditLog.action == "seed")) is None  # unscoped actor
        user = str(world["users"]["registrar1"])
        assert s.scalar(select(AuditLog.area_code).where(AuditLog.action == "insert", AuditLog.entity == "app_user",
                                                         AuditLog.entity_key == user)) == T1
        assert s.scalar(select(AuditLog.area_code).where(AuditLog.action == "import",
                                                         AuditLog.entity == "roster")) == COUNTY


def test_leaders_see_their_area_only(web_user, logged) -> None:  # noqa: ANN001
    county = body(view(web_user("leader")))
    assert "reveal_phone" in county and "roster.csv" in county and "县级示范数据（种子 1）" not in county
    town = body(view(web_user("leader2")))
    assert "reveal_id_number" in town and "reveal_phone" not in town and "roster.csv" not in town
    assert "县级示范数据（种子 1）" in body(view(web_user("admin")))   # the demo's key in words
    assert view(web_user("leader2"), area=T1).status_code == 403
    assert "reveal_phone" in body(view(web_user("leader"), area=T1, changed="audit-area.value"))


@pytest.mark.parametrize("name", ["officer1", "registrar1", "inspector"])
def test_other_roles_are_refused(web_user, logged, name) -> None:  # noqa: ANN001
    user = web_user(name)
    assert view(user).status_code == 403
    assert user.client.get("/admin/audit.xlsx").status_code == 403


def test_filters_and_the_reveals_tab(web_user, logged) -> None:  # noqa: ANN001
    admin = web_user("admin")
    reveals = body(view(admin, tab="reveals", changed="audit-tabs.active_tab"))
    assert "reveal_phone" in reveals and "reveal_id_number" in reveals and "roster.csv" not in reveals
    visits = body(view(admin, objects=["visit"], changed="audit-objects.value"))
    assert "visit_school" in visits and "dropout_case" not in visits
    assert "reveal_phone" not in body(view(admin, action="seed", changed="audit-action.value"))
    assert "audit-empty" in body(view(admin, who="nobody-like-this"))
    assert "audit-empty" in body(view(admin, start="2001-01-01", end="2001-01-02", changed="audit-dates-to.value"))
    bad = body(view(admin, start="2026-13-01", changed="audit-dates.value"))
    assert "text-danger" in bad and "from" in bad
    assert view(admin, objects=["secrets"]).status_code == 200 and "object" in body(view(admin, objects=["secrets"]))


def test_pages_come_from_the_server(web_user, session_factory, logged) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        s.execute(insert(AuditLog), [{"at": dt.datetime(2020, 1, 1, 0, i), "user_id": None, "actor": f"bulk{i:03d}",
                                      "action": "login", "entity": "app_user", "entity_key": "1", "area_code": T1}
                                     for i in range(60)] + [
            {"at": dt.datetime(2020, 1, 1, 1, i), "user_id": None, "actor": f"bulk{60 + i:03d}", "action": "login",
             "entity": "app_user", "entity_key": "1", "area_code": T1} for i in range(60)])
    resp = view(web_user("admin"), who="bulk", page=3, changed="audit-pager.active_page").get_json()["response"]
    assert resp["audit-pager"] == {"max_value": 3, "active_page": 3}
    page3 = json.dumps(resp["audit-table"], ensure_ascii=False)
    assert "bulk019" in page3 and "bulk000" in page3 and "bulk020" not in page3  # newest first: 119 … 0
    assert "120" in json.dumps(resp["audit-count"], ensure_ascii=False)


def test_export_reads_back_and_is_logged(web_user, session_factory, logged) -> None:  # noqa: ANN001
    resp = web_user("leader2").client.get("/admin/audit.xlsx?reveals=1")
    assert resp.status_code == 200, resp.data[:300]
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[2]
    assert header[0] in ("Time", "时间") and len(rows) == 4
    assert "reveal_id_number" in rows[3] and T2 in rows[3] and "id_number" in str(rows[3][-1])
    with session_factory() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.entity == "audit_log")).one()
    assert entry.actor == "leader2" and entry.area_code == T2 and json.loads(entry.after)["rows"] == 1
    assert web_user("leader2").client.get(f"/admin/audit.xlsx?area={T1}").status_code == 403
    assert web_user("admin").client.get("/admin/audit.xlsx?from=yesterday").status_code == 400


def test_migration_resolves_older_entries_through_their_object(empty_engine) -> None:  # noqa: ANN001, F811
    engine = empty_engine
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO area (code, name, level) VALUES ('532822101000', '镇', 'township')"))
        conn.execute(text("INSERT INTO term (code, year, semester, start_date, end_date) "
                          "VALUES ('2024-1', 2024, 1, '2024-09-01', '2025-02-28')"))
        conn.execute(text("INSERT INTO inspection_visit (id, term_code, township_code, visit_date, status, version, "
                          "created_at, updated_at) VALUES (5, '2024-1', '532822101000', '2024-10-01', 'draft', 1, "
                          "'2024-10-01', '2024-10-01')"))
        conn.execute(text("INSERT INTO app_user (id, username, display_name, password_hash, role, area_code, "
                          "is_active) VALUES (3, 'o', 'o', 'x', 'township_officer', '532822101000', TRUE)"))
        for key, entity, user in (("5", "inspection_visit", None), ("9", "inspection_visit", None),
                                  ("x.csv", "population", 3)):
            conn.execute(text("INSERT INTO audit_log (at, user_id, actor, action, entity, entity_key) "
                              "VALUES ('2024-10-01', :u, 'a', 'update', :e, :k)"), {"u": user, "e": entity, "k": key})
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        got = dict(conn.execute(text("SELECT entity_key, area_code FROM audit_log")).all())
    assert got == {"5": T1, "9": None, "x.csv": T1}


def test_a_school_user_without_area_is_placed_in_the_school_township(session_factory, world) -> None:  # noqa: ANN001
    from tests import factories as f
    with session_factory() as s, s.begin():
        uid = f.user.create(s, username="registrar3", role="school_staff", area_code=None,
                            school_id=world["schools"][S1]).id
    with session_factory() as s, s.begin(), audit.acting_as(uid, "registrar3"):
        audit.record(s, "login", "app_user", str(uid))
        audit.record(s, "import", "population", "p.csv")
    with session_factory() as s:
        got = s.execute(select(AuditLog.action, AuditLog.area_code).where(AuditLog.actor == "registrar3")).all()
        created = s.scalar(select(AuditLog.area_code).where(AuditLog.entity == "app_user",
                                                            AuditLog.entity_key == str(uid),
                                                            AuditLog.action == "insert"))
    assert sorted(got) == [("import", T1), ("login", T1)] and created == T1


def test_personal_values_are_masked_for_leaders(web_user, session_factory, world) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin(), audit.acting_as(world["users"]["officer2"], "officer2"):
        audit.record(s, "update", "student", "1", before={"name": "王测试", "id_number": "990101201503050010"},
                     after={"guardian_phone": "13800000001"}, area=T2)
    leader = body(view(web_user("leader2"), who="officer2"))
    assert "王*" in leader and "990101********0010" in leader and "138****0001" in leader
    assert "990101201503050010" not in leader and "13800000001" not in leader and "王测试" not in leader
    admin = body(view(web_user("admin"), who="officer2"))
    assert "990101201503050010" in admin and "王测试" in admin
    ws = load_workbook(io.BytesIO(web_user("leader2").client.get("/admin/audit.xlsx?user=officer2").data)).active
    cells = " ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row)
    assert "990101201503050010" not in cells and "990101********0010" in cells
