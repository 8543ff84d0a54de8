"""Rankings: the areas (or schools) of a level for a period, sortable and filterable, with the
meeting workbook and the bulletin draft to download."""
from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html
from flask_babel import gettext as _
from components.dashboard.publication import publication_note
from components.controls import dropdown, grid_options

from components.status import TIER_COLORS, TIER_TEXT
from data_access.analytics.report import area_level, load_report, unit_level_below
from data_access.documents.activity import teaching_span
from domain.localtime import local_today
from domain.periods import current_period, parse_period, periods_of
from components.shell import SHELL_SELECTION, SHELL_TERM
from domain.dashboard.indicators import INDICATORS
from domain.dashboard.report import Report
from web.context import current_scope, db, require_selection
from wording.i18n import N_
from components.dashboard.policy import report_title
from wording.dashboard import indicator_name, period_name, reason_text, unit_tier_name

dash.register_page(__name__, pickers=("area", "term"), path="/rankings", name="Rankings", label=N_("Rankings"), icon="sort-numeric-down",
                   roles=("county_leader", "inspector", "township_officer", "admin"), order=6)

RANKINGS_GRID = "rankings-grid"
RANKINGS_XLSX = "rankings-xlsx"
RANKINGS_DOCX = "rankings-docx"
RANKINGS_TITLE = "rankings-title"
RANKINGS_UNITS = "rankings-units"
RANKINGS_UNITS_BOX = "rankings-units-box"
RANKINGS_PERIOD = "rankings-period"
RANKINGS_PERIOD_BOX = "rankings-period-box"
RANKINGS_PERIOD_DOCX = "rankings-period-docx"
PERCENT_FORMAT = "params.value == null ? '—' : params.value.toFixed(2) + '%'"
COUNT_FORMAT = "params.value == null ? '—' : String(params.value)"


def layout(**_query: str) -> html.Div:
    """Page frame: download buttons and the grid; rows arrive through the callback."""
    return html.Div([
        dbc.Row([
            dbc.Col([html.H2(_("Rankings"), className="h4 mb-0"),
                     html.Div(id=RANKINGS_TITLE, className="text-muted small")]),
            dbc.Col([
                html.A([html.I(className="bi bi-file-earmark-excel me-1"), _("Ranking workbook (.xlsx)")],
                       id=RANKINGS_XLSX, className="btn btn-success btn-sm me-2 disabled", href="#"),
                html.A([html.I(className="bi bi-file-earmark-word me-1"), _("Bulletin draft (.docx)")],
                       id=RANKINGS_DOCX, className="btn btn-primary btn-sm disabled", href="#"),
            ], width="auto", className="text-end"),
        ], className="align-items-center mb-2 g-2"),
        html.Div(dbc.Row([
            dbc.Col(html.Label(_("Township bulletin for the period"), htmlFor=RANKINGS_PERIOD, className="small mb-0"),
                    width="auto"),
            dbc.Col(dropdown(id=RANKINGS_PERIOD, clearable=False, style={"minWidth": "16rem"}), width="auto"),
            dbc.Col(html.A([html.I(className="bi bi-file-earmark-word me-1"), _("Bulletin of the period (.docx)")],
                           id=RANKINGS_PERIOD_DOCX, className="btn btn-outline-primary btn-sm", href="#"),
                    width="auto"),
        ], className="g-2 align-items-center"), id=RANKINGS_PERIOD_BOX, hidden=True, className="mb-2"),
        html.Div(dbc.RadioItems(id=RANKINGS_UNITS, value="school", inline=True, className="small",
                                options=[{"label": _("Schools"), "value": "school"},
                                         {"label": _("Villages (by household)"), "value": "village"}]),
                 id=RANKINGS_UNITS_BOX, hidden=True, className="mb-2"),
        dcc.Loading(dag.AgGrid(id=RANKINGS_GRID, rowData=[], columnDefs=[], className="bx-grid",
                               dashGridOptions=grid_options({"domLayout": "autoHeight", "tooltipShowDelay": 300},
                                                            paginate=True),
                               defaultColDef={"sortable": True, "filter": True, "resizable": True, "wrapHeaderText": True,
                                             "autoHeaderHeight": True},
                               style={"width": "100%"})),
    ])


def _rows(report: Report) -> list[dict]:
    rows = []
    for u in report.units:
        row = {"rank": u.rank, "name": u.name, "code": u.code, "tier": u.tier.tier,
               "tier_name": unit_tier_name(u, report.policy),
               "missed": u.tier.missed_targets, "last": _("last place") if u.last_place else "",
               "reasons": "；".join(reason_text(r) for r in u.tier.reasons)}
        row.update({i.key: u.evaluations[i.key].value for i in INDICATORS})  # as published and judged
        rows.append(row)
    return rows


