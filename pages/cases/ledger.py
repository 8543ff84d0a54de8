"""The case ledger (控辍台账): the three ledgers of the 2024 national notice — school-age children (survey
against roster per village and age, drilling to the children), suspected and confirmed dropouts (cases with
their step clocks) — filters, the .xlsx export of the view, and the new-case form (pages/ledger_new.py)."""
from __future__ import annotations


import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from flask_babel import gettext as _
from components.controls import dropdown, searched_options

from components.cases.ledger import LEDGER_NEW_OPEN, age_grid, age_rows, case_table, children_table, outside_note
from wording.ledger import (CASE_STATUS_LABELS, LEDGER_TAB_LABELS, REASON_LABELS, ROSTER_STATUS_LABELS,
                                    label, step_text)
from components.shell import SHELL_TERM
from data_access.cases.ledger import LedgerFilter, filter_choices, ledger_order, ledger_page, ledger_rows
from data_access.cases.children import (AGE_FILTERABLE, AGE_SORTABLE, age_lines_block, children_page, line_label,
                                       longest_town_label)
from data_access.models import CASE_STATUSES
from data_access.names import scope_counties
from domain.localtime import local_today
from domain.grid_request import GridRequest, parse_grid_request
from domain.paging import clamp_page
from domain.cases.rules import CASE_REASONS
from domain.cases.escalation import STEPS
from pages.inspection.common import current_actor
from pages.cases.new_case import new_case_modal
from pages.cases.common import (CASE_ROLES, LEDGER_ROLES, as_choice, as_code, as_int, export_href, refused_as_403,
                                 step_days, term_or_latest)
from web.context import AreaRefused, db
from web.search_limit import check_search_rate
from pages.cases.poverty import POVERTY_ROLES
from flask_login import current_user
from wording.i18n import N_

dash.register_page(__name__, pickers=("term",), path="/cases", name="Case ledger", label=N_("Case ledger"), icon="journal-text",
                   roles=LEDGER_ROLES, order=9)

LEDGER_TABS, LEDGER_TOWN, LEDGER_SCHOOL = "ledger-tabs", "ledger-town", "ledger-school"
LEDGER_STEP, LEDGER_REASON, LEDGER_STATUS, LEDGER_OVERDUE = "ledger-step", "ledger-reason", "ledger-status", "ledger-overdue"
LEDGER_CASES, LEDGER_CASE_PAGER, LEDGER_SUMMARY = "ledger-cases", "ledger-case-pager", "ledger-summary"
LEDGER_CASE_PANEL, LEDGER_AGE_PANEL, LEDGER_CASE_FILTERS = "ledger-case-panel", "ledger-age-panel", "ledger-case-filters"
LEDGER_GRID, LEDGER_DRILL, LEDGER_DRILL_TITLE = "ledger-grid", "ledger-drill", "ledger-drill-title"
LEDGER_KID_STATUS, LEDGER_KID_SEARCH, LEDGER_KIDS, LEDGER_KID_PAGER = ("ledger-kid-status", "ledger-kid-search",
                                                                      "ledger-kids", "ledger-kid-pager")
LEDGER_EXPORT, LEDGER_OUTSIDE = "ledger-export", "ledger-outside"
TABS = ("children", "suspected", "confirmed")
LEDGER_AGE_NOTE, LEDGER_GRID_BOX = "ledger-age-note", "ledger-grid-box"
FIRST_LINE = GridRequest(0, 1)       # what show_ages reads: one line, and how many there are
CASE_PAGE_SIZE = 50
HIDDEN, SHOWN = {"display": "none"}, {}


def _pick(pick_id: str, text: str, md: int = 2) -> dbc.Col:
    return dbc.Col([dbc.Label(text, html_for=pick_id, className="small text-muted mb-0"),
                    dropdown(id=pick_id, clearable=True, placeholder=_("All"))], xs=6, md=md)


