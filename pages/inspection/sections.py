"""Callbacks of the visit page that save as the inspector fills the form: header fields, each checklist
item, evidence files, each class's head count and absences, the phone sample and each call, interviews
and findings. Each checks the user's rights and the visit's version on the server (data_access).

Imported by pages/inspection_visit.py.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dash import ALL, MATCH, Input, Output, State, callback, ctx, no_update, set_props
from flask import current_app
from flask_babel import gettext as _

from components.inspection.visit import (ABS_ADD, ABS_DEL, ABS_LIST, ABS_NEW_REASON, ABS_REASON, ABS_STUDENT, CALL_NOTE,
                                   CALL_OUTCOME, CALL_PHONE, CALL_REVEAL, CALL_SAVED, EVIDENCE, EVIDENCE_DEL,
                                   HC_PRESENT, HC_SUMMARY, ITEM_NOTE, ITEM_RESULT, ITEM_SAVED, IV_CONCERNS, IV_DEL,
                                   IV_ROLE, IV_SAVED, IV_SUMMARY, UPLOAD, VISIT_CALLS, VISIT_DATE, VISIT_DRAW,
                                   VISIT_EDIT, VISIT_HEADER_MSG, VISIT_ID, VISIT_IV_ADD, VISIT_IV_LIST, VISIT_MEMBERS,
                                   VISIT_RELOAD, VISIT_SAMPLE_SIZE, VISIT_SCHOOLS, VISIT_SCORE, absence_rows,
                                   VISIT_ALL_PASS, VISIT_FILES, calls_list, class_summary, evidence_list,
                                   file_review_section, interview_list, saved_mark, score_line)
from components.inspection.lists import (FINDING_DEL, FINDING_SEVERITY, VISIT_F_ADD, VISIT_F_KIND, VISIT_F_LIST,
                                         VISIT_F_MSG, VISIT_F_SCHOOL, VISIT_F_SEVERITY, VISIT_F_TEXT, VISIT_F_TYPE,
                                         findings_list)
from data_access.inspection import evidence
from data_access.inspection import records
from data_access.inspection import sections
from data_access.inspection.access import edit_state, require_edit
from data_access.inspection.view import (load_calls, load_classes, load_findings, load_header, load_interviews,
                                         load_items)
from pages.inspection.common import as_int, decode_upload, readable, save, upload_refusal
from web.context import db
from wording.i18n import current_language
from web.saves import after_commit, saves

_OWNER = re.compile(r"^([if])(\d{1,9})$")


def save_for(visit_id: Any, action: Any) -> Any:
    """Save with the user's edit right on the visit checked first."""
    return save(action, visit_id=visit_id)


def _ok_mark(done: Any) -> object:
    return saved_mark(_("Saved") if done.ok and done.value is not False else "", error=False) if done.ok else \
        saved_mark(done.error or "", error=True)


# --- header -----------------------------------------------------------------------------------

@callback(Output(VISIT_HEADER_MSG, "children", allow_duplicate=True), Input(VISIT_DATE, "value"),
          Input(VISIT_SCHOOLS, "value"), Input(VISIT_MEMBERS, "value"), State(VISIT_ID, "data"),
          State(VISIT_EDIT, "data"), prevent_initial_call=True)
@saves
def save_header(day: str | None, schools: list | None, members: list | None, visit_id: Any, edit: Any) -> object:
    """Save the field that changed; new or removed schools reload the page (their classes change)."""
    field = {VISIT_DATE: "date", VISIT_SCHOOLS: "schools", VISIT_MEMBERS: "members"}.get(ctx.triggered_id)
    if field is None:
        return no_update
    value = {"date": day, "schools": schools, "members": members}[field]
    done = save_for(visit_id, lambda s, a: sections.save_header(s, a, visit_id, edit_state(edit), field, value))
    if done.ok and done.value and field == "schools":
        set_props(VISIT_RELOAD, {"href": f"/inspection/visit?id={visit_id}"})
    return _ok_mark(done)


# --- file review ------------------------------------------------------------------------------

@callback(Output({"type": ITEM_SAVED, "item": MATCH}, "children"), Input({"type": ITEM_RESULT, "item": MATCH}, "value"),
          Input({"type": ITEM_NOTE, "item": MATCH}, "value"), State(VISIT_ID, "data"), State(VISIT_EDIT, "data"),
          prevent_initial_call=True)
@saves
def save_item(result: str | None, note: str | None, visit_id: Any, edit: Any) -> object:
    """Save one checklist item's result and note; refresh the score."""
    item_id = ctx.triggered_id["item"] if isinstance(ctx.triggered_id, dict) else None
    done = save_for(visit_id, lambda s, a: sections.save_item(s, a, visit_id, edit_state(edit), item_id, result, note))
    if done.ok and done.value:
        after_commit(lambda: set_props(VISIT_SCORE, {"children": score_line(
            [i.result for i in load_items(db(), readable(visit_id))]).children}), None)
    return _ok_mark(done)


