"""The users page through the real callback route as every role and area: who may read it and what each sees,
creating and editing refused outside the admin's area or wider than it, reset with its one-time password, and
the import of users from an .xlsx upload (good and bad files)."""
from __future__ import annotations

import base64
import io
import json

import openpyxl
import pytest
from sqlalchemy import select

from data_access.models import AuditLog, User
from tests.admin.conftest import COUNTY, S2, T1, T2

LIST_OUT = [("users-list", "children")]
ACT_OUT = [("users-msg", "children"), ("users-new", "children"), ("users-refresh", "data")]
BUTTONS = ("users-create", "users-save", "users-toggle", "users-reset")
IMPORT_OUT = [("users-import-msg", "children"), ("users-download", "data"), ("users-imported", "data")]


def listing(user, search: str = ""):  # noqa: ANN001, ANN201
    return user.callback(LIST_OUT, [("users-search", "value", search), ("users-active", "value", False),
                                    ("users-refresh", "data", 0), ("users-imported", "data", 0)])


def act(user, button: str, user_id=None, name="", display="", role=None, code="", team=None,  # noqa: ANN001, ANN201
        email=""):
    inputs = [(b, "n_clicks", 1 if b == button else None) for b in BUTTONS]
    state = [("users-form-id", "data", user_id), ("users-name", "value", name), ("users-display", "value", display),
             ("users-role", "value", role), ("users-code", "value", code), ("users-team", "value", team),
             ("users-email", "value", email), ("users-refresh", "data", 0)]
    return user.callback(ACT_OUT, inputs, state, changed=f"{button}.n_clicks")


@pytest.fixture
def en_user(web_user):  # noqa: ANN001, ANN201
    """A signed-in user who reads the English words."""
    def make(name):  # noqa: ANN001, ANN202
        user = web_user(name)
        user.client.get("/language/en?next=/")
        return user
    return make


