"""Issue 12, items 4 and 5: the app's own error pages (403, 404, 500, 503) in the user's language, HTTP 503
while the database is unreachable (pages retry by themselves, callbacks carry the reason assets/saves.js
shows), /healthz, and the page settings assets/saves.js reads."""
from __future__ import annotations

import json
import re

import pytest

from data_access.db import make_engine
from tests import factories as f

DOWN_URL = "postgresql+psycopg://postgres@127.0.0.1:9/baoxue?connect_timeout=2"  # port 9: nothing listens


@pytest.fixture
def county(session_factory):  # noqa: ANN001, ANN201
    """A county with one township, its leader and an administrator."""
    with session_factory() as s, s.begin():
        county, (t1,) = f.county_with_townships(s, 1)
        f.user.create(s, username="leader", role="county_leader", area_code=county.code)
        f.user.create(s, username="english", role="county_leader", area_code=county.code, language="en")
        f.user.create(s, username="admin", role="admin", area_code=None)
    return {"county": county.code, "t1": t1.code}


@pytest.fixture
def database_down(server):  # noqa: ANN001, ANN201
    """Point the app at a database nobody answers for the length of the test, then back."""
    handles = server.extensions["baoxue"]
    engine = handles.engine
    dead = make_engine(DOWN_URL)

    def cut() -> None:
        handles.use_engine(dead)
    yield cut
    handles.use_engine(engine)
    dead.dispose()


def page_text(resp) -> str:  # noqa: ANN001
    """The visible words of an HTML answer (tags dropped)."""
    return re.sub(r"<[^>]+>", " ", resp.get_data(as_text=True))


def test_404_403_and_500_pages_are_the_apps_own_in_the_users_language(web_user, county, monkeypatch) -> None:  # noqa: ANN001
    zh = web_user("leader")
    resp = zh.client.get("/assets/no-such-file.css")  # a file that does not exist (other GET paths are Dash pages)
    assert resp.status_code == 404 and "text/html" in resp.content_type
    assert "找不到页面" in page_text(resp) and "请检查网址，或返回首页。" in page_text(resp)
    resp = zh.client.get("/inspection/evidence/999999")
    assert resp.status_code == 403
    assert "您无权打开此页面" in page_text(resp) and "请管理员为您开通权限" in page_text(resp)

    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("a bug")
    monkeypatch.setattr("web.evidence.locate", broken)
    resp = zh.client.get("/inspection/evidence/1")
    assert resp.status_code == 500
    assert "出错了" in page_text(resp) and "请告知管理员出错的时间" in page_text(resp)
    assert "Internal Server Error" not in resp.get_data(as_text=True)

    en = web_user("english")
    resp = en.client.get("/inspection/evidence/1")
    assert resp.status_code == 500 and "Something went wrong" in page_text(resp)
    resp = en.client.get("/assets/no-such-file.css")
    assert "Page not found" in page_text(resp) and "Check the address" in page_text(resp)


def test_unknown_address_inside_the_app_shows_our_not_found_page(web_user, county) -> None:  # noqa: ANN001
    user = web_user("leader")
    resp = user.callback([("_pages_content", "children"), ("_pages_store", "data")],
                         [("_pages_location", "pathname", "/no-such-page"), ("_pages_location", "search", "")])
    assert resp.status_code == 200
    assert "找不到页面" in json.dumps(resp.json, ensure_ascii=False)


def test_database_outage_answers_503_pages_retry_and_callbacks_carry_the_reason(web_user, county,
                                                                               database_down, server) -> None:  # noqa: ANN001
    user = web_user("leader")
    assert server.test_client().get("/healthz").status_code == 200
    database_down()
    resp = user.client.get("/")
    assert resp.status_code == 503
    body = resp.get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="15">' in body and resp.headers["Retry-After"] == "15"
    assert "服务暂时不可用" in page_text(resp) and "本页每 15 秒自动重试一次" in page_text(resp)
    assert "Internal Server Error" not in body
    resp = user.callback([("shell-selection", "options"), ("shell-selection", "value"), ("shell-term", "options"),
                          ("shell-term", "value")], [("shell-url", "pathname", "/")],
                         [("shell-filters", "data", None), ("shell-selection", "options", None)])
    assert resp.status_code == 503 and resp.headers["X-Baoxue-Reason"] == "database"
    assert resp.json["reason"] == "database"
    health = server.test_client().get("/healthz")
    assert health.status_code == 503 and health.json == {"database": "unavailable"}
    login = server.test_client().get("/login")  # the sign-in page needs no database
    assert login.status_code == 200


def test_database_outage_page_in_english_for_a_visitor_who_chose_it(web_user, county, database_down) -> None:  # noqa: ANN001
    visitor = web_user(None)
    visitor.client.get("/language/en")
    page = visitor.client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    database_down()
    resp = visitor.client.post("/login", data={"username": "leader", "password": "secret-pass", "csrf_token": token})
    assert resp.status_code == 503
    assert "Service temporarily unavailable" in page_text(resp) and "tries again by itself" in page_text(resp)


def test_the_page_carries_the_save_settings_in_the_users_language(web_user, county) -> None:  # noqa: ANN001
    user = web_user("leader")
    layout = user.client.get("/_dash-layout").get_data(as_text=True)
    config = _find(json.loads(layout), "bx-save-config")
    texts = json.loads(config["data-texts"])
    assert texts["saving"] == "正在保存…" and texts["retry"] == "立即重试" and texts["offline"].startswith("未保存")
    outputs = json.loads(config["data-outputs"])
    assert '{"item":["MATCH"],"type":"visit-item-saved"}.children' in outputs  # the checklist items
    assert any(o.startswith("..case-refresh.data...case-alert.children..") for o in outputs)  # 保存信息 and steps
    assert not any("overview" in o for o in outputs)  # reading is not saving
    assert "visit-item-note" in json.loads(config["data-inputs"])
    deps = {d["output"] for d in user.client.get("/_dash-dependencies").json}
    assert set(outputs) <= deps  # named as the browser names them


def _find(node: object, ident: str) -> dict | None:
    """The props of the component with this id in a Dash layout."""
    if isinstance(node, dict):
        props = node.get("props", {})
        if isinstance(props, dict) and props.get("id") == ident:
            return props
        for value in node.values():
            found = _find(value, ident)
            if found is not None:
                return found
    elif isinstance(node, list):
        for value in node:
            found = _find(value, ident)
            if found is not None:
                return found
    return None
