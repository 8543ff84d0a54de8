"""Rectification board (整改): progress per township or team, the orders the user may see (filters team,
township, status, overdue only; overdue first) and, for the verifying teams, a new order (by hand, or
from a finding: /rectification?finding=N opens the form prefilled)."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask_babel import gettext as _
from components.controls import dropdown

from components.inspection.visit import saved_mark
from wording.inspection import finding_detail, finding_headline
from components.rectification.board import (ORDERS_PER_PAGE, RECT_ISSUE, RECT_NEW_DEADLINE, RECT_NEW_MSG, RECT_NEW_REQ,
                                            RECT_NEW_TITLE, RECT_NEW_TOWN, RECT_NEW_UNIT, capped_progress_bars,
                                            new_order_form, orders_table)
from wording.rectification import STATUS_LABELS, error_text, label
from data_access.inspection.access import InvalidInput
from data_access.models import School
from data_access.rectification.orders import OrderRefused, default_deadline, issuable_townships
from data_access.rectification.issue import OrderDraft, finding_for_order, issue_order
from data_access.rectification.stats import order_progress
from data_access.rectification.view import board_filters, count_orders, list_orders
from domain.localtime import local_today
from domain.paging import clamp_page
from domain.rectification.rules import STATUSES
from pages.rectification import findings as rectification_findings  # noqa: F401 - the order slots of a visit's findings
from pages.inspection.common import current_actor
from pages.rectification.common import as_id, run
from web.context import AreaRefused, db
from wording.i18n import N_, current_language
from web.saves import saves

ALL_ROLES = ("county_leader", "inspector", "township_officer", "school_staff", "admin")
dash.register_page(__name__, path="/rectification", name="Rectification", label=N_("Rectification"),
                   icon="clipboard2-pulse", roles=ALL_ROLES, order=8)

RECT_INIT = "rect-init"
RECT_GO = "rect-go"
RECT_NEW_OPEN = "rect-new-open"
RECT_MODAL = "rect-modal"
RECT_MODAL_BODY = "rect-modal-body"
RECT_FINDING = "rect-finding"
RECT_F_TEAM, RECT_F_TOWN, RECT_F_STATUS, RECT_F_OVERDUE = ("rect-f-team", "rect-f-town", "rect-f-status",
                                                          "rect-f-overdue")
RECT_BY, RECT_PROGRESS, RECT_LIST, RECT_COUNT = "rect-by", "rect-progress", "rect-list", "rect-count"
RECT_PAGER = "rect-pager"


def layout(**query: str) -> html.Div:
    """Page frame: progress, filters and list; a finding id in the address is a request, checked on the server."""
    def pick(pick_id: str, text: str) -> dbc.Col:
        return dbc.Col([dbc.Label(text, html_for=pick_id, className="small text-muted mb-0"),
                        dropdown(id=pick_id, clearable=True, placeholder=_("All"))], xs=6, md=3)
    return html.Div([
        dcc.Location(id=RECT_GO, refresh=True),
        dcc.Store(id=RECT_INIT, data={"finding": as_id(query.get("finding"))}),
        dcc.Store(id=RECT_FINDING),
        dbc.Row([dbc.Col(html.H2(_("Rectification orders"), className="h4 mb-0")),
                 dbc.Col(dbc.Button([html.I(className="bi bi-plus-circle me-1"), _("New order")], id=RECT_NEW_OPEN,
                                    color="primary", size="sm", style={"display": "none"}), width="auto")],
                className="align-items-center mb-2"),
        dbc.Card(dbc.CardBody([
            dbc.Row([dbc.Col(html.H3(_("Progress"), className="h6 mb-0")),
                     dbc.Col(dbc.RadioItems(id=RECT_BY, inline=True, value="township", className="small",
                                            options=[{"label": _("by township"), "value": "township"},
                                                     {"label": _("by team"), "value": "team"}]), width="auto")],
                    className="align-items-center mb-2"),
            dcc.Loading(html.Div(id=RECT_PROGRESS), type="dot", delay_show=400),
        ]), className="shadow-sm mb-3"),
        dbc.Card(dbc.CardBody([
            dbc.Row([pick(RECT_F_TEAM, _("Team")), pick(RECT_F_TOWN, _("Township")), pick(RECT_F_STATUS, _("Status")),
                     dbc.Col(dbc.Switch(id=RECT_F_OVERDUE, label=_("Overdue only"), value=False),
                             xs=6, md=3, className="align-self-end")], className="g-2 mb-2"),
            html.Div(id=RECT_COUNT, className="small text-muted mb-1"),
            dcc.Loading(html.Div(id=RECT_LIST), type="dot", delay_show=400),
            dbc.Pagination(id=RECT_PAGER, active_page=1, max_value=1, first_last=True, previous_next=True,
                           fully_expanded=False, size="sm", className="mt-2 mb-0"),
        ]), className="shadow-sm"),
        dbc.Modal([dbc.ModalHeader(dbc.ModalTitle(_("New rectification order"))),
                   dbc.ModalBody(id=RECT_MODAL_BODY)], id=RECT_MODAL, size="lg", is_open=False),
    ])


@callback(Output(RECT_F_TEAM, "options"), Output(RECT_F_TOWN, "options"), Output(RECT_F_STATUS, "options"),
          Output(RECT_NEW_OPEN, "style"), Input(RECT_INIT, "data"))
def fill_filters(_init: dict | None) -> tuple:
    """Filter choices from the orders the user may see; the new-order button for the verifying teams."""
    actor = current_actor()
    session = db()
    choices = board_filters(session, actor.scope)
    towns = issuable_townships(session, actor)
    statuses = [{"label": _("Not closed"), "value": "open"}] + [
        {"label": label(STATUS_LABELS, s), "value": s} for s in STATUSES]
    return ([{"label": n, "value": i} for i, n in choices.teams],
            [{"label": n, "value": c} for c, n in choices.townships], statuses,
            {} if towns else {"display": "none"})


@callback(Output(RECT_PROGRESS, "children"), Output(RECT_LIST, "children"), Output(RECT_COUNT, "children"),
          Output(RECT_PAGER, "max_value"), Output(RECT_PAGER, "active_page"),
          Input(RECT_F_TEAM, "value"), Input(RECT_F_TOWN, "value"), Input(RECT_F_STATUS, "value"),
          Input(RECT_F_OVERDUE, "value"), Input(RECT_BY, "value"), Input(RECT_PAGER, "active_page"))
def show_board(team: object, town: object, status: object, overdue: object, by: object, page: object) -> tuple:
    """Progress per township or team and a page of the filtered list (a changed filter goes back to page 1), both
    scoped to the user on the server."""
    actor = current_actor()
    session = db()
    today = local_today()
    by = "team" if by == "team" else "township"
    progress = order_progress(session, actor.scope, today, by=by)
    filters = {"team_id": team, "township": town, "status": status, "overdue_only": bool(overdue)}
    total, late = count_orders(session, actor.scope, today, **filters)
    page, pages = clamp_page(page if ctx.triggered_id == RECT_PAGER else 1, total, ORDERS_PER_PAGE)
    rows = list_orders(session, actor.scope, today, limit=ORDERS_PER_PAGE, offset=(page - 1) * ORDERS_PER_PAGE,
                       **filters)
    count = _("%(n)s orders, %(late)s overdue", n=total, late=late)
    return (capped_progress_bars(progress, _("No orders yet."), by=by), orders_table(rows, "rect-table"), count,
            pages, page)


def _prefill(f: object) -> tuple[str, str]:
    headline = finding_headline(f.kind, f.false_data_type)
    detail = finding_detail(f.method, f.kind, f.subject, f.count, f.description)
    sep = "：" if current_language() == "zh" else ": "
    what = f.subject or (f.description or "").splitlines()[0][:40] if (f.subject or f.description) else ""
    title = f"{headline}{sep}{what or f.school_name or f.township_name}"[:80]
    requirement = _("Rectify the problem found: %(finding)s. Report the measures taken, with evidence, by the "
                    "deadline.", finding=detail)
    return title, requirement


@callback(Output(RECT_MODAL, "is_open"), Output(RECT_MODAL_BODY, "children"), Output(RECT_FINDING, "data"),
          Input(RECT_NEW_OPEN, "n_clicks"), Input(RECT_INIT, "data"), prevent_initial_call=False)
def open_form(clicks: int | None, init: dict | None) -> tuple:
    """Open the new-order form: blank (New order), or prefilled from the finding in the address."""
    from_finding = ctx.triggered_id == RECT_INIT or (ctx.triggered_id is None and clicks is None)
    finding_id = as_id((init or {}).get("finding")) if from_finding else None
    if from_finding and finding_id is None:
        return no_update, no_update, no_update
    actor = current_actor()
    session = db()
    deadline = default_deadline(local_today())
    if finding_id is None:
        if not clicks:              # the button drawn, not pressed
            raise PreventUpdate
        towns = issuable_townships(session, actor)
        if not clicks or not towns:
            raise AreaRefused()
        return True, new_order_form(towns, deadline, None), None
    try:
        facts = finding_for_order(session, actor, finding_id)
    except OrderRefused as exc:
        raise AreaRefused() from exc
    except InvalidInput as exc:
        link = (dcc.Link(_("Open the order"), href=f"/rectification/order?id={exc.params['order']}",
                         className="alert-link ms-1") if exc.code == "finding_has_open_order" else None)
        return True, dbc.Alert([error_text(exc.code, exc.params), link], color="warning", className="mb-0"), None
    title, requirement = _prefill(facts)
    return True, new_order_form([], deadline, facts, title, requirement), facts.id


@callback(Output(RECT_NEW_UNIT, "options"), Output(RECT_NEW_UNIT, "value"), Input(RECT_NEW_TOWN, "value"),
          State(RECT_FINDING, "data"))
def township_picked(town: object, finding: object) -> tuple:
    """The township itself and its schools, for a township the user may issue orders to."""
    if finding is not None or not town:
        return no_update, no_update
    actor = current_actor()
    session = db()
    names = dict(issuable_townships(session, actor))
    if town not in names:
        raise AreaRefused()
    schools = session.query(School.id, School.name).filter(School.township_code == town).order_by(School.code).all()
    whole = _("township")
    options = [{"label": f"{names[town]} ({whole})", "value": ""}]
    return options + [{"label": n, "value": str(i)} for i, n in schools], ""


@callback(Output(RECT_GO, "href"), Output(RECT_NEW_MSG, "children"), Input(RECT_ISSUE, "n_clicks"),
          State(RECT_NEW_TOWN, "value"), State(RECT_NEW_UNIT, "value"), State(RECT_NEW_TITLE, "value"),
          State(RECT_NEW_REQ, "value"), State(RECT_NEW_DEADLINE, "value"), State(RECT_FINDING, "data"),
          prevent_initial_call=True)
@saves
def issue(clicks: int | None, town: object, unit: object, title: object, requirement: object, deadline: object,
          finding: object) -> tuple:
    """Issue the order (checked against the user's team and scope) and open it."""
    if not clicks:
        return no_update, no_update
    school = as_id(unit) if unit not in (None, "") else None
    if unit not in (None, "") and school is None:
        raise AreaRefused()
    draft = OrderDraft(title, requirement, deadline, town, school, as_id(finding) if finding is not None else None)
    if finding is not None and draft.finding_id is None:
        raise AreaRefused()
    done = run(lambda s, a: issue_order(s, a, draft, local_today()).id)
    if not done.ok:
        return no_update, saved_mark(done.error or "", error=True)
    return f"/rectification/order?id={done.value}", saved_mark(_("Saved"))