def body(resp) -> str:  # noqa: ANN001
    assert resp.status_code == 200, resp.data[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def test_admin_and_leaders_read_the_list_in_their_area(en_user, web_user, world) -> None:  # noqa: ANN001
    text = body(listing(en_user("admin")))
    assert "officer1" in text and "registrar2" in text and "county_admin" in text and "Never" in text
    town = body(listing(web_user("leader2")))
    assert "officer2" in town and "registrar2" in town and "officer1" not in town
    assert '"rowSelection": "single"' not in town and '"rowSelection": "single"' in text    # leaders read only
    assert "registrar1" not in body(listing(web_user("town_admin")))


@pytest.mark.parametrize("name", ["registrar1", "officer1", "inspector"])
def test_other_roles_cannot_open_the_page(web_user, world, name) -> None:  # noqa: ANN001
    user = web_user(name)
    assert listing(user).status_code == 403
    assert act(user, "users-create", name="x1", role="township_officer", code=T1).status_code == 403


def test_leader_cannot_write(web_user, world) -> None:  # noqa: ANN001
    assert act(web_user("leader"), "users-create", name="x1", role="township_officer", code=T1).status_code == 403


def test_township_admin_is_held_to_its_township(en_user, world, session_factory) -> None:  # noqa: ANN001
    admin = en_user("town_admin")
    assert act(admin, "users-create", name="big", role="county_leader", code=COUNTY).status_code == 403
    assert act(admin, "users-create", name="all", role="admin", code="").status_code == 403
    other = world["users"]["officer1"]
    assert act(admin, "users-save", other, display="x", role="township_officer", code=T2).status_code == 403
    assert act(admin, "users-reset", other).status_code == 403
    assert act(admin, "users-toggle", other).status_code == 403
    ok = body(act(admin, "users-create", name="t2_officer", display="乡镇乙", role="township_officer", code=T2))
    assert "users-otp" in ok
    bad = body(act(admin, "users-create", name="t2_officer", role="township_officer", code=T2))
    assert "exists already" in bad and "users-otp" not in bad
    with session_factory() as s:
        assert s.scalar(select(User.must_change_password).where(User.username == "t2_officer")) is True
        assert s.scalar(select(User).where(User.username == "big")) is None


def test_edit_disable_reset_in_scope(en_user, world, session_factory) -> None:  # noqa: ANN001
    admin = en_user("county_admin")
    uid = world["users"]["registrar2"]
    assert "saved" in body(act(admin, "users-save", uid, display="新名", role="school_staff", code=S2))
    assert "disabled" in body(act(admin, "users-toggle", uid))
    reset = body(act(admin, "users-reset", uid))
    assert "users-otp" in reset
    with session_factory() as s:
        user = s.get(User, uid)
        assert user.display_name == "新名" and not user.is_active and user.must_change_password
        assert s.scalar(select(AuditLog).where(AuditLog.action == "password_reset"))
    assert "enabled" in body(act(admin, "users-toggle", uid))


def _upload(rows) -> str:  # noqa: ANN001
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["用户名", "姓名", "角色", "区域代码或学校代码"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return "data:application/octet-stream;base64," + base64.b64encode(buf.getvalue()).decode()


def test_import_upload_good_and_bad(web_user, world, session_factory) -> None:  # noqa: ANN001
    admin = web_user("town_admin")
    bad = admin.callback(IMPORT_OUT, [("users-upload", "contents", _upload([["u1", "", "乡镇", T2],
                                                                            ["u2", "", "县领导", COUNTY]]))],
                         [("users-upload", "filename", "users.xlsx"), ("users-imported", "data", 0)])
    text = body(bad)
    assert "users-import-refused" in text and COUNTY in text and "超出您的辖区" in text
    assert "users-download" not in bad.get_json()["response"]
    good = admin.callback(IMPORT_OUT, [("users-upload", "contents", _upload([["u1", "甲", "乡镇", T2]]))],
                          [("users-upload", "filename", "users.xlsx"), ("users-imported", "data", 0)])
    response = good.get_json()["response"]
    assert "users-import-ok" in json.dumps(response) and response["users-download"]["data"]["base64"]
    with session_factory() as s:
        assert s.scalar(select(User).where(User.username == "u1")).must_change_password
        assert s.scalar(select(User).where(User.username == "u2")) is None
    refused = web_user("officer2").callback(
        IMPORT_OUT, [("users-upload", "contents", _upload([["u3", "", "乡镇", T2]]))],
        [("users-upload", "filename", "users.xlsx"), ("users-imported", "data", 0)])
    assert refused.status_code == 403


def test_page_is_guarded_for_admins_and_leaders_only(dash_app) -> None:  # noqa: ANN001
    import dash

    from pages.access import allowed_roles
    page = next(p for p in dash.page_registry.values() if p["path"] == "/admin/users")
    assert set(allowed_roles(page)) == {"admin", "county_leader"}


def test_an_admin_sets_the_email_the_inbox_digests_go_to(en_user, world, session_factory) -> None:  # noqa: ANN001
    admin = en_user("admin")
    assert "created" in body(act(admin, "users-create", name="mailed", role="township_officer", code=T1,
                                 email=" officer@example.org "))
    with session_factory() as s:
        uid, stored = s.execute(select(User.id, User.email).where(User.username == "mailed")).one()
    assert stored == "officer@example.org"
    bad = body(act(admin, "users-save", uid, display="x", role="township_officer", code=T1, email="no-at-sign"))
    assert "E-mail: not an e-mail address" in bad
    with session_factory() as s:
        assert s.scalar(select(User.email).where(User.id == uid)) == "officer@example.org"   # nothing written
    assert "saved" in body(act(admin, "users-save", uid, display="x", role="township_officer", code=T1, email=""))
    with session_factory() as s:
        assert s.scalar(select(User.email).where(User.id == uid)) is None
