"""The case page through the real callback route and the notice downloads, as users of different areas:
another township's officer, another school's staff and the other zone's inspector get 403 on every
callback and download; actions answer with the version check; notices read back with python-docx."""
from __future__ import annotations

import datetime as dt
import io
import json
import re

import dash
import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader
from sqlalchemy import func, select

from documents.case_notices import cn_date
from wording.statutes import ARTICLES, count_words
from tests.dashboard.test_official_documents import _save as save_doc
from data_access.cases.cases import open_case
from data_access.models import AuditLog, RosterRecord
from data_access.models import CaseAttempt, CaseEvent, DropoutCase
from tests.cases.test_case_fixtures import FOUND, new_case, version
from tests.inspection.test_inspection_fixtures import actor, world  # noqa: F401

SHOW = "..case-header.children...case-steps.children...case-actions.children...case-notices.children..." \
       "case-fields.children...case-attempts.children...case-history.children...case-version.data.."
ACT = "..case-refresh.data...case-alert.children.."
REVEAL = '{"field":["MATCH"],"type":"case-secret"}.children'
ACTIONS = ("confirm", "escalate", "record_outcome", "reject_outcome", "close", "reopen", "save_fields", "add_attempt")
INPUTS = {"deadline": None, "escalate_note": "x", "outcome": "returned", "outcome_date": "2024-10-08",
          "outcome_note": "", "verify_note": "核实", "attendance_by": "", "attendance_first": None,
          "attendance_last": None, "reject_reason": "x", "reopen_reason": "x",
          "attempt_date": "2024-10-08", "attempt_who": "某人", "attempt_method": "phone", "attempt_result": ""}
FIELDS = {"reason": "poverty", "reason_note": "", "special_groups": [], "gov_responsible": "", "edu_responsible": "",
          "helper": "", "plan": "恶意修改", "absence_days": 1}


def post(user, output: str, outputs: list, inputs: list, state: list = (), changed: str = ""):  # noqa: ANN001, ANN201
    """POST a hand-made callback request, as Dash's renderer would."""
    body = {"output": output, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": inputs,
            "state": list(state), "changedPropIds": [changed]}
    return user.client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": user.csrf()})


def _pid(kind: str, **keys: object) -> str:
    return json.dumps({"type": kind, **keys}, sort_keys=True, separators=(",", ":"))


def show(user, case_id: object):  # noqa: ANN001, ANN201
    """The page's read callback."""
    outs = [{"id": i, "property": p} for i, p in (
        ("case-header", "children"), ("case-steps", "children"), ("case-actions", "children"),
        ("case-notices", "children"), ("case-fields", "children"), ("case-attempts", "children"),
        ("case-history", "children"), ("case-version", "data"))]
    return post(user, SHOW, outs, [{"id": "case-id", "property": "data", "value": case_id},
                                   {"id": "case-refresh", "property": "data", "value": 0}], changed="case-id.data")


def do(user, case_id: object, action: str, version_: object, inputs: dict | None = None,  # noqa: ANN001, ANN201
       fields: dict | None = None):
    """The page's action callback, as if the button of `action` was clicked."""
    buttons = [{"id": {"type": "case-act", "action": a}, "property": "n_clicks", "value": 1 if a == action else 0}
               for a in ACTIONS]
    ins = [{"id": {"type": "case-in", "name": k}, "property": "value", "value": v}
           for k, v in (INPUTS if inputs is None else inputs).items()]
    fis = [{"id": {"type": "case-field", "name": k}, "property": "value", "value": v}
           for k, v in (FIELDS if fields is None else fields).items()]
    state = [ins, fis, {"id": "case-id", "property": "data", "value": case_id},
             {"id": "case-version", "property": "data", "value": {"version": version_}},
             {"id": "case-refresh", "property": "data", "value": 0}]
    outs = [{"id": "case-refresh", "property": "data"}, {"id": "case-alert", "property": "children"}]
    return post(user, ACT, outs, [buttons], state, changed=f"{_pid('case-act', action=action)}.n_clicks")


def uncover(user, case_id: object, field: str):  # noqa: ANN001, ANN201
    """The reveal callback for one field."""
    return post(user, REVEAL, [{"id": {"type": "case-secret", "field": field}, "property": "children"}],
                [{"id": {"type": "case-reveal", "field": field}, "property": "n_clicks", "value": 1}],
                [{"id": "case-id", "property": "data", "value": case_id}],
                changed=f"{_pid('case-reveal', field=field)}.n_clicks")


