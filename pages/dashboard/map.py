"""Map: the chosen area's townships coloured by an indicator against its target, a compact table of
them, and a drill-down into one township's schools and villages."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, Patch, State, callback, clientside_callback, ctx, dcc, html, no_update
from flask_babel import gettext as _
from components.controls import dropdown
from flask_login import current_user

from components.charts import empty_figure, graph_config
from components.dashboard.map_figure import (MapUnit, band_values, bar_height, choropleth_figure, feature_collection, outline,
                                   school_bars)
from components.dashboard.map_tables import (UNIT_LINK, counts_text, legend, school_table, units_table, village_table,
                                   worst_high)
from components.shell import SHELL_SELECTION, SHELL_TERM
from data_access.analytics.report import area_level, load_report, policy_for, unit_level_below
from data_access.analytics.geo import area_name, area_shapes, boundary_codes, township_schools
from domain.dashboard.indicators import INDICATOR_BY_KEY, INDICATORS
from domain.dashboard.report import Policy, Report, UnitReport
from web.context import AreaRefused, current_scope, db, require_selection
from wording.i18n import N_, current_language
from wording.dashboard import STATUS_LABELS, format_value, indicator_name, target_text, term_name, unit_tier_name

MAP_ROLES = ("county_leader", "inspector", "township_officer", "admin")
dash.register_page(__name__, pickers=("area", "term"), path="/map", name="Map", label=N_("Map"), icon="map", roles=MAP_ROLES, order=2,
                   title="保学 Baoxue")

MAP_INDICATOR = "map-indicator"
MAP_GRAPH = "map-graph"
MAP_GRAPH_BOX = "map-graph-box"
MAP_LEGEND = "map-legend"
MAP_MESSAGE = "map-message"
MAP_TABLE = "map-table"
MAP_SHOWN = "map-shown"      # {"area", "codes"}: whose geometry the figure already holds
MAP_DRILL = "map-drill"      # the township code drilled into (a request, checked on the server)
MAP_SCROLL = "map-scroll"
MAP_DETAIL = "map-detail"
MAP_DETAIL_TITLE = "map-detail-title"
MAP_BACK = "map-back"
MAP_SCHOOLS = "map-schools"
MAP_SCHOOL_CHART = "map-school-chart"
MAP_VILLAGES = "map-villages"
DEFAULT_INDICATOR = "junior_dropout_rate"
HIDDEN, SHOWN = {"display": "none"}, {}


def layout(indicator: str | None = None, **_query: str) -> html.Div:
    """The page frame; figures and tables arrive through the callbacks (layouts hold no data)."""
    config = {**graph_config(current_language()), "scrollZoom": False}
    return html.Div([
        dcc.Store(id=MAP_SHOWN), dcc.Store(id=MAP_DRILL), dcc.Store(id=MAP_SCROLL),
        dbc.Row([
            dbc.Col(html.H2(_("Map"), className="h4 mb-0"), xs="auto"),
            dbc.Col(dropdown(id=MAP_INDICATOR, clearable=False, searchable=False, className="bx-picker",
                                 value=indicator if indicator in INDICATOR_BY_KEY else None),
                    xs=12, md=6, lg=5, xl=4, className="bx-map-indicator"),
        ], className="align-items-center g-2 mb-2"),
        html.Div(id=MAP_MESSAGE),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody(dbc.Row([
                dbc.Col(html.Div(dcc.Graph(id=MAP_GRAPH, config=config, figure=empty_figure(""),
                                           className="bx-map-graph"), id=MAP_GRAPH_BOX), xs=12, md=True),
                dbc.Col(html.Div(id=MAP_LEGEND), xs=12, md="auto", className="bx-map-legend"),
            ], className="g-2"), className="p-2"), className="shadow-sm h-100"), xs=12, xl=7),
            dbc.Col(dbc.Card(dbc.CardBody(dcc.Loading(html.Div(id=MAP_TABLE), type="dot"), className="p-2"),
                             className="shadow-sm h-100"), xs=12, xl=5),
        ], className="g-3 mb-3"),
        dbc.Card([
            dbc.CardHeader(html.Div([
                html.H3(id=MAP_DETAIL_TITLE, className="h5 mb-0 me-auto"),
                dbc.Button([html.I(className="bi bi-arrow-left me-1"), html.Span()], id=MAP_BACK, size="sm",
                           color="secondary", outline=True),
            ], className="d-flex align-items-center flex-wrap gap-2")),
            dbc.CardBody(dbc.Row([
                dbc.Col(html.Div(id=MAP_SCHOOLS), xs=12, xl=7),
                dbc.Col(dcc.Graph(id=MAP_SCHOOL_CHART, config={**graph_config(current_language()),
                                                               "displayModeBar": False},
                                  figure=empty_figure(""), style={"height": "240px"}), xs=12, xl=5),
                dbc.Col(html.Div(id=MAP_VILLAGES), xs=12, xl=7),
            ], className="g-3")),
        ], id=MAP_DETAIL, style=HIDDEN, className="shadow-sm mb-4 bx-map-detail"),
    ])


def require_map(selection: str) -> str:
    """The page's roles and the user's scope, checked on the server for every callback (403 otherwise)."""
    if getattr(current_user, "role", None) not in MAP_ROLES:
        raise AreaRefused()
    return require_selection(selection)


def default_indicator(report_targets: dict) -> str:
    """junior_dropout_rate when it has a target, else the first indicator with one, else junior_dropout_rate."""
    if DEFAULT_INDICATOR in report_targets or not report_targets:
        return DEFAULT_INDICATOR
    return next(i.key for i in INDICATORS if i.key in report_targets)


@callback(Output(MAP_INDICATOR, "options"), Output(MAP_INDICATOR, "value"),
          Input(SHELL_SELECTION, "value"), State(MAP_INDICATOR, "value"))
def choose_indicator(selection: str | None, current: str | None) -> tuple[list, str]:
    """Every indicator with its target in force for the selection; keep the user's choice."""
    targets: dict = {}
    if selection:
        require_map(selection)
        policy = policy_for(db(), selection) if len(selection) == 12 else None
        targets = dict(policy.targets) if policy else {}
    options = [{"label": f"{indicator_name(i.key)}  {target_text(targets[i.key])}" if i.key in targets
                else indicator_name(i.key), "value": i.key} for i in INDICATORS]
    return options, current if current in INDICATOR_BY_KEY else default_indicator(targets)