def _columns() -> list[dict]:
    tier_styles = [{"condition": f"params.data.tier == {t}",
                    "style": {"backgroundColor": TIER_COLORS[t], "color": TIER_TEXT[t]}} for t in range(5)]
    cols = [
        {"field": "rank", "headerName": _("Rank"), "width": 80, "pinned": "left", "filter": "agNumberColumnFilter"},
        {"field": "name", "headerName": _("Area"), "pinned": "left", "minWidth": 130},
        {"field": "tier_name", "headerName": _("Tier"), "width": 100, "cellStyle": {"styleConditions": tier_styles}},
        {"field": "missed", "headerName": _("Missed targets"), "width": 110, "filter": "agNumberColumnFilter"},
        {"field": "last", "headerName": _("Last place"), "width": 100},
    ]
    cols += [{"field": i.key, "headerName": indicator_name(i.key), "filter": "agNumberColumnFilter",
              "type": "rightAligned", "width": 130, "headerTooltip": indicator_name(i.key),
              "valueFormatter": {"function": PERCENT_FORMAT if i.is_rate else COUNT_FORMAT}}
             for i in INDICATORS]
    cols.append({"field": "reasons", "headerName": _("Reasons"), "minWidth": 260, "tooltipField": "reasons"})
    cols.append({"field": "code", "headerName": _("Code"), "width": 140})
    return cols


@callback(Output(RANKINGS_GRID, "rowData"), Output(RANKINGS_GRID, "columnDefs"),
          Output(RANKINGS_XLSX, "href"), Output(RANKINGS_DOCX, "href"),
          Output(RANKINGS_XLSX, "className"), Output(RANKINGS_DOCX, "className"), Output(RANKINGS_TITLE, "children"),
          Output(RANKINGS_UNITS_BOX, "hidden"),
          Input(SHELL_SELECTION, "value"), Input(SHELL_TERM, "value"), Input(RANKINGS_UNITS, "value"))
def show_ranking(selection: str | None, term: str | None, units: str | None = "school") -> tuple:
    """Rank the units under the selection for the term; downloads go through scoped Flask routes."""
    off = ("btn btn-success btn-sm me-2 disabled", "btn btn-primary btn-sm disabled")
    if not selection or not term:
        return [], _columns(), "#", "#", *off, _("No data yet: import a roster or load the demo."), True
    require_selection(selection)
    if len(selection) == 10:
        return [], _columns(), "#", "#", *off, _("Rankings compare areas or schools; pick an area."), True
    session = db()
    own = area_level(session, selection)
    level = "village" if own == "township" and units == "village" else unit_level_below(own)   # seed 003: villages
    report = load_report(session, current_scope(), selection, level, term)
    query = urlencode({"term": term, "area": selection, **({"level": level} if level == "village" else {})})
    bulletin = f"/download/bulletin.docx?{urlencode({'term': term, 'area': selection})}"
    return (_rows(report), _columns(), f"/download/ranking.xlsx?{query}", bulletin,
            "btn btn-success btn-sm me-2", "btn btn-primary btn-sm",
            [*report_title(term, report.policy), publication_note(report.publication)], own != "township")


@callback(Output(RANKINGS_PERIOD, "options"), Output(RANKINGS_PERIOD, "value"), Output(RANKINGS_PERIOD_BOX, "hidden"),
          Input(SHELL_SELECTION, "value"), Input(SHELL_TERM, "value"))
def period_choices(selection: str | None, term: str | None) -> tuple:
    """A township's bulletin is issued per half-semester (seed 001): its periods named, the current one chosen."""
    if not selection or not term or len(selection) != 12:
        return [], None, True
    require_selection(selection)
    session = db()
    if area_level(session, selection) != "township":
        return [], None, True
    span = teaching_span(session, selection, term)
    halves = periods_of("half_semester", term, span)
    options = [{"label": f"{period_name(p)}（{p.start:%m-%d}—{p.end:%m-%d}）", "value": p.key} for p in halves]
    options.append({"label": period_name(parse_period(term, span)), "value": term})
    return options, current_period("half_semester", term, span, local_today()).key, False


@callback(Output(RANKINGS_PERIOD_DOCX, "href"), Input(SHELL_SELECTION, "value"), Input(SHELL_TERM, "value"),
          Input(RANKINGS_PERIOD, "value"))
def period_link(selection: str | None, term: str | None, period: str | None) -> str:
    """The township's bulletin of the chosen period (the download route checks the area and the period)."""
    if not selection or not term or not period:
        return "#"
    return f"/download/bulletin.docx?{urlencode({'term': term, 'area': selection, 'period': period})}"