def notice(user, path: str):  # noqa: ANN001, ANN201
    """Print a notice as the page's form does: a POST with the CSRF token (it is recorded in the case history)."""
    return user.client.post(path, data={"csrf_token": user.csrf()})


def test_notice_download_by_get_changes_nothing(web_user, cases, session_factory) -> None:  # noqa: ANN001
    """Issue 11: a link on another site cannot make a notice (and its history entry): a GET gets the app's page,
    not the notice, and a POST needs the page's CSRF token."""
    officer = web_user("officer2")
    got = officer.client.get(f"/cases/case/{cases['t2']}/notice/return-order.docx")
    assert not got.data.startswith(b"PK") and "attachment" not in got.headers.get("Content-Disposition", "")
    assert officer.client.post(f"/cases/case/{cases['t2']}/notice/return-order.docx").status_code == 400  # no token
    with session_factory() as s:
        assert not s.scalars(select(CaseEvent).where(CaseEvent.action == "notice")).all()
        assert not s.scalars(select(AuditLog).where(AuditLog.action == "download")).all()


def text(resp) -> str:  # noqa: ANN001
    """A callback answer as readable text (Chinese unescaped)."""
    return json.dumps(resp.get_json(), ensure_ascii=False)


@pytest.fixture
def cases(session_factory, world, server) -> dict[str, int]:  # noqa: ANN001, F811
    """A zone-2 case at step 4 (township t2, school s2a) and a zone-1 case at step 1 (township t1)."""
    ids = {"t2": new_case(session_factory, world, "甲一", step=4)}
    with session_factory() as s, s.begin():
        sid = s.scalar(select(RosterRecord.student_id).where(RosterRecord.school_id == world.s1)
                       .order_by(RosterRecord.id))
        ids["t1"] = open_case(s, actor(s, world, "officer1"), student_id=sid, source="school_report",
                              found_date=FOUND)
    return ids


def _footprint(session_factory) -> tuple:  # noqa: ANN001
    with session_factory() as s:
        return (tuple(s.execute(select(DropoutCase.id, DropoutCase.version).order_by(DropoutCase.id)).all()),
                s.scalar(select(func.count()).select_from(CaseEvent)),
                s.scalar(select(func.count()).select_from(CaseAttempt)),
                s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("reveal%"))))


@pytest.mark.parametrize(("who", "target"), [("officer1", "t2"), ("staff2b", "t2"), ("insp1", "t2"),
                                             ("insp2", "t1"), ("officer2", "t1"), ("staff2a", "t1")])
def test_outsiders_get_403_on_every_callback(web_user, cases, session_factory, who: str,  # noqa: ANN001
                                             target: str) -> None:
    case_id = cases[target]
    before = _footprint(session_factory)
    user = web_user(who)
    assert show(user, case_id).status_code == 403
    assert show(user, 999_999).status_code == 403  # unknown ids look the same
    for action in ACTIONS:
        assert do(user, case_id, action, version(session_factory, case_id)).status_code == 403, action
    for field in ("id_number", "guardian_phone"):
        assert uncover(user, case_id, field).status_code == 403
    for kind in ("return-order", "urge-return"):
        assert notice(user, f"/cases/case/{case_id}/notice/{kind}.docx").status_code == 403
    assert _footprint(session_factory) == before


def test_readers_see_but_cannot_act(web_user, cases, session_factory) -> None:  # noqa: ANN001
    before = _footprint(session_factory)
    for who in ("leader", "insp2"):
        user = web_user(who)
        page = show(user, cases["t2"])
        assert page.status_code == 200
        assert ("甲一" in text(page)) == (who == "insp2")  # county leaders see names masked
        if who == "leader":
            assert "甲*" in text(page)
        for action in ACTIONS:
            assert do(user, cases["t2"], action, version(session_factory, cases["t2"])).status_code == 403
        assert uncover(user, cases["t2"], "guardian_phone").status_code == 403
    assert _footprint(session_factory) == before
    assert notice(web_user("leader"), f"/cases/case/{cases['t2']}/notice/return-order.docx").status_code == 403


