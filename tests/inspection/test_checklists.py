"""Checklist templates: parsing the edited lines, new versions, and the admin-only page."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from data_access.admin.checklists import parse_items, save_new_version, template_rows, template_text
from data_access.inspection.visits import default_template
from data_access.models import ChecklistTemplate
from tests import factories as f


@pytest.mark.parametrize(("text", "items"), [
    ("领导小组 | Leading group\n\n台账", [("领导小组", "Leading group"), ("台账", "")]),
    ("  村规民约 |  ", [("村规民约", "")]),
])
def test_parse_items(text: str, items: list) -> None:
    assert parse_items(text) == items


@pytest.mark.parametrize(("text", "message"), [
    ("", "no items"), ("a\n | English only", "line 2: the Chinese text is empty"),
    ("台账\n台账", "line 2: '台账' is listed twice"), ("长" * 301, "line 1: longer than 300"),
])
def test_parse_items_refuses_with_the_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_items(text)


def test_new_version_becomes_default_and_old_stays(session_factory) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        old = default_template(s)
        old_id, old_items = old.id, len(old.items)
        assert old_items >= 10  # domain.md §6's default items
        new = save_new_version(s, "2027 版", [("领导小组", "Leading group"), ("台账", "Ledger")])
        assert template_text(new) == "领导小组 | Leading group\n台账 | Ledger"
    with session_factory() as s:
        assert default_template(s).name == "2027 版"
        old = s.get(ChecklistTemplate, old_id)
        assert not old.is_default and len(old.items) == old_items  # past visits keep their checklist
        assert [(r.name, r.is_default, r.items) for r in template_rows(s)][0] == ("2027 版", True, 2)
        assert s.scalar(select(ChecklistTemplate.id).where(ChecklistTemplate.is_default)) != old_id


def save(user, name: str, text: str):  # noqa: ANN001, ANN201
    return user.callback([("checklists-message", "children")],
                         [("checklists-save", "n_clicks", 1)],
                         state=[("checklists-name", "value", name), ("checklists-items", "value", text)])


def test_only_admins_edit_checklists(web_user, session_factory) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        county, _towns = f.county_with_townships(s, 1)
        f.user.create(s, username="root", role="admin", area_code=None)
        f.user.create(s, username="leader", role="county_leader", area_code=county.code)
    assert save(web_user("leader"), "x", "台账").status_code == 403
    assert save(web_user(None), "x", "台账").status_code == 401
    bad = save(web_user("root"), "新版", "台账\n台账")
    message = bad.get_json()["response"]["checklists-message"]["children"]["props"]["children"]
    assert bad.status_code == 200 and message == "未保存：第 2 行：“台账”重复"  # the line named, in Chinese
    with session_factory() as s:
        assert s.scalar(select(ChecklistTemplate).where(ChecklistTemplate.name == "新版")) is None  # nothing saved
    ok = save(web_user("root"), "新版", "领导小组 | Leading group\n台账 | Ledger")
    assert ok.status_code == 200
    with session_factory() as s:
        assert [i.text_zh for i in default_template(s).items] == ["领导小组", "台账"]


def test_township_admin_edits_only_their_own_areas_checklist(web_user, session_factory) -> None:  # noqa: ANN001
    """Issue 11, hole 5: an admin scoped to one township replaced the global checklist for every county."""
    with session_factory() as s, s.begin():
        county, (t1, t2) = f.county_with_townships(s, 2)
        f.user.create(s, username="root", role="admin", area_code=None)
        f.user.create(s, username="town_admin", role="admin", area_code=t1.code)
        global_id = default_template(s).id
    answer = save(web_user("town_admin"), "一乡版", "台账")
    assert answer.status_code == 200 and "已保存" in json.dumps(answer.get_json(), ensure_ascii=False)
    with session_factory() as s:
        assert default_template(s).id == global_id                     # everywhere else: unchanged
        assert default_template(s, t2.code).id == global_id
        assert default_template(s, county.code).id == global_id
        mine = default_template(s, t1.code)
        assert (mine.name, mine.area_code, [i.text_zh for i in mine.items]) == ("一乡版", t1.code, ["台账"])
        assert s.get(ChecklistTemplate, global_id).is_default
    shown = web_user("town_admin").callback([("checklists-versions", "children")],
                                            [("shell-url", "pathname", "/checklists"),
                                             ("checklists-message", "children", None)])
    assert shown.status_code == 200 and "上级设定" in json.dumps(shown.get_json(), ensure_ascii=False)
    root = save(web_user("root"), "全局新版", "领导小组")
    assert root.status_code == 200
    with session_factory() as s:
        assert default_template(s).name == "全局新版" and default_template(s, t1.code).name == "一乡版"