def map_levels(level: str) -> tuple[str, bool]:
    """The level of the areas drawn for a selection of `level` and whether they drill into schools."""
    below = unit_level_below(level)
    shown = level if below == "school" else below  # a township or village: draw the area itself
    return shown, shown == "township"


def map_unit(unit: UnitReport, key: str, target: str, policy: Policy | None = None) -> MapUnit:
    """A unit's band and hover texts for one indicator."""
    status = unit.evaluations[key].status
    precision = policy.precision if policy else 2
    return MapUnit(unit.code, unit.name, status, format_value(key, unit.values[key].value, precision),
                   counts_text(unit.values[key]), target, _(STATUS_LABELS[status]), unit_tier_name(unit, policy))


def hover_template(key: str) -> str:
    """What the map shows on hover (customdata: name, value, counts, target, status, tier)."""
    counts_label, target_label, tier_label = _("Numerator / denominator"), _("Target"), _("Tier")
    counts = f"{counts_label}: %{{customdata[2]}}<br>" if INDICATOR_BY_KEY[key].is_rate else ""
    return (f"<b>%{{customdata[0]}}</b><br>{indicator_name(key)}: <b>%{{customdata[1]}}</b> · %{{customdata[4]}}<br>"
            f"{counts}{target_label}: %{{customdata[3]}}<br>{tier_label}: %{{customdata[5]}}<extra></extra>")


def _message(text: str, color: str = "info") -> dbc.Alert:
    return dbc.Alert(text, color=color, className="py-2 small")


@callback(Output(MAP_GRAPH, "figure"), Output(MAP_GRAPH_BOX, "style"), Output(MAP_LEGEND, "children"),
          Output(MAP_TABLE, "children"), Output(MAP_MESSAGE, "children"), Output(MAP_SHOWN, "data"),
          Input(SHELL_SELECTION, "value"), Input(SHELL_TERM, "value"), Input(MAP_INDICATOR, "value"),
          Input(MAP_DRILL, "data"), State(MAP_SHOWN, "data"))
