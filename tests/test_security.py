"""Authentication, CSRF and area scoping, tested with raw HTTP requests to the real routes."""
from __future__ import annotations

import json

import pytest

from data_access.models import AuditLog
from tests import factories as f

OVERVIEW_OUT = [("overview-cards", "children"), ("overview-indicators", "children"), ("overview-chart", "figure"),
                ("overview-message", "children")]


@pytest.fixture
def two_townships(session_factory):  # noqa: ANN001, ANN201
    """A county with two townships, one school each, roster data, and one officer per township."""
    with session_factory() as s, s.begin():
        county, (t1, t2) = f.county_with_townships(s, 2)
        s1 = f.school.create(s, township_code=t1.code, code="5328220001")
        s2 = f.school.create(s, township_code=t2.code, code="5328220002")
        for _ in range(3):
            f.roster(s, "2024-1", s1, grade=2)
        f.roster(s, "2024-1", s1, grade=8, status="辍学", poverty_registered=True)
        for _ in range(5):
            f.roster(s, "2024-1", s2, grade=3)
        f.roster(s, "2024-1", s2, grade=7, status="辍学")
        f.refresh(s, "2024-1")
        f.user.create(s, username="officer1", role="township_officer", area_code=t1.code)
        f.user.create(s, username="officer2", role="township_officer", area_code=t2.code)
        f.user.create(s, username="leader", role="county_leader", area_code=county.code)
        f.user.create(s, username="staff2", role="school_staff", area_code=t2.code, school_id=s2.id)
    return {"county": county.code, "t1": t1.code, "t2": t2.code, "s1": "5328220001", "s2": "5328220002"}


def overview(user, selection: str, term: str = "2024-1"):  # noqa: ANN001, ANN201
    return user.callback(OVERVIEW_OUT, [("shell-selection", "value", selection), ("shell-term", "value", term)])


def test_pages_redirect_to_login_without_session(web_user, two_townships) -> None:  # noqa: ANN001
    anon = web_user(None)
    resp = anon.client.get("/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert anon.client.get("/_dash-layout").status_code == 401
    assert anon.client.get("/_dash-dependencies").status_code == 401
    assert anon.client.get("/login").status_code == 200
    assert anon.client.get("/assets/vendor/bootstrap/bootstrap.min.css").status_code == 200


def test_callback_route_refuses_anonymous(web_user, two_townships) -> None:  # noqa: ANN001
    resp = overview(web_user(None), two_townships["t1"])
    assert resp.status_code == 401
    assert b"overview-cards" not in resp.data


def test_officer_sees_own_township(web_user, two_townships) -> None:  # noqa: ANN001
    resp = overview(web_user("officer1"), two_townships["t1"])
    assert resp.status_code == 200, resp.data[:300]
    body = json.dumps(resp.get_json(), ensure_ascii=False)
    for card, value in (("overview-schools", "1"), ("overview-enrolled", "3"), ("overview-dropouts", "1"),
                        ("overview-special", "1")):
        assert f'"children": "{value}", "id": "{card}"' in body or f'"id": "{card}", "children": "{value}"' in body \
            or _card_value(resp.get_json(), card) == value


def _card_value(payload: dict, card_id: str) -> str | None:
    """Find the figure a KPI card shows in a callback response."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            props = node.get("props", node)
            if isinstance(props, dict) and props.get("id") == card_id:
                found.append(props.get("children"))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(payload)
    return found[0] if found else None


def test_officer_refused_other_township_by_raw_request(web_user, two_townships) -> None:  # noqa: ANN001
    resp = overview(web_user("officer1"), two_townships["t2"])
    assert resp.status_code == 403
    assert _card_value(resp.get_json(silent=True) or {}, "overview-enrolled") is None


def test_officer_refused_county_and_foreign_school(web_user, two_townships) -> None:  # noqa: ANN001
    officer = web_user("officer1")
    assert overview(officer, two_townships["county"]).status_code == 403
    assert overview(officer, two_townships["s2"]).status_code == 403
    assert overview(officer, "999999999999").status_code == 403


def test_school_staff_only_own_school(web_user, two_townships) -> None:  # noqa: ANN001
    staff = web_user("staff2")
    ok = overview(staff, two_townships["s2"])
    assert ok.status_code == 200
    assert _card_value(ok.get_json(), "overview-enrolled") == "5"
    assert overview(staff, two_townships["t2"]).status_code == 403
    assert overview(staff, two_townships["s1"]).status_code == 403


def test_leader_sees_county_totals(web_user, two_townships) -> None:  # noqa: ANN001
    resp = overview(web_user("leader"), two_townships["county"])
    payload = resp.get_json()
    assert _card_value(payload, "overview-schools") == "2"
    assert _card_value(payload, "overview-enrolled") == "8"
    assert _card_value(payload, "overview-dropouts") == "2"
    assert _card_value(payload, "overview-special") == "1"


def test_callback_without_csrf_header_is_refused(web_user, two_townships) -> None:  # noqa: ANN001
    officer = web_user("officer1")
    resp = officer.callback(OVERVIEW_OUT, [("shell-selection", "value", two_townships["t1"]),
                                           ("shell-term", "value", "2024-1")], csrf=False)
    assert resp.status_code == 400


def test_login_wrong_password_and_audit(web_user, two_townships, session_factory) -> None:  # noqa: ANN001
    anon = web_user(None)
    page = anon.client.get("/login").get_data(as_text=True)
    import re
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    bad = anon.client.post("/login", data={"username": "officer1", "password": "nope", "csrf_token": token})
    assert bad.status_code == 401
    assert "login-error" in bad.get_data(as_text=True)
    no_token = anon.client.post("/login", data={"username": "officer1", "password": "secret-pass"})
    assert no_token.status_code == 400
    web_user("officer1")
    with session_factory() as s:
        assert s.query(AuditLog).filter_by(action="login").count() == 1


def test_login_next_must_be_local(web_user, two_townships) -> None:  # noqa: ANN001
    from web.auth import safe_next
    assert safe_next("/compliance?x=1") == "/compliance?x=1"
    for evil in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", ""):
        assert safe_next(evil) == "/"


def test_login_is_rate_limited(server, web_user, two_townships) -> None:  # noqa: ANN001
    server.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    anon = web_user(None)
    codes = [anon.client.post("/login", data={"username": "x", "password": "y"}).status_code for _ in range(5)]
    assert codes[:3] == [400, 400, 400] and codes[3:] == [429, 429]


def test_session_cookie_flags(web_user, two_townships) -> None:  # noqa: ANN001
    anon = web_user(None)
    page = anon.client.get("/login").get_data(as_text=True)
    import re
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = anon.client.post("/login", data={"username": "officer1", "password": "secret-pass", "csrf_token": token})
    cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_ends_session(web_user, two_townships) -> None:  # noqa: ANN001
    officer = web_user("officer1")
    resp = officer.client.post("/logout", headers={"X-CSRFToken": officer.csrf()})
    assert resp.status_code == 302
    assert overview(officer, two_townships["t1"]).status_code in (400, 401)
