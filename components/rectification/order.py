"""Builders of an order's page (pure): its facts and notice link, the finding it came from, the steps
the user may take (only those), its evidence files and the timeline of its history."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_babel import gettext as _

from wording.inspection import file_size, local_time
from components.rectification.board import finding_box, overdue_badge, status_badge
from wording.rectification import ACTION_BUTTONS, EVENT_COLORS, EVENT_ICONS, event_text
from domain.evidence import ACCEPT
from domain.rectification.views import EventView, EvidenceView, OrderView
from domain.rectification.rules import days_overdue
from wording.dashboard import term_name

ORDER_ACT, ORDER_NOTE = "rect-act", "rect-note"  # key "action"
ORDER_EV_DEL = "rect-ev-del"  # key "ev"
ORDER_UPLOAD, ORDER_PENDING = "rect-upload", "rect-pending"
ORDER_EDIT_DEADLINE, ORDER_EDIT_REQ, ORDER_EDIT_REASON = "rect-edit-deadline", "rect-edit-req", "rect-edit-reason"
ORDER_EDIT_SAVE, ORDER_EDIT_MSG, ORDER_ACT_MSG = "rect-edit-save", "rect-edit-msg", "rect-act-msg"


def _fact(term: str, value: object) -> list:
    return [html.Dt(term, className="col-4 col-lg-3 text-muted fw-normal small"),
            html.Dd(value, className="col-8 col-lg-9 mb-1")]


def order_header(v: OrderView, number: str, today: dt.date, remaining: int | None, notice_href: str) -> dbc.Card:
    """Title, status, number and the notice download; unit, township, team, issue, deadline, requirement."""
    late = days_overdue(v.status, v.deadline, today)
    deadline = [html.Span(v.deadline.isoformat(), className="font-monospace me-2", id="rect-order-deadline"),
                overdue_badge(late) if late else html.Span(
                    _("%(n)s working days left", n=remaining), className="small text-muted")
                if remaining is not None and v.status != "closed" else None]
    facts = _fact(_("Responsible unit"), html.Strong(v.unit_name, id="rect-order-unit"))
    facts += _fact(_("Township"), v.township_name)
    facts += _fact(_("Verifying team"), v.team_name or "—")
    facts += _fact(_("Issued"), _("%(name)s · %(time)s", name=v.issued_by or "—", time=local_time(v.issued_at)))
    facts += _fact(_("Deadline"), deadline)
    if v.term_code:
        facts += _fact(_("Term"), term_name(v.term_code))
    if v.status == "closed":
        facts += _fact(_("Closed"), _("%(name)s · %(time)s", name=v.closed_by or "—", time=local_time(v.closed_at)))
    return dbc.Card(dbc.CardBody([
        dbc.Row([
            dbc.Col([html.H2(v.title, className="h5 mb-1", id="rect-order-title"),
                     html.Div([status_badge(v.status, "rect-order-status"),
                               html.Span(number, className="small text-muted ms-2", id="rect-order-number")])]),
            dbc.Col([html.A([html.I(className="bi bi-file-earmark-word me-1"), _("Notice (.docx)")], href=notice_href,
                            className="btn btn-outline-primary btn-sm", id="rect-order-notice"),
                     html.A([html.I(className="bi bi-file-earmark-pdf me-1"), "PDF"],
                            href=notice_href.rsplit(".", 1)[0] + ".pdf",
                            className="btn btn-outline-secondary btn-sm ms-1", id="rect-order-notice-pdf")],
                    width="auto"),
        ], className="g-2 align-items-start mb-2"),
        html.Dl(facts, className="row mb-2"),
        html.H3(_("Requirement"), className="h6 mb-1"),
        html.P(v.requirement, className="bx-pre mb-2", id="rect-order-requirement"),
        html.Div([html.H3(_("What the unit reported"), className="h6 mb-1"),
                  html.P(v.explanation, className="bx-pre mb-2", id="rect-order-explanation")])
        if v.explanation else None,
        dbc.Alert([html.Strong(_("Returned for more work:"), className="me-1"), v.return_reason],
                  color="warning", className="py-2 mb-0", id="rect-order-returned")
        if v.status == "returned" and v.return_reason else None,
    ]), className="shadow-sm mb-3")


def finding_card(v: OrderView) -> dbc.Card | None:
    """Where the order came from: the finding and its visit (or: issued by hand)."""
    body = (finding_box(v.finding) if v.finding is not None
            else html.P(_("Issued by hand (not from an inspection finding)."), className="small text-muted mb-0"))
    return dbc.Card(dbc.CardBody([html.H3(_("Finding"), className="h6"), body]), className="shadow-sm mb-3")


def _note(action: str, placeholder: str, rows: int = 3) -> dbc.Textarea:
    return dbc.Textarea(id={"type": ORDER_NOTE, "action": action}, placeholder=placeholder, rows=rows,
                        maxLength=4000, size="sm", className="mb-2")


def _button(action: str, color: str, icon: str) -> dbc.Button:
    return dbc.Button([html.I(className=f"bi bi-{icon} me-1"), _(ACTION_BUTTONS[action])],
                      id={"type": ORDER_ACT, "action": action}, color=color, size="sm")


def pending_list(files: Sequence[EvidenceView], can_remove: bool, message: object = None) -> list:
    """Files collected for the next submission (each removable until handed in)."""
    out: list = [html.Span([
        html.A([html.I(className="bi bi-paperclip me-1"), f.name], href=f"/rectification/evidence/{f.id}",
               title=file_size(f.size), className="me-1"),
        dbc.Button(html.I(className="bi bi-x-lg"), id={"type": ORDER_EV_DEL, "ev": f.id}, color="link", size="sm",
                   className="p-0 text-danger", title=_("Remove")) if can_remove else None,
    ], className="badge text-bg-light border me-1 fw-normal bx-evidence") for f in files]
    if message is not None:
        out.append(message)
    return out


def action_panel(v: OrderView, actions: Sequence[str], today: dt.date) -> dbc.Card | None:
    """Only the steps this user may take now: start; evidence + explanation + submit; verify or return;
    change the deadline or requirement."""
    parts: list = []
    if "start" in actions and v.status == "issued":
        parts.append(html.Div([html.P(_("Start when the unit begins work on the order; the team sees it is in "
                                        "hand."), className="small text-muted mb-2"),
                               _button("start", "primary", "tools")], className="mb-2"))
    if "submit" in actions:
        upload = dcc.Upload(html.Span([html.I(className="bi bi-upload me-1"), _("Add evidence")],
                                      title=_("PDF, JPG, PNG, DOCX or XLSX, at most 10 MB")),
                            id=ORDER_UPLOAD, accept=ACCEPT, multiple=False,
                            className="btn btn-outline-secondary btn-sm bx-upload")
        parts.append(html.Div([
            html.H3(_("Report the rectification"), className="h6"),
            html.Div([html.Div(pending_list(v.pending, True), id=ORDER_PENDING, className="d-inline"), upload],
                     className="d-flex flex-wrap align-items-center gap-1 mb-2"),
            _note("submit", _("What was done, and what the evidence shows"), 4),
            _button("submit", "primary", "inbox"),
        ], className="mb-2"))
    if "verify_close" in actions:
        parts.append(dbc.Row([
            dbc.Col([_note("verify_close", _("Verification note (optional)"), 2),
                     _button("verify_close", "success", "check2-circle")], xs=12, lg=6),
            dbc.Col([_note("return", _("Why it goes back (required)"), 2),
                     _button("return", "warning", "arrow-return-left")], xs=12, lg=6),
        ], className="g-2 mb-2"))
    parts.append(html.Div(id=ORDER_ACT_MSG, className="small"))
    if "edit" in actions:
        parts.append(html.Details([
            html.Summary([html.I(className="bi bi-pencil me-1"), _("Change the deadline or requirement")],
                         className="small"),
            dbc.Row([
                dbc.Col([dbc.Label(_("Deadline"), html_for=ORDER_EDIT_DEADLINE, className="small text-muted mb-0"),
                         dbc.Input(id=ORDER_EDIT_DEADLINE, type="date", value=v.deadline.isoformat(), size="sm")],
                        xs=12, md=4),
                dbc.Col([dbc.Label(_("Reason for the change"), html_for=ORDER_EDIT_REASON,
                                   className="small text-muted mb-0"),
                         dbc.Input(id=ORDER_EDIT_REASON, size="sm", maxLength=4000)], xs=12, md=8),
                dbc.Col([dbc.Label(_("Requirement"), html_for=ORDER_EDIT_REQ, className="small text-muted mb-0"),
                         dbc.Textarea(id=ORDER_EDIT_REQ, value=v.requirement, rows=3, size="sm", maxLength=4000)],
                        xs=12),
                dbc.Col(dbc.Button(_("Save changes"), id=ORDER_EDIT_SAVE, color="secondary", size="sm"), width="auto"),
                dbc.Col(html.Div(id=ORDER_EDIT_MSG, className="small"), className="align-self-center"),
            ], className="g-2 mt-1"),
        ], className="mt-2 border-top pt-2"))
    if len(parts) == 1:  # only the message slot: nothing this user may do now
        return None
    return dbc.Card(dbc.CardBody([html.H3(_("Your next step"), className="h6"), *parts]),
                    className="shadow-sm mb-3 border-primary", id="rect-order-actions")


def evidence_card(v: OrderView) -> dbc.Card:
    """Every evidence file of the order (handed in, or still being collected)."""
    if not v.evidence:
        body: object = html.P(_("No evidence files yet."), className="small text-muted mb-0")
    else:
        body = html.Ul([html.Li([
            html.A([html.I(className="bi bi-paperclip me-1"), f.name], href=f"/rectification/evidence/{f.id}"),
            html.Span(" · ".join(["", file_size(f.size), *([f.uploaded_by] if f.uploaded_by else []),
                                  local_time(f.uploaded_at)]), className="text-muted"),
            html.Span(_("not yet submitted"), className="badge text-bg-light border ms-1") if f.event_id is None
            else None,
        ], className="small") for f in v.evidence], className="list-unstyled mb-0", id="rect-order-files")
    return dbc.Card(dbc.CardBody([html.H3(_("Evidence files"), className="h6"), body]), className="shadow-sm mb-3")


def _event(e: EventView) -> html.Li:
    head, detail = event_text(e.action, e.note)
    move = ([status_badge(e.from_status), html.I(className="bi bi-arrow-right mx-1 small")] if e.from_status
            and e.from_status != e.to_status else []) + ([status_badge(e.to_status)] if e.from_status != e.to_status
                                                          else [])
    return html.Li([
        html.Span(html.I(className=f"bi bi-{EVENT_ICONS.get(e.action, 'dot')}"),
                  className=f"bx-tl-dot text-bg-{EVENT_COLORS.get(e.action, 'secondary')}"),
        html.Strong(head, className="d-block"),
        html.Div(move, className="d-flex flex-wrap align-items-center gap-1 my-1") if move else None,
        html.Div(f"{e.who or '—'} · {local_time(e.at)}", className="small text-muted"),
        html.Div(detail, className="small bx-pre") if detail else None,
        html.Div([html.A([html.I(className="bi bi-paperclip me-1"), f.name], href=f"/rectification/evidence/{f.id}",
                         className="me-2") for f in e.files], className="small") if e.files else None,
    ], className="bx-tl-item", **{"data-action": e.action})


def timeline(events: Sequence[EventView]) -> dbc.Card:
    """The order's history, oldest first: who moved it from which status to which, when, and why."""
    return dbc.Card(dbc.CardBody([html.H3(_("Order history"), className="h6"),
                                  html.Ol([_event(e) for e in events], className="bx-timeline mb-0",
                                          id="rect-order-timeline")]), className="shadow-sm mb-3")

