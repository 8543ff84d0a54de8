"""Users administration (issue 15.1): password rules, the scoped rules of creating and editing users, a reset
password's forced change at sign-in, one's own password change ending the other sessions, and the import of users
from .xlsx (good and bad files) through the CLI."""
from __future__ import annotations

import re

import openpyxl
import pytest
from sqlalchemy import select

from data_access.admin import user_admin as ua
from data_access.admin.users import PasswordRefused, check_password
from data_access.models import AuditLog, User
from data_access.scope import Scope
from domain.admin.users import one_time_password, password_problem
from tests.admin.conftest import COUNTY, S1, S3, T1, T2

ALL = Scope("admin", unrestricted=True)
TOWN2 = Scope("admin", areas=((T2, "township"),))


def test_password_rules_name_the_rule() -> None:
    assert password_problem("short1", "wang").rule == "length"
    assert password_problem("wang-li-2026-x", "wang-li").rule == "username"
    assert password_problem("Password123", "zhang").rule == "common"
    assert password_problem("qwertyuiop", "zhang").rule == "common"
    assert password_problem("Horse-battery-7", "zhang") is None
    assert password_problem(one_time_password(), "zhang") is None
    with pytest.raises(PasswordRefused, match="at least 10 characters"):
        check_password("abc", "x")


def test_create_and_edit_are_scoped(session_factory, world) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        user, password = ua.create(s, TOWN2, "officer_t2", "乡镇甲", "township_officer", T2)
        assert user.must_change_password and password_problem(password, "officer_t2") is None
        with pytest.raises(ua.UserRefused):      # a township admin cannot create a county user
            ua.create(s, TOWN2, "county_x", "", "county_leader", COUNTY)
        with pytest.raises(ua.UserRefused):      # nor an admin without area (everything)
            ua.create(s, TOWN2, "admin_x", "", "admin", None)
        with pytest.raises(ua.UserRefused):      # nor a school of another township
            ua.create(s, TOWN2, "reg_x", "", "school_staff", S1)
        with pytest.raises(ua.UserInvalid, match="exists already"):
            ua.create(s, ALL, "officer_t2", "", "township_officer", T2)
        other = s.scalar(select(User).where(User.username == "officer1"))
        with pytest.raises(ua.UserRefused):      # cannot edit a user of another township
            ua.edit(s, TOWN2, other.id, "x", "township_officer", T2)
        with pytest.raises(ua.UserRefused):
            ua.set_active(s, TOWN2, other.id, False)
        with pytest.raises(ua.UserRefused):
            ua.reset_password(s, TOWN2, other.id)
        with pytest.raises(ua.UserRefused):      # a county leader reads, never writes
            ua.create(s, Scope("county_leader", areas=((COUNTY, "county"),)), "y", "", "township_officer", T2)
        names = {r.username for r in ua.list_users(s, TOWN2)}
        assert "officer2" in names and "registrar2" in names and "officer1" not in names and "admin" not in names
        assert {r.username for r in ua.list_users(s, ALL, "registrar")} == {"registrar1", "registrar2"}
        with pytest.raises(ua.UserRefused):
            ua.list_users(s, Scope("township_officer", areas=((T1, "township"),)))


def test_disable_ends_sessions_and_never_deletes(session_factory, world, web_user) -> None:  # noqa: ANN001
    officer = web_user("officer2")
    assert officer.client.get("/").status_code == 200
    with session_factory() as s, s.begin():
        ua.set_active(s, TOWN2, world["users"]["officer2"], False)
        with pytest.raises(ua.UserInvalid):
            ua.set_active(s, ALL, world["users"]["admin"], False, actor_id=world["users"]["admin"])
    assert officer.client.get("/").status_code == 302
    with session_factory() as s:
        assert s.get(User, world["users"]["officer2"]).is_active is False


