"""The sign-off dialog of a visit (pure): what the visit leaves undone, and the reason the leader must
give to sign it off with gaps (the report states both)."""
from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

VISIT_SIGN_MODAL = "visit-sign-modal"
VISIT_SIGN_BODY = "visit-sign-body"
VISIT_SIGN_REASON = "visit-sign-reason"
VISIT_SIGN_REASON_BOX = "visit-sign-reason-box"
VISIT_SIGN_CONFIRM = "visit-sign-confirm"
VISIT_SIGN_CANCEL = "visit-sign-cancel"
VISIT_SIGN_MSG = "visit-sign-msg"


def sign_off_modal() -> dbc.Modal:
    """The dialog's frame (its body is filled when the leader presses Sign off)."""
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle(_("Sign off the visit"))),
        dbc.ModalBody([
            html.Div(id=VISIT_SIGN_BODY),
            html.Div([dbc.Label(_("Reason for signing off with these gaps"), html_for=VISIT_SIGN_REASON,
                                className="small fw-semibold mb-1"),
                      dbc.Textarea(id=VISIT_SIGN_REASON, maxLength=500, rows=3,
                                   placeholder=_("e.g. the school was closed for the harvest; the remaining "
                                                 "classes are counted on the next visit"))],
                     id=VISIT_SIGN_REASON_BOX, className="mt-2"),
            html.Div(id=VISIT_SIGN_MSG, className="small text-danger mt-1"),
        ]),
        dbc.ModalFooter([
            dbc.Button(_("Cancel"), id=VISIT_SIGN_CANCEL, color="secondary", outline=True),
            dbc.Button([html.I(className="bi bi-pen me-1"), _("Sign off")], id=VISIT_SIGN_CONFIRM, color="success"),
        ]),
    ], id=VISIT_SIGN_MODAL, is_open=False, backdrop="static")


def sign_off_body(gap_lines: Sequence[str]) -> html.Div:
    """Complete, or the list of what is undone (signing then needs a reason)."""
    if not gap_lines:
        return html.Div([html.I(className="bi bi-check-circle text-success me-1"),
                         _("All four methods are complete. Once signed off the visit is read-only, and its "
                           "suspected dropouts open cases.")])
    return html.Div([
        dbc.Alert([html.I(className="bi bi-exclamation-triangle me-1"),
                   _("This visit is incomplete. Signing it off makes it read-only and opens cases from what "
                     "was recorded.")], color="warning", className="py-2 mb-2"),
        html.Ul([html.Li(line) for line in gap_lines], className="mb-0", id="visit-sign-gaps"),
    ])


def signed_with_gaps(gap_lines: Sequence[str], reason: str) -> html.Div | None:
    """The note under a signed visit's header: what was undone and why it was signed anyway."""
    if not gap_lines:
        return None
    return dbc.Alert([html.Strong(_("Signed off with gaps:") + " "), "; ".join(gap_lines),
                      html.Br(), html.Strong(_("Reason:") + " "), reason], color="warning", className="small py-2 mt-2",
                     id="visit-signed-gaps")
