"""The app's own "page not found" inside the app (an address no page answers to), in the user's language."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

dash.register_page(__name__, path="/404", name="Not found", title="保学 Baoxue", roles=(), order=999)


def layout(**_query: str) -> dbc.Alert:
    """What happened and what to do."""
    return dbc.Alert([
        html.H1([html.I(className="bi bi-exclamation-triangle me-2"), _("Page not found")], className="h4",
                id="bx-not-found"),
        html.P(_("The address may be mistyped, or what it pointed to has been removed.")),
        html.P(_("Check the address, or go back to the start page."), className="fw-semibold"),
        dbc.Button([html.I(className="bi bi-house me-1"), _("Start page")], href="/", color="primary",
                   external_link=True),
    ], color="light", className="border mt-3")