def layout(ledger: str = "confirmed", **_query: str) -> html.Div:
    """Page frame: tabs, filters, the case list or the school-age grid; data arrives through callbacks."""
    active = ledger if ledger in TABS else "confirmed"
    pager = dbc.Pagination(id=LEDGER_CASE_PAGER, active_page=1, max_value=1, first_last=True, previous_next=True,
                           fully_expanded=False, size="sm", className="mb-0")
    kid_pager = dbc.Pagination(id=LEDGER_KID_PAGER, active_page=1, max_value=1, first_last=True, previous_next=True,
                               fully_expanded=False, size="sm", className="mb-0")
    return html.Div([
        dbc.Row([
            dbc.Col([html.H2(_("Case ledger"), className="h4 mb-0"),
                     html.Div(_("The three ledgers of the 2024 national notice: school-age children, suspected and "
                                "confirmed dropouts."), className="text-muted small")]),
            dbc.Col([
                dcc.Link([html.I(className="bi bi-arrow-left-right me-1"), _("Cases against roster (人账相符)")],
                         href="/cases/agreement", className="btn btn-sm btn-outline-primary me-2", id="ledger-agreement"),
                *([dcc.Link([html.I(className="bi bi-people me-1"), _("Poverty list check (四查三比对)")],
                            href="/cases/poverty", className="btn btn-sm btn-outline-primary me-2",
                            id="ledger-poverty")]
                  if getattr(current_user, "role", None) in POVERTY_ROLES else []),
                html.A([html.I(className="bi bi-file-earmark-excel me-1"), _("Export (.xlsx)")], id=LEDGER_EXPORT,
                       href="#", className="btn btn-sm btn-success me-2"),
                dbc.Button([html.I(className="bi bi-plus-circle me-1"), _("New case")], id=LEDGER_NEW_OPEN,
                           color="primary", size="sm", style=HIDDEN),
            ], width="auto", className="text-end"),
        ], className="align-items-center mb-2 g-2"),
        dbc.Tabs([dbc.Tab(label=_(LEDGER_TAB_LABELS[t]), tab_id=t) for t in TABS], id=LEDGER_TABS, active_tab=active,
                 className="mb-2"),
        dbc.Card(dbc.CardBody([
            dbc.Row([_pick(LEDGER_TOWN, _("Township")),
                     html.Div([_pick(LEDGER_SCHOOL, _("School"), 12)], className="col-md-3 col-6", id="ledger-school-col"),
                     dbc.Col(dbc.Row([_pick(LEDGER_STEP, _("Step"), 3), _pick(LEDGER_REASON, _("Reason"), 3),
                                      _pick(LEDGER_STATUS, _("Status"), 2),
                                      dbc.Col([dbc.Switch(id=LEDGER_OVERDUE, label=_("Overdue only"), value=False,
                                                          className="mt-3 mb-0"),
                                               dbc.Switch(id=LEDGER_OUTSIDE, label=_("Household elsewhere (外县户籍)"),
                                                          value=False, className="mb-0")], xs=6, md=4)],
                                     className="g-2"),
                             id=LEDGER_CASE_FILTERS, md=7)], className="g-2 mb-2"),
            html.Div([html.Div(id=LEDGER_SUMMARY, className="small mb-2"),
                      dcc.Loading(html.Div(id=LEDGER_CASES), type="dot"),
                      html.Div(pager, className="mt-2")], id=LEDGER_CASE_PANEL),
            html.Div([
                html.Div(_("Population survey of the term's school year against the children found on the roster, "
                           "per village and age (household attribution). Click a line to see its children."),
                         className="small text-muted mb-2"),
                html.Div(id=LEDGER_AGE_NOTE, className="small text-warning-emphasis mb-1"),
                dcc.Loading(html.Div(id=LEDGER_GRID_BOX), type="dot"),
                dcc.Store(id=LEDGER_DRILL),
                html.Div([
                    html.H3(id=LEDGER_DRILL_TITLE, className="h6 mt-3"),
                    dbc.Row([_pick(LEDGER_KID_STATUS, _("Roster status"), 3),
                             dbc.Col(dbc.Input(id=LEDGER_KID_SEARCH, placeholder=_("Student number or name"),
                                               debounce=True, size="sm", className="mt-3"), md=4)], className="g-2 mb-2"),
                    dcc.Loading(html.Div(id=LEDGER_KIDS), type="dot"),
                    html.Div(kid_pager, className="mt-2"),
                ], id="ledger-drill-box", style=HIDDEN),
            ], id=LEDGER_AGE_PANEL, style=HIDDEN),
        ]), className="shadow-sm"),
        new_case_modal(),
    ])


@callback(Output(LEDGER_TOWN, "options"), Output(LEDGER_TOWN, "value"), Output(LEDGER_STEP, "options"),
          Output(LEDGER_REASON, "options"), Output(LEDGER_STATUS, "options"), Output(LEDGER_NEW_OPEN, "style"),
          Output(LEDGER_KID_STATUS, "options"), Input(SHELL_TERM, "value"))
