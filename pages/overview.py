"""Overview: KPI cards for the chosen area (or school) and term, and dropouts by sub-area."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, callback, dcc, html
from flask_babel import gettext as _

from components.charts import bar_enrolled_dropouts, empty_figure, graph_config
from components.kpi import kpi_card
from components.shell import SHELL_SELECTION, SHELL_TERM
from data_access.queries import child_dropouts, overview_figures
from web.context import current_scope, db, require_selection
from web.i18n import N_, current_language

ALL_ROLES = ("county_leader", "inspector", "township_officer", "school_staff", "admin")
dash.register_page(__name__, path="/", name="Overview", label=N_("Overview"), icon="speedometer2", roles=ALL_ROLES,
                   order=0, title="保学 Baoxue")

OVERVIEW_CARDS = "overview-cards"
OVERVIEW_CHART = "overview-chart"
OVERVIEW_MESSAGE = "overview-message"


def layout(**_query: str) -> html.Div:
    """The page frame; figures arrive through the callback (layouts hold no data)."""
    return html.Div([
        html.H2(_("Overview"), className="h4 mb-3"),
        html.Div(id=OVERVIEW_MESSAGE),
        dcc.Loading(dbc.Row(id=OVERVIEW_CARDS, className="g-3 mb-3"), type="dot"),
        dbc.Card(dbc.CardBody(dcc.Graph(id=OVERVIEW_CHART, config=graph_config(current_language()),
                                        figure=empty_figure(""), className="bx-chart")), className="shadow-sm"),
    ])


@callback(Output(OVERVIEW_CARDS, "children"), Output(OVERVIEW_CHART, "figure"), Output(OVERVIEW_MESSAGE, "children"),
          Input(SHELL_SELECTION, "value"), Input(SHELL_TERM, "value"))
def show_overview(selection: str | None, term: str | None) -> tuple[list, go.Figure, object]:
    """Read the scoped figures for the selection and term (refused outside the user's scope)."""
    if not selection or not term:
        return [], empty_figure(_("No data yet: import a roster or load the demo.")), None
    require_selection(selection)
    scope = current_scope()
    figures = overview_figures(db(), scope, selection, term)
    cards = [
        dbc.Col(kpi_card("overview-schools", _("Schools"), f"{figures.schools:,}", "building"), xs=6, xl=3),
        dbc.Col(kpi_card("overview-enrolled", _("Students enrolled"), f"{figures.enrolled:,}", "people-fill",
                         note=_("In school, suspended and home-taught")), xs=6, xl=3),
        dbc.Col(kpi_card("overview-dropouts", _("Dropouts"), f"{figures.dropouts:,}", "person-x-fill",
                         "danger" if figures.dropouts else "success"), xs=6, xl=3),
        dbc.Col(kpi_card("overview-special", _("Dropouts from registered poor families"),
                         f"{figures.special_group_dropouts:,}", "exclamation-triangle-fill",
                         "danger" if figures.special_group_dropouts else "success"), xs=6, xl=3),
    ]
    rows = child_dropouts(db(), scope, selection, term)
    figure = (bar_enrolled_dropouts(rows, _("Dropouts by area"), _("Dropouts"), _("Dropout share (‰)"))
              if rows else empty_figure(_("No sub-areas to compare for this selection.")))
    return cards, figure, None
