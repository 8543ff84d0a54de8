"""One rectification order: its facts and notice, the finding it came from, the steps the user may take
(the unit starts and submits with an explanation and evidence; the verifying team verifies and closes,
returns with a reason, or changes the deadline), its evidence and its history. Every step is checked on
the server against the user and the version this page loaded."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from flask import current_app
from flask_babel import gettext as _

from components.access import no_access
from components.inspection.visit import saved_mark
from components.rectification.order import (ORDER_ACT, ORDER_EDIT_DEADLINE, ORDER_EDIT_MSG, ORDER_EDIT_REASON,
                                            ORDER_EDIT_REQ, ORDER_EDIT_SAVE, ORDER_EV_DEL, ORDER_NOTE, ORDER_PENDING,
                                            ORDER_UPLOAD, action_panel, evidence_card, finding_card, order_header,
                                            pending_list, timeline)
from wording.rectification import EVENT_TEXTS, label
from data_access.rectification.orders import OrderRefused, edit_order, require_order, take_action
from data_access.rectification.evidence import orders_folder, refuse_upload, remove_evidence, store_evidence
from data_access.rectification.view import load_order
from domain.localtime import local_today
from domain.privacy import may_see_names
from data_access.documents.register import issued_number
from domain.workdays import working_days_between
from pages.access import refused
from pages.inspection.common import current_actor, decode_upload, upload_refusal
from pages.rectification.common import as_id, run
from web.context import AreaRefused, db
from web.saves import after_commit, saves

# roles=() keeps the page out of the navigation (it opens from the board and the visit page); whether
# a user may see an order is decided by every callback, on the server.
dash.register_page(__name__, path="/rectification/order", name="Rectification order", title="保学 Baoxue",
                   roles=(), order=99)

ORDER_ID, ORDER_VERSION, ORDER_REFRESH = "rect-order-id", "rect-order-version", "rect-order-refresh"
ORDER_ALERT, ORDER_HEAD, ORDER_ACTIONS = "rect-order-alert", "rect-order-head", "rect-order-actions-box"
ORDER_EVIDENCE, ORDER_TIMELINE = "rect-order-evidence", "rect-order-history"


def layout(**query: str) -> html.Div:
    """The frame; the order id from the address is a request, checked here ("no access" outside the user's
    area) and by every callback."""
    order_id = as_id(query.get("id"))
    if order_id is not None and refused(lambda: require_order(db(), current_actor(), order_id)):
        return no_access(_("This order is not in your area, or does not exist."))
    return html.Div([
        dcc.Store(id=ORDER_ID, data=as_id(query.get("id"))),
        dcc.Store(id=ORDER_VERSION),
        dcc.Store(id=ORDER_REFRESH, data=0),
        dcc.Link([html.I(className="bi bi-chevron-left me-1"), _("All orders")], href="/rectification",
                 className="small d-inline-block mb-2"),
        html.Div(id=ORDER_ALERT),
        dbc.Row([
            dbc.Col([dcc.Loading(html.Div(id=ORDER_HEAD), type="dot", delay_show=400), html.Div(id=ORDER_ACTIONS)],
                    xs=12, md=7, lg=8),
            dbc.Col([html.Div(id=ORDER_EVIDENCE), html.Div(id=ORDER_TIMELINE)], xs=12, md=5, lg=4),
        ], className="g-3"),
    ], className="bx-order")


@callback(Output(ORDER_HEAD, "children"), Output(ORDER_ACTIONS, "children"), Output(ORDER_EVIDENCE, "children"),
          Output(ORDER_TIMELINE, "children"), Output(ORDER_VERSION, "data"), Input(ORDER_ID, "data"),
          Input(ORDER_REFRESH, "data"))
def show_order(order_id: Any, _refresh: Any) -> tuple:
    """Read the order for this user (HTTP 403 when they may not see it) with only their next steps."""
    if order_id is None:
        return html.P(_("No order chosen: open one from the board."), className="text-muted"), None, None, None, None
    session = db()
    actor = current_actor()
    try:
        access = require_order(session, actor, order_id)
    except OrderRefused as exc:
        raise AreaRefused() from exc
    view = load_order(session, access, may_see_names(actor.role))
    today = local_today()
    number = issued_number(session, f"order:{view.id}")  # the 发文字号 once the notice is issued
    remaining = working_days_between(today, view.deadline) if view.deadline >= today else None
    head = [order_header(view, number, today, remaining, f"/rectification/order/{view.id}/notice.docx"),
            finding_card(view)]
    return (head, action_panel(view, access.actions, today), evidence_card(view), timeline(view.events),
            view.version)


def _alert(text: str, color: str) -> dbc.Alert:
    icon = "check2-circle" if color == "success" else "exclamation-octagon-fill"
    reload = html.A(_("Reload"), href="", className="alert-link ms-2") if color != "success" else None
    return dbc.Alert([html.I(className=f"bi bi-{icon} me-2"), text, reload], color=color, className="py-2",
                     id="rect-order-alert-box", dismissable=color == "success")


@callback(Output(ORDER_REFRESH, "data"), Output(ORDER_ALERT, "children"),
          Input({"type": ORDER_ACT, "action": ALL}, "n_clicks"), State({"type": ORDER_NOTE, "action": ALL}, "value"),
          State(ORDER_ID, "data"), State(ORDER_VERSION, "data"), State(ORDER_REFRESH, "data"),
          prevent_initial_call=True)
@saves
def act(clicks: list, _notes: list, order_id: Any, version: Any, refresh: Any) -> tuple:
    """Take the step of the button pressed (start, submit, verify and close, return), with its note."""
    trigger = ctx.triggered_id if isinstance(ctx.triggered_id, dict) else {}
    if not trigger or not (ctx.triggered and ctx.triggered[0]["value"]):
        return no_update, no_update
    action = trigger.get("action")
    note = next((s.get("value") for s in ctx.states_list[0] if s["id"].get("action") == action), "")
    done = run(lambda s, a: take_action(s, a, order_id, version, action, note))
    if not done.ok:
        return no_update, _alert(done.error or "", "danger")
    return (refresh or 0) + 1, _alert(label(EVENT_TEXTS, action), "success")


@callback(Output(ORDER_REFRESH, "data", allow_duplicate=True), Output(ORDER_EDIT_MSG, "children"),
          Input(ORDER_EDIT_SAVE, "n_clicks"), State(ORDER_EDIT_DEADLINE, "value"), State(ORDER_EDIT_REQ, "value"),
          State(ORDER_EDIT_REASON, "value"), State(ORDER_ID, "data"), State(ORDER_VERSION, "data"),
          State(ORDER_REFRESH, "data"), prevent_initial_call=True)
@saves
def save_changes(clicks: int | None, deadline: Any, requirement: Any, reason: Any, order_id: Any, version: Any,
                 refresh: Any) -> tuple:
    """The team changes the deadline or the requirement (with an optional reason, kept in the history)."""
    if not clicks:
        return no_update, no_update
    done = run(lambda s, a: edit_order(s, a, order_id, version, deadline, requirement, local_today(), reason))
    if not done.ok:
        return no_update, saved_mark(done.error or "", error=True)
    if not done.value:
        return no_update, saved_mark(_("Nothing changed."))
    return (refresh or 0) + 1, saved_mark(_("Saved"))



def _folder() -> Path:
    return orders_folder(current_app.config["EVIDENCE_DIR"])


@callback(Output(ORDER_PENDING, "children"), Output(ORDER_UPLOAD, "contents"), Output(ORDER_EVIDENCE, "children",
                                                                                      allow_duplicate=True),
          Input(ORDER_UPLOAD, "contents"), Input({"type": ORDER_EV_DEL, "ev": ALL}, "n_clicks"),
          State(ORDER_UPLOAD, "filename"), State(ORDER_ID, "data"), prevent_initial_call=True)
@saves
def change_evidence(contents: Any, _dels: list, filename: Any, order_id: Any) -> tuple:
    """The unit adds a file (type and size checked by content) or removes one not yet handed in."""
    removed: list[str] = []
    if ctx.triggered_id == ORDER_UPLOAD:
        if not contents:
            return no_update, no_update, no_update
        data = decode_upload(contents)
        if data is None:
            code = upload_refusal(contents)
            done = run(lambda s, a: refuse_upload(s, a, order_id, code))
        else:
            done = run(lambda s, a: store_evidence(s, a, order_id, _folder(), str(filename or ""), data).id)
    elif isinstance(ctx.triggered_id, dict) and ctx.triggered and ctx.triggered[0]["value"]:
        done = run(lambda s, a: removed.append(remove_evidence(s, a, order_id, ctx.triggered_id.get("ev"))))
        for name in removed:
            (_folder() / name).unlink(missing_ok=True)
    else:
        return no_update, no_update, no_update

    def refreshed() -> tuple:
        session = db()
        try:
            view = load_order(session, require_order(session, current_actor(), order_id))
        except OrderRefused as exc:
            raise AreaRefused() from exc
        message = None if done.ok else saved_mark(done.error or "", error=True)
        return pending_list(view.pending, True, message), None, evidence_card(view)
    return after_commit(refreshed, (saved_mark(_("Saved")), None, no_update)) if done.ok else refreshed()
