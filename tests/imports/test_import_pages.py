"""The Imports page through the real callback route, as users of each role (hand-made requests, as a
browser or an attacker would send them), and the background job run with the ticket the page hands out."""
from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from data_access import models as m
from data_access.imports.files import import_areas, import_schools
from pages.imports import runner as import_runner
from pages.imports.runner import job_store, run_import_job, sign
from tests import factories as f
from tests.imports.test_imports import DATA

TERM = "2024-1"


@pytest.fixture(autouse=True)
def _own_job_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Job files per test (user ids start again at 1 in every test's database)."""
    monkeypatch.setattr(import_runner, "INSTANCE_DIR", tmp_path / "instance")


@pytest.fixture
def users(session_factory):  # noqa: ANN001, ANN201
    """The fixture areas and schools, and one user of each role that matters here."""
    with session_factory() as s, s.begin():
        import_areas(s, DATA / "areas.csv")
        import_schools(s, DATA / "schools.csv")
    with session_factory() as s, s.begin():
        school = s.scalar(select(m.School).where(m.School.code == "2153000001"))
        f.user.create(s, username="admin", role="admin", area_code=None)
        f.user.create(s, username="staff", role="school_staff", area_code="532822101000", school_id=school.id)
        f.user.create(s, username="officer", role="township_officer", area_code="532822101000")
        f.user.create(s, username="leader", role="county_leader", area_code="532822000000")
    return session_factory


def call(user, dash_app, output: str, inputs: list[tuple[str, str, Any]],  # noqa: ANN001
         state: list[tuple[str, str, Any]] = ()):  # noqa: ANN201
    """POST a callback request for the callback whose outputs include `output` (as Dash registered them)."""
    import dash._callback
    key = next(k for k in (*dash_app.callback_map, *dash._callback.GLOBAL_CALLBACK_MAP) if output in k)
    outputs = [o.split("@")[0].split(".", 1) for o in key.strip(".").split("...")] if key.startswith("..") \
        else [key.split(".", 1)]
    body = {"output": key,
            "outputs": [{"id": i, "property": p} for i, p in outputs] if key.startswith("..")
            else {"id": outputs[0][0], "property": outputs[0][1]},
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
            "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"]}
    return user.client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": user.csrf()})


def data_url(path: Path) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(path.read_bytes()).decode()


def response(resp) -> dict[str, Any]:  # noqa: ANN001
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_json()["response"]


def upload(user, dash_app, path: Path) -> str:  # noqa: ANN001
    """Upload a file through the page; return the signed reference the browser keeps."""
    out = response(call(user, dash_app, "imports-upload-ref.data", [("imports-upload", "contents", data_url(path))],
                        [("imports-upload", "filename", path.name)]))
    assert out["imports-start"]["disabled"] is False
    return out["imports-upload-ref"]["data"]


def start(user, dash_app, ref: str, kind: str, term: str | None = TERM):  # noqa: ANN001, ANN201
    return call(user, dash_app, "imports-ticket.data", [("imports-start", "n_clicks", 1)],
                [("imports-kind", "value", kind), ("imports-term", "value", term),
                 ("imports-code-property", "value", "code"), ("imports-upload-ref", "data", ref),
                     ("imports-datum", "value", "wgs84")])


def run_ticket(server, ticket: str) -> str | None:  # noqa: ANN001
    """What the background callback does with the ticket (Dash runs it in a thread or a Celery worker)."""
    return run_import_job(server.extensions["baoxue"].session_factory, job_store(), server.config["SECRET_KEY"],
                          ticket)


def confirm(user, dash_app, job_id: str, large: bool | None = False):  # noqa: ANN001, ANN201
    """Press the preview's confirm button (with the second-confirmation box as given)."""
    return call(user, dash_app, "imports-confirm-message.children", [("imports-confirm", "n_clicks", 1)],
                [("imports-job", "data", job_id), ("imports-confirm-large", "value", large)])