def test_actions_through_the_page(web_user, cases, session_factory) -> None:  # noqa: ANN001
    officer = web_user("officer2")
    cid = cases["t2"]
    v = version(session_factory, cid)
    page = show(officer, cid)
    assert page.status_code == 200 and f'"version": {v}' in text(page)
    assert "case-do-escalate" in text(page) and "case-do-reopen" not in text(page)
    stale = do(officer, cid, "escalate", v - 1)
    assert stale.status_code == 200 and "officer2" in text(stale) and "case-alert-reload" in text(stale)
    illegal = do(officer, cid, "reopen", v)  # not offered on an open case: refused with a message
    assert "只有已销号的个案才能重新打开" in text(illegal) or "Only a closed case can be reopened." in text(illegal)
    assert version(session_factory, cid) == v
    ok = do(officer, cid, "escalate", v, {**INPUTS, "escalate_note": "仍未返校"})
    assert ok.status_code == 200 and ok.get_json()["response"]["case-refresh"]["data"] == 1
    with session_factory() as s:
        case = s.get(DropoutCase, cid)
        assert (case.step, case.version) == (5, v + 1)
    short = do(officer, cid, "record_outcome", v + 1, {**INPUTS, "outcome": "returned"})
    assert short.status_code == 200
    close = do(officer, cid, "close", v + 2, {**INPUTS, "attendance_by": "班主任", "attendance_first": "2024-10-09",
                                              "attendance_last": "2024-10-10"})  # two school days: too few
    assert "2" in text(close) and version(session_factory, cid) == v + 2
    assert do(officer, cid, "close", v + 2, INPUTS).status_code == 200  # back since 2024-10-08: long enough
    with session_factory() as s:
        assert s.get(DropoutCase, cid).status == "closed"


def test_school_staff_work_their_case(web_user, cases, session_factory) -> None:  # noqa: ANN001
    staff = web_user("staff2a")
    cid = cases["t2"]
    v = version(session_factory, cid)
    assert do(staff, cid, "save_fields", v, fields={**FIELDS, "plan": "一生一策：每周家访"}).status_code == 200
    assert do(staff, cid, "add_attempt", v + 1).status_code == 200
    escalate = do(staff, cid, "escalate", v + 2)  # step 4 → 5 is the township's
    assert escalate.status_code == 200 and version(session_factory, cid) == v + 2
    revealed = uncover(staff, cid, "guardian_phone")
    assert revealed.status_code == 200 and "13800000001" in text(revealed)
    with session_factory() as s:
        assert s.get(DropoutCase, cid).plan == "一生一策：每周家访"
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "reveal_phone")) == 1


@pytest.mark.parametrize(("who", "status"), [("officer2", 200), ("staff2a", 200), ("insp2", 200), ("admin", 200),
                                             ("leader", 403), ("officer1", 403), ("staff2b", 403), ("insp1", 403)])
def test_notice_downloads(web_user, cases, who: str, status: int) -> None:  # noqa: ANN001
    user = web_user(who)
    for kind in ("return-order", "urge-return"):
        assert notice(user, f"/cases/case/{cases['t2']}/notice/{kind}.docx").status_code == status
    assert notice(user, "/cases/case/999999/notice/return-order.docx").status_code == 403


def test_notices_before_step_4_and_unknown_kinds(web_user, cases) -> None:  # noqa: ANN001
    officer = web_user("officer1")
    assert notice(officer, f"/cases/case/{cases['t1']}/notice/return-order.docx").status_code == 409
    assert notice(officer, f"/cases/case/{cases['t1']}/notice/summons.docx").status_code == 404
    anonymous = web_user(None)
    assert notice(anonymous, f"/cases/case/{cases['t2']}/notice/return-order.docx").status_code in (302, 401)


