"""The Areas and schools page through the real callback route, as every role and area: only admins, a township
admin only in their township, names saved and audit-logged, a school closed, an areas file previewed (the
rename listed, nothing written) and imported only when confirmed; the CLI refuses renames without its flag."""
from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select

from data_access.models import Area, AuditLog, School
from tests.admin.conftest import COUNTY, S1, S2, T1, T2
from tests.imports.test_imports import DATA

TREE_OUT = [("areas-tree", "children"), ("areas-school", "options"), ("areas-target-school", "options"),
            ("areas-target-town", "options"), ("areas-rename-what", "options")]
ACT_OUT = [("areas-act-msg", "children"), ("areas-refresh", "data")]
FILE_OUT = [("areas-preview", "children"), ("areas-seen", "data"), ("areas-confirm", "disabled"),
            ("areas-import-msg", "children")]
V1, V2 = "532822101201", "532822102201"


def tree(user, top: str):  # noqa: ANN001, ANN201
    return user.callback(TREE_OUT, [("areas-top", "value", top), ("areas-refresh", "data", 0),
                                    ("areas-import-msg", "children", None), ("areas-rename-msg", "children", None)])


def rename(user, code: object, name: str, kind: str = "area"):  # noqa: ANN001, ANN201
    return user.callback([("areas-rename-msg", "children")], [("areas-rename-go", "n_clicks", 1)],
                         [("areas-rename-what", "value", f"{kind}:{code}"), ("areas-rename-name", "value", name)])


def act(user, school: object, action: str, term: str = "2024-2", merge: object = None, town: object = None):  # noqa: ANN001, ANN201
    return user.callback(ACT_OUT, [("areas-act-go", "n_clicks", 1)],
                         [("areas-school", "value", school), ("areas-action", "value", action),
                          ("areas-term", "value", term), ("areas-target-school", "value", merge),
                          ("areas-target-town", "value", town), ("areas-refresh", "data", 0)])


def upload(user, content: bytes, button: str = "areas-upload.contents", seen: dict | None = None):  # noqa: ANN001, ANN201
    data = "data:text/csv;base64," + base64.b64encode(content).decode()
    return user.callback(FILE_OUT, [("areas-upload", "contents", data), ("areas-confirm", "n_clicks", 1)],
                         [("areas-upload", "filename", "areas_2024.csv"), ("areas-seen", "data", seen)],
                         changed=button)


def text(resp) -> str:  # noqa: ANN001
    assert resp.status_code == 200, resp.data[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def test_admin_browses_the_county(web_user, world) -> None:  # noqa: ANN001
    body = text(tree(web_user("county_admin"), COUNTY))
    assert "勐海镇" in body and "打洛镇" in body and "测试村一" in body and S1 in body and S2 in body
    assert f"area:{T1}" in body and f"area:{V1}" in body         # a county admin renames townships too


@pytest.mark.parametrize("name", ["leader", "officer1", "registrar1", "inspector"])
def test_other_roles_are_refused(web_user, world, name) -> None:  # noqa: ANN001
    user = web_user(name)
    assert tree(user, COUNTY).status_code == 403
    assert rename(user, V1, "x").status_code == 403
    assert act(user, world["schools"][S1], "close").status_code == 403
    assert upload(user, (DATA / "areas.csv").read_bytes()).status_code == 403


def test_a_township_admin_stays_in_their_township(web_user, world, session_factory) -> None:  # noqa: ANN001
    user = web_user("town_admin")
    assert tree(user, COUNTY).status_code == 403
    body = text(tree(user, T2))
    assert "打洛镇" in body and "测试村一" not in body and S1 not in body
    assert f"area:{T2}" not in body and f"area:{V2}" in body      # their villages, not their township
    assert rename(user, V1, "改名").status_code == 403                       # another township's village
    assert rename(user, T2, "改名").status_code == 403                       # their own township
    assert act(user, world["schools"][S1], "close").status_code == 403       # another township's school
    assert act(user, world["schools"][S2], "move", town=T1).status_code == 403   # out of their township
    assert rename(user, world["schools"][S1], "改名", "school").status_code == 403
    assert "text-danger" in text(rename(user, "", "改名", "nothing"))
    assert "text-success" in text(rename(user, V2, "测试村二（新）"))
    with session_factory() as s:
        assert s.get(Area, V1).name == "测试村一" and s.get(Area, T2).name == "打洛镇"
        assert s.get(Area, V2).name == "测试村二（新）"
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "rename")).one()
        assert entry.actor == "town_admin" and entry.area_code == V2


def test_closing_a_school_and_bad_values(web_user, world, session_factory) -> None:  # noqa: ANN001
    user = web_user("county_admin")
    sid = world["schools"][S2]
    assert "text-danger" in text(act(user, sid, "close", term="2024-9"))
    assert "text-danger" in text(act(user, sid, "close", term="2024-1"))    # it has a roster in 2024-1
    assert "text-success" in text(act(user, sid, "merge", merge=world["schools"][S1]))
    with session_factory() as s:
        school = s.get(School, sid)
        assert school.closed_from == "2024-2" and school.merged_into_id == world["schools"][S1]
    body = text(tree(user, COUNTY))
    assert "merged into" in body or "起并入" in body


def test_an_areas_file_is_previewed_then_confirmed(web_user, world, session_factory) -> None:  # noqa: ANN001
    user = web_user("county_admin")
    content = (DATA / "areas.csv").read_text(encoding="utf-8").replace("测试村一", "曼真村民委员会").encode()
    preview = upload(user, content).get_json()["response"]
    body = json.dumps(preview, ensure_ascii=False)
    assert "areas-preview-box" in body and "曼真村民委员会" in body and "测试村一" in body
    assert preview["areas-confirm"]["disabled"] is False
    seen = preview["areas-seen"]["data"]
    with session_factory() as s:
        assert s.get(Area, V1).name == "测试村一"                              # the preview writes nothing
    # a confirmation without (or with another) preview writes nothing
    assert "text-danger" in text(upload(user, content, "areas-confirm.n_clicks", None))
    assert "text-danger" in text(upload(user, content, "areas-confirm.n_clicks", {"sha": "0" * 64}))
    done = text(upload(user, content, "areas-confirm.n_clicks", seen))
    assert "areas-imported" in done
    with session_factory() as s:
        assert s.get(Area, V1).name == "曼真村民委员会"


def test_a_township_admin_cannot_import_other_areas(web_user, world, session_factory) -> None:  # noqa: ANN001
    body = text(upload(web_user("town_admin"), (DATA / "areas.csv").read_bytes()))
    assert "areas-preview-bad" in body


def test_cli_refuses_renames_without_the_flag(server, world, session_factory, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "areas.csv"
    path.write_text((DATA / "areas.csv").read_text(encoding="utf-8").replace("测试村一", "曼真村民委员会"),
                    encoding="utf-8")
    runner = server.test_cli_runner()
    refused = runner.invoke(args=["import-areas", str(path)])
    assert refused.exit_code == 1 and "--confirm-renames" in refused.output
    with session_factory() as s:
        assert s.get(Area, V1).name == "测试村一"
    done = runner.invoke(args=["import-areas", str(path), "--confirm-renames"])
    assert done.exit_code == 0, done.output
    with session_factory() as s:
        assert s.get(Area, V1).name == "曼真村民委员会"
