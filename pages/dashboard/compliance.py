"""Compliance: areas × indicators coloured by target status, and the special groups."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html
from flask_babel import gettext as _

from components.dashboard.publication import publication_note
from components.shell import SHELL_SELECTION, SHELL_TERM
from components.dashboard.tables import compliance_matrix, special_groups_table, status_legend
from components.dashboard.matrix_grid import compliance_grid
from data_access.analytics.report import (area_level, load_report_and_parent, load_unit, own_unit, special_groups,
                                         unit_level_below)
from web.context import current_scope, db, require_selection
from wording.i18n import N_
from components.dashboard.policy import report_title

dash.register_page(__name__, pickers=("area", "term"), path="/compliance", name="Compliance", label=N_("Compliance"), icon="grid-3x3-gap",
                   roles=("county_leader", "inspector", "township_officer", "school_staff", "admin"), order=4)

COMPLIANCE_UNITS = "compliance-units"
COMPLIANCE_BODY = "compliance-body"
COMPLIANCE_GROUPS = "compliance-groups"
COMPLIANCE_TITLE = "compliance-title"


def layout(**_query: str) -> html.Div:
    """Page frame; the tables arrive through the callback."""
    return html.Div([
        dbc.Row([
            dbc.Col(html.H2(_("Compliance"), className="h4 mb-0"), width="auto"),
            dbc.Col(dbc.RadioItems(id=COMPLIANCE_UNITS, value="next", inline=True, options=[
                {"label": _("Next level"), "value": "next"}, {"label": _("All schools"), "value": "school"}]),
                width="auto"),
        ], className="align-items-center mb-2 g-3"),
        html.Div(id=COMPLIANCE_TITLE, className="text-muted small mb-2"),
        status_legend(),
        dbc.Tabs([
            dbc.Tab(dcc.Loading(html.Div(id=COMPLIANCE_BODY, className="pt-2")), label=_("Indicators"),
                    tab_id="indicators"),
            dbc.Tab(dcc.Loading(html.Div(id=COMPLIANCE_GROUPS, className="pt-2")), label=_("Special groups"),
                    tab_id="groups"),
        ], active_tab="indicators"),
    ])


@callback(Output(COMPLIANCE_BODY, "children"), Output(COMPLIANCE_GROUPS, "children"),
          Output(COMPLIANCE_TITLE, "children"),
          Input(SHELL_SELECTION, "value"), Input(SHELL_TERM, "value"), Input(COMPLIANCE_UNITS, "value"))
def show_compliance(selection: str | None, term: str | None, units: str | None) -> tuple:
    """The matrix of the selection's units, with the selection itself as the first row."""
    if not selection or not term:
        return html.P(_("No data yet: import a roster or load the demo.")), None, None
    require_selection(selection)
    session, scope = db(), current_scope()
    if len(selection) == 10:  # a school: its own row only
        report, _index = load_unit(session, scope, selection, term)
        parent, _level = own_unit(session, selection)
        total, level = None, "school"
        groups = [g for g in special_groups(session, scope, parent, "school", term) if g["code"] == selection]
    else:
        parent = selection
        own_level = area_level(session, selection)
        # listing every school of a prefecture or province would be thousands of rows: county and below only
        level = "school" if units == "school" and own_level not in ("province", "prefecture") \
            else unit_level_below(own_level)
        report, total = load_report_and_parent(session, scope, parent, level, term)
        groups = special_groups(session, scope, parent, level, term)
    title = [*report_title(term, report.policy), publication_note(report.publication)]
    matrix = (compliance_grid(report, total, "compliance-grid") if level == "school"  # a long list: a grid
              else compliance_matrix(report, total, "compliance-matrix"))
    return (matrix,
            special_groups_table(groups, "compliance-groups-table") if groups else html.P(_("No data")), title)
