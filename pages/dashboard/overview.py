"""Overview: KPI cards, indicators against their targets, the trend over past terms and dropouts
by sub-area, for the chosen area (or school) and term."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html
from flask_babel import gettext as _

from components.charts import TREND_HEIGHT, bar_enrolled_dropouts, empty_figure, graph_config, trend_figure
from components.dashboard.kpi import indicator_card, kpi_card
from components.shell import SHELL_SELECTION, SHELL_TERM
from data_access.analytics.report import load_unit, unit_trend
from data_access.queries import child_dropouts, overview_figures
from domain.dashboard.indicators import INDICATOR_BY_KEY, INDICATORS
from web.context import current_scope, db, require_selection, require_term
from wording.i18n import N_, current_language
from components.dashboard.policy import policy_in_force
from wording.dashboard import STATUS_LABELS, base_source_text, format_value, indicator_name, target_caption, term_name

ALL_ROLES = ("county_leader", "inspector", "township_officer", "school_staff", "admin")
dash.register_page(__name__, pickers=("area", "term"), path="/", name="Overview", label=N_("Overview"), icon="speedometer2", roles=ALL_ROLES,
                   order=0, title="保学 Baoxue")

OVERVIEW_CARDS = "overview-cards"
OVERVIEW_INDICATORS = "overview-indicators"
OVERVIEW_TREND_PICK = "overview-trend-pick"
OVERVIEW_TREND = "overview-trend"
OVERVIEW_CHART = "overview-chart"
OVERVIEW_MESSAGE = "overview-message"


def layout(**_query: str) -> html.Div:
    """The page frame; figures arrive through the callbacks (layouts hold no data)."""
    config = graph_config(current_language())
    return html.Div([
        html.H2(_("Overview"), className="h4 mb-3"),
        html.Div(id=OVERVIEW_MESSAGE),
        dcc.Loading(dbc.Row(id=OVERVIEW_CARDS, className="g-3 mb-3"), type="dot"),
        html.H3(_("Indicators and targets"), className="h6 text-muted"),
        dbc.Row(id=OVERVIEW_INDICATORS, className="g-2 mb-3"),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                dbc.Select(id=OVERVIEW_TREND_PICK, value="junior_dropout_rate", size="sm", className="w-auto mb-1",
                           options=[{"label": indicator_name(i.key), "value": i.key} for i in INDICATORS]),
                dcc.Graph(id=OVERVIEW_TREND, config=config, figure=empty_figure(""),
                          style={"height": f"{TREND_HEIGHT}px"}),  # under its picker: as tall as the chart beside it
            ]), className="shadow-sm h-100"), lg=6),
            dbc.Col(dbc.Card(dbc.CardBody(dcc.Graph(id=OVERVIEW_CHART, config=config, figure=empty_figure(""),
                                                    className="bx-chart")), className="shadow-sm h-100"), lg=6),
        ], className="g-3"),
    ])


def _indicator_cards(selection: str, term: str) -> list:
    report, index = load_unit(db(), current_scope(), selection, term, history=1)  # the term's values and targets
    if index < 0:
        return []
    unit = report.units[index]
    precision = report.policy.precision if report.policy else 2
    cards = []
    for ind in INDICATORS:
        value, ev = unit.values[ind.key], unit.evaluations[ind.key]
        detail = (f"{value.numerator:,}/{value.denominator:,}" if ind.is_rate and value.denominator else "")
        if ind.key == "consolidation_rate" and detail and unit.counts.grade1_source:
            detail += " · " + base_source_text(unit.counts.grade1_source)
        target = target_caption(ev.target)
        cards.append(dbc.Col(indicator_card(f"overview-ind-{ind.key}", indicator_name(ind.key),
                                            format_value(ind.key, value.value, precision), detail, target, ev.status,
                                            _(STATUS_LABELS[ev.status])), xs=6, md=3))
    cards.append(dbc.Col(policy_in_force(report.policy, "overview-policy"), xs=12, className="small text-muted"))
    return cards


@callback(Output(OVERVIEW_CARDS, "children"), Output(OVERVIEW_INDICATORS, "children"),
          Output(OVERVIEW_CHART, "figure"), Output(OVERVIEW_MESSAGE, "children"),
          Input(SHELL_SELECTION, "value"), Input(SHELL_TERM, "value"))
def show_overview(selection: str | None, term: str | None) -> tuple[list, list, dict, object]:
    """Read the scoped figures for the selection and term (refused outside the user's scope)."""
    if not selection or not term:
        return [], [], empty_figure(_("No data yet: import a roster or load the demo.")), None
    term = require_term(term)
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
    figure = (bar_enrolled_dropouts(rows, _("Dropouts by area"), _("Dropouts"), _("Dropout rate (%)"))
              if rows else empty_figure(_("No sub-areas to compare for this selection.")))
    return cards, _indicator_cards(selection, term), figure, None


@callback(Output(OVERVIEW_TREND, "figure"), Input(SHELL_SELECTION, "value"), Input(SHELL_TERM, "value"),
          Input(OVERVIEW_TREND_PICK, "value"))
def show_trend(selection: str | None, term: str | None, key: str | None) -> dict:
    """The chosen indicator over the past terms, with its target."""
    if not selection or not term or not isinstance(key, str) or key not in INDICATOR_BY_KEY:
        return empty_figure("")
    require_selection(selection)
    trend = unit_trend(db(), current_scope(), selection, term)
    report, index = load_unit(db(), current_scope(), selection, term, history=1)  # the term's target only
    ev = report.units[index].evaluations[key] if index >= 0 else None
    target = ev.target.bound if ev and ev.target else None
    return trend_figure([term_name(t) for t, _v in trend], [v.get(key) for _t, v in trend],
                        _("Trend: %(name)s", name=indicator_name(key)), target,
                        target_caption(ev.target) if ev and ev.target else "",
                        INDICATOR_BY_KEY[key].is_rate)
