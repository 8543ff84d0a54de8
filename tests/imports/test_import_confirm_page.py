"""Issue 16.1 on the Imports page, through the real callback route: a roster upload is previewed (new / changed /
unchanged / removed, the pupils who would leave) and written only when confirmed; removing more than the share of
a school's pupils needs the second confirmation; a file that only adds rows needs no second one; a roster that
changed between preview and confirmation shows the new preview instead of writing; the kept file is the user's."""
from __future__ import annotations

from pathlib import Path

from data_access.imports.files import import_roster
from pages.imports import runner as import_runner
from pages.imports.runner import job_store
from tests.imports.test_import_pages import (  # noqa: F401 - fixtures
    _own_job_folder, confirm, import_confirmed, response, roster_rows, run_ticket, show, staff_id, start, text,
    upload, users)
from tests.imports.test_imports import DATA, TERM

ROWS = (DATA / "roster.csv").read_text(encoding="utf-8").splitlines()


def _file(tmp_path: Path, name: str, keep) -> Path:  # noqa: ANN001
    path = tmp_path / name
    path.write_text("\n".join([ROWS[0], *(r for r in ROWS[1:] if keep(r))]) + "\n", encoding="utf-8")
    return path


def _preview(user, dash_app, server, path: Path) -> str:  # noqa: ANN001
    ticket = response(start(user, dash_app, upload(user, dash_app, path), "roster"))["imports-ticket"]["data"]
    return run_ticket(server, ticket)


def test_a_partial_roster_is_previewed_and_written_only_after_both_confirmations(
        web_user, users, dash_app, server, tmp_path: Path) -> None:  # noqa: ANN001
    admin = web_user("admin")
    import_confirmed(admin, dash_app, server, DATA / "roster.csv")
    assert roster_rows(users) == 5
    partial = _file(tmp_path, "grade3.csv", lambda r: "测试甲" in r or ",2153000002," in r)   # school 1: only grade 3
    job_id = _preview(admin, dash_app, server, partial)
    result = job_store().get(staff_id(users, "admin"), job_id)["result"]
    assert result["preview"] and (result["unchanged"], result["removed"]) == (3, 2)
    assert roster_rows(users) == 5                                              # nothing written
    body = text(show(admin, dash_app))
    assert "imports-preview" in body and "imports-removed-grid" in body and "测试乙" in body and "测试戊" in body
    assert "将移除 2 名学生" in body and "是：将 2 名学生移出学籍" in body           # the second confirmation names it
    refused = response(confirm(admin, dash_app, job_id, large=False))          # 2 of school 1's 3 pupils: 67 %
    assert "imports-ticket" not in refused and "确认移除 2 名学生" in text(refused["imports-confirm-message"])
    assert roster_rows(users) == 5
    out = response(confirm(admin, dash_app, job_id, large=True))
    done = job_store().get(staff_id(users, "admin"), run_ticket(server, out["imports-ticket"]["data"]))
    assert done["result"]["ok"] and not done["result"]["preview"] and done["result"]["removed"] == 2
    assert roster_rows(users) == 3
    assert response(confirm(admin, dash_app, job_id, large=True))["imports-confirm-message"]   # used: no second write


def test_below_the_share_one_confirmation_is_enough(web_user, users, dash_app, server, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("BAOXUE_IMPORT_REMOVAL_SHARE", "80")
    admin = web_user("admin")
    import_confirmed(admin, dash_app, server, DATA / "roster.csv")
    job_id = _preview(admin, dash_app, server, _file(tmp_path, "p.csv", lambda r: "测试乙" not in r))
    out = response(confirm(admin, dash_app, job_id, large=False))
    run_ticket(server, out["imports-ticket"]["data"])
    assert roster_rows(users) == 4


def test_a_file_only_adding_rows_needs_no_second_confirmation(web_user, users, dash_app, server, tmp_path) -> None:  # noqa: ANN001
    staff = web_user("staff")
    own = _file(tmp_path, "own.csv", lambda r: ",2153000001," in r)
    job_id = _preview(staff, dash_app, server, own)
    body = text(show(staff, dash_app))
    assert "imports-rows-grid" in body and "imports-removed-grid" not in body
    out = response(confirm(staff, dash_app, job_id, large=None))
    run_ticket(server, out["imports-ticket"]["data"])
    assert roster_rows(users) == 3


def test_a_roster_changed_since_the_preview_shows_the_new_preview(web_user, users, dash_app, server, tmp_path) -> None:  # noqa: ANN001
    admin = web_user("admin")
    import_confirmed(admin, dash_app, server, DATA / "roster.csv")
    job_id = _preview(admin, dash_app, server, _file(tmp_path, "p.csv", lambda r: "测试乙" not in r))
    meanwhile = _file(tmp_path, "m.csv", lambda r: "测试戊" not in r)           # someone else removes 测试戊
    with users() as s, s.begin():
        assert import_roster(s, meanwhile, TERM).ok
    out = response(confirm(admin, dash_app, job_id, large=True))
    again = job_store().get(staff_id(users, "admin"), run_ticket(server, out["imports-ticket"]["data"]))
    assert again["result"]["preview"] and again["result"]["stale"] and roster_rows(users) == 4   # not written
    body = text(show(admin, dash_app))
    assert "imports-stale" in body
    out = response(confirm(admin, dash_app, again["id"], large=True))          # the new preview can be confirmed
    run_ticket(server, out["imports-ticket"]["data"])
    assert roster_rows(users) == 4                         # 测试戊 back, 测试乙 gone


def test_only_the_user_confirms_their_preview_and_it_expires(web_user, users, dash_app, server, tmp_path,
                                                             monkeypatch) -> None:  # noqa: ANN001
    import datetime as dt
    staff = web_user("staff")
    job_id = _preview(staff, dash_app, server, _file(tmp_path, "own.csv", lambda r: ",2153000001," in r))
    admin = web_user("admin")                                  # another user's job id finds nothing
    assert "imports-ticket" not in response(confirm(admin, dash_app, job_id))
    officer = web_user("officer")                              # may not import rosters at all
    assert confirm(officer, dash_app, job_id).status_code == 403
    monkeypatch.setattr(import_runner, "PENDING_KEPT", dt.timedelta(seconds=-1))
    expired = response(confirm(staff, dash_app, job_id))
    assert "imports-ticket" not in expired and roster_rows(users) == 0