@callback(Output(VISIT_FILES, "children", allow_duplicate=True), Input(VISIT_ALL_PASS, "n_clicks"),
          State(VISIT_ID, "data"), State(VISIT_EDIT, "data"), prevent_initial_call=True)
@saves
def pass_open_items(clicks: int | None, visit_id: Any, edit: Any) -> object:
    """Mark every open checklist item as passed, then show the checklist again (exceptions are changed after)."""
    if not clicks:
        return no_update
    done = save_for(visit_id, lambda s, a: sections.pass_unanswered(s, a, visit_id, edit_state(edit)))
    if not done.ok:
        set_props(VISIT_HEADER_MSG, {"children": saved_mark(done.error or "", error=True)})
        return no_update
    return file_review_section(load_items(db(), readable(visit_id)), True, current_language() == "zh")


def evidence_folder() -> Path:
    """Where evidence files are kept (instance/evidence/ unless configured)."""
    return Path(current_app.config["EVIDENCE_DIR"])


def _refuse(session: Any, actor: Any, visit_id: Any, code: str) -> None:
    """Refuse an unreadable upload, after the permission check (a stranger gets HTTP 403, not a message)."""
    require_edit(session, actor, visit_id)
    raise evidence.EvidenceRefused(code, limit="10 MB")



@callback(Output({"type": EVIDENCE, "owner": MATCH}, "children"), Output({"type": UPLOAD, "owner": MATCH}, "contents"),
          Input({"type": UPLOAD, "owner": MATCH}, "contents"),
          Input({"type": EVIDENCE_DEL, "owner": MATCH, "ev": ALL}, "n_clicks"),
          State({"type": UPLOAD, "owner": MATCH}, "filename"), State(VISIT_ID, "data"), State(VISIT_EDIT, "data"),
          prevent_initial_call=True)
@saves
def change_evidence(contents: Any, _dels: list, filename: Any, visit_id: Any, edit: Any) -> tuple:
    """Store an uploaded file (type and size checked by content) or remove one; list the owner's files."""
    trigger = ctx.triggered_id if isinstance(ctx.triggered_id, dict) else {}
    match = _OWNER.match(str(trigger.get("owner", "")))
    if not match:
        return no_update, no_update
    item_id = int(match.group(2)) if match.group(1) == "i" else None
    finding_id = int(match.group(2)) if match.group(1) == "f" else None
    removed: list[str] = []
    if trigger.get("type") == UPLOAD:
        if not contents:
            return no_update, no_update
        data = decode_upload(contents)
        if data is None:
            code = upload_refusal(contents)
            done = save_for(visit_id, lambda s, a: _refuse(s, a, visit_id, code))
        else:
            done = save_for(visit_id, lambda s, a: evidence.store(s, a, visit_id, edit_state(edit), evidence_folder(),
                                                    str(filename or ""), data, item_id, finding_id))
    else:
        if not ctx.triggered[0]["value"]:
            return no_update, no_update
        done = save_for(visit_id, lambda s, a: removed.append(evidence.remove(s, a, visit_id, edit_state(edit), trigger.get("ev"))))
        for name in removed:
            (evidence_folder() / name).unlink(missing_ok=True)

    def listing() -> tuple:
        access = readable(visit_id)
        if item_id is not None:
            files = next((i.evidence for i in load_items(db(), access) if i.item_id == item_id), ())
        else:
            files = next((f.evidence for f in load_findings(db(), access) if f.id == finding_id), ())
        message = None if done.ok else saved_mark(done.error or "", error=True)
        return evidence_list(trigger["owner"], files, access.can_edit, message), None
    return after_commit(listing, (no_update, None)) if done.ok else listing()


# --- head count -------------------------------------------------------------------------------

@callback(Output({"type": ABS_LIST, "hc": MATCH}, "children"), Output({"type": HC_SUMMARY, "hc": MATCH}, "children"),
          Output({"type": ABS_STUDENT, "hc": MATCH}, "value"),
          Input({"type": HC_PRESENT, "hc": MATCH}, "value"), Input({"type": ABS_ADD, "hc": MATCH}, "n_clicks"),
          Input({"type": ABS_REASON, "hc": MATCH, "abs": ALL}, "value"),
          Input({"type": ABS_DEL, "hc": MATCH, "abs": ALL}, "n_clicks"),
          State({"type": ABS_STUDENT, "hc": MATCH}, "value"), State({"type": ABS_NEW_REASON, "hc": MATCH}, "value"),
          State(VISIT_ID, "data"), State(VISIT_EDIT, "data"), prevent_initial_call=True)
