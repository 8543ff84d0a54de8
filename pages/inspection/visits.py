"""Inspection visits: the list (filters zone, township, term, status) of the visits the user may read,
and, for inspectors, a new visit to a township of their zone."""
from __future__ import annotations

from typing import Any

import datetime as dt

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from flask_babel import gettext as _
from components.controls import dropdown

from components.inspection.visit import saved_mark
from components.inspection.lists import visits_table
from wording.inspection import STATUS_LABELS, label
from components.shell import SHELL_TERM
from data_access.inspection.access import creatable_townships, team_member_ids
from data_access.inspection.visits import create_visit
from data_access.inspection.lists import VISITS_PAGE_SIZE, count_visits, list_visits, visit_filters
from data_access.models import School, Term, User
from domain.localtime import local_today
from domain.paging import clamp_page
from domain.inspection.rules import VISIT_STATUSES
from pages.inspection.common import current_actor, save
from web.context import BadInput, AreaRefused, db
from wording.i18n import N_
from wording.dashboard import term_name
from web.saves import saves

ALL_ROLES = ("county_leader", "inspector", "township_officer", "school_staff", "admin")
dash.register_page(__name__, pickers=("term",), path="/inspection", name="Inspections", label=N_("Inspections"), icon="clipboard-check",
                   roles=ALL_ROLES, order=7)

INSPECTION_ZONE = "inspection-zone"
INSPECTION_TOWNSHIP = "inspection-township"
INSPECTION_STATUS = "inspection-status"
INSPECTION_LIST = "inspection-list"
INSPECTION_PAGER, INSPECTION_COUNT = "inspection-pager", "inspection-count"
INSPECTION_NEW = "inspection-new"
INSPECTION_NEW_TOWN = "inspection-new-town"
INSPECTION_NEW_SCHOOLS = "inspection-new-schools"
INSPECTION_NEW_DATE = "inspection-new-date"
INSPECTION_NEW_MEMBERS = "inspection-new-members"
INSPECTION_NEW_TERM = "inspection-new-term"
INSPECTION_CREATE = "inspection-create"
INSPECTION_MSG = "inspection-msg"
INSPECTION_GO = "inspection-go"
INSPECTION_SAME_DAY = "inspection-same-day"


def layout(**_query: str) -> html.Div:
    """Page frame: the new-visit card (inspectors), filters and the list; data arrives through callbacks."""
    def pick(pick_id: str, text: str) -> dbc.Col:
        return dbc.Col([dbc.Label(text, html_for=pick_id, className="small text-muted mb-0"),
                        dropdown(id=pick_id, clearable=True, placeholder=_("All"))], xs=6, md=3)
    return html.Div([
        dcc.Location(id=INSPECTION_GO, refresh=True),
        dcc.Store(id=INSPECTION_SAME_DAY),  # the township and day already warned about
        dbc.Row([dbc.Col(html.H2(_("Inspection visits"), className="h4 mb-0")),
                 dbc.Col(dcc.Link([html.I(className="bi bi-clipboard-data me-1"), _("Coverage this term")],
                                  href="/inspection/coverage", className="btn btn-sm btn-outline-primary"),
                         width="auto")], className="align-items-center mb-2"),
        html.Div(id=INSPECTION_NEW),
        dbc.Card(dbc.CardBody([
            # the term is the shell's term picker (one picker, one truth)
            dbc.Row([pick(INSPECTION_ZONE, _("Zone")), pick(INSPECTION_TOWNSHIP, _("Township")),
                     pick(INSPECTION_STATUS, _("Status"))], className="g-2 mb-2"),
            html.Div(id=INSPECTION_COUNT, className="small mb-2"),
            dcc.Loading(html.Div(id=INSPECTION_LIST), type="dot"),
            html.Div(dbc.Pagination(id=INSPECTION_PAGER, active_page=1, max_value=1, first_last=True,
                                    previous_next=True, fully_expanded=False, size="sm", className="mb-0"),
                     className="mt-2"),
        ]), className="shadow-sm"),
    ])


def _new_visit_card(towns: list[tuple[str, str]], term: str, today: dt.date) -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.H3([html.I(className="bi bi-plus-circle me-1"), _("New visit")], className="h6"),
        dbc.Row([
            dbc.Col([dbc.Label(_("Township"), html_for=INSPECTION_NEW_TOWN, className="small text-muted mb-0"),
                     dropdown(id=INSPECTION_NEW_TOWN, options=[{"label": n, "value": c} for c, n in towns],
                                  value=towns[0][0] if len(towns) == 1 else None, clearable=False)], xs=12, md=3),
            dbc.Col([dbc.Label(_("Schools to visit"), html_for=INSPECTION_NEW_SCHOOLS, className="small text-muted mb-0"),
                     dropdown(id=INSPECTION_NEW_SCHOOLS, multi=True, placeholder=_("Pick schools…"))],
                    xs=12, md=5),
            dbc.Col([dbc.Label(_("Date"), html_for=INSPECTION_NEW_DATE, className="small text-muted mb-0"),
                     dbc.Input(id=INSPECTION_NEW_DATE, type="date", value=today.isoformat(), size="sm")], xs=6, md=2),
            dbc.Col([dbc.Label(_("Term"), className="small text-muted mb-0"),
                     html.Div(term_name(term), id=INSPECTION_NEW_TERM, className="small pt-1", **{"data-term": term})],
                    xs=6, md=2),
            dbc.Col([dbc.Label(_("Members present"), className="small text-muted mb-0"),
                     dbc.Checklist(id=INSPECTION_NEW_MEMBERS, inline=True, className="small", options=[], value=[])],
                    xs=12, md=9),
            dbc.Col(dbc.Button([html.I(className="bi bi-clipboard-plus me-1"), _("Start the visit")],
                               id=INSPECTION_CREATE, color="primary", className="w-100"), xs=12, md=3,
                    className="align-self-end"),
        ], className="g-2"),
        html.Div(id=INSPECTION_MSG, className="small mt-1"),
    ]), className="mb-3 shadow-sm border-primary", id="inspection-new-card")