def import_confirmed(user, dash_app, server, path: Path, term: str = TERM, large: bool = False) -> str:  # noqa: ANN001
    """Upload a roster, run its preview, confirm it and run the write; returns the writing job's id."""
    ticket = response(start(user, dash_app, upload(user, dash_app, path), "roster", term))["imports-ticket"]["data"]
    preview_job = run_ticket(server, ticket)
    out = response(confirm(user, dash_app, preview_job, large))
    return run_ticket(server, out["imports-ticket"]["data"])


def show(user, dash_app) -> dict[str, Any]:  # noqa: ANN001
    return response(call(user, dash_app, "imports-result.children", [("imports-done", "data", None),
                                                                      ("imports-poll", "n_intervals", 0),
                                                                      ("imports-result", "id", "imports-result")]))


def text(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False)


def roster_rows(factory) -> int:  # noqa: ANN001
    with factory() as s:
        return s.scalar(select(func.count()).select_from(m.RosterRecord))


def test_anonymous_and_other_roles_are_refused(web_user, users, dash_app) -> None:  # noqa: ANN001
    anonymous = web_user(None)
    assert call(anonymous, dash_app, "imports-kind.options", [("imports-kind", "id", "imports-kind")]).status_code == 401
    assert call(anonymous, dash_app, "imports-upload-ref.data", [("imports-upload", "contents", "data:,")],
                [("imports-upload", "filename", "x.csv")]).status_code == 401
    leader = web_user("leader")
    assert call(leader, dash_app, "imports-kind.options", [("imports-kind", "id", "imports-kind")]).status_code == 403
    assert call(leader, dash_app, "imports-upload-ref.data", [("imports-upload", "contents", data_url(DATA / "roster.csv"))],
                [("imports-upload", "filename", "roster.csv")]).status_code == 403
    assert not any(p.get("path") == "/imports" and "county_leader" in p["roles"]
                   for p in __import__("dash").page_registry.values())


def test_each_role_is_offered_its_kinds(web_user, users, dash_app) -> None:  # noqa: ANN001
    def kinds(name: str) -> list[str]:
        out = response(call(web_user(name), dash_app, "imports-kind.options", [("imports-kind", "id", "imports-kind")]))
        return [o["value"] for o in out["imports-kind"]["options"]]
    assert kinds("admin") == ["roster", "population", "enrollment_history", "poverty", "schools", "areas", "boundaries"]
    assert kinds("staff") == ["roster"]
    assert kinds("officer") == ["population"]


def test_school_staff_importing_another_schools_roster_is_refused(web_user, users, dash_app, server) -> None:  # noqa: ANN001
    staff = web_user("staff")
    ref = upload(staff, dash_app, DATA / "roster.csv")        # rows 4 and 5 are of school 2153000002
    refused_kind = response(start(staff, dash_app, ref, "population"))
    assert "imports-ticket" not in refused_kind and "无权导入" in text(refused_kind)  # users see Chinese by default
    ticket = response(start(staff, dash_app, ref, "roster"))["imports-ticket"]["data"]
    job_id = run_ticket(server, ticket)
    job = job_store().get(staff_id(users, "staff"), job_id)
    assert job["status"] == "finished" and job["result"]["ok"] is False
    problems = [(p["row"], p["column"], p["reason"]) for p in job["result"]["problems"]]
    assert problems == [(4, "学校标识码", "you may import only the roster of your own school"),
                        (5, "学校标识码", "you may import only the roster of your own school")]
    assert roster_rows(users) == 0
    with users() as s:
        entry = s.scalars(select(m.AuditLog).where(m.AuditLog.action == "import_refused")).one()
    assert (entry.entity, entry.entity_key, entry.actor) == ("roster", "roster.csv", "staff")
    shown = text(show(staff, dash_app))
    assert "imports-problems" in shown and "学校标识码" in shown and '"imports-status"' in shown
    assert job_store().upload_path(staff_id(users, "staff"), job["upload_id"]) is None     # the upload is gone


def staff_id(factory, name: str) -> int:  # noqa: ANN001
    with factory() as s:
        return s.scalar(select(m.User.id).where(m.User.username == name))