def fill_filters(_term: str | None) -> tuple:
    """Filter choices within the user's scope; the new-case button for those who may open cases."""
    actor = current_actor()
    choices = filter_choices(db(), actor.scope)
    towns = [{"label": n, "value": c} for c, n in choices.townships]
    return (towns, towns[0]["value"] if len(towns) == 1 else None,
            [{"label": step_text(s), "value": s} for s in STEPS],
            [{"label": label(REASON_LABELS, r), "value": r} for r in CASE_REASONS],
            [{"label": label(CASE_STATUS_LABELS, s), "value": s} for s in CASE_STATUSES],
            SHOWN if actor.role in CASE_ROLES else HIDDEN,
            [{"label": label(ROSTER_STATUS_LABELS, s), "value": s} for s in ROSTER_STATUS_LABELS])


@callback(Output(LEDGER_SCHOOL, "options"), Output(LEDGER_SCHOOL, "value"), Input(LEDGER_TOWN, "value"),
          Input(LEDGER_SCHOOL, "search_value"), State(LEDGER_SCHOOL, "value"))
def school_choices(township: str | None, search: str | None, school: int | None) -> tuple:
    """The schools of the picked township (all the user's schools when none is picked); of a long list (a
    province's), those matching what is typed."""
    actor = current_actor()
    township = as_code(township)
    schools = [(i, n) for i, n, t in filter_choices(db(), actor.scope).schools if township is None or t == township]
    keep = school if school in {i for i, _n in schools} else (schools[0][0] if len(schools) == 1 and
                                                              actor.scope.school_id else None)
    return searched_options(schools, search if isinstance(search, str) else None, keep), keep


@callback(Output(LEDGER_CASE_PANEL, "style"), Output(LEDGER_AGE_PANEL, "style"), Output(LEDGER_CASE_FILTERS, "style"),
          Output("ledger-school-col", "style"), Input(LEDGER_TABS, "active_tab"))
def switch_tab(tab: str | None) -> tuple:
    """Show the case list or the school-age grid."""
    children = tab == "children"
    return (HIDDEN if children else SHOWN, SHOWN if children else HIDDEN, HIDDEN if children else SHOWN,
            HIDDEN if children else SHOWN)


@callback(Output(LEDGER_CASES, "children"), Output(LEDGER_SUMMARY, "children"), Output(LEDGER_CASE_PAGER, "max_value"),
          Output(LEDGER_CASE_PAGER, "active_page"), Output(LEDGER_EXPORT, "href"),
          Input(LEDGER_TABS, "active_tab"), Input(LEDGER_TOWN, "value"), Input(LEDGER_SCHOOL, "value"),
          Input(LEDGER_STEP, "value"), Input(LEDGER_REASON, "value"), Input(LEDGER_STATUS, "value"),
          Input(LEDGER_OVERDUE, "value"), Input(LEDGER_CASE_PAGER, "active_page"), Input(SHELL_TERM, "value"),
          Input(LEDGER_OUTSIDE, "value"))
def show_cases(tab: str | None, township: str | None, school: int | None, step: int | None, reason: str | None,
               status: str | None, overdue: bool | None, page: int | None, term: str | None,
               outside: bool | None) -> tuple:
    """The cases of the ledger tab the user may see, filtered (a foreign township or school: HTTP 403)."""
    actor = current_actor()
    if tab not in TABS:
        raise AreaRefused()
    if tab == "children":
        return no_update, no_update, no_update, no_update, export_href(None, term_or_latest(term), as_code(township))
    flt = LedgerFilter(tab, as_code(township), as_int(school), as_int(step), as_choice(reason), as_choice(status),
                       bool(overdue), outside is True)
    today = local_today()
    with refused_as_403():
        order = ledger_order(db(), actor.scope, flt, today, step_days())
    total = order.total
    page, pages = clamp_page(page if ctx.triggered_id == LEDGER_CASE_PAGER else 1, total, CASE_PAGE_SIZE)
    shown = ledger_rows(db(), ledger_page(db(), order, (page - 1) * CASE_PAGE_SIZE, CASE_PAGE_SIZE), actor.role,
                        scope_counties(db(), actor.scope, flt.township))
    summary = [html.Span(_("%(n)s cases", n=total), className="me-3 fw-semibold"),
               html.Span(_("%(n)s overdue", n=order.overdue),
                         className="badge text-bg-danger me-2", id="ledger-count-overdue"),
               html.Span(_("%(n)s due now", n=order.due), className="badge text-bg-warning me-2"),
               html.Span(_("Page %(page)s of %(pages)s", page=page, pages=pages), className="text-muted")
               if pages > 1 else None]
    if flt.outside_only:
        summary = [outside_note(total), *summary]
    return case_table(shown, today, "ledger-case-table"), summary, pages, page, export_href(flt, term)


