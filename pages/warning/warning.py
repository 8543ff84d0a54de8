"""Early warning (预警, issue 20): the pupils likely to drop out, per school and class, with the factors that put
them on the list; the school records absences and what it does; the county sees counts, never names; the
back-test shows how well the list would have worked on the county's own history. The list is a tool for help,
never a label: it is not printed on any document sent outside the school."""
from __future__ import annotations

import datetime as dt

import dash
from dash import Input, Output, State, callback, dcc, html, no_update
from flask_babel import gettext as _
from flask_login import current_user

from components.controls import county_picker
from components.shell import SHELL_TERM
from components.warning.lists import (WARN_ACTION, WARN_BACKTEST, WARN_CASE, WARN_CASE_FOR, WARN_CASE_MSG,
                                      WARN_COUNTY, WARN_DATE, WARN_DAYS, WARN_EMPTY, WARN_GRID, WARN_MSG, WARN_NOTE,
                                      WARN_PICK, WARN_REFRESH, WARN_RUN, WARN_SAVE, backtest_view, county_grid,
                                      county_table, empty_note, model_view, pick_county_note, record_form,
                                      risk_columns, risk_data, risk_grid)
from data_access.cases.cases import CaseRefused, open_case
from data_access.inspection.access import InvalidInput, actor_of
from data_access.warning.backtest import run_backtest
from data_access.names import county_scope, scope_counties
from data_access.scope import Scope
from data_access.warning.lists import MAX_ROWS, count_listed, counts_by_county, county_rows, list_basis, risk_rows
from data_access.warning.model import model_comparison, model_switched_on
from data_access.warning.records import WRITE_ROLES, WarningInput, WarningRefused, record_absence, record_support
from data_access.warning.refresh import refreshing_in_scope
from domain.areas import county_of
from domain.localtime import local_today
from domain.privacy import may_see_names
from web.context import AreaRefused, current_scope, db, require_term, transaction
from web.saves import saves
from wording.i18n import N_
from wording.warning import input_text

LIST_ROLES = ("school_staff", "township_officer", "county_leader", "admin")
dash.register_page(__name__, pickers=("term",), path="/warning", name="Early warning", label=N_("Early warning"),
                   icon="exclamation-diamond", roles=LIST_ROLES, order=2.5)


def layout(county: str | None = None, **_query: str) -> html.Div:
    """Frame: the list (and the record form for those who act), the county view, the back-test. A user whose area
    spans counties first sees each county's counts and picks a county (?county=…) for its list."""
    role = getattr(current_user, "role", None)
    acts = role in WRITE_ROLES
    counties = (scope_counties(db(), current_scope()) or {}) if role in LIST_ROLES else {}
    return html.Div([
        dcc.Store(id=WARN_REFRESH, data=0),
        html.H2(_("Early warning"), className="h4 mb-1"),
        html.Div(county_picker(WARN_PICK, counties, county), className="mb-2",
                 style={"maxWidth": "24rem"} if counties else {"display": "none"}),
        html.P(_("Pupils likely to drop out, with the reasons that put them on the list, so that the school can "
                 "help before they stop coming. The list is a tool for help, never a label: it is not printed on "
                 "any document sent outside the school."), className="text-muted small"),
        record_form(_("An absence reaching the county's number of days offers to open a suspected case."),
                    local_today().isoformat()) if acts
        else None,
        risk_grid(),
        dcc.Loading(html.Div(id=WARN_COUNTY, className="mt-3")),
        html.H3(_("How well the list works"), className="h6 mt-3"),
        html.P(_("For each past term with a following term: the pupils scored as of that term, against who had "
                 "dropped out by the next."), className="text-muted small"),
        html.Button(_("Run the back-test"), id=WARN_RUN, className="btn btn-outline-secondary btn-sm mb-2"),
        dcc.Loading(html.Div(id=WARN_BACKTEST)),
    ])


def _role() -> str:
    role = getattr(current_user, "role", None)
    if role not in LIST_ROLES:
        raise AreaRefused()
    return role


def _picked(scope: Scope, county: object) -> tuple[Scope, bool]:
    """The scope the list is drawn in, and whether it waits for a county: an area spanning counties lists one county
    at a time (a county of the user's area, picked), since each county lists by its own threshold or model."""
    counties = scope_counties(db(), scope)
    picked = county_scope(scope, county, counties)
    return (picked, False) if picked else (scope, bool(counties))


@callback(Output(WARN_GRID, "rowData"), Output(WARN_EMPTY, "children"), Output(WARN_COUNTY, "children"),
          Output(WARN_GRID, "columnDefs"), Input(SHELL_TERM, "value"), Input(WARN_REFRESH, "data"),
          Input(WARN_PICK, "value"))
