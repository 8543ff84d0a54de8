"""Inspection pages through the real callback route and download routes, as users of different areas:
a zone-2 inspector cannot open or change a zone-1 visit by any callback or download; saves answer
with the version check; readers see what their area allows."""
from __future__ import annotations

import io
import json

import pytest
from docx import Document

from tests.dashboard.test_official_documents import _save as save_doc, pdf_text
from sqlalchemy import func, select

from data_access.inspection import records as rec
from data_access.inspection import sections as sec
from data_access.inspection.visits import sign_visit
from data_access.inspection.evidence import store
from data_access.models import AuditLog
from data_access.models import (ChecklistItem, EvidenceFile, Finding, HeadCount, HeadCountAbsence,
                                           InspectionVisit, Interview, PhoneCall)
from tests.inspection.test_inspection_fixtures import GAPS, DAY, TERM, actor, edit, new_visit, world  # noqa: F401

M, A = ["MATCH"], ["ALL"]


def _sid(i: object) -> str:
    return json.dumps(i, sort_keys=True, separators=(",", ":")) if isinstance(i, dict) else str(i)


def call(user, outputs: list, inputs: list, state: list = (), changed: str | None = None,  # noqa: ANN001
         key: str | None = None):  # noqa: ANN201
    """POST to /_dash-update-component: outputs are (pattern id, concrete id, property); an input or state
    is (id, property, value), or a list of them for an ALL wildcard."""
    if key is None:
        keys = _key(None, outputs, inputs)
        assert len(keys) == 1, keys
        key = keys[0]
    body = {
        "output": key,
        "outputs": [{"id": c, "property": prop} for _p, c, prop in outputs] if len(outputs) > 1
        else {"id": outputs[0][1], "property": outputs[0][2]},
        "inputs": [_dep(d) for d in inputs], "state": [_dep(d) for d in state],
        "changedPropIds": [changed] if changed else [f"{_sid(inputs[0][0])}.{inputs[0][1]}"],
    }
    return user.client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": user.csrf()})


def _dep(d: object) -> object:
    if isinstance(d, list):
        return [{"id": i, "property": p, "value": v} for i, p, v in d]
    i, p, v = d
    return {"id": i, "property": p, "value": v}


@pytest.fixture
def visits(session_factory, world, tmp_path, server):  # noqa: ANN001, ANN201, F811
    """A zone-1 visit with records of every method (and an evidence file), and a zone-2 visit."""
    server.config["EVIDENCE_DIR"] = str(tmp_path)
    v1 = new_visit(session_factory, world, who="insp1", township=world.t1, schools=[world.s1])
    v2 = new_visit(session_factory, world)
    ids: dict[str, int] = {"v1": v1, "v2": v2}
    with session_factory() as s, s.begin():
        a = actor(s, world, "insp1")
        ids["item"] = s.scalar(select(ChecklistItem.id).order_by(ChecklistItem.position))
        sec.save_item(s, a, v1, edit(), ids["item"], "fail", "无")
        ids["hc"] = s.scalar(select(HeadCount.id).where(HeadCount.visit_id == v1))
        sec.save_present(s, a, v1, edit(), ids["hc"], 1)
        rid = s.scalar(select(HeadCountAbsence.id))  # none yet
        assert rid is None
        from data_access.models import RosterRecord
        first = s.scalar(select(RosterRecord.id).where(RosterRecord.school_id == world.s1).order_by(RosterRecord.id))
        sec.add_absence(s, a, v1, edit(), ids["hc"], first, "不明")
        ids["abs"] = s.scalar(select(HeadCountAbsence.id))
        rec.draw_calls(s, a, v1, edit(), 2, seed=1)
        ids["call"] = s.scalar(select(PhoneCall.id).where(PhoneCall.visit_id == v1))
        ids["iv"] = rec.add_interview(s, a, v1, edit())
        ids["finding"] = rec.add_finding(s, a, v1, edit(), "other", None, "low", None, "手工问题")
        ids["ev"] = store(s, a, v1, edit(), tmp_path, "scan.pdf", b"%PDF-1.4 one", item_id=ids["item"]).id
    return ids


