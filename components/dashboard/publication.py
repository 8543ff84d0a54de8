"""A published period's note, and the publish / withdraw controls of the tiers page (issue 18.3)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_babel import gettext as _

from domain.dashboard.report import PublicationNote
from wording.dashboard import publication_text

PUBLISH_BOX = "publish-box"
PUBLISH_ROW = "publish-row"
WITHDRAW_ROW = "withdraw-row"
PUBLISH_REFRESH = "publish-refresh"
PUBLISH_BUTTON = "publish-button"
PUBLISH_CONFIRM = "publish-confirm"
PUBLISH_MSG = "publish-msg"
WITHDRAW_REASON = "withdraw-reason"
WITHDRAW_BUTTON = "withdraw-button"


def publication_note(note: PublicationNote | None) -> html.Div | None:
    """"Published on … by …" (and the number of units changed since), or nothing for a live period."""
    if note is None:
        return None
    return html.Div([html.I(className="bi bi-lock-fill me-1"),
                     publication_text(note.published_at.strftime("%Y-%m-%d %H:%M"), note.published_by,
                                      len(note.changed_units))],
                    className="small text-body mt-1 bx-published", id="publication-note")


def publish_controls() -> html.Div:
    """The publish button (with its confirmation) and an admin's withdrawal form, hidden until the page's
    callback says which the user may use for the chosen area and term."""
    return html.Div([
        html.Div([dbc.Button([html.I(className="bi bi-lock me-1"), _("Publish this period's results")],
                             id=PUBLISH_BUTTON, color="primary", size="sm", outline=True),
                  html.Span(_("Publishing freezes this period's figures, tiers and ranking as they are now."),
                            className="small text-muted ms-2")], id=PUBLISH_ROW, hidden=True),
        dcc.ConfirmDialog(id=PUBLISH_CONFIRM, message=_(
            "Publish this period's results? Its figures, tiers, ranking and bulletin will no longer change after "
            "later imports. Only an administrator can withdraw a publication.")),
        html.Div(dbc.InputGroup([
            dbc.Input(id=WITHDRAW_REASON, placeholder=_("Reason for withdrawing the publication"), maxLength=500),
            dbc.Button(_("Withdraw publication"), id=WITHDRAW_BUTTON, color="danger", outline=True)],
            size="sm", style={"maxWidth": "36rem"}), id=WITHDRAW_ROW, hidden=True),
        html.Div(id=PUBLISH_MSG, className="small mt-1"),
        dcc.Store(id=PUBLISH_REFRESH, data=0),
    ], id=PUBLISH_BOX, className="mb-2")