def show_map(selection: str | None, term: str | None, key: str | None, drilled: str | None,
             shown: dict | None) -> tuple:
    """The choropleth of the selection's areas; geometry is sent once per area, then only values change."""
    if not selection or not term or key not in INDICATOR_BY_KEY:
        return no_update, HIDDEN, None, None, _message(_("No data yet: import a roster or load the demo.")), None
    require_map(selection)
    session, scope = db(), current_scope()
    level = area_level(session, selection)
    if level is None:
        return no_update, HIDDEN, None, None, _message(_("The map shows areas: pick an area.")), None
    shown_level, drillable = map_levels(level)
    index = boundary_codes(session, scope, selection, level, shown_level)
    codes = [c for c, _schematic in index]
    same_geometry = bool(codes) and (shown or {}).get("area") == selection and shown.get("codes") == codes
    triggered = set(ctx.triggered_prop_ids)
    if same_geometry and triggered == {f"{MAP_DRILL}.data"}:
        patch = Patch()
        patch["data"][0]["marker"]["line"] = outline(codes, drilled)
        return patch, no_update, no_update, no_update, no_update, no_update
    report = load_report(session, scope, selection, shown_level, term)
    target = report.policy.targets.get(key) if report.policy else None
    units = {u.code: map_unit(u, key, target_text(target), report.policy) for u in report.units}
    drawn = [units[c] for c in codes if c in units]
    table = units_table(report, key, shown_level, drillable)
    notes = []
    if not drawn:
        notes.append(_message(_("No boundaries imported for these areas: an administrator imports them on the "
                                "Imports page (file kind: boundaries, a GeoJSON file). The table lists their "
                                "figures."), "warning"))
        return no_update, HIDDEN, None, table, notes, None
    if len(drawn) < len(report.units):
        notes.append(_message(_("%(count)s area(s) have no boundary and appear only in the table.",
                                count=len(report.units) - len(drawn)), "warning"))
    bands = [u.band for u in drawn]
    if same_geometry and len(drawn) == len(codes) and SHELL_SELECTION + ".value" not in triggered:
        figure = Patch()
        values = band_values(drawn)
        figure["data"][0]["z"] = values["z"]
        figure["data"][0]["customdata"] = values["customdata"]
        figure["data"][0]["hovertemplate"] = hover_template(key)
        figure["data"][0]["marker"]["line"] = outline([u.code for u in drawn], drilled)
    else:
        shapes = [s for s in area_shapes(session, scope, selection, level, shown_level) if s.code in units]
        drawn = [units[s.code] for s in shapes]
        codes = [s.code for s in shapes]  # invalid geometry skipped: the next call sees a mismatch and redraws
        figure = choropleth_figure(feature_collection([(s.code, s.name, s.geometry) for s in shapes]), drawn,
                                   hover_template(key), drilled, revision=selection)
    schematic = any(flag for _c, flag in index)
    return (figure, SHOWN, legend(report, key, bands, schematic), table, notes or None,
            {"area": selection, "codes": codes})


@callback(Output(MAP_DRILL, "data"), Input(SHELL_SELECTION, "value"), Input(MAP_GRAPH, "clickData"),
          Input({"type": UNIT_LINK, "code": ALL}, "n_clicks"), Input(MAP_BACK, "n_clicks"))
def choose_township(selection: str | None, click: dict | None, _links: list, _back: int | None) -> str | None:
    """The township to drill into: a clicked one (checked against the scope), or the selection itself."""
    if not selection:
        return None
    require_map(selection)
    trigger = ctx.triggered_id
    if trigger == MAP_BACK:
        return None if _back else no_update       # the button drawn afresh arrives unclicked
    if trigger == MAP_GRAPH:
        code = ((click or {}).get("points") or [{}])[0].get("location")
    elif isinstance(trigger, dict):  # a township link; links drawn afresh arrive with n_clicks None
        code = trigger.get("code") if trigger.get("type") == UNIT_LINK and ctx.triggered[0].get("value") else None
    else:  # first call or a new selection: a township selection is its own drill-down
        return selection if area_level(db(), selection) == "township" else None
    if not code:
        return no_update
    require_map(str(code))
    return str(code) if area_level(db(), str(code)) == "township" else no_update