@callback(Output(LEDGER_GRID_BOX, "children"), Output(LEDGER_AGE_NOTE, "children"),
          Input(LEDGER_TABS, "active_tab"), Input(LEDGER_TOWN, "value"), Input(SHELL_TERM, "value"))
def show_ages(tab: str | None, township: str | None, term: str | None) -> tuple:
    """The school-age ledger's grid (counts only) for the term and township, within scope; `age_block` sends its
    pages."""
    if tab != "children":
        return no_update, no_update
    actor = current_actor()
    term = term_or_latest(term)
    if term is None:
        return "", _("No data yet: import a roster or load the demo.")
    with refused_as_403():
        lines, total = age_lines_block(db(), actor.scope, term, as_code(township), FIRST_LINE)
        widest = max([longest_town_label(db(), actor.scope, as_code(township)),
                      *(x.township_name for x in lines)], key=len)
    return age_grid(LEDGER_GRID, total, widest), None


@callback(Output(LEDGER_GRID, "getRowsResponse"), Input(LEDGER_GRID, "getRowsRequest"), State(LEDGER_TOWN, "value"),
          State(SHELL_TERM, "value"), prevent_initial_call=True)
def age_block(request: dict | None, township: str | None, term: str | None) -> dict:
    """The block of school-age lines the grid asks for (its page, order and filters)."""
    actor = current_actor()
    term = term_or_latest(term)
    if term is None:
        return {"rowData": [], "rowCount": 0}
    asked = parse_grid_request(request, AGE_SORTABLE, AGE_FILTERABLE)
    with refused_as_403():
        lines, total = age_lines_block(db(), actor.scope, term, as_code(township), asked)
    return {"rowData": age_rows(lines), "rowCount": total}


@callback(Output(LEDGER_DRILL, "data"), Output(LEDGER_KID_PAGER, "active_page", allow_duplicate=True),
          Input(LEDGER_GRID, "cellClicked"), State(LEDGER_TOWN, "value"), prevent_initial_call=True)
def pick_line(clicked: dict | None, township: str | None) -> tuple:
    """Remember the clicked line (area code and age, and its place as its grid row says it); its children are
    checked against scope when shown."""
    row_id = (clicked or {}).get("rowId")
    if not isinstance(row_id, str) or "-" not in row_id:
        return no_update, no_update
    code, age = row_id.rsplit("-", 1)
    code = as_code(code)
    name = line_label(db(), current_actor().scope, code, as_code(township)) if code else None
    return {"code": code, "age": as_int(age), "name": name}, 1


@callback(Output(LEDGER_KIDS, "children"), Output(LEDGER_DRILL_TITLE, "children"), Output("ledger-drill-box", "style"),
          Output(LEDGER_KID_PAGER, "max_value"), Output(LEDGER_KID_PAGER, "active_page"),
          Input(LEDGER_DRILL, "data"), Input(LEDGER_KID_STATUS, "value"), Input(LEDGER_KID_SEARCH, "value"),
          Input(LEDGER_KID_PAGER, "active_page"), State(SHELL_TERM, "value"), prevent_initial_call=True)
def show_children(line: dict | None, status: str | None, search: str | None, page: int | None,
                  term: str | None) -> tuple:
    """One page of the roster children behind the picked line (refused outside the user's scope)."""
    if not isinstance(line, dict) or not line.get("code"):
        return no_update, no_update, HIDDEN, no_update, no_update
    actor = current_actor()
    term = term_or_latest(term)
    if term is None:
        return no_update, no_update, HIDDEN, no_update, no_update
    page = page if ctx.triggered_id == LEDGER_KID_PAGER and isinstance(page, int) else 1
    if isinstance(search, str) and search.strip():
        check_search_rate()
    with refused_as_403():
        found = children_page(db(), actor.scope, term, as_code(line.get("code")), as_int(line.get("age")),
                              status=as_choice(status), search=search if isinstance(search, str) else None,
                              page=page, role=actor.role)
    title = _("Roster children aged %(age)s of %(area)s: %(n)s", age=line.get("age"),
              area=str(line.get("name") or line.get("code"))[:80], n=found.total)
    return children_table(found, "ledger-kids-table"), title, SHOWN, found.pages, found.page
