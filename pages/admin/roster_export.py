"""Roster export (issue 15.7): the schools of the user's scope with their roster of the picked term, each as
an .xlsx with exactly the columns the roster import takes, to correct and import again. For the roles that may
see ID numbers and guardian phones (school staff: their school; township officers: their township's; admins:
their area); every download is audit-logged by the route."""
from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html
from flask_babel import gettext as _
from flask_login import current_user

from components.admin.subnav import admin_subnav
from components.shell import SHELL_TERM
from components.admin.status import school_table
from data_access.admin.data_status import status_counts
from pages.admin.data_status import checked_term, school_block_answer
from domain.privacy import REVEAL_ROLES, may_reveal
from web.context import AreaRefused, current_scope, db
from wording.i18n import N_

dash.register_page(__name__, pickers=("term",), path="/roster-export", name="Roster export",
                   label=N_("Roster export"), icon="file-earmark-spreadsheet",
                   roles=tuple(sorted(REVEAL_ROLES - {"admin"})), order=12)  # admins: the administration pills

RX_LIST, RX_GRID = "roster-export-list", "roster-export-grid"


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
    """The schools of the user's scope with their rows of the term and a download link when they have some: the
    data status page's school grid, its pages sent by `roster_block`."""
    _revealer()
    if not term:
        return html.P(_("No term is loaded yet: import a roster first."), className="text-muted")
    _loaded, total = status_counts(db(), current_scope(), checked_term(term))
    return school_table(RX_GRID, total)


@callback(Output(RX_GRID, "getRowsResponse"), Input(RX_GRID, "getRowsRequest"), State(SHELL_TERM, "value"),
          prevent_initial_call=True)
def roster_block(request: dict | None, term: str | None) -> dict:
    """The block of schools the grid asks for, with their download links."""
    _revealer()
    return school_block_answer(request, term)


def _revealer() -> None:
    """HTTP 403 unless the role may take personal data out."""
    if not may_reveal(current_user.role):
        raise AreaRefused()
