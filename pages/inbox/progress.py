"""To do & progress: on one screen, the user's overdue rectification orders and the case steps due,
then casework progress for their whole area — open cases by step and reason, special groups,
returned this term, and rectification progress per township and per team."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, callback, dcc, html
from flask_babel import gettext as _

from components.charts import empty_figure, graph_config
from components.dashboard.kpi import kpi_card
from components.inbox.progress import WorkItem, count_bars, figure_height, split_bars, work_list
from components.rectification.board import BARS_SHOWN, capped_progress_bars
from components.shell import SHELL_SELECTION, SHELL_TERM
from data_access.cases.stats import case_summary, due_case_steps
from data_access.queries import selection_scope
from pages.cases.common import step_days
from data_access.rectification.stats import order_progress_by, overdue_orders
from domain.localtime import local_today
from domain.cases.escalation import STEPS
from web.context import current_scope, db, require_selection
from wording.i18n import N_, current_language
from wording.ledger import CLOCK_LABELS, GROUP_LABELS, label, reason_text, step_text

ALL_ROLES = ("county_leader", "inspector", "township_officer", "school_staff", "admin")
dash.register_page(__name__, pickers=("area", "term"), path="/progress", name="To do", label=N_("Work progress"), icon="list-check",
                   roles=ALL_ROLES, order=3)

PROGRESS_CARDS = "progress-cards"
PROGRESS_ORDERS = "progress-orders"
PROGRESS_STEPS = "progress-steps"
PROGRESS_STEP_CHART = "progress-step-chart"
PROGRESS_REASON_CHART = "progress-reason-chart"
PROGRESS_GROUP_CHART = "progress-group-chart"
PROGRESS_TOWN_CASES = "progress-town-cases"
PROGRESS_TOWNSHIPS = "progress-townships"
PROGRESS_TEAMS = "progress-teams"


def layout(**_query: str) -> html.Div:
    """The page frame; lists and figures arrive through the callback (layouts hold no data)."""
    config = graph_config(current_language())

    def chart(chart_id: str, md: int) -> dbc.Col:
        # responsive, so the width follows the card (also after a resize); the height follows the data
        # through the graph's style, which the callback sets from each figure's height
        graph = dcc.Graph(id=chart_id, figure=empty_figure(""), responsive=True, style={"height": "300px"},
                          config={**config, "displayModeBar": False})
        return dbc.Col(dbc.Card(dbc.CardBody(graph),
                                className="shadow-sm h-100"), md=md)
    return html.Div([
        html.H2(_("Work progress"), className="h4 mb-3"),
        dcc.Loading(dbc.Row(id=PROGRESS_CARDS, className="g-3 mb-3"), type="dot"),
        dbc.Row([dbc.Col(html.Div(id=PROGRESS_ORDERS), lg=6), dbc.Col(html.Div(id=PROGRESS_STEPS), lg=6)],
                className="g-3 mb-3"),
        html.H3(_("Dropout cases"), className="h6 text-muted"),
        dbc.Row([chart(PROGRESS_STEP_CHART, 6), chart(PROGRESS_TOWN_CASES, 6)], className="g-3 mb-3"),
        dbc.Row([chart(PROGRESS_REASON_CHART, 6), chart(PROGRESS_GROUP_CHART, 6)], className="g-3 mb-3"),
        html.H3(_("Rectification progress"), className="h6 text-muted"),
        dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([html.H4(title, className="h6"), html.Div(id=div_id)]),
                                  className="shadow-sm h-100"), xs=12)
                 for div_id, title in ((PROGRESS_TOWNSHIPS, _("Orders per township")),
                                       (PROGRESS_TEAMS, _("Orders per team")))], className="g-3"),
    ])


def _order_items(rows: list) -> list[WorkItem]:
    return [WorkItem(f"/rectification/order?id={r.id}", r.title, f"{r.unit_name} · {r.township_name}",
                     _("Deadline %(date)s", date=r.deadline.isoformat()), "overdue",
                     _("%(n)s days overdue", n=r.days_overdue)) for r in rows]


def _step_items(rows: list) -> list[WorkItem]:
    return [WorkItem(f"/cases/case?id={r.case_id}", r.student, f"{r.school} · {r.township}",
                     f"{step_text(r.step)} · {_('Due %(date)s', date=r.due.isoformat())}", r.state,
                     label(CLOCK_LABELS, r.state)) for r in rows]


@callback(Output(PROGRESS_CARDS, "children"), Output(PROGRESS_ORDERS, "children"), Output(PROGRESS_STEPS, "children"),
          Output(PROGRESS_STEP_CHART, "figure"), Output(PROGRESS_REASON_CHART, "figure"),
          Output(PROGRESS_GROUP_CHART, "figure"), Output(PROGRESS_TOWN_CASES, "figure"),
          Output(PROGRESS_TOWNSHIPS, "children"),
          Output(PROGRESS_TEAMS, "children"),
          Output(PROGRESS_STEP_CHART, "style"), Output(PROGRESS_REASON_CHART, "style"),
          Output(PROGRESS_GROUP_CHART, "style"), Output(PROGRESS_TOWN_CASES, "style"),
          Input(SHELL_SELECTION, "value"), Input(SHELL_TERM, "value"))
def show_progress(selection: str | None, term: str | None) -> tuple:
    """The work lists and casework progress of the chosen area or school (checked against the user's scope)."""
    session, today = db(), local_today()
    scope = selection_scope(session, current_scope(), require_selection(selection)) if selection else current_scope()
    summary = case_summary(session, scope, today, term, step_days()) if term else None
    orders = overdue_orders(session, scope, today)
    steps = due_case_steps(session, scope, today, role=scope.role, step_days=step_days())
    progress = order_progress_by(session, scope, today)
    townships, teams = progress["township"], progress["team"]
    open_orders = sum(r.open for r in townships)
    overdue_orders_total = sum(r.overdue for r in townships)   # (the list below shows the first 50 of them)
    closed = sum(r.closed for r in townships)
    on_time = sum(r.closed_on_time for r in townships)
    due_total = sum(r.closed + r.overdue for r in townships)
    rate = f"{100 * on_time / due_total:.0f}%" if due_total else "—"
    s = summary
    cards = [
        dbc.Col(kpi_card("progress-open-cases", _("Open cases"), f"{s.open_total if s else 0:,}", "journal-text"),
                xs=6, md=4, xl=2),
        dbc.Col(kpi_card("progress-overdue-steps", _("Case steps overdue"), f"{s.overdue_steps if s else 0:,}",
                         "alarm", "danger" if s and s.overdue_steps else "success"), xs=6, md=4, xl=2),
        dbc.Col(kpi_card("progress-due-steps", _("Case steps due"), f"{s.due_steps if s else 0:,}", "hourglass-split",
                         "warning" if s and s.due_steps else "success"), xs=6, md=4, xl=2),
        dbc.Col(kpi_card("progress-returned", _("Returned this term"), f"{s.returned_this_term if s else 0:,}",
                         "person-check-fill", "success"), xs=6, md=4, xl=2),
        dbc.Col(kpi_card("progress-open-orders", _("Open orders"), f"{open_orders:,}", "clipboard2-pulse",
                         note=_("%(n)s overdue", n=overdue_orders_total) if overdue_orders_total else ""),
                xs=6, md=4, xl=2),
        dbc.Col(kpi_card("progress-on-time", _("Closed on time"), rate, "calendar2-check",
                         note=_("%(on_time)s of %(total)s due", on_time=on_time, total=due_total) if due_total
                         else _("%(n)s closed", n=closed)), xs=6, md=4, xl=2),
    ]
    order_card = work_list("progress-order-list", _("Overdue rectification orders"), "clipboard2-x",
                           _order_items(orders), _("No overdue orders."), "/rectification", _("All orders"),
                           total=overdue_orders_total)
    step_card = work_list("progress-step-list", _("Case steps due and overdue"), "alarm", _step_items(steps),
                          _("No case step is due."), "/cases", _("Case ledger"),
                          total=s.overdue_steps + s.due_steps if s else None)   # (the same clocks, all of them)
    empty = _("No rectification orders yet.")
    charts = _case_charts(summary)
    heights = tuple({"height": f"{figure_height(f)}px"} for f in charts)
    return (cards, order_card, step_card, *charts, capped_progress_bars(townships, empty),
            capped_progress_bars(teams, empty, by="team"), *heights)


def _case_charts(summary: object) -> tuple[dict | go.Figure, ...]:
    if summary is None:
        blank = empty_figure(_("No open cases."))
        return blank, blank, blank, blank
    none = _("No open cases.")
    on_time, due, overdue = (_("On time"), "#0d6efd"), (_("Due"), "#ffc107"), (_("Overdue"), "#dc3545")
    steps = [step_text(n) for n in STEPS]
    by_step = split_bars(steps, [(*on_time, [summary.by_step.get(n, 0) - summary.overdue_by_step.get(n, 0)
                                             for n in STEPS]),
                                 (*overdue, [summary.overdue_by_step.get(n, 0) for n in STEPS])],
                         _("Open cases by step"), none)
    towns = list(summary.by_township.values())
    title = _("Open cases per township")
    if len(towns) > BARS_SHOWN:  # the townships with the most overdue, then open cases (a bar each would be ~1,400)
        title = _("Open cases in the %(n)s townships with the most (of %(total)s)", n=BARS_SHOWN, total=len(towns))
        towns = sorted(towns, key=lambda t: (-t.overdue, -t.open, t.name))[:BARS_SHOWN]
    by_town = split_bars([t.name for t in towns], [(*on_time, [t.open - t.due - t.overdue for t in towns]),
                                                   (*due, [t.due for t in towns]),
                                                   (*overdue, [t.overdue for t in towns])],
                         title, none, horizontal=True)
    return (by_step, count_bars({reason_text(k): v for k, v in summary.by_reason.items()}, _("Open cases by reason"),
                                none),
            count_bars({label(GROUP_LABELS, k): v for k, v in summary.special_groups.items()},
                       _("Open cases in special groups"), _("No open cases in special groups."), "#6f42c1"), by_town)
