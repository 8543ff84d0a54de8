"""Inbox (待办): everything that waits on the signed-in user, newest and most urgent first — orders to answer
or verify, case steps due, visits to sign off, refused imports, rosters missing for the term. Items leave
when they are done; the navigation bar shows how many there are."""
from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html
from flask import current_app
from flask_babel import gettext as _

from components.inbox.inbox import INBOX_LIST, inbox_list
from components.imports.report import kind_label
from components.shell import SHELL_URL
from data_access.inbox.items import inbox_items
from domain.localtime import local_today
from pages.inspection.common import current_actor
from web.context import db
from wording.i18n import N_

ALL_ROLES = ("county_leader", "inspector", "township_officer", "school_staff", "admin")
dash.register_page(__name__, path="/inbox", name="Inbox", label=N_("Inbox"), icon="inbox", roles=ALL_ROLES, order=1)


def layout(**_query: str) -> html.Div:
    """The frame; the items arrive through the callback (layouts hold no data)."""
    return html.Div([
        html.H2(_("Waiting on you"), className="h4 mb-3"),
        dcc.Loading(html.Div(id=INBOX_LIST), type="dot"),
    ], className="bx-inbox")


@callback(Output(INBOX_LIST, "children"), Input(SHELL_URL, "pathname"))
def show_inbox(_pathname: str | None) -> object:
    """The signed-in user's items (their scope and teams, checked on the server)."""
    items = inbox_items(db(), current_actor(), local_today(), current_app.config.get("CASE_STEP_DAYS"))
    return inbox_list(items, kind_label)