def _visit_callbacks(ids: dict[str, int], vid: int) -> dict[str, tuple]:
    """Every callback of the visit page, with inputs aimed at the given visit (and the zone-1 rows)."""
    st = [("visit-id", "data", vid), ("visit-edit", "data", {"version": 99, "token": "evil"})]
    item, hc, abs_, call_, iv, f, ev = (ids[k] for k in ("item", "hc", "abs", "call", "iv", "finding", "ev"))
    return {
        "load": ([("visit-header", "visit-header", "children"), ("visit-files", "visit-files", "children"),
                  ("visit-headcount", "visit-headcount", "children"), ("visit-phone", "visit-phone", "children"),
                  ("visit-interviews", "visit-interviews", "children"), ("visit-edit", "visit-edit", "data")],
                 [("visit-id", "data", vid)], []),
        "findings": ([("visit-findings", "visit-findings", "children"), ("visit-history", "visit-history",
                                                                          "children")],
                     [("visit-tabs", "active_tab", "findings"), ("visit-id", "data", vid)], []),
        "history": ([("visit-findings", "visit-findings", "children"), ("visit-history", "visit-history", "children")],
                    [("visit-tabs", "active_tab", "history"), ("visit-id", "data", vid)], []),
        "sign-open": ([("visit-sign-modal", "visit-sign-modal", "is_open"),
                       ("visit-sign-body", "visit-sign-body", "children"),
                       ("visit-sign-reason-box", "visit-sign-reason-box", "hidden"),
                       ("visit-sign-msg", "visit-sign-msg", "children")],
                      [("visit-sign", "n_clicks", 1), ("visit-sign-cancel", "n_clicks", None)], st[:1]),
        "sign": ([("visit-reload", "visit-reload", "href")],
                 [("visit-sign-confirm", "n_clicks", 1)], [("visit-sign-reason", "value", "x")] + st),
        "all-pass": ([("visit-files", "visit-files", "children")], [("visit-all-pass", "n_clicks", 1)], st),
        "reopen": ([("visit-reload", "visit-reload", "href")], [("visit-reopen", "n_clicks", 1)],
                   [("visit-reopen-reason", "value", "x"), ("visit-id", "data", vid)]),
        "header": ([("visit-header-msg", "visit-header-msg", "children")],
                   [("visit-date", "value", "2024-09-21"), ("visit-schools", "value", [1]),
                    ("visit-members", "value", [])], st),
        "item": ([({"type": "visit-item-saved", "item": M}, {"type": "visit-item-saved", "item": item}, "children")],
                 [({"type": "visit-item-result", "item": item}, "value", "pass"),
                  ({"type": "visit-item-note", "item": item}, "value", "")], st),
        "evidence": ([({"type": "visit-evidence", "owner": M}, {"type": "visit-evidence", "owner": f"i{item}"},
                       "children"),
                      ({"type": "visit-upload", "owner": M}, {"type": "visit-upload", "owner": f"i{item}"},
                       "contents")],
                     [({"type": "visit-upload", "owner": f"i{item}"}, "contents", "data:application/pdf;base64,"
                                                                                "JVBERi0xLjQgZXZpbA=="),
                      [({"type": "visit-evidence-del", "owner": f"i{item}", "ev": ev}, "n_clicks", None)]],
                     [({"type": "visit-upload", "owner": f"i{item}"}, "filename", "evil.pdf")] + st),
        "evidence-del": ([({"type": "visit-evidence", "owner": M}, {"type": "visit-evidence", "owner": f"i{item}"},
                           "children"),
                          ({"type": "visit-upload", "owner": M}, {"type": "visit-upload", "owner": f"i{item}"},
                           "contents")],
                         [({"type": "visit-upload", "owner": f"i{item}"}, "contents", None),
                          [({"type": "visit-evidence-del", "owner": f"i{item}", "ev": ev}, "n_clicks", 1)]],
                         [({"type": "visit-upload", "owner": f"i{item}"}, "filename", None)] + st),
        "class": ([({"type": "visit-abs-list", "hc": M}, {"type": "visit-abs-list", "hc": hc}, "children"),
                   ({"type": "visit-hc-summary", "hc": M}, {"type": "visit-hc-summary", "hc": hc}, "children"),
                   ({"type": "visit-abs-student", "hc": M}, {"type": "visit-abs-student", "hc": hc}, "value")],
                  [({"type": "visit-hc-present", "hc": hc}, "value", 0),
                   ({"type": "visit-abs-add", "hc": hc}, "n_clicks", None),
                   [({"type": "visit-abs-reason", "hc": hc, "abs": abs_}, "value", "不明")],
                   [({"type": "visit-abs-del", "hc": hc, "abs": abs_}, "n_clicks", None)]],
                  [({"type": "visit-abs-student", "hc": hc}, "value", None),
                   ({"type": "visit-abs-new-reason", "hc": hc}, "value", "不明")] + st),
        "draw": ([("visit-calls", "visit-calls", "children"), ("visit-seed", "visit-seed", "children"),
                  ("visit-draw-msg", "visit-draw-msg", "children")],
                 [("visit-draw", "n_clicks", 1)], [("visit-sample-size", "value", 5)] + st),
        "call": ([({"type": "visit-call-saved", "call": M}, {"type": "visit-call-saved", "call": call_}, "children")],
                 [({"type": "visit-call-outcome", "call": call_}, "value", "attending"),
                  ({"type": "visit-call-note", "call": call_}, "value", "")], st),
        "reveal": ([({"type": "visit-call-phone", "call": M}, {"type": "visit-call-phone", "call": call_}, "children")],
                   [({"type": "visit-call-reveal", "call": call_}, "n_clicks", 1)], st[:1]),
        "interviews": ([("visit-iv-list", "visit-iv-list", "children")],
                       [("visit-iv-add", "n_clicks", 1), [({"type": "visit-iv-del", "iv": iv}, "n_clicks", None)]], st),
        "interview": ([({"type": "visit-iv-saved", "iv": M}, {"type": "visit-iv-saved", "iv": iv}, "children")],
                      [({"type": "visit-iv-role", "iv": iv}, "value", "parent"),
                       ({"type": "visit-iv-summary", "iv": iv}, "value", "x"),
                       ({"type": "visit-iv-concerns", "iv": iv}, "value", "")], st),
        "finding-add": ([("visit-f-list", "visit-f-list", "children"), ("visit-f-msg", "visit-f-msg", "children"),
                         ("visit-f-text", "visit-f-text", "value")],
                        [("visit-f-add", "n_clicks", 1), [({"type": "visit-finding-del", "finding": f}, "n_clicks",
                                                           None)]],
                        [("visit-f-kind", "value", "false_data"), ("visit-f-type", "value", "ghost_enrolment"),
                         ("visit-f-severity", "value", "high"), ("visit-f-school", "value", ""),
                         ("visit-f-text", "value", "伪造")] + st),
        "severity": ([({"type": "visit-finding-severity", "finding": M},
                       {"type": "visit-finding-severity", "finding": f}, "className")],
                     [({"type": "visit-finding-severity", "finding": f}, "value", "high")], st),
    }


