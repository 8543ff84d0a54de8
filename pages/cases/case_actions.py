"""Callbacks of the case page that change something: one for every button (the state-machine actions, the
details form, a new attempt) and one for reveals. Each checks role and area on the server before it
looks at any value, and the version the page loaded; a refusal is a message, nothing written.

Not a page itself (Dash imports only the modules of pages/ that register one); pages/case.py imports it.
"""
from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, MATCH, Input, Output, State, callback, ctx, html, no_update
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from wording.cases import DONE_TEXT, case_conflict, case_error
from components.cases.view import CASE_ACT, CASE_ALERT, CASE_FIELD, CASE_ID, CASE_IN, CASE_REFRESH, CASE_REVEAL, \
    CASE_SECRET, CASE_VERSION
from data_access.cases.cases import CaseConflict, CaseRefused
from data_access.cases.actions import act, add_attempt, save_fields
from data_access.cases.view import reveal
from data_access.inspection.access import Actor, InvalidInput
from pages.inspection.common import current_actor
from web.context import AreaRefused, transaction
from web.saves import saves

MACHINE = ("confirm", "escalate", "record_outcome", "reject_outcome", "close", "reopen")
NOTES = {"escalate": "escalate_note", "record_outcome": "outcome_note", "reject_outcome": "reject_reason",
         "close": "verify_note", "reopen": "reopen_reason"}


def _version(data: Any) -> Any:
    return data.get("version") if isinstance(data, dict) else None


def _number(value: Any) -> Any:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def run_action(session: Session, actor: Actor, action: str, case_id: Any, version: Any, inputs: dict[str, Any],
               fields: dict[str, Any]) -> str:
    """Take one action of the page; returns the key of what to say."""
    if action in MACHINE:
        case = act(session, actor, case_id, version, action, note=inputs.get(NOTES.get(action, ""), ""),
                   outcome=inputs.get("outcome"), outcome_date=inputs.get("outcome_date"),
                   return_deadline=inputs.get("deadline"), checked_by=inputs.get("attendance_by"),
                   attendance_first=inputs.get("attendance_first"), attendance_last=inputs.get("attendance_last"),
                   step_days=current_app.config.get("CASE_STEP_DAYS"))
        return action if action != "escalate" else f"escalate:{case.step}"
    if action == "save_fields":
        values = dict(fields)
        values["absence_days"] = _number(values.get("absence_days"))
        return "save_fields" if save_fields(session, actor, case_id, version, values) else "unchanged"
    if action == "add_attempt":
        add_attempt(session, actor, case_id, version, date=inputs.get("attempt_date"), who=inputs.get("attempt_who"),
                    method=inputs.get("attempt_method"), result=inputs.get("attempt_result"))
        return "add_attempt"
    raise CaseRefused()


def message(text: str, color: str, reload: bool = False) -> dbc.Alert:
    """A floating message above the page (successes fade out)."""
    icon = {"success": "check-circle-fill", "warning": "exclamation-triangle-fill"}.get(color,
                                                                                        "exclamation-octagon-fill")
    body = [html.I(className=f"bi bi-{icon} me-2"), text]
    if reload:
        body.append(html.A(_("Reload"), href="", className="alert-link ms-2", id="case-alert-reload"))
    return dbc.Alert(body, color=color, dismissable=True, duration=4000 if color == "success" else None,
                     className="py-2 shadow", id="case-alert-box")


@callback(Output(CASE_REFRESH, "data"), Output(CASE_ALERT, "children"),
          Input({"type": CASE_ACT, "action": ALL}, "n_clicks"),
          State({"type": CASE_IN, "name": ALL}, "value"), State({"type": CASE_FIELD, "name": ALL}, "value"),
          State(CASE_ID, "data"), State(CASE_VERSION, "data"), State(CASE_REFRESH, "data"),
          prevent_initial_call=True)
@saves
def take_action(_clicks: list, _inputs: list, _fields: list, case_id: Any, version: Any, refresh: Any) -> tuple:
    """Take the clicked action on the case (HTTP 403 outside the user's area or role)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(t.get("value") for t in ctx.triggered):
        return no_update, no_update  # buttons drawn anew, not clicked
    actor = current_actor()
    inputs = {s["id"]["name"]: s.get("value") for s in ctx.states_list[0]} if ctx.states_list else {}
    fields = {s["id"]["name"]: s.get("value") for s in ctx.states_list[1]} if ctx.states_list else {}
    try:
        with transaction() as session:
            done = run_action(session, actor, str(trigger.get("action")), case_id, _version(version), inputs, fields)
    except CaseRefused as exc:
        raise AreaRefused() from exc
    except CaseConflict as exc:
        return no_update, message(case_conflict(exc.by, exc.at), "danger", reload=True)
    except InvalidInput as exc:
        return no_update, message(case_error(exc.code, exc.params), "warning")
    key, _sep, step = done.partition(":")
    text = _(DONE_TEXT[key], step=step) if step else _(DONE_TEXT[key])
    return (refresh if isinstance(refresh, int) else 0) + 1, message(text, "success")


@callback(Output({"type": CASE_SECRET, "field": MATCH}, "children"),
          Input({"type": CASE_REVEAL, "field": MATCH}, "n_clicks"), State(CASE_ID, "data"),
          prevent_initial_call=True)
def reveal_value(clicks: Any, case_id: Any) -> object:
    """Show the ID number or guardian phone to a role allowed to see it; the reveal is audit-logged."""
    if not clicks:
        return no_update
    actor = current_actor()
    field = ctx.triggered_id.get("field") if isinstance(ctx.triggered_id, dict) else None
    try:
        with transaction() as session:
            value = reveal(session, actor, case_id, field)
    except CaseRefused as exc:
        raise AreaRefused() from exc
    except InvalidInput:
        return no_update
    return value or "—"
