"""The one "no access" panel: what every page shows, in the user's language and with no other controls,
when the user's role or area may not open it (or what it names does not exist for them)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_babel import gettext as _

NO_ACCESS = "no-access"


def no_access(detail: str | None = None) -> html.Div:
    """A refusal: a lock, why (in general words: it never says whether the thing exists) and the way home."""
    return html.Div(dbc.Alert([
        html.H2([html.I(className="bi bi-lock-fill me-2"), _("No access")], className="h5"),
        html.P(detail or _("Your account may not open this page."), className="mb-2"),
        dcc.Link([html.I(className="bi bi-house me-1"), _("Back to the overview")], href="/",
                 className="alert-link"),
    ], color="warning", className="mt-2"), id=NO_ACCESS, className="bx-no-access")
