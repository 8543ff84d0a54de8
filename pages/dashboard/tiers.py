"""Notification tiers: each area's tier for the period with its reasons and history, counts per tier."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from flask_babel import gettext as _
from flask_login import current_user

from components.shell import SHELL_SELECTION, SHELL_TERM
from components.status import TIER_COLORS, TIER_TEXT
from components.rectification.board import add_rectification_columns
from components.dashboard.publication import (PUBLISH_BUTTON, PUBLISH_CONFIRM, PUBLISH_MSG, PUBLISH_REFRESH, PUBLISH_ROW,
                                              WITHDRAW_BUTTON, WITHDRAW_REASON, WITHDRAW_ROW, publication_note,
                                              publish_controls)
from components.dashboard.tables import tiers_table
from data_access.analytics.publish import PublishRefused, publication_for, publish_period, withdraw_publication
from data_access.analytics.accountability import records
from data_access.analytics.report import area_level, load_report, policy_for, terms_up_to, unit_level_below
from data_access.rectification.stats import order_progress
from domain.localtime import local_today
from web.context import AreaRefused, current_scope, db, require_selection, require_term, transaction
from web.saves import saves
from wording.i18n import N_
from components.dashboard.policy import report_title
from domain.dashboard.accountability import ACCOUNTABLE_TIERS
from wording.dashboard import accountability_note, publish_refused_text, tier_name

dash.register_page(__name__, pickers=("area", "term"), path="/tiers", name="Tiers", label=N_("Tiers"), icon="flag",
                   roles=("county_leader", "inspector", "township_officer", "admin"), order=5)

TIERS_COUNTS = "tiers-counts"
TIERS_TABLE = "tiers-table-box"
TIERS_TITLE = "tiers-title"


def layout(**_query: str) -> html.Div:
    """Page frame; the tiers arrive through the callback."""
    return html.Div([
        html.H2(_("Notification tiers"), className="h4 mb-1"),
        html.Div(id=TIERS_TITLE, className="text-muted small mb-2"),
        publish_controls(),
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
          Input(SHELL_SELECTION, "value"), Input(SHELL_TERM, "value"), Input(PUBLISH_REFRESH, "data"))
def show_tiers(selection: str | None, term: str | None, _refresh: int | None = None) -> tuple:
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
    title = [*report_title(term, report.policy, period_label), publication_note(report.publication)]
    table = tiers_table(report, "tiers-table", _accountability_notes(session, report, term))
    if level == "township":  # overdue orders and the on-time closure rate beside each township's tier
        progress = order_progress(session, current_scope(), local_today())
        table = add_rectification_columns(table, {r.code: r for r in progress})
    return cards, table, title


def _accountability_notes(session, report, term: str) -> dict[str, list]:  # noqa: ANN001 - a Session, a Report
    """Under each unit's reasons: the 约谈 / 问责 records of this period and the last, and for a published period a
    link to record one (county leaders and admins)."""
    codes = {u.code for u in report.units}
    earlier = terms_up_to(session, term, 2)
    notes: dict[str, list] = {}
    rows = records(session, current_scope(), codes=codes)
    for r in rows:
        if r.term in earlier:
            notes.setdefault(r.unit_code, []).append(accountability_note(r, r.term == term))
    if report.publication is not None and getattr(current_user, "role", None) in ("county_leader", "admin"):
        recorded = {r.unit_code for r in rows if r.term == term}
        for u in report.units:
            if u.graded and u.tier.tier in ACCOUNTABLE_TIERS and u.code not in recorded:
                notes.setdefault(u.code, []).append(dcc.Link(_("Record what was done"),
                                                             href=f"/accountability?unit={u.code}&term={term}"))
    return notes


def _publishing_area(selection: str | None, term: str | None) -> tuple[str, str]:
    """The area and term a publish or withdrawal acts on; HTTP 403 outside the user's scope."""
    area = require_selection(selection)
    if len(area) != 12:
        raise AreaRefused()
    return area, require_term(term)


@callback(Output(PUBLISH_ROW, "hidden"), Output(WITHDRAW_ROW, "hidden"),
          Input(SHELL_SELECTION, "value"), Input(SHELL_TERM, "value"), Input(PUBLISH_REFRESH, "data"))
def publish_state(selection: str | None, term: str | None, _refresh: int | None) -> tuple[bool, bool]:
    """Show the publish button to county leaders and admins of an unpublished area and term, the withdrawal
    form to admins of a published one; nothing to anyone else."""
    role = getattr(current_user, "role", None)
    if role not in ("county_leader", "admin") or not selection or not term or len(selection) != 12:
        return True, True
    require_selection(selection)
    published = publication_for(db(), selection, term)
    mine = published is not None and published.area_code == selection
    return published is not None, not (mine and role == "admin")


@callback(Output(PUBLISH_CONFIRM, "displayed"), Input(PUBLISH_BUTTON, "n_clicks"), prevent_initial_call=True)
def ask_publish(clicks: int | None) -> bool:
    """Ask before publishing."""
    return bool(clicks)


@callback(Output(PUBLISH_MSG, "children"), Output(PUBLISH_REFRESH, "data"),
          Input(PUBLISH_CONFIRM, "submit_n_clicks"), Input(WITHDRAW_BUTTON, "n_clicks"),
          State(SHELL_SELECTION, "value"), State(SHELL_TERM, "value"), State(WITHDRAW_REASON, "value"),
          State(PUBLISH_REFRESH, "data"), prevent_initial_call=True)
@saves
def publish_or_withdraw(confirmed: int | None, withdraw: int | None, selection: str | None, term: str | None,
                        reason: str | None, refresh: int | None) -> tuple:
    """Publish the period (county leaders and admins) or withdraw its publication (admins, with a reason)."""
    role = getattr(current_user, "role", None)
    withdrawing = ctx.triggered_id == WITHDRAW_BUTTON
    if role not in (("admin",) if withdrawing else ("county_leader", "admin")):
        raise AreaRefused()
    if not (withdraw if withdrawing else confirmed):
        return no_update, no_update
    area, term = _publishing_area(selection, term)
    try:
        with transaction() as session:
            if withdrawing:
                withdraw_publication(session, area, term, current_user.id, reason or "")
                done = _("The publication is withdrawn: this period shows the live figures again.")
            else:
                publish_period(session, area, term, current_user.id, policy_for(session, area, term))
                done = _("Published: this period's figures, tiers and ranking are now frozen as shown.")
    except PublishRefused as exc:
        return html.Span(publish_refused_text(exc.code), className="text-danger"), no_update
    return html.Span(done, className="text-success"), (refresh or 0) + 1