def _first_input(cb: dict) -> str:
    dep = cb["inputs"][0]
    ident = json.loads(dep["id"]) if dep["id"].startswith("{") else dep["id"]
    return f"{ident['type'] if isinstance(ident, dict) else ident}.{dep['property']}"


def _key(server, outputs: list, inputs: list) -> list[str]:  # noqa: ANN001
    """The callback map key (allow_duplicate outputs carry a hash) of these outputs and first input."""
    dep = inputs[0][0] if isinstance(inputs[0], list) else inputs[0]
    first = f"{dep[0]['type'] if isinstance(dep[0], dict) else dep[0]}.{dep[1]}"
    spec = [f"{_sid(p)}.{prop}" for p, _c, prop in outputs]
    plain = f"..{'...'.join(spec)}.." if len(spec) > 1 else spec[0]
    from app import app as dash_app
    return [k for k, cb in dash_app.callback_map.items() if k.split("@")[0] == plain and _first_input(cb) == first]


def test_zone2_inspector_cannot_reach_a_zone1_visit_by_any_callback(web_user, visits, session_factory,
                                                                     server) -> None:  # noqa: ANN001
    stranger = web_user("insp2")
    own = web_user("insp1")
    assert own.client.get("/").status_code == 200
    covered = set()
    for name, (outputs, inputs, state) in _visit_callbacks(visits, visits["v1"]).items():
        keys = _key(server, outputs, inputs)
        assert keys, f"no callback for {name}"
        for key in keys:
            covered.add(key)
            changed = None
            if name in ("evidence-del",):
                changed = f"{_sid(inputs[1][0][0])}.n_clicks"
            if name == "interviews":
                changed = "visit-iv-add.n_clicks"
            if name == "history" or name == "findings":
                changed = "visit-tabs.active_tab"
            resp = call(stranger, outputs, inputs, state, changed=changed, key=key)
            assert resp.status_code == 403, (name, key, resp.status_code, resp.get_data(as_text=True)[:300])
    from app import app as dash_app
    visit_keys = {k for k in dash_app.callback_map if "visit-" in k}
    assert visit_keys <= covered, f"callbacks not checked for refusal: {visit_keys - covered}"
    with session_factory() as s:  # nothing changed, nothing revealed
        v = s.get(InspectionVisit, visits["v1"])
        assert v.version == 8 and s.scalar(select(Interview.id).where(Interview.visit_id == v.id)) == visits["iv"]
        assert not s.scalar(select(AuditLog.id).where(AuditLog.action == "reveal_phone"))
        assert s.get(EvidenceFile, visits["ev"]) is not None


