"""Notification tiers: each area's tier for the period with its reasons and history, counts per tier."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html
from flask_babel import gettext as _

from components.shell import SHELL_SELECTION, SHELL_TERM
from components.status import TIER_COLORS, TIER_TEXT
from components.rectification.board import add_rectification_columns
from components.dashboard.tables import tiers_table
from data_access.analytics.report import area_level, load_report, unit_level_below
from data_access.rectification.stats import order_progress
from domain.localtime import local_today
from web.context import current_scope, db, require_selection
from wording.i18n import N_
from components.dashboard.policy import report_title
from wording.dashboard import tier_name

dash.register_page(__name__, pickers=("area", "term"), path="/tiers", name="Tiers", label=N_("Tiers"), icon="flag",
                   roles=("county_leader", "inspector", "township_officer", "admin"), order=5)

TIERS_COUNTS = "tiers-counts"
TIERS_TABLE = "tiers-table-box"
TIERS_TITLE = "tiers-title"


def layout(**_query: str) -> html.Div:
    """Page frame; the tiers arrive through the callback."""
    return html.Div([
        html.H2(_("Notification tiers"), className="h4 mb-1"),
        html.Div(id=TIERS_TITLE, className="text-muted small mb-3"),
        dcc.Loading([dbc.Row(id=TIERS_COUNTS, className="g-2 mb-3"),
                     html.Div(id=TIERS_TABLE)]),
    ])


def _count_card(tier: int, count: int) -> dbc.Col:
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(tier_name(tier), className="small"),
        html.Div(str(count), className="fs-3 fw-bold", id=f"tiers-count-{tier}"),
    ], className="py-2"), style={"backgroundColor": TIER_COLORS[tier], "color": TIER_TEXT[tier]},
        className="text-center shadow-sm"), xs=4, md=True)


@callback(Output(TIERS_COUNTS, "children"), Output(TIERS_TABLE, "children"), Output(TIERS_TITLE, "children"),
          Input(SHELL_SELECTION, "value"), Input(SHELL_TERM, "value"))
def show_tiers(selection: str | None, term: str | None) -> tuple:
    """Tier of every unit under the selection, reasons and history; refused outside the user's scope."""
    if not selection or not term:
        return [], html.P(_("No data yet: import a roster or load the demo.")), None
    require_selection(selection)
    if len(selection) == 10:
        return [], html.P(_("Tiers are given to the areas and schools under a township or county; "
                            "pick an area.")), None
    session = db()
    level = unit_level_below(area_level(session, selection))
    report = load_report(session, current_scope(), selection, level, term)
    cards = [_count_card(t, report.tier_counts.get(t, 0)) for t in range(5)]
    period_label = _("period: one semester")
    title = report_title(term, report.policy, period_label)
    table = tiers_table(report, "tiers-table")
    if level == "township":  # overdue orders and the on-time closure rate beside each township's tier
        progress = order_progress(session, current_scope(), local_today())
        table = add_rectification_columns(table, {r.code: r for r in progress})
    return cards, table, title
