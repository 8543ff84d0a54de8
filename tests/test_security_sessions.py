"""Issue 11's weak points on the Flask side, with raw HTTP requests: security headers on a page, a callback and a
download; no server banner; sessions revoked on logout, ended when idle or too old; request body limits; per-account
login lockout with failed sign-ins audit-logged; client addresses behind a proxy (ProxyFix)."""
from __future__ import annotations

import re

import pytest
from flask import Flask, request
from sqlalchemy import select

from data_access.models import AuditLog
from tests.test_security import overview, two_townships  # noqa: F401 - fixture
from web import security


def _login(server, username: str, password: str):  # noqa: ANN001, ANN201
    client = server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client, client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def test_security_headers_on_page_callback_and_download(web_user, two_townships) -> None:  # noqa: ANN001
    leader = web_user("leader")
    responses = {"page": leader.client.get("/"), "callback": overview(leader, two_townships["county"]),
                 "download": leader.client.get(f"/download/ranking.xlsx?term=2024-1&level=township&area={two_townships['county']}"),
                 "login": web_user(None).client.get("/login")}
    for what, resp in responses.items():
        assert resp.status_code == 200, (what, resp.status_code)
        h = resp.headers
        policy = h["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, what
        assert "'unsafe-eval'" not in policy and "script-src 'self' 'sha256-" in policy, what
        assert h["X-Frame-Options"] == "DENY" and h["X-Content-Type-Options"] == "nosniff", what
        assert h["Referrer-Policy"] == "same-origin", what
        assert "Werkzeug" not in h.get("Server", "") and "Python" not in h.get("Server", ""), what


def test_a_cookie_copied_before_logout_does_not_work_after(server, two_townships) -> None:  # noqa: ANN001
    client, resp = _login(server, "officer1", "secret-pass")
    assert resp.status_code == 302
    cookie = client.get_cookie("session").value
    thief = server.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/").status_code == 200
    client.get("/")
    csrf = client.get_cookie("_csrf_token").value
    assert client.post("/logout", headers={"X-CSRFToken": csrf}, data={"csrf_token": csrf}).status_code == 302
    assert thief.get("/").status_code == 302                      # back to the login page
    assert thief.get("/_dash-layout").status_code == 401


def test_idle_and_absolute_session_limits(server, two_townships, monkeypatch) -> None:  # noqa: ANN001
    clock = [1_000_000.0]
    monkeypatch.setattr(security.time, "time", lambda: clock[0])
    monkeypatch.setitem(server.config, "SESSION_IDLE_SECONDS", 600)
    monkeypatch.setitem(server.config, "SESSION_MAX_SECONDS", 3600)
    client, _resp = _login(server, "officer1", "secret-pass")
    for _ in range(6):                       # active every 9 minutes: kept signed in, up to the absolute limit
        clock[0] += 540
        assert client.get("/").status_code == 200
    clock[0] += 540                          # 63 minutes after signing in
    assert client.get("/").status_code == 302
    client, _resp = _login(server, "officer1", "secret-pass")
    clock[0] += 601                          # idle for more than 10 minutes
    assert client.get("/").status_code == 302


def test_the_session_cookie_is_sent_again_only_when_it_changes(server, two_townships, monkeypatch) -> None:  # noqa: ANN001
    clock = [1_000_000.0]
    monkeypatch.setattr(security.time, "time", lambda: clock[0])
    client, resp = _login(server, "officer1", "secret-pass")
    assert "session=" in resp.headers.get("Set-Cookie", "")          # signed in: a new cookie
    clock[0] += 5
    assert client.get("/").status_code == 200
    sent = [h for h in client.get("/").headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert sent == []                                                # within the minute: not signed and sent again
    clock[0] += 61
    again = client.get("/")
    assert again.status_code == 200                                  # active: the last-seen time moves, once a minute
    assert [h for h in again.headers.getlist("Set-Cookie") if h.startswith("session=")]


def test_request_bodies_are_limited_and_uploads_have_their_own(web_user, two_townships, server) -> None:  # noqa: ANN001
    leader = web_user("leader")
    padding = "x" * (server.config["MAX_REQUEST_BYTES"] + 10)
    big = leader.callback([("overview-cards", "children")], [("shell-selection", "value", two_townships["county"]),
                                                             ("shell-term", "value", "2024-1")],
                          state=[("padding", "value", padding)])
    assert big.status_code == 413
    upload_body = ('{"output":"imports-upload-ref.data...","padding":"' + "x" * 3_000_000 + '"}').encode()
    resp = leader.client.post("/_dash-update-component", data=upload_body, content_type="application/json",
                              headers={"X-CSRFToken": leader.csrf()})
    assert resp.status_code != 413                    # an import upload may be larger (then refused by role: 403)
    too_big = b'{"output":"imports-upload-ref.data","p":"' + b"x" * (server.config["MAX_IMPORT_REQUEST_BYTES"]) + b'"}'
    assert leader.client.post("/_dash-update-component", data=too_big, content_type="application/json",
                              headers={"X-CSRFToken": leader.csrf()}).status_code == 413
    assert leader.client.post("/logout", data="x" * 2_000_000).status_code == 413


def test_per_account_lockout_and_failed_logins_audited(server, two_townships, session_factory) -> None:  # noqa: ANN001
    for _ in range(server.config["LOGIN_LOCKOUT_ATTEMPTS"]):
        assert _login(server, "officer1", "wrong-password")[1].status_code == 401
    _client, locked = _login(server, "officer1", "secret-pass")     # the right password, from anywhere: refused
    assert locked.status_code == 429 and "登录失败次数过多" in locked.get_data(as_text=True)
    assert _login(server, "officer2", "secret-pass")[1].status_code == 302      # other accounts unaffected
    with session_factory() as s:
        failed = s.scalars(select(AuditLog).where(AuditLog.action == "login_failed")).all()
        assert len(failed) == server.config["LOGIN_LOCKOUT_ATTEMPTS"]
        assert {(e.entity_key, e.actor) for e in failed} == {("officer1", "officer1")}
        assert s.scalars(select(AuditLog).where(AuditLog.action == "login_locked")).all()


@pytest.mark.parametrize(("setting", "expected"), [(None, "127.0.0.1"), ("1", "203.0.113.7")])
def test_proxy_fix_by_setting(setting: str | None, expected: str) -> None:
    app = Flask(__name__)
    app.add_url_rule("/ip", "ip", lambda: request.remote_addr or "")
    security.proxy_fix(app, setting)
    resp = app.test_client().get("/ip", headers={"X-Forwarded-For": "203.0.113.7"})
    assert resp.get_data(as_text=True) == expected


def test_demo_accounts_refused_with_demo_off_and_disabled_by_an_import(server, two_townships, session_factory,  # noqa: ANN001
                                                                       monkeypatch, tmp_path) -> None:
    from data_access.imports.files import import_population
    from data_access.models import User
    from tests import factories as f
    with session_factory() as s, s.begin():
        f.user.create(s, username="demo_leader", role="county_leader", area_code=two_townships["county"], is_demo=True)
    client, _resp = _login(server, "demo_leader", "secret-pass")
    assert client.get("/").status_code == 200
    monkeypatch.setitem(server.config, "DEMO", False)                       # BAOXUE_DEMO=0
    assert client.get("/").status_code == 302                                # the open session ends too
    assert _login(server, "demo_leader", "secret-pass")[1].status_code == 401
    assert _login(server, "leader", "secret-pass")[1].status_code == 302     # real accounts unaffected
    monkeypatch.setitem(server.config, "DEMO", True)
    assert _login(server, "demo_leader", "secret-pass")[1].status_code == 302
    population = tmp_path / "population.csv"                                 # real data arrives
    population.write_text("区划代码,年度,年龄,适龄人口,外出就读,残疾适龄人口\n"
                          f"{two_townships['t1']},2024,7,10,0,0\n", encoding="utf-8")
    with session_factory() as s, s.begin():
        assert import_population(s, population).ok
    with session_factory() as s:
        assert s.scalar(select(User.is_active).where(User.username == "demo_leader")) is False
        assert s.scalar(select(User.is_active).where(User.username == "leader")) is True
    assert _login(server, "demo_leader", "secret-pass")[1].status_code == 401


def test_password_change_ends_the_users_other_sessions(server, two_townships, monkeypatch) -> None:  # noqa: ANN001
    client, _resp = _login(server, "officer1", "secret-pass")
    assert client.get("/").status_code == 200
    monkeypatch.setenv("BAOXUE_NEW_PASSWORD", "another-pass-1")
    result = server.test_cli_runner().invoke(args=["set-password", "officer1"])
    assert result.exit_code == 0, result.output
    assert client.get("/").status_code == 302
    assert _login(server, "officer1", "secret-pass")[1].status_code == 401
    assert _login(server, "officer1", "another-pass-1")[1].status_code == 302
    short = server.test_cli_runner().invoke(args=["set-password", "nobody"])
    assert short.exit_code != 0 and "no user named" in short.output