def show(term: str | None, _refresh: int | None, county: str | None = None) -> tuple:
    """The list in the user's scope (names masked for roles that see none), which method drew it (the rule, or
    the statistical model while it is in use) and the counts (no names). An area spanning counties: the counts per
    county until one is picked (a province's counts per school were 12,462 rows, 1.9 MB and 4.5 s)."""
    role = _role()
    code = require_term(term)
    scope, waits = _picked(current_scope(), county)
    if waits:
        counties = scope_counties(db(), scope) or {}
        return [], pick_county_note(), county_table(counts_by_county(db(), scope, code, counties)), risk_columns()
    basis = list_basis(db(), scope, code)
    rows = risk_rows(db(), scope, code, may_see_names(role), basis)
    listed = count_listed(db(), scope, code, basis) if len(rows) >= MAX_ROWS else len(rows)
    counts = county_grid(county_rows(db(), scope, code, basis)) if role != "school_staff" else None
    return (risk_data(rows), empty_note(rows, refreshing_in_scope(db(), scope, code),
                                          basis.method if basis.switched_on else None, listed), counts,
            risk_columns(basis.method))


@callback(Output(WARN_BACKTEST, "children"), Input(WARN_RUN, "n_clicks"), State(WARN_PICK, "value"),
          prevent_initial_call=True)
def backtest(clicks: int | None, county: str | None = None) -> object:
    """The back-test over the schools in scope (county leaders and admins: their county; above one county, the
    county picked)."""
    role = _role()
    if not clicks:
        return no_update
    scope, waits = _picked(current_scope(), county)
    if waits:
        return pick_county_note()
    area = scope.areas[0][0] if scope.areas else None
    if area is None and role != "admin":
        return html.P(_("The back-test is for a county's or a township's whole history."), className="text-muted")
    county = county_of(area) if area else ""
    return html.Div([backtest_view(run_backtest(db(), scope, county)),
                     model_view(model_comparison(db(), scope, county), model_switched_on(db(), county))])


@callback(Output(WARN_MSG, "children"), Output(WARN_REFRESH, "data"), Output(WARN_CASE, "style"),
          Output(WARN_CASE_FOR, "data"), Input(WARN_SAVE, "n_clicks"), State(WARN_GRID, "selectedRows"),
          State(WARN_ACTION, "value"), State(WARN_DATE, "value"), State(WARN_DAYS, "value"), State(WARN_NOTE, "value"),
          State(WARN_REFRESH, "data"), prevent_initial_call=True)
@saves
def save(clicks: int | None, selected: list | None, action: str | None, date: str | None, days: object,
         note: str | None, refresh: int | None) -> tuple:
    """Record an absence or what the school does for the pupil picked in the list."""
    if getattr(current_user, "role", None) not in WRITE_ROLES:
        raise AreaRefused()
    if not clicks:
        return no_update, no_update, no_update, no_update
    hidden = {"display": "none"}
    if not selected or not isinstance(selected, list) or not isinstance(selected[0], dict):
        return html.Span(_("Pick a pupil in the list first."), className="text-danger"), no_update, hidden, None
    student_id = selected[0].get("id")
    try:
        day = dt.date.fromisoformat(str(date)) if date else None
    except ValueError:
        day = None
    try:
        with transaction() as session:
            actor = actor_of(current_user)
            n = None
            if action == "absence":
                n = int(days) if isinstance(days, (int, float)) and float(days).is_integer() else None
                offer = record_absence(session, actor, student_id, day, n, note or "")
            else:
                record_support(session, actor, student_id, action, day, note or "")
                offer = False
    except WarningRefused as exc:
        raise AreaRefused() from exc
    except WarningInput as exc:
        return html.Span(input_text(exc.code), className="text-danger"), no_update, hidden, None
    shown = {"display": "inline-block"} if offer else hidden
    return (html.Span(_("Saved."), className="text-success"), (refresh or 0) + 1, shown,
            {"student": student_id, "days": n, "date": day.isoformat()} if offer else None)


@callback(Output(WARN_CASE_MSG, "children"), Input(WARN_CASE, "n_clicks"), State(WARN_CASE_FOR, "data"),
          prevent_initial_call=True)
@saves
def open_suspected(clicks: int | None, data: dict | None) -> tuple:
    """Open a suspected case (step 1) for the pupil whose absence reached the county's days."""
    if getattr(current_user, "role", None) not in WRITE_ROLES:
        raise AreaRefused()
    if not clicks or not isinstance(data, dict):
        return no_update
    try:
        found = dt.date.fromisoformat(str(data.get("date")))
        with transaction() as session:
            case_id = open_case(session, actor_of(current_user), student_id=data.get("student"),
                                source="school_report", found_date=found, absence_days=int(data.get("days") or 0))
    except (CaseRefused, InvalidInput, ValueError, TypeError) as exc:
        raise AreaRefused() from exc
    return [_("Case #%(id)s opened", id=case_id), " ", dcc.Link(_("Open"), href=f"/cases/case?id={case_id}")]
