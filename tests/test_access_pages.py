"""Pages a role may not open say so (the shared "no access" panel, in the user's language) and show no
controls: through Dash's real page-routing callback, with the demo county's accounts."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from data_access.db import make_sessionmaker
from data_access.demo.build import DEMO_PASSWORD
from data_access.models import DropoutCase, InspectionVisit, RectificationOrder, User
from tests.conftest import WebUser, copy_sqlite

PAGE_OUT = "..{0}.children...{1}.data..".format("_pages_content", "_pages_store")


@pytest.fixture(scope="module")
def demo(dash_app, demo_county_template) -> Iterator[dict]:  # noqa: ANN001
    """The county demo in a private database; ids of things outside the demo school's and township's reach."""
    engine = copy_sqlite(demo_county_template[0])
    factory = make_sessionmaker(engine)
    with factory() as s:
        school = s.scalar(select(User).where(User.username == "school"))
        town = s.scalar(select(User).where(User.username == "township"))
        ids = {
            "own_case": s.scalar(select(DropoutCase.id).where(DropoutCase.school_id == school.school_id)),
            "case": s.scalar(select(DropoutCase.id).where(DropoutCase.school_id != school.school_id,
                                                         DropoutCase.township_code != town.area_code)),
            "visit": s.scalar(select(InspectionVisit.id).where(InspectionVisit.township_code != town.area_code)),
            "order": s.scalar(select(RectificationOrder.id)
                              .where(RectificationOrder.township_code != town.area_code)),
        }
    server = dash_app.server
    previous = server.extensions["baoxue"].engine
    server.extensions["baoxue"].use_engine(engine)
    server.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    yield ids
    server.extensions["baoxue"].use_engine(previous)


def page(dash_app, username: str, path: str, search: str = "") -> str:  # noqa: ANN001
    """The page content Dash's router callback answers for this user and address."""
    user = WebUser(dash_app.server, username, DEMO_PASSWORD)
    body = {"output": PAGE_OUT, "outputs": [{"id": "_pages_content", "property": "children"},
                                            {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    resp = user.client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": user.csrf()})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize(("username", "path", "query", "control"), [
    ("school", "/zones", "", "zones-add"),             # the admin's form, its 添加片区 button
    ("school", "/map", "", "map-"),                    # not "暂无数据：请导入学籍花名册"
    ("school", "/rankings", "", "rankings-grid"),
    ("leader", "/imports", "", "imports-"),
    ("township", "/checklists", "", "checklists-"),
    ("school", "/inspection/coverage", "", "coverage-"),
    ("school", "/cases/case", "case", "case-"),        # another school's case
    ("township", "/cases/case", "case", "case-"),
    ("school", "/inspection/visit", "visit", "visit-"),
    ("school", "/rectification/order", "order", "order-"),
    ("township", "/rectification/order", "order", "order-"),
])
def test_refused_pages_say_no_access_without_controls(dash_app, demo, username, path, query, control) -> None:  # noqa: ANN001
    search = f"?id={demo[query]}" if query else ""
    text = page(dash_app, username, path, search)
    assert '"no-access"' in text and "无权访问" in text, text[:400]
    assert f'"id":"{control}' not in text  # none of the page's controls
    assert "暂无数据" not in text and "添加片区" not in text


def test_no_access_speaks_the_users_language(dash_app, demo) -> None:  # noqa: ANN001
    engine = dash_app.server.extensions["baoxue"].engine
    with make_sessionmaker(engine)() as s, s.begin():
        s.scalar(select(User).where(User.username == "school")).language = "en"
    try:
        text = page(dash_app, "school", "/zones")
        assert "No access" in text and "无权访问" not in text
    finally:
        with make_sessionmaker(engine)() as s, s.begin():
            s.scalar(select(User).where(User.username == "school")).language = "zh"


@pytest.mark.parametrize(("username", "path", "query"), [
    ("admin", "/zones", ""), ("leader", "/map", ""), ("school", "/cases/case", "own_case"),
    ("leader", "/inspection/visit", "visit"), ("leader", "/rectification/order", "order"),
    ("leader", "/cases/case", "case"), ("inspector", "/inspection/coverage", ""),
])
def test_allowed_pages_open(dash_app, demo, username, path, query) -> None:  # noqa: ANN001
    search = f"?id={demo[query]}" if query else ""
    assert '"no-access"' not in page(dash_app, username, path, search)


@pytest.mark.parametrize("username", ["admin", "leader", "inspector", "township", "school"])
def test_every_page_of_the_navigation_opens(dash_app, demo, username) -> None:  # noqa: ANN001
    """Each page a demo account may open renders (a layout that raised left the previous page on screen: /audit
    passed dbc.Input a title it does not take, and its link did nothing)."""
    import dash
    role = {"admin": "admin", "leader": "county_leader", "inspector": "inspector", "township": "township_officer",
            "school": "school_staff"}[username]
    opened = []
    for entry in dash.page_registry.values():
        if entry.get("roles") and role not in entry["roles"]:
            continue
        page(dash_app, username, entry["path"])          # answers 200 (a layout that raises does not)
        opened.append(entry["path"])
    assert "/" in opened and len(opened) >= 5, opened