def test_school_staff_imports_own_roster(web_user, users, dash_app, server, tmp_path: Path) -> None:  # noqa: ANN001
    rows = (DATA / "roster.csv").read_text(encoding="utf-8").splitlines()
    own = tmp_path / "own.csv"
    own.write_text("\n".join(r for r in rows if ",2153000002," not in r) + "\n", encoding="utf-8")
    staff = web_user("staff")
    job = job_store().get(staff_id(users, "staff"), import_confirmed(staff, dash_app, server, own))
    assert job["result"]["ok"] and job["result"]["new"] == 3
    assert roster_rows(users) == 3
    shown = show(staff, dash_app)
    assert shown["imports-result"]["children"] and '"imports-new", "children": "3"' in text(shown).replace(
        '"children": "3", "id": "imports-new"', '"imports-new", "children": "3"')


def test_township_officer_cannot_import_another_townships_population(web_user, users, dash_app, server) -> None:  # noqa: ANN001
    officer = web_user("officer")
    ref = upload(officer, dash_app, DATA / "population.csv")   # village rows of both townships
    assert "无权导入" in text(response(start(officer, dash_app, ref, "roster")))
    ticket = response(start(officer, dash_app, ref, "population"))["imports-ticket"]["data"]
    job = job_store().get(staff_id(users, "officer"), run_ticket(server, ticket))
    result = job["result"]
    assert result["ok"] is False and result["problem_count"] == 9
    assert {(p["column"], p["value"]) for p in result["problems"]} == {("区划代码", "532822102201")}
    with users() as s:
        assert s.scalar(select(func.count()).select_from(m.Population)) == 0


def test_ticket_cannot_be_forged_or_replayed_for_another_user(web_user, users, dash_app, server) -> None:  # noqa: ANN001
    staff = web_user("staff")
    ticket = response(start(staff, dash_app, upload(staff, dash_app, DATA / "roster.csv"), "roster"))
    job_id = json.loads(base64.urlsafe_b64decode(ticket["imports-ticket"]["data"].split(".")[0] + "=="))["j"]
    admin_id = staff_id(users, "admin")
    assert run_ticket(server, sign("not-the-key", u=admin_id, j=job_id)) is None
    assert run_ticket(server, sign(server.config["SECRET_KEY"], u=admin_id, j=job_id)) is None   # not the admin's job
    assert job_store().get(staff_id(users, "staff"), job_id)["status"] == "queued"
    assert roster_rows(users) == 0


def test_a_user_whose_rights_were_withdrawn_is_refused_in_the_job(web_user, users, dash_app, server) -> None:  # noqa: ANN001
    staff = web_user("staff")
    ticket = response(start(staff, dash_app, upload(staff, dash_app, DATA / "roster.csv"), "roster"))
    with users() as s, s.begin():
        s.scalar(select(m.User).where(m.User.username == "staff")).role = "county_leader"
    job = job_store().get(staff_id(users, "staff"), run_ticket(server, ticket["imports-ticket"]["data"]))
    assert (job["status"], job["error"]) == ("failed", "not allowed")
    assert roster_rows(users) == 0


def test_admin_import_result_missing_students_and_report_download(web_user, users, dash_app, server,
                                                                  tmp_path: Path) -> None:  # noqa: ANN001
    admin = web_user("admin")
    import_confirmed(admin, dash_app, server, DATA / "roster.csv")
    rows = (DATA / "roster.csv").read_text(encoding="utf-8").splitlines()
    spring = tmp_path / "spring.csv"
    spring.write_text("\n".join(r for r in rows if "测试乙" not in r) + "\n", encoding="utf-8")
    job_id = import_confirmed(admin, dash_app, server, spring, "2024-2")
    shown = show(admin, dash_app)
    assert shown["imports-job"]["data"] == job_id and shown["imports-poll"]["disabled"] is True
    body = text(shown)
    assert "imports-missing" in body and "G990101201406070020" in body and "测试乙" in body
    resp = call(admin, dash_app, "imports-download.data", [("imports-download-button", "n_clicks", 1)],
                [("imports-job", "data", job_id)])
    download = response(resp)["imports-download"]["data"]
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(download["content"])))
    sheet = book.worksheets[0]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "G990101201406070020" in values and "测试乙" in values
    # another user cannot fetch it, even knowing the job id
    staff = web_user("staff")
    other = call(staff, dash_app, "imports-download.data", [("imports-download-button", "n_clicks", 1)],
                 [("imports-job", "data", job_id)])
    assert other.status_code == 403


