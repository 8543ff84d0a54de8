"""Checklist templates (administrators): edit the file-review checklist; a save makes a new version
that new visits use, and past visits keep theirs. A checklist belongs to an area: an admin of one area saves
versions for that area only (an unrestricted admin: the global one), and sees those set above it read-only."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html
from dash.exceptions import PreventUpdate
from flask_babel import gettext as _

from components.shell import SHELL_URL
from flask_login import current_user

from data_access.admin.checklists import (ChecklistError, owner_area, parse_items, save_new_version, template_rows,
                                         template_text)
from data_access.inspection.visits import default_template
from pages.inspection.common import require_role
from web.context import db, transaction
from wording.i18n import N_
from web.saves import saves

dash.register_page(__name__, path="/checklists", name="Checklists", label=N_("Checklists"), icon="list-check",
                   roles=("admin",), order=12)

CHECKLISTS_NAME = "checklists-name"
CHECKLISTS_ITEMS = "checklists-items"
CHECKLISTS_SAVE = "checklists-save"
CHECKLISTS_MESSAGE = "checklists-message"
CHECKLISTS_VERSIONS = "checklists-versions"
REASONS = {"empty": N_("line %(line)s: the Chinese text is empty"),
           "long": N_("line %(line)s: longer than %(limit)s characters"),
           "twice": N_("line %(line)s: “%(text)s” is listed twice"),
           "no_items": N_("the checklist has no items"), "name": N_("the name must have 1 to 100 characters")}


def layout(**_query: str) -> html.Div:
    """Page frame; the current checklist arrives through the callback."""
    return html.Div([
        html.H2(_("File-review checklist"), className="h4 mb-1"),
        html.P(_("One item per line, Chinese first, then | and the English text. Saving makes a new version "
                 "for new visits; visits already made keep the checklist they were made with."),
               className="text-muted small"),
        dbc.Row([
            dbc.Col([
                dbc.Label(_("Checklist name"), html_for=CHECKLISTS_NAME, className="small text-muted mb-0"),
                dbc.Input(id=CHECKLISTS_NAME, maxLength=100, className="mb-2"),
                dbc.Textarea(id=CHECKLISTS_ITEMS, style={"height": "420px", "fontSize": ".9rem"}),
                dbc.Button([html.I(className="bi bi-save me-1"), _("Save as new version")], id=CHECKLISTS_SAVE,
                           color="primary", className="mt-2"),
                html.Div(id=CHECKLISTS_MESSAGE, className="mt-2"),
            ], lg=8),
            dbc.Col(html.Div(id=CHECKLISTS_VERSIONS), lg=4),
        ], className="g-3"),
    ])


def _versions() -> dbc.Table:
    rows = [html.Tr([html.Td([t.name, html.Span(_("in use"), className="badge text-bg-success ms-2")
                              if t.is_default else None,
                              None if t.editable else html.Span(_("set above your area"),
                                                                className="badge text-bg-secondary ms-2")]),
                     html.Td(t.items, className="text-end"), html.Td(t.visits, className="text-end")])
            for t in template_rows(db(), current_user.scope, current_user.area_code)]
    head = html.Thead(html.Tr([html.Th(_("Version")), html.Th(_("Items in list"), className="text-end"),
                               html.Th(_("Visits made"), className="text-end")]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", bordered=True, id="checklists-table")


@callback(Output(CHECKLISTS_NAME, "value"), Output(CHECKLISTS_ITEMS, "value"), Input(SHELL_URL, "pathname"))
def load_checklist(_pathname: str | None) -> tuple:
    """The checklist in use, ready to edit (administrators only)."""
    require_role("admin")
    with transaction() as s:  # creates the default checklist the first time
        template = default_template(s, owner_area(current_user.scope, current_user.area_code))
        return template.name, template_text(template)


@callback(Output(CHECKLISTS_VERSIONS, "children"), Input(SHELL_URL, "pathname"), Input(CHECKLISTS_MESSAGE, "children"))
def list_versions(_pathname: str | None, _message: object) -> dbc.Table:
    """The checklist versions, refreshed after each save."""
    require_role("admin")
    return _versions()


@callback(Output(CHECKLISTS_MESSAGE, "children"), Input(CHECKLISTS_SAVE, "n_clicks"),
          State(CHECKLISTS_NAME, "value"), State(CHECKLISTS_ITEMS, "value"), prevent_initial_call=True)
@saves
def save_checklist(n_clicks: int | None, name: str | None, text: str | None) -> dbc.Alert:
    """Check the edited list and save it as the new version; a bad line is named and nothing is saved."""
    if not n_clicks:                # drawn, not pressed: a new version would be written for nothing
        raise PreventUpdate
    require_role("admin")
    try:
        items = parse_items(text or "")
        with transaction() as s:
            owner = owner_area(current_user.scope, current_user.area_code)
            count = len(save_new_version(s, name or "", items, owner).items)
    except ChecklistError as exc:
        reason = _(REASONS[exc.key], **exc.facts)
        return dbc.Alert(_("Not saved: %(reason)s", reason=reason), color="danger", className="py-2")
    return dbc.Alert(_("Saved: new visits use this checklist (%(count)s items).", count=count), color="success",
                     className="py-2")
