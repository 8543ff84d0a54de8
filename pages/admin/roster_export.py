"""Roster export (issue 15.7): the schools of the user's scope with their roster of the picked term, each as
an .xlsx with exactly the columns the roster import takes, to correct and import again. For the roles that may
see ID numbers and guardian phones (school staff: their school; township officers: their township's; admins:
their area); every download is audit-logged by the route."""
from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html
from flask_babel import gettext as _
from flask_login import current_user

from components.admin.subnav import admin_subnav
from components.shell import SHELL_TERM
from data_access.admin.data_status import school_status
from domain.privacy import REVEAL_ROLES, may_reveal
from domain.terms import parse_term
from web.context import AreaRefused, current_scope, db
from wording.i18n import N_

dash.register_page(__name__, pickers=("term",), path="/roster-export", name="Roster export",
                   label=N_("Roster export"), icon="file-earmark-spreadsheet",
                   roles=tuple(sorted(REVEAL_ROLES - {"admin"})), order=12)  # admins: the administration pills

RX_LIST = "roster-export-list"


def layout(**_query: str) -> html.Div:
    """Page frame: an explanation and the list of schools (filled for the picked term)."""
    return html.Div([
        admin_subnav(current_user.role, "/roster-export"),
        html.H2(_("Roster export"), className="h4 mb-2"),
        html.P(_("Download a school's roster of the term with the columns of the roster import, correct it and "
                 "import it again on the Imports page. The file holds ID numbers and guardian phones: every "
                 "download is recorded in the audit log."), className="small text-muted"),
        dcc.Loading(html.Div(id=RX_LIST), type="dot"),
    ])


@callback(Output(RX_LIST, "children"), Input(SHELL_TERM, "value"))
def list_schools(term: str | None) -> object:
    """The schools of the user's scope with their rows of the term and a download link when they have some."""
    if not may_reveal(current_user.role):
        raise AreaRefused()
    if not term:
        return html.P(_("No term is loaded yet: import a roster first."), className="text-muted")
    try:
        code = parse_term(term).code
    except ValueError as exc:
        raise AreaRefused() from exc
    rows = school_status(db(), current_scope(), code)
    if not rows:
        return html.P(_("No school in your area."), className="text-muted")
    lines = []
    for r in rows:
        link = (html.A([html.I(className="bi bi-download me-1"), _("Roster .xlsx")],
                       href="/admin/roster.xlsx?" + urlencode({"school": r.school_id, "term": code}))
                if r.loaded else html.Span(_("No roster for this term"), className="text-muted"))
        lines.append(html.Tr([html.Td(r.township_name), html.Td(r.school_name), html.Td(r.school_code),
                              html.Td(f"{r.rows:,}" if r.loaded else "—"), html.Td(link)]))
    head = html.Thead(html.Tr([html.Th(h) for h in (_("Township"), _("School"), _("School code"), _("Rows"), "")]))
    return dbc.Table([head, html.Tbody(lines)], striped=True, hover=True, size="sm", className="small",
                     responsive=True)