def test_refusal_report_download_lists_row_column_value_reason(web_user, users, dash_app, server) -> None:  # noqa: ANN001
    admin = web_user("admin")
    ticket = response(start(admin, dash_app, upload(admin, dash_app, DATA / "roster_bad_checksum.csv"), "roster"))
    job_id = run_ticket(server, ticket["imports-ticket"]["data"])
    resp = call(admin, dash_app, "imports-download.data", [("imports-download-button", "n_clicks", 1)],
                [("imports-job", "data", job_id)])
    download = response(resp)["imports-download"]["data"]
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(download["content"]))).worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == 2]
    assert rows and rows[0][:3] == (2, "身份证件号", "9901…")
    with users() as s:
        assert s.scalars(select(m.AuditLog).where(m.AuditLog.entity == "import_report")).one()


def test_too_big_upload_is_refused_with_a_message(web_user, users, dash_app, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(import_runner, "MAX_UPLOAD_BYTES", 100)
    out = response(call(web_user("admin"), dash_app, "imports-upload-ref.data",
                        [("imports-upload", "contents", data_url(DATA / "roster.csv"))],
                        [("imports-upload", "filename", "roster.csv")]))
    assert out["imports-upload-ref"]["data"] is None and out["imports-start"]["disabled"] is True
    assert "larger than" in text(out) or "MB" in text(out)


def test_coming_back_shows_a_running_import_and_polls(web_user, users, dash_app) -> None:  # noqa: ANN001
    admin = web_user("admin")
    store = job_store()
    job_id = store.create(staff_id(users, "admin"), kind="roster", term=TERM, file_name="big.xlsx", upload_id="",
                          language="en")
    store.update(staff_id(users, "admin"), job_id, status="running",
                 progress={"done": 12000, "total": 40000, "phase": "checking"})
    shown = show(admin, dash_app)
    assert shown["imports-poll"]["disabled"] is False
    assert shown["imports-progress"]["value"] == 12000 and shown["imports-progress"]["max"] == 40000
    assert "12,000" in text(shown) and "40,000" in text(shown)
    assert start(admin, dash_app, "x", "roster").status_code == 200      # a second import waits for the first
    assert "ticket" not in text(response(start(admin, dash_app, "x", "roster")))


def test_job_state_is_per_user(web_user, users, dash_app, server) -> None:  # noqa: ANN001
    admin = web_user("admin")
    run_ticket(server, response(start(admin, dash_app, upload(admin, dash_app, DATA / "roster.csv"),
                                      "roster"))["imports-ticket"]["data"])
    staff_view = text(show(web_user("staff"), dash_app))
    assert "roster.csv" not in staff_view and "imports-status" not in staff_view


def test_a_job_that_cannot_be_queued_is_answered_as_an_error(web_user, users, dash_app, monkeypatch) -> None:  # noqa: ANN001
    """Dash 4.5 answers a background job it could not set up with HTTP 200 {"error": …}, which the page would take
    for a job under way; the app answers 500 (503 "jobs" when the job service is down: tests/test_redis_down.py)."""
    from web.jobs import ThreadDiskcacheManager

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise ValueError("the job could not be stored")
    monkeypatch.setattr(ThreadDiskcacheManager, "call_job_fn", refuse)
    resp = call(web_user("admin"), dash_app, "imports-done.data", [("imports-ticket", "data", "a-ticket")])
    assert resp.status_code == 500 and resp.headers["X-Baoxue-Reason"] == "error", resp.get_data(as_text=True)[:300]
    assert "error" in resp.get_json()