def _form(client, path: str) -> str:  # noqa: ANN001
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_reset_forces_a_change_at_next_sign_in(session_factory, world, web_user) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        _user, otp = ua.reset_password(s, TOWN2, world["users"]["officer2"])
    with session_factory() as s:
        logged = " ".join(a.after or "" for a in s.scalars(select(AuditLog)))
        assert otp not in logged
    from tests.conftest import WebUser
    user = WebUser.__new__(WebUser)
    user.client = web_user(None).client
    token = _form(user.client, "/login")
    resp = user.client.post("/login", data={"username": "officer2", "password": otp, "csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account/password")
    assert user.client.get("/").headers["Location"].endswith("/account/password")    # nothing else until changed
    assert user.client.post("/_dash-update-component", json={}).status_code in (400, 403)
    token = _form(user.client, "/account/password")
    bad = user.client.post("/account/password", data={"current": otp, "new": "officer2-pass-9",
                                                       "confirm": "officer2-pass-9", "csrf_token": token})
    assert bad.status_code == 400 and "密码规则：密码不能包含用户名" in bad.get_data(as_text=True)
    ok = user.client.post("/account/password", data={"current": otp, "new": "Tea-garden-2026",
                                                      "confirm": "Tea-garden-2026", "csrf_token": token})
    assert ok.status_code == 302
    assert user.client.get("/").status_code == 200
    with session_factory() as s:
        assert s.get(User, world["users"]["officer2"]).must_change_password is False


def test_own_change_ends_other_sessions_and_keeps_this_one(world, web_user) -> None:  # noqa: ANN001
    here, there = web_user("officer1"), web_user("officer1")
    here.client.get("/language/en?next=/")
    token = _form(here.client, "/account/password")
    wrong = here.client.post("/account/password", data={"current": "not-it", "new": "Tea-garden-2026",
                                                         "confirm": "Tea-garden-2026", "csrf_token": token})
    assert wrong.status_code == 400 and "current password" in wrong.get_data(as_text=True).lower()
    common = here.client.post("/account/password", data={"current": "secret-pass", "new": "password123",
                                                          "confirm": "password123", "csrf_token": token})
    assert common.status_code == 400 and "Password rule: this is one of the most common" in common.get_data(
        as_text=True)
    ok = here.client.post("/account/password", data={"current": "secret-pass", "new": "Tea-garden-2026",
                                                      "confirm": "Tea-garden-2026", "csrf_token": token})
    assert ok.status_code == 200 and "password-done" in ok.get_data(as_text=True)
    assert here.client.get("/").status_code == 200
    assert there.client.get("/").status_code == 302
    web_user("officer1", "Tea-garden-2026")


def test_password_page_in_chinese(world, web_user) -> None:  # noqa: ANN001
    user = web_user("officer1")
    user.client.get("/language/zh?next=/")
    token = _form(user.client, "/account/password")
    resp = user.client.post("/account/password", data={"current": "secret-pass", "new": "short", "confirm": "short",
                                                        "csrf_token": token})
    assert "密码规则：至少 10 个字符" in resp.get_data(as_text=True)


def _book(path, rows) -> None:  # noqa: ANN001
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["用户名", "姓名", "角色", "区域代码或学校代码", "所属组"])
    for row in rows:
        ws.append(row)
    book.save(path)


def test_import_users_good_file(server, session_factory, world, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "users.xlsx"
    _book(path, [["town101", "乡镇甲", "乡镇", T1, None], ["reg3", "学籍员乙", "学校", S3, None],
                 ["lead1", "领导丙", "county_leader", COUNTY, None]])
    out = tmp_path / "pw.xlsx"
    result = server.test_cli_runner().invoke(args=["import-users", str(path), "--passwords", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 user(s) created" in result.output
    sheet = openpyxl.load_workbook(out).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r[0] in ("town101", "reg3", "lead1")]
    assert len(rows) == 3
    password = dict((r[0], r[2]) for r in rows)["reg3"]
    assert password not in result.output
    with session_factory() as s:
        reg = s.scalar(select(User).where(User.username == "reg3"))
        assert reg.role == "school_staff" and reg.area_code == T2 and reg.must_change_password
        entries = " ".join((a.after or "") for a in s.scalars(select(AuditLog)))
        assert password not in entries
        assert s.scalar(select(AuditLog).where(AuditLog.action == "import", AuditLog.entity == "users"))


def test_import_users_bad_file_writes_nothing(server, session_factory, world, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "bad.xlsx"
    _book(path, [["town101", "乡镇甲", "乡镇", T1, None], ["town101", "重复", "乡镇", T1, None],
                 ["officer1", "已有", "乡镇", T1, None], ["who", "", "boss", T1, None],
                 ["reg9", "", "学校", "2153009999", None], ["t9", "", "乡镇", T1, "没有这个组"]])
    result = server.test_cli_runner().invoke(args=["import-users", str(path), "--passwords", str(tmp_path / "p.xlsx")])
    assert result.exit_code == 1
    text = result.output
    assert "row 3, 用户名, 'town101': appears twice" in text and "row 4, 用户名, 'officer1'" in text
    assert "row 5, 角色, 'boss'" in text and "row 7, 所属组" in text
    with session_factory() as s:
        assert s.scalar(select(User).where(User.username == "town101")) is None
        assert s.scalar(select(AuditLog).where(AuditLog.action == "import_refused", AuditLog.entity == "users"))
    assert not (tmp_path / "p.xlsx").exists()


def test_import_refuses_areas_wider_than_the_admin(session_factory, world, tmp_path) -> None:  # noqa: ANN001
    from data_access.admin.users_import import import_users
    path = tmp_path / "wide.xlsx"
    _book(path, [["ok1", "", "乡镇", T2, None], ["wide", "", "县领导", COUNTY, None], ["reg", "", "学校", S1, None]])
    with session_factory() as s, s.begin():
        done = import_users(s, path, scope=TOWN2)
        assert not done.result.ok and not done.passwords
        assert [p.row for p in done.result.problems] == [3, 4]
        assert s.scalar(select(User).where(User.username == "ok1")) is None
