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
              ("status-coverage", "children"), ("status-refusals", "children"), ("status-withdraw", "children")]
WD_OUT = [("withdraw-box", "children"), ("withdraw-seen", "data"), ("withdraw-go", "disabled"),
          ("withdraw-msg", "children")]


def status(user, term: str = TERM):  # noqa: ANN001, ANN201
    return user.callback(STATUS_OUT, [("shell-term", "value", term)])


def act(user, button: str, confirm: str | None = None, seen: dict | None = None):  # noqa: ANN001, ANN201
    return user.callback(WD_OUT, [("withdraw-preview", "n_clicks", 1), ("withdraw-go", "n_clicks", 1)],
                         [("shell-term", "value", TERM), ("withdraw-confirm", "value", confirm),
                          ("withdraw-seen", "data", seen)], changed=f"{button}.n_clicks")


def body(resp) -> str:  # noqa: ANN001
    assert resp.status_code == 200, resp.data[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def test_admin_sees_every_school_and_the_missing_one(web_user, world) -> None:  # noqa: ANN001
    text = body(status(web_user("admin")))
    assert S1 in text and S2 in text and S3 in text and "测试admin (admin)" in text
    assert "bx-missing" in text and "roster.csv" in text and "withdraw-preview" in text
    assert f"/admin/roster.xlsx?school={world['schools'][S1]}" in text


def test_leader_of_a_township_sees_only_its_schools_and_cannot_withdraw(web_user, world) -> None:  # noqa: ANN001
    text = body(status(web_user("leader2")))
    assert S1 not in text and S2 in text and S3 in text
    assert "withdraw-preview" not in text and "/admin/roster.xlsx" not in text  # leaders take no personal data


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