def school_chart(report: Report, key: str, target: object) -> object:
    """Bars of the schools with figures for the indicator, the target as a line (or a message)."""
    units = [u for u in report.units if u.values[key].value is not None]
    if not units:
        return empty_figure(_("No school has figures for this indicator in this term."))
    title = indicator_name(key)
    left_out = len(report.units) - len(units)
    if left_out:
        title += "  " + _("(%(count)s school(s) without figures not shown)", count=left_out)
    return school_bars([u.name for u in units], [u.values[key].value for u in units],
                       [u.evaluations[key].status for u in units],
                       [format_value(key, u.values[key].value) for u in units],
                       [counts_text(u.values[key]) for u in units],
                       target.bound if target is not None else None,
                       _("Target %(target)s", target=target_text(target)) if target is not None else "",
                       title, worst_high=worst_high(target))


@callback(Output(MAP_DETAIL, "style"), Output(MAP_DETAIL_TITLE, "children"), Output(MAP_SCHOOLS, "children"),
          Output(MAP_SCHOOL_CHART, "figure"), Output(MAP_SCHOOL_CHART, "style"), Output(MAP_VILLAGES, "children"),
          Output(MAP_BACK, "style"), Output(MAP_BACK, "children"),
          Input(MAP_DRILL, "data"), Input(SHELL_TERM, "value"), Input(MAP_INDICATOR, "value"),
          State(SHELL_SELECTION, "value"))
def show_township(township: str | None, term: str | None, key: str | None, selection: str | None) -> tuple:
    """A township's schools and villages for the indicator; the township is checked against the scope."""
    if not township or not term or key not in INDICATOR_BY_KEY:
        return HIDDEN, no_update, no_update, no_update, no_update, no_update, no_update, no_update
    require_map(township)
    session, scope = db(), current_scope()
    if area_level(session, township) != "township":
        return HIDDEN, no_update, no_update, no_update, no_update, no_update, no_update, no_update
    schools = load_report(session, scope, township, "school", term)
    villages = load_report(session, scope, township, "village", term)
    kinds = {p.code: (p.type, p.is_central) for p in township_schools(session, scope, township)}
    name = area_name(session, township) or township
    target = schools.policy.targets.get(key) if schools.policy else None
    title = [html.I(className="bi bi-geo-alt-fill me-1 text-primary"), name,
             html.Small(f" · {indicator_name(key)} · {term_name(term)}", className="text-muted fw-normal")]
    school_part = (school_table(schools, key, kinds, target) if schools.units
                   else html.P(_("No schools in this township."), className="text-muted"))
    village_part = (village_table(villages, key) if villages.units
                    else html.P(_("No villages recorded for this township."), className="text-muted small"))
    back_hidden = not selection or selection == township
    back_label = no_update
    if not back_hidden:
        require_map(selection)
        back_label = [html.I(className="bi bi-arrow-left me-1"),
                      _("Back to %(name)s", name=area_name(session, selection) or selection)]
    with_figures = sum(1 for u in schools.units if u.values[key].value is not None)
    chart_style = {"height": f"{bar_height(with_figures)}px"}
    return (SHOWN, title, school_part, school_chart(schools, key, target), chart_style, village_part,
            HIDDEN if back_hidden else SHOWN, back_label)


clientside_callback(
    """function(code, selection) {
        if (code && code !== selection) {
            let tries = 0;
            const scroll = () => {
                const el = document.getElementById('map-detail');
                if (el && el.style.display !== 'none') { el.scrollIntoView({behavior: 'smooth', block: 'start'}); }
                else if (tries++ < 50) { setTimeout(scroll, 100); }
            };
            setTimeout(scroll, 150);
        }
        return window.dash_clientside.no_update;
    }""",
    Output(MAP_SCROLL, "data"), Input(MAP_DRILL, "data"), State(SHELL_SELECTION, "value"))