@callback(Output(INSPECTION_NEW, "children"), Output(INSPECTION_ZONE, "options"), Output(INSPECTION_TOWNSHIP, "options"),
          Output(INSPECTION_STATUS, "options"), Input(SHELL_TERM, "value"))
def fill_page(term: str | None) -> tuple:
    """Filters within the user's scope; the new-visit card for those who may create visits."""
    actor = current_actor()
    session = db()
    options = visit_filters(session, actor)
    towns = creatable_townships(session, actor)
    today = local_today()
    row = session.get(Term, term) if term else None
    if row is not None and not row.start_date <= today <= row.end_date:
        today = row.start_date
    card = _new_visit_card(towns, term, today) if towns and row is not None else None
    return (card, [{"label": n, "value": i} for i, n in options.zones],
            [{"label": n, "value": c} for c, n, _z in options.townships],
            [{"label": label(STATUS_LABELS, s), "value": s} for s in VISIT_STATUSES])


@callback(Output(INSPECTION_LIST, "children"), Output(INSPECTION_COUNT, "children"),
          Output(INSPECTION_PAGER, "max_value"), Output(INSPECTION_PAGER, "active_page"),
          Input(INSPECTION_ZONE, "value"), Input(INSPECTION_TOWNSHIP, "value"), Input(SHELL_TERM, "value"),
          Input(INSPECTION_STATUS, "value"), Input(INSPECTION_PAGER, "active_page"))
def show_visits(zone: int | None, township: str | None, term: str | None, status: str | None,
                page: int | None = None) -> tuple:
    """A page of the visits the user may read (scoped on the server), filtered, newest first, and how many there
    are (a province's thousands: the list showed the newest 500 and said nothing of the rest)."""
    actor = current_actor()
    if zone is not None and (not isinstance(zone, int) or isinstance(zone, bool)):
        raise AreaRefused()
    if not all(v is None or isinstance(v, str) for v in (township, term, status)):
        raise BadInput()
    filters = {"zone_id": zone, "township": township or None, "term": term or None,
               "status": status if status in VISIT_STATUSES else None}
    total = count_visits(db(), actor, **filters)
    page, pages = clamp_page(page if ctx.triggered_id == INSPECTION_PAGER else 1, total, VISITS_PAGE_SIZE)
    rows = list_visits(db(), actor, **filters, offset=(page - 1) * VISITS_PAGE_SIZE, limit=VISITS_PAGE_SIZE)
    count = [html.Span(_("%(n)s visits", n=f"{total:,}"), className="fw-semibold me-3")]
    if pages > 1:
        count.append(html.Span(_("Page %(page)s of %(pages)s", page=page, pages=pages), className="text-muted"))
    return visits_table(rows, term_name), count if total else None, pages, page


@callback(Output(INSPECTION_NEW_SCHOOLS, "options"), Output(INSPECTION_NEW_SCHOOLS, "value"),
          Output(INSPECTION_NEW_MEMBERS, "options"), Output(INSPECTION_NEW_MEMBERS, "value"),
          Input(INSPECTION_NEW_TOWN, "value"))
def township_picked(township: str | None) -> tuple:
    """The township's schools and its team (for members present), if the user may inspect it."""
    if not township:
        return [], [], [], []
    actor = current_actor()
    session = db()
    if township not in {c for c, _n in creatable_townships(session, actor)}:
        raise AreaRefused()
    schools = session.query(School.id, School.name, School.is_central).filter(
        School.township_code == township).order_by(School.code).all()
    members = team_member_ids(session, township)
    people = session.query(User.id, User.display_name, User.username).filter(User.id.in_(members)).order_by(
        User.username).all() if members else []
    central = [i for i, _n, c in schools if c]
    me = [actor.user_id] if actor.user_id in members else []
    return ([{"label": n, "value": i} for i, n, _c in schools], central,
            [{"label": d or u, "value": i} for i, d, u in people], me)


@callback(Output(INSPECTION_GO, "href"), Output(INSPECTION_MSG, "children"), Output(INSPECTION_SAME_DAY, "data"),
          Input(INSPECTION_CREATE, "n_clicks"),
          State(INSPECTION_NEW_TOWN, "value"), State(INSPECTION_NEW_SCHOOLS, "value"),
          State(INSPECTION_NEW_DATE, "value"), State(INSPECTION_NEW_MEMBERS, "value"), State(SHELL_TERM, "value"),
          State(INSPECTION_SAME_DAY, "data"), prevent_initial_call=True)
@saves
def start_visit(clicks: int | None, township: str | None, schools: list | None, day: str | None,
                members: list | None, term: str | None, warned: Any) -> tuple:
    """Create the visit (refused outside the inspector's zone) and open it. A second visit to the township on
    the same day is created only when Create is pressed again after the warning."""
    if not clicks:
        return no_update, no_update, no_update
    if not township:
        return no_update, saved_mark(_("Pick the township."), error=True), None
    key = f"{township} {day}"
    done = save(lambda s, a: create_visit(s, a, term, township, schools or [], day, members or [],
                                          same_day_ok=warned == key).id, page_wide=False)
    if not done.ok:
        return no_update, saved_mark(done.error or "", error=True), key if done.code == "same_day_visit" else None
    return f"/inspection/visit?id={done.value}", saved_mark(_("Saved")), None
