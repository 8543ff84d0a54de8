"""Issue 12: a committed save is answered as saved, even when what follows the commit (re-reading the score,
the evidence list, the class) fails; a save that could not be committed is answered with HTTP 503."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from data_access.models import ChecklistItem, FileReviewResult, HeadCount
from tests.inspection.test_inspection_fixtures import actor, new_visit, world  # noqa: F401
from tests.inspection.test_inspection_pages import M, call


def _down(*_a: object, **_k: object) -> None:
    raise OperationalError("SELECT …", {}, Exception("server closed the connection unexpectedly"))


def test_a_committed_save_is_answered_saved_when_the_reading_after_it_fails(session_factory, world, web_user,  # noqa: ANN001, F811
                                                                            server, monkeypatch) -> None:
    vid = new_visit(session_factory, world)
    with session_factory() as s:
        item = s.scalar(select(ChecklistItem.id).order_by(ChecklistItem.position))
        hc = s.scalar(select(HeadCount.id).where(HeadCount.visit_id == vid))
    user = web_user("insp2")
    st = [("visit-id", "data", vid), ("visit-edit", "data", {"version": 1, "token": "tab-a"})]
    monkeypatch.setattr("pages.inspection.sections.load_items", _down)  # the score is read again after the commit
    resp = call(user, [({"type": "visit-item-saved", "item": M}, {"type": "visit-item-saved", "item": item}, "children")],
                [({"type": "visit-item-result", "item": item}, "value", "fail"),
                 ({"type": "visit-item-note", "item": item}, "value", "未见双线责任书")], st,
                changed=json.dumps({"item": item, "type": "visit-item-note"}, separators=(",", ":")) + ".value")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert "已保存" in json.dumps(resp.json, ensure_ascii=False)
    with session_factory() as s:
        assert s.scalar(select(FileReviewResult.note).where(FileReviewResult.visit_id == vid)) == "未见双线责任书"

    monkeypatch.setattr("pages.inspection.sections.load_classes", _down)
    resp = call(user, [({"type": "visit-abs-list", "hc": M}, {"type": "visit-abs-list", "hc": hc}, "children"),
                       ({"type": "visit-hc-summary", "hc": M}, {"type": "visit-hc-summary", "hc": hc}, "children"),
                       ({"type": "visit-abs-student", "hc": M}, {"type": "visit-abs-student", "hc": hc}, "value")],
                [({"type": "visit-hc-present", "hc": hc}, "value", 3),
                 ({"type": "visit-abs-add", "hc": hc}, "n_clicks", None), [], []],
                [({"type": "visit-abs-student", "hc": hc}, "value", None),
                 ({"type": "visit-abs-new-reason", "hc": hc}, "value", "不明")] + st)
    assert resp.status_code == 200 and "已保存" in json.dumps(resp.json, ensure_ascii=False)
    with session_factory() as s:
        assert s.get(HeadCount, hc).counted_present == 3


def test_a_save_that_cannot_be_committed_is_answered_503(session_factory, world, web_user, monkeypatch) -> None:  # noqa: ANN001, F811
    vid = new_visit(session_factory, world)
    with session_factory() as s:
        item = s.scalar(select(ChecklistItem.id).order_by(ChecklistItem.position))
    user = web_user("insp2")
    monkeypatch.setattr("data_access.inspection.sections.save_item", _down)
    resp = call(user, [({"type": "visit-item-saved", "item": M}, {"type": "visit-item-saved", "item": item}, "children")],
                [({"type": "visit-item-result", "item": item}, "value", "pass"),
                 ({"type": "visit-item-note", "item": item}, "value", "")],
                [("visit-id", "data", vid), ("visit-edit", "data", {"version": 1, "token": "tab-a"})])
    assert resp.status_code == 503 and resp.headers["X-Baoxue-Reason"] == "database"
