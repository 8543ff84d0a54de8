"""约谈 / 问责 records (issue 18.5): for each unit given tier 3 or 4 in a published period, what the county did —
the date, who was talked to, by whom, the decision and the follow-up deadline. County leaders and admins record;
township officers and inspectors read the records of their area."""
from __future__ import annotations

import datetime as dt

import dash
from dash import Input, Output, State, callback, dcc, html, no_update
from flask_babel import gettext as _
from flask_login import current_user

from components.dashboard.accountability import (ACC_DUE, ACC_FORM, ACC_FORM_TITLE, ACC_LIST, ACC_MSG, ACC_QUERY,
                                                 ACC_REFRESH, ACC_SAVE, FIELD_IDS, due_list, form, records_table)
from data_access.analytics.accountability import AccountabilityRefused, due, record_accountability, records
from domain.localtime import local_today
from web.context import AreaRefused, current_scope, db, require_term, transaction
from web.saves import saves
from wording.dashboard import accountability_problem_text, accountability_refused_text, term_name, tier_name

WRITERS = ("county_leader", "admin")
dash.register_page(__name__, path="/accountability", name="Accountability", title="保学 Baoxue", roles=(),
                   see_roles=("county_leader", "admin", "township_officer", "inspector"))


def layout(unit: str | None = None, term: str | None = None, **_query: str) -> html.Div:
    """Frame: the unit asked for (from the tiers page or the inbox), the form, what waits, the records."""
    return html.Div([
        dcc.Store(id=ACC_QUERY, data={"unit": unit, "term": term}),
        dcc.Store(id=ACC_REFRESH, data=0),
        html.H2(_("Accountability records (约谈 · 问责)"), className="h4 mb-1"),
        html.P(_("For each unit given 约谈 or 问责 in a published period: when, who was talked to, by whom, the "
                 "decision and the follow-up deadline. The next period's tiers show it."), className="text-muted small"),
        form(local_today().isoformat()),
        html.H3(_("Waiting to be recorded"), className="h6"),
        html.Div(id=ACC_DUE, className="mb-3"),
        html.H3(_("Records"), className="h6"),
        dcc.Loading(html.Div(id=ACC_LIST)),
    ])


@callback(Output(ACC_FORM, "hidden"), Output(ACC_FORM_TITLE, "children"), Output(ACC_DUE, "children"),
          Output(ACC_LIST, "children"), Input(ACC_QUERY, "data"), Input(ACC_REFRESH, "data"))
def show(query: dict | None, _refresh: int | None) -> tuple:
    """The form for the unit asked for (to those who record), what waits, and the records in the user's area."""
    role = getattr(current_user, "role", None)
    if role not in ("county_leader", "admin", "township_officer", "inspector"):
        raise AreaRefused()
    session, scope = db(), current_scope()
    waiting = due(session, scope) if role in WRITERS else []
    unit, term = (query or {}).get("unit"), (query or {}).get("term")
    chosen = next((d for d in waiting if d.unit_code == unit and d.term == term), None)
    title = (_("%(unit)s · %(term)s · %(tier)s", unit=chosen.unit_name, term=term_name(chosen.term),
               tier=tier_name(chosen.tier)) if chosen else "")
    return chosen is None, title, due_list(waiting) if role in WRITERS else None, records_table(records(session, scope))


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@callback(Output(ACC_MSG, "children"), Output(ACC_REFRESH, "data"), Input(ACC_SAVE, "n_clicks"),
          State(ACC_QUERY, "data"), *(State(FIELD_IDS[f], "value") for f in FIELD_IDS), State(ACC_REFRESH, "data"),
          prevent_initial_call=True)
@saves
def save_record(clicks: int | None, query: dict | None, held_on: str | None, talked_to: str | None,
                held_by: str | None, decision: str | None, follow_up: str | None, refresh: int | None) -> tuple:
    """Record what was done about the unit (county leaders and admins of its area)."""
    if getattr(current_user, "role", None) not in WRITERS:
        raise AreaRefused()
    if not clicks:
        return no_update, no_update
    unit, term = str((query or {}).get("unit") or ""), require_term((query or {}).get("term"))
    try:
        with transaction() as session:
            record_accountability(session, current_scope(), current_user.id, unit, term, _date(held_on),
                                  str(talked_to or ""), str(held_by or ""), str(decision or ""), _date(follow_up),
                                  local_today())
    except AccountabilityRefused as exc:
        if exc.code == "not_allowed":
            raise AreaRefused() from exc
        text = (accountability_problem_text(exc.problems) if exc.problems else accountability_refused_text(exc.code))
        return html.Span(text, className="text-danger"), no_update
    return html.Span(_("Saved. The record is shown below and on the next period's tiers."),
                     className="text-success"), (refresh or 0) + 1
