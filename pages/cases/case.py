"""A dropout case (台账): the child (masked per role), the six escalation steps with their working-day
clocks, the case's details, persuasion attempts, the actions the user may take, the step-4 notices and
the history. Every action and save is checked against the version this page loaded
(pages/case_actions.py); every callback re-checks role and area on the server."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html
from flask import current_app
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from components.cases.forms import (
    actions_panel,
    attempts_section,
    fields_form,
    notices_panel,
)
from components.cases.view import (
    CASE_ACTIONS,
    CASE_ALERT,
    CASE_ATTEMPTS,
    CASE_FIELDS,
    CASE_HEADER,
    CASE_HISTORY,
    CASE_ID,
    CASE_NOTICES,
    CASE_REFRESH,
    CASE_STEPS,
    CASE_VERSION,
    case_header,
    history_list,
    stepper,
    today_text,
)
from components.access import no_access
from data_access.cases.cases import CaseRefused, case_access, require_case
from data_access.cases.view import load_attempts, load_case, load_history
from domain.cases.escalation import DRAFT_KINDS, NOTICE_KINDS
from domain.cases.rules import CaseState, available_actions, return_days
from domain.cases.timeline import timeline, timeline_unknown_years
from domain.localtime import local_today
from domain.workdays import add_working_days
from pages.cases import case_actions  # noqa: F401 - registers the callbacks that take actions and reveal values
from pages.access import refused
from pages.inspection.common import current_actor
from web.case_files import notice_href
from web.context import AreaRefused, db
from wording.dashboard import term_name

# roles=() keeps the page out of the navigation (it is opened from the case ledger, /cases); every role
# may open it for the cases of its area — which case a user may see is decided by every callback.
CASE_PAGE_ROLES = ("county_leader", "inspector", "township_officer", "school_staff", "admin")
dash.register_page(__name__, path="/cases/case", name="Dropout case", title="保学 Baoxue", roles=(),
                   case_roles=CASE_PAGE_ROLES, order=99)


def _case_id(raw: object) -> int | None:
    text = str(raw or "")
    return int(text) if text.isdigit() and len(text) < 10 else None


def layout(id: str | None = None, **_query: str) -> html.Div:  # noqa: A002 - the address says ?id=
    """The frame; the case id from the address is a request, checked here ("no access" outside the user's
    area) and by every callback."""
    case_id = _case_id(id)
    if case_id is not None and refused(lambda: require_case(db(), current_actor(), case_id)):
        return no_access(_("This case is not in your area, or does not exist."))
    return html.Div([
        dcc.Store(id=CASE_ID, data=_case_id(id)),
        dcc.Store(id=CASE_VERSION),
        dcc.Store(id=CASE_REFRESH, data=0),
        html.Div(id=CASE_ALERT, className="bx-case-toast"),
        html.Div(dcc.Link([html.I(className="bi bi-chevron-left me-1"), _("Case ledger")], href="/cases",
                          className="small"), className="mb-2"),
        dcc.Loading(html.Div(id=CASE_HEADER), type="dot", delay_show=400),
        html.Div(id=CASE_STEPS),
        dbc.Row([
            dbc.Col([html.Div(id=CASE_FIELDS), html.Div(id=CASE_ATTEMPTS)], lg=7, xl=8),
            dbc.Col([html.Div(id=CASE_ACTIONS), html.Div(id=CASE_NOTICES),
                     dbc.Card(dbc.CardBody([html.H3(_("Case history"), className="h6 mb-1"),
                                            html.Div(id=CASE_HISTORY)]), className="shadow-sm mb-3")],
                    lg=5, xl=4),
        ], className="g-3"),
    ], className="bx-case")


@callback(Output(CASE_HEADER, "children"), Output(CASE_STEPS, "children"), Output(CASE_ACTIONS, "children"),
          Output(CASE_NOTICES, "children"), Output(CASE_FIELDS, "children"), Output(CASE_ATTEMPTS, "children"),
          Output(CASE_HISTORY, "children"), Output(CASE_VERSION, "data"),
          Input(CASE_ID, "data"), Input(CASE_REFRESH, "data"))
def show_case(case_id: object, _refresh: object) -> tuple:
    """Read the case for this user (HTTP 403 outside their area) with what they may do to it now."""
    actor = current_actor()
    if case_id is None:
        empty = dbc.Alert(_("No case chosen: open one from the case ledger."), color="secondary")
        return empty, None, None, None, None, None, None, None
    session = db()
    try:
        v = load_case(session, actor, case_id)
        access = case_access(session, actor, case_id)
        attempts = load_attempts(session, actor, case_id)
        events = load_history(session, actor, case_id)
    except CaseRefused as exc:
        raise AreaRefused() from exc
    today = local_today()
    state = CaseState(v.ledger, v.status, v.step, v.step_started, v.return_deadline, v.outcome, v.outcome_date,
                      v.verified_days)
    allowed = available_actions(actor.role, state) if access.can_act else ()
    step_days = current_app.config.get("CASE_STEP_DAYS")
    steps = timeline(v.step, v.step_started, v.status, v.step_starts, today, step_days)
    header = case_header(v, term_name(v.term_code) if v.term_code else "—")
    new_deadline = add_working_days(today, return_days(step_days))
    kinds = (*NOTICE_KINDS, *(k for k, (_title, step) in DRAFT_KINDS.items() if v.step >= step))  # drafts of 5, 6
    steps_card = html.Div([stepper(steps, v.step, timeline_unknown_years(steps)),
                           html.Div(today_text(today), className="d-none", id="case-today")])
    return (header, steps_card,
            actions_panel(v, allowed, today, new_deadline),
            notices_panel(v, {k: notice_href(v.id, k) for k in kinds}, today, new_deadline, generate_csrf()),
            fields_form(v, "edit" in allowed),
            attempts_section(attempts, "record_attempt" in allowed, today, actor.name),
            history_list(events), {"version": v.version})
