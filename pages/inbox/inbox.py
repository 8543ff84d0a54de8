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


INBOX_MORE = "inbox-more"
PAGE = 50      # items shown at first and added by each "more" (a province admin's 224 items were ~1,350 Dash
               # components: 2 s of a busy browser)


def layout(**_query: str) -> html.Div:
    """The frame; the items arrive through the callback (layouts hold no data)."""
    return html.Div([
        html.H2(_("Waiting on you"), className="h4 mb-3"),
        dcc.Loading(html.Div(id=INBOX_LIST), type="dot"),
        html.Button(id=INBOX_MORE, type="button", className="btn btn-link mt-2", hidden=True),
    ], className="bx-inbox")


@callback(Output(INBOX_LIST, "children"), Output(INBOX_MORE, "hidden"), Output(INBOX_MORE, "children"),
          Input(SHELL_URL, "pathname"), Input(INBOX_MORE, "n_clicks"))
def show_inbox(_pathname: str | None, more: int | None = None) -> tuple:
    """The signed-in user's items (their scope and teams, checked on the server), the most urgent PAGE first and
    PAGE more on each click."""
    items = inbox_items(db(), current_actor(), local_today(), current_app.config.get("CASE_STEP_DAYS"))
    shown = PAGE * (1 + (more if isinstance(more, int) and 0 < more < 1000 else 0))
    left = max(0, len(items) - shown)
    return (inbox_list(items[:shown], kind_label), not left,
            _("Show %(n)s more (%(left)s not shown)", n=min(PAGE, left), left=f"{left:,}"))