@saves
def save_class(present: Any, add: int | None, _reasons: list, _dels: list, student: Any, reason: Any,
               visit_id: Any, edit: Any) -> tuple:
    """A class's number present, or an absence added, re-reasoned or removed; then its summary."""
    trigger = ctx.triggered_id if isinstance(ctx.triggered_id, dict) else {}
    kind, hc = trigger.get("type"), trigger.get("hc")
    value = ctx.triggered[0]["value"] if ctx.triggered else None
    reset = no_update
    if kind == HC_PRESENT:
        done = save_for(visit_id, lambda s, a: sections.save_present(s, a, visit_id, edit_state(edit), hc, as_int(present)))
    elif kind == ABS_ADD:
        if not add:
            return no_update, no_update, no_update
        done = save_for(visit_id, lambda s, a: sections.add_absence(s, a, visit_id, edit_state(edit), hc, student, reason))
        reset = None if done.ok else no_update
    elif kind == ABS_REASON:
        done = save_for(visit_id, lambda s, a: sections.set_absence_reason(s, a, visit_id, edit_state(edit), trigger.get("abs"),
                                                             value))
    elif kind == ABS_DEL and value:
        done = save_for(visit_id, lambda s, a: sections.remove_absence(s, a, visit_id, edit_state(edit), trigger.get("abs")))
    else:
        return no_update, no_update, no_update
    if done.ok and done.value is False:
        return no_update, no_update, no_update

    def refreshed() -> tuple:
        access = readable(visit_id)
        cls = next((c for c in load_classes(db(), access, with_students=False) if c.head_count_id == hc), None)
        if cls is None:
            return no_update, no_update, no_update
        summary = class_summary(cls)
        if not done.ok:
            summary = summary + [saved_mark(done.error or "", error=True)]
        rows = absence_rows(cls, access.can_edit) if kind != ABS_REASON or not done.ok else no_update
        return rows, summary, reset
    return after_commit(refreshed, (no_update, [saved_mark(_("Saved"))], reset)) if done.ok else refreshed()


# --- phone check ------------------------------------------------------------------------------

@callback(Output(VISIT_CALLS, "children"), Output("visit-seed", "children"), Output("visit-draw-msg", "children"),
          Input(VISIT_DRAW, "n_clicks"), State(VISIT_SAMPLE_SIZE, "value"), State(VISIT_ID, "data"),
          State(VISIT_EDIT, "data"), prevent_initial_call=True)
@saves
def draw(clicks: int | None, size: Any, visit_id: Any, edit: Any) -> tuple:
    """Draw the phone sample with a new stored seed (refused once calls have outcomes)."""
    if not clicks:
        return no_update, no_update, no_update
    done = save_for(visit_id, lambda s, a: records.draw_calls(s, a, visit_id, edit_state(edit), as_int(size)))
    if not done.ok:
        return no_update, no_update, saved_mark(done.error or "", error=True)

    def refreshed() -> tuple:
        access = readable(visit_id)
        seed = load_header(db(), access).phone_seed
        return (calls_list(load_calls(db(), access), access.can_edit, access.can_reveal),
                _("Seed %(seed)s (stored: the same seed always gives the same sample)", seed=seed), None)
    return after_commit(refreshed, (no_update, no_update, saved_mark(_("Saved"))))


@callback(Output({"type": CALL_SAVED, "call": MATCH}, "children"), Input({"type": CALL_OUTCOME, "call": MATCH}, "value"),
          Input({"type": CALL_NOTE, "call": MATCH}, "value"), State(VISIT_ID, "data"), State(VISIT_EDIT, "data"),
          prevent_initial_call=True)
@saves
def save_call(outcome: Any, note: Any, visit_id: Any, edit: Any) -> object:
    """Save a call's outcome and note."""
    call_id = ctx.triggered_id["call"] if isinstance(ctx.triggered_id, dict) else None
    done = save_for(visit_id, lambda s, a: records.save_call(s, a, visit_id, edit_state(edit), call_id, outcome or None, note))
    return _ok_mark(done)


@callback(Output({"type": CALL_PHONE, "call": MATCH}, "children"), Input({"type": CALL_REVEAL, "call": MATCH}, "n_clicks"),
          State(VISIT_ID, "data"), prevent_initial_call=True)
def reveal(clicks: int | None, visit_id: Any) -> object:
    """Show a guardian's number to the team making the call; the reveal is written to the audit log."""
    if not clicks:
        return no_update
    call_id = ctx.triggered_id["call"] if isinstance(ctx.triggered_id, dict) else None
    done = save(lambda s, a: records.reveal_phone(s, a, visit_id, call_id), page_wide=False, visit_id=visit_id)
    return (done.value or "—") if done.ok else no_update


# --- interviews -------------------------------------------------------------------------------