def test_notice_docx_reads_back(web_user, cases, session_factory) -> None:  # noqa: ANN001
    with session_factory() as s:
        deadline = s.get(DropoutCase, cases["t2"]).return_deadline
    officer = web_user("officer2")
    numbers = []
    for kind, title in (("return-order", "限期复学通知书"), ("urge-return", "敦促辍学学生返校通知书")):
        resp = notice(officer, f"/cases/case/{cases['t2']}/notice/{kind}.docx")
        assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
        doc = Document(io.BytesIO(resp.data))
        save_doc(f"{kind}.docx", resp.data)
        body = "\n".join(p.text for p in doc.paragraphs)
        assert title in body and "甲一" in body and "二中心小学" in body and "乡镇2人民政府" in body
        assert "一年级1班" in body
        if deadline and deadline > __import__("domain.localtime", fromlist=["x"]).local_today():
            assert cn_date(deadline) in body
        number = re.search(r"(\S+)〔(\d{4})〕([1-9]\d*)号", body)
        assert number and number.group(1) == "乡镇2政"  # the township's register, not the case id
        numbers.append(int(number.group(3)))
        assert "教育局" in body  # jointly issued with the education bureau
        assert "多次" not in body  # only the attempts recorded
        if kind == "return-order":
            assert f"第五十八条规定：“{ARTICLES[(58, 0)]}”" in body  # quoted verbatim
        with session_factory() as s:
            attempts = s.scalar(select(func.count()).select_from(CaseAttempt).where(CaseAttempt.case_id == cases["t2"]))
        assert (f"（共{count_words(attempts)}）" in body) == bool(attempts)
        assert notice(officer, f"/cases/case/{cases['t2']}/notice/{kind}.docx").data == resp.data  # as issued
        pdf = notice(officer, f"/cases/case/{cases['t2']}/notice/{kind}.pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        text = "".join(PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().replace("\x00", "").split())
        assert number.group(0) in text and title in text
        fonts = {r.element.rPr.rFonts.get(qn("w:eastAsia")) for p in doc.paragraphs for r in p.runs}
        assert fonts <= {"仿宋_GB2312", "方正小标宋简体"} and "仿宋_GB2312" in fonts
        footer_xml = doc.sections[0].footer._element.xml
        assert "PAGE" in footer_xml
        assert doc.sections[0].page_width.mm == pytest.approx(210, abs=0.5)
    with session_factory() as s:
        notes = s.scalars(select(CaseEvent.detail).where(CaseEvent.case_id == cases["t2"],
                                                         CaseEvent.action == "notice")).all()
        assert numbers == [numbers[0], numbers[0] + 1]  # sequential per issuer and year
        assert sorted(n.split()[0] for n in notes) == ["return-order"] * 3 + ["urge-return"] * 3
        assert s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "download", AuditLog.entity == "dropout_case")) == 6
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "issue")) == 2


def test_case_page_is_not_in_the_navigation(dash_app) -> None:  # noqa: ANN001
    page = next(p for p in dash.page_registry.values() if p["path"] == "/cases/case")
    assert page["roles"] == () and set(page["case_roles"]) == {"county_leader", "inspector", "township_officer",
                                                                 "school_staff", "admin"}


def test_unknown_holiday_year_shows_a_warning(web_user, cases, session_factory) -> None:  # noqa: ANN001
    officer = web_user("officer2")
    with session_factory() as s, s.begin():
        case = s.get(DropoutCase, cases["t2"])
        case.step_started = dt.date(2027, 9, 30)  # chinese-calendar does not know 2027's holidays
    page = text(show(officer, cases["t2"]))
    assert "case-calendar-warning" in page and "2027" in page
    assert "2027-10-14" in page  # step 4's ten working days counted Monday to Friday


def test_step_5_and_6_drafts(web_user, cases, session_factory) -> None:  # noqa: ANN001
    officer = web_user("officer2")
    assert notice(officer, f"/cases/case/{cases['t2']}/notice/prosecution-support.docx").status_code in (200, 409)
    with session_factory() as s, s.begin():
        s.get(DropoutCase, cases["t2"]).step = 6
    for kind, title in (("penalty-draft", "行政处罚决定书"), ("prosecution-support", "支持起诉函")):
        resp = notice(officer, f"/cases/case/{cases['t2']}/notice/{kind}.docx")
        assert resp.status_code == 200
        save_doc(f"{kind}.docx", resp.data)
        doc = Document(io.BytesIO(resp.data))
        body = "\n".join(p.text for p in doc.paragraphs)
        assert title in body and "甲一" in body and "草稿" in doc.sections[0].header.paragraphs[0].text
        assert re.search(r"〔\d{4}〕　号", body)  # the sequence left for the clerk: drafts take no number
        pdf = notice(officer, f"/cases/case/{cases['t2']}/notice/{kind}.pdf")
        assert pdf.status_code == 200 and title in "".join(
            PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().replace("\x00", "").split())
    assert "六十日内依法申请行政复议" in "\n".join(
        p.text for p in Document(io.BytesIO(notice(officer, f"/cases/case/{cases['t2']}/notice/penalty-draft.docx")
                                            .data)).paragraphs)