@pytest.mark.parametrize("who,status", [("insp1", 200), ("lead1", 200), ("leader", 200), ("officer1", 200),
                                        ("admin", 200), ("loner", 200),  # an inspector on no team: own area
                                        ("insp2", 403), ("lead2", 403), ("officer2", 403), ("staff2a", 403),
                                        ("staff2b", 403)])
def test_downloads_only_for_those_who_may_see_the_visit(web_user, visits, who, status) -> None:  # noqa: ANN001
    user = web_user(who)
    report = user.client.get(f"/inspection/visit/{visits['v1']}/report.docx")
    assert report.status_code == status
    evidence = user.client.get(f"/inspection/evidence/{visits['ev']}")
    assert evidence.status_code == status
    if status == 200:
        assert evidence.data == b"%PDF-1.4 one" and "attachment" in evidence.headers["Content-Disposition"]
        assert evidence.headers["X-Content-Type-Options"] == "nosniff"
        doc = Document(io.BytesIO(report.data))
        text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
            c.text for t in doc.tables for r in t.rows for c in r.cells)
        assert "乡镇1" in text and "手工问题" in text
    anon = web_user(None)
    assert anon.client.get(f"/inspection/evidence/{visits['ev']}").status_code in (302, 401)
    assert user.client.get("/inspection/evidence/999999").status_code == 403