@callback(Output(VISIT_IV_LIST, "children"), Input(VISIT_IV_ADD, "n_clicks"),
          Input({"type": IV_DEL, "iv": ALL}, "n_clicks"), State(VISIT_ID, "data"), State(VISIT_EDIT, "data"),
          prevent_initial_call=True)
@saves
def add_or_remove_interview(add: int | None, _dels: list, visit_id: Any, edit: Any) -> object:
    """Add an empty interview, or remove one."""
    trigger = ctx.triggered_id
    value = ctx.triggered[0]["value"] if ctx.triggered else None
    if trigger == VISIT_IV_ADD and add:
        done = save_for(visit_id, lambda s, a: records.add_interview(s, a, visit_id, edit_state(edit)))
    elif isinstance(trigger, dict) and value:
        done = save_for(visit_id, lambda s, a: records.remove_interview(s, a, visit_id, edit_state(edit), trigger.get("iv")))
    else:
        return no_update

    def refreshed() -> object:
        access = readable(visit_id)
        listing = interview_list(load_interviews(db(), access), access.can_edit)
        return listing if done.ok else [saved_mark(done.error or "", error=True), listing]
    return after_commit(refreshed, no_update) if done.ok else refreshed()


@callback(Output({"type": IV_SAVED, "iv": MATCH}, "children"), Input({"type": IV_ROLE, "iv": MATCH}, "value"),
          Input({"type": IV_SUMMARY, "iv": MATCH}, "value"), Input({"type": IV_CONCERNS, "iv": MATCH}, "value"),
          State(VISIT_ID, "data"), State(VISIT_EDIT, "data"), prevent_initial_call=True)
@saves
def save_interview(role: Any, summary: Any, concerns: Any, visit_id: Any, edit: Any) -> object:
    """Save an interview's role, summary and concerns."""
    iv = ctx.triggered_id["iv"] if isinstance(ctx.triggered_id, dict) else None
    done = save_for(visit_id, lambda s, a: records.save_interview(s, a, visit_id, edit_state(edit), iv, role, summary, concerns))
    return _ok_mark(done)


# --- findings ---------------------------------------------------------------------------------

@callback(Output(VISIT_F_LIST, "children"), Output(VISIT_F_MSG, "children"), Output(VISIT_F_TEXT, "value"),
          Input(VISIT_F_ADD, "n_clicks"), Input({"type": FINDING_DEL, "finding": ALL}, "n_clicks"),
          State(VISIT_F_KIND, "value"), State(VISIT_F_TYPE, "value"), State(VISIT_F_SEVERITY, "value"),
          State(VISIT_F_SCHOOL, "value"), State(VISIT_F_TEXT, "value"), State(VISIT_ID, "data"),
          State(VISIT_EDIT, "data"), prevent_initial_call=True)
@saves
def add_or_remove_finding(add: int | None, _dels: list, kind: Any, fdt: Any, severity: Any, school: Any, text: Any,
                          visit_id: Any, edit: Any) -> tuple:
    """Add a finding by hand, or remove a hand-entered one."""
    trigger = ctx.triggered_id
    value = ctx.triggered[0]["value"] if ctx.triggered else None
    reset = no_update
    if trigger == VISIT_F_ADD and add:
        school_id = as_int(school)
        done = save_for(visit_id, lambda s, a: records.add_finding(s, a, visit_id, edit_state(edit), kind, fdt or None, severity,
                                                      school_id, text))
        reset = "" if done.ok else no_update
    elif isinstance(trigger, dict) and value:
        done = save_for(visit_id, lambda s, a: records.remove_finding(s, a, visit_id, edit_state(edit), trigger.get("finding")))
    else:
        return no_update, no_update, no_update
    message = saved_mark(_("Saved"), error=False) if done.ok else saved_mark(done.error or "", error=True)

    def refreshed() -> tuple:
        access = readable(visit_id)
        return findings_list(load_findings(db(), access), access.can_edit), message, reset
    return after_commit(refreshed, (no_update, message, reset)) if done.ok else refreshed()


@callback(Output({"type": FINDING_SEVERITY, "finding": MATCH}, "className"),
          Input({"type": FINDING_SEVERITY, "finding": MATCH}, "value"), State(VISIT_ID, "data"),
          State(VISIT_EDIT, "data"), prevent_initial_call=True)
@saves
def save_severity(severity: Any, visit_id: Any, edit: Any) -> str:
    """Change a finding's severity; the field turns green when saved, red when refused."""
    fid = ctx.triggered_id["finding"] if isinstance(ctx.triggered_id, dict) else None
    done = save_for(visit_id, lambda s, a: records.set_finding_severity(s, a, visit_id, edit_state(edit), fid, severity))
    return "w-auto is-valid" if done.ok else "w-auto is-invalid"