def test_report_docx_sets_east_asian_font(web_user, visits) -> None:  # noqa: ANN001
    body = web_user("leader").client.get(f"/inspection/visit/{visits['v1']}/report.docx").data
    doc = Document(io.BytesIO(body))
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(f"{ns}eastAsia") == "仿宋_GB2312"
    runs = [r for p in doc.paragraphs for r in p.runs if r.text]
    assert runs and all(r._element.rPr.rFonts.get(f"{ns}eastAsia") in ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312") for r in runs)
    titles = [p.text for p in doc.paragraphs]
    assert any("1." in t or "一、" in t for t in titles)
    assert "Baoxue" not in "\n".join(titles) and round(doc.sections[0].top_margin.mm) == 37
    save_doc("visit-report.docx", body)
    pdf = web_user("leader").client.get(f"/inspection/visit/{visits['v1']}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = pdf_text(pdf.data)
    assert "".join(doc.paragraphs[0].text.split()) in text


def test_inspector_opens_and_saves_own_visit(web_user, visits, session_factory) -> None:  # noqa: ANN001
    cbs = _visit_callbacks(visits, visits["v1"])
    insp = web_user("insp1")
    outputs, inputs, state = cbs["load"]
    resp = call(insp, outputs, inputs, state)
    assert resp.status_code == 200
    payload = resp.get_json()["response"]
    edit_data = payload["visit-edit"]["data"]
    assert edit_data["version"] == 8 and edit_data["token"]
    assert "138****" not in json.dumps(payload) or "1380000" not in json.dumps(payload)  # phones masked
    st = [("visit-id", "data", visits["v1"]), ("visit-edit", "data", edit_data)]
    outputs, inputs, _s = cbs["item"]
    inputs = [(inputs[0][0], "value", "pass"), inputs[1]]
    ok = call(insp, outputs, inputs, st)
    assert ok.status_code == 200 and "visit-saved-at" in json.dumps(ok.get_json().get("sideUpdate", {}))
    with session_factory() as s:
        assert not s.scalar(select(Finding.id).where(Finding.visit_id == visits["v1"], Finding.kind == "work_gap"))
    # a second user, whose page loaded version 8 too, is refused with who changed it
    other = web_user("lead1")
    stale = call(other, outputs, [(inputs[0][0], "value", "fail"), inputs[1]],
                 [("visit-id", "data", visits["v1"]), ("visit-edit", "data", {"version": 8, "token": "tab-b"})])
    assert stale.status_code == 200
    text = json.dumps(stale.get_json(), ensure_ascii=False)
    assert "insp1" in text and "visit-alert" in text
    with session_factory() as s:
        assert s.scalar(select(Finding.id).where(Finding.visit_id == visits["v1"], Finding.kind == "work_gap")) is None


def test_reveal_phone_is_audited(web_user, visits, session_factory) -> None:  # noqa: ANN001
    outputs, inputs, state = _visit_callbacks(visits, visits["v1"])["reveal"]
    resp = call(web_user("insp1"), outputs, inputs, state)
    assert resp.status_code == 200
    phone = resp.get_json()["response"][json.dumps({"call": visits["call"], "type": "visit-call-phone"},
                                                   separators=(",", ":"), sort_keys=True)]["children"]
    assert phone.startswith("1380000") and len(phone) == 11
    assert call(web_user("leader"), outputs, inputs, state).status_code == 403  # leaders read, do not call
    with session_factory() as s:
        entry = s.scalar(select(AuditLog).where(AuditLog.action == "reveal_phone"))
        assert entry.actor == "insp1" and entry.entity_key == str(visits["v1"])


def test_signed_visit_refuses_saves_and_leader_reopens(web_user, world, visits,  # noqa: ANN001, F811
                                                        session_factory) -> None:
    with session_factory() as s, s.begin():
        sign_visit(s, actor(s, world, "lead1"), visits["v1"], edit(8, "x"), GAPS)
    cbs = _visit_callbacks(visits, visits["v1"])
    outputs, inputs, _st = cbs["item"]
    st = [("visit-id", "data", visits["v1"]), ("visit-edit", "data", {"version": 9, "token": "y"})]
    resp = call(web_user("insp1"), outputs, inputs, st)
    assert resp.status_code == 200 and "visit-alert" in json.dumps(resp.get_json())
    outputs, inputs, state = cbs["reopen"]
    assert call(web_user("insp1"), outputs, inputs, state).status_code == 403
    ok = call(web_user("lead1"), outputs, inputs, state)
    assert ok.status_code == 200 and ok.get_json()["response"]["visit-reload"]["href"].endswith(str(visits["v1"]))
    with session_factory() as s:
        assert s.get(InspectionVisit, visits["v1"]).status == "draft"
        assert s.scalar(select(AuditLog.after).where(AuditLog.action == "reopen")) == '{"reason": "x"}'


def _listed(resp) -> set[int]:  # noqa: ANN001
    """The visit ids of the rows of a visit list response."""
    found: set[int] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "data-visit" in node:
                found.add(node["data-visit"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    assert resp.status_code == 200
    walk(resp.get_json())
    return found


VISIT_LIST_OUT = [("inspection-list", "inspection-list", "children"), ("inspection-count", "inspection-count", "children"),
                  ("inspection-pager", "inspection-pager", "max_value"),
                  ("inspection-pager", "inspection-pager", "active_page")]


def visit_list(user, page: int = 1, changed: str | None = None):  # noqa: ANN001, ANN201
    return call(user, VISIT_LIST_OUT,
                [("inspection-zone", "value", None), ("inspection-township", "value", None),
                 ("shell-term", "value", TERM), ("inspection-status", "value", None),
                 ("inspection-pager", "active_page", page)], changed=changed)


def test_visit_list_is_counted_and_paged(web_user, visits, monkeypatch) -> None:  # noqa: ANN001
    """The list shows a page of visits, newest first, with how many there are in all and which page; a change of
    filter goes back to the first page."""
    import pages.inspection.visits as page_module
    monkeypatch.setattr(page_module, "VISITS_PAGE_SIZE", 1)
    first, second = visit_list(web_user("leader")), visit_list(web_user("leader"), 2, "inspection-pager.active_page")
    assert _listed(first) | _listed(second) == {visits["v1"], visits["v2"]} and len(_listed(first)) == 1 \
        and _listed(first) != _listed(second)
    answer = second.get_json()["response"]
    assert (answer["inspection-pager"]["max_value"], answer["inspection-pager"]["active_page"]) == (2, 2)
    assert "2" in json.dumps(answer["inspection-count"], ensure_ascii=False)
    back = visit_list(web_user("leader"), 2, "inspection-status.value").get_json()["response"]
    assert back["inspection-pager"]["active_page"] == 1       # a filter changed: the first page again
    monkeypatch.setattr(page_module, "VISITS_PAGE_SIZE", 50)
    one = visit_list(web_user("leader")).get_json()["response"]
    assert one["inspection-pager"]["max_value"] == 1


def test_visit_list_and_coverage_are_scoped(web_user, visits) -> None:  # noqa: ANN001
    assert _listed(visit_list(web_user("insp2"))) == {visits["v2"]}
    assert _listed(visit_list(web_user("leader"))) == {visits["v1"], visits["v2"]}
    assert _listed(visit_list(web_user("officer1"))) == {visits["v1"]}
    assert _listed(visit_list(web_user("staff2a"))) == {visits["v2"]}
    assert _listed(visit_list(web_user("staff2b"))) == set()
    body = coverage_of(web_user("insp2")).get_data(as_text=True)
    assert "\\u7b2c\\u4e8c\\u7247\\u533a" in body or "第二片区" in body
    assert "\\u7b2c\\u4e00\\u7247\\u533a" not in body and "第一片区" not in body
    assert coverage_of(web_user("officer1")).status_code == 403


COVERAGE_OUT = [("coverage-zones", "coverage-zones", "children"),
                ("coverage-findings", "coverage-findings", "children"), ("coverage-title", "coverage-title", "children")]


def coverage_of(user, county: str | None = None):  # noqa: ANN001, ANN201
    return call(user, COVERAGE_OUT, [("shell-term", "value", TERM), ("coverage-county", "value", county)])


def test_coverage_across_counties_is_summed_by_county_until_one_is_picked(web_user, visits,  # noqa: ANN001
                                                                          session_factory) -> None:  # noqa: ANN001
    """A province's coverage was every zone's card and every finding (6.4 MB): where the user's area spans counties
    the page first gives each county's townships by state and findings, and a county picked (and only one of the
    area's) opens its zones' cards and findings; within one county nothing changes."""
    from tests.factories import user as users
    from tests.inspection.test_inspection_fixtures import PASSWORD_HASH, neighbour_county
    with session_factory() as s, s.begin():
        neighbour_county(s, "勐腊镇", "勐腊第一片区")
        users.create(s, username="province", role="county_leader", area_code="530000000000", display_name="p",
                     password_hash=PASSWORD_HASH)
    province = web_user("province")
    summary = coverage_of(province).get_json()["response"]
    table = json.dumps(summary["coverage-zones"]["children"], ensure_ascii=False)
    assert "coverage-counties" in table and "勐腊县" in table and "/inspection/coverage?county=532823000000" in table
    assert "第二片区" not in table and "勐腊第一片区" not in table          # no zone's card yet
    assert "coverage-findings-table" not in json.dumps(summary["coverage-findings"], ensure_ascii=False)
    picked = json.dumps(coverage_of(province, "532823000000").get_json()["response"], ensure_ascii=False)
    assert "勐腊第一片区" in picked and "勐腊镇" in picked and "第二片区" not in picked and "勐腊县" in picked
    foreign = json.dumps(coverage_of(province, "110101000000").get_json()["response"], ensure_ascii=False)
    assert "coverage-counties" in foreign                             # not a county of the area: the summary
    one = json.dumps(coverage_of(web_user("leader")).get_json()["response"], ensure_ascii=False)
    assert "coverage-counties" not in one and "第二片区" in one           # one county: its zones as before


def test_create_visit_only_in_own_zone(web_user, visits, session_factory) -> None:  # noqa: ANN001
    outputs = [("inspection-go", "inspection-go", "href"), ("inspection-msg", "inspection-msg", "children"),
               ("inspection-same-day", "inspection-same-day", "data")]
    state = lambda town, school, warned=None: [  # noqa: E731
        ("inspection-new-town", "value", town), ("inspection-new-schools", "value", [school]),
        ("inspection-new-date", "value", DAY.isoformat()), ("inspection-new-members", "value", []),
        ("shell-term", "value", TERM), ("inspection-same-day", "data", warned)]
    with session_factory() as s:
        from data_access.models import School
        s1, s3 = (s.scalar(select(School.id).where(School.code == c)) for c in ("5328220001", "5328220004"))
        t1 = s.scalar(select(InspectionVisit.township_code).where(InspectionVisit.id == visits["v1"]))
        t3 = s.scalar(select(School.township_code).where(School.id == s3))
    insp2 = web_user("insp2")
    assert call(insp2, outputs, [("inspection-create", "n_clicks", 1)], state(t1, s1)).status_code == 403
    picked = call(insp2, [("inspection-new-schools", "inspection-new-schools", "options"),
                          ("inspection-new-schools", "inspection-new-schools", "value"),
                          ("inspection-new-members", "inspection-new-members", "options"),
                          ("inspection-new-members", "inspection-new-members", "value")],
                  [("inspection-new-town", "value", t1)])
    assert picked.status_code == 403
    made = call(insp2, outputs, [("inspection-create", "n_clicks", 1)], state(t3, s3))
    assert made.status_code == 200
    assert made.get_json()["response"]["inspection-go"]["href"].startswith("/inspection/visit?id=")
    # a second visit to the same township on the same day: warned first, made when Start is pressed again
    again = call(insp2, outputs, [("inspection-create", "n_clicks", 2)], state(t3, s3)).get_json()["response"]
    assert "inspection-go" not in again and "再次点击" in json.dumps(again, ensure_ascii=False)
    warned = again["inspection-same-day"]["data"]
    assert warned == f"{t3} {DAY.isoformat()}"
    second = call(insp2, outputs, [("inspection-create", "n_clicks", 3)], state(t3, s3, warned)).get_json()
    assert second["response"]["inspection-go"]["href"].startswith("/inspection/visit?id=")
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(InspectionVisit).where(
            InspectionVisit.township_code == t3, InspectionVisit.visit_date == DAY)) == 2


def test_zones_admin_only(web_user, world, session_factory) -> None:  # noqa: ANN001, F811
    listing = [("zones-list", "zones-list", "children")]
    inputs = [("zones-county", "value", world.county), ("zones-refresh", "data", 0)]
    for who in ("leader", "lead1", "officer1", "staff2a"):
        assert call(web_user(who), listing, inputs).status_code == 403
    admin = web_user("admin")
    assert call(admin, listing, inputs).status_code == 200
    add = [("zones-refresh", "zones-refresh", "data"), ("zones-add-msg", "zones-add-msg", "children"),
           ("zones-new-name", "zones-new-name", "value")]
    add_in = [("zones-add", "n_clicks", 1), []]
    add_state = [("zones-county", "value", world.county), ("zones-new-name", "value", "第三片区"),
                 ("zones-refresh", "data", 0)]
    assert call(web_user("leader"), add, add_in, add_state).status_code == 403
    assert call(admin, add, add_in, add_state).get_json()["response"]["zones-refresh"]["data"] == 1
    from data_access.models import Zone
    with session_factory() as s:
        zid = s.scalar(select(Zone.id).where(Zone.name == "第三片区"))
    save = [({"type": "zones-msg", "zone": M}, {"type": "zones-msg", "zone": zid}, "children")]
    save_in = [({"type": "zones-save", "zone": zid}, "n_clicks", 1)]
    save_state = [({"type": "zones-name", "zone": zid}, "value", "第三片区"),
                  ({"type": "zones-towns", "zone": zid}, "value", [world.t2]),
                  ({"type": "zones-team", "zone": zid}, "value", "第三组"),
                  ({"type": "zones-leader", "zone": zid}, "value", None),
                  ({"type": "zones-members", "zone": zid}, "value", [])]
    assert call(web_user("lead2"), save, save_in, save_state).status_code == 403
    refused = call(admin, save, save_in, save_state).get_data(as_text=True)
    assert "第二片区" in json.loads(refused)["response"][json.dumps({"type": "zones-msg", "zone": zid}, sort_keys=True,
                                                                   separators=(",", ":"))]["children"]["props"][
        "children"][1]  # 乡镇2 belongs to 第二片区 already
