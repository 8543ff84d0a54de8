"""The new-case form of the ledger page: school staff (own school), township officers (own township) and
admins pick a student from their roster by number or name and open a case (data_access.cases.cases.open_case).
Not a page itself: its callbacks register when Dash imports pages/."""
from __future__ import annotations

import datetime as dt
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask_babel import gettext as _

from components.inspection.visit import saved_mark
from components.cases.ledger import (LEDGER_NEW_CANCEL, LEDGER_NEW_OPEN, LEDGER_NEW_DATE, LEDGER_NEW_DAYS, LEDGER_NEW_LEDGER, LEDGER_NEW_MSG,
                               LEDGER_NEW_NOTE, LEDGER_NEW_SAVE, LEDGER_NEW_SOURCE, LEDGER_NEW_STUDENT, new_case_form)
from wording.ledger import SOURCE_LABELS, label, roster_status
from components.shell import SHELL_TERM
from data_access.cases.cases import CaseRefused, open_case
from data_access.inspection.access import InvalidInput
from data_access.cases.children import RosterLine, find_students, roster_line
from pages.inspection.common import require_role
from pages.cases.common import CASE_ROLES, term_or_latest
from domain.localtime import local_today
from web.context import AreaRefused, db, transaction
from web.search_limit import check_search_rate
from wording.i18n import N_
from web.saves import saves

LEDGER_NEW_MODAL, LEDGER_NEW_BODY, LEDGER_GO = "ledger-new-modal", "ledger-new-body", "ledger-go"
NEW_SOURCES = ("school_report", "manual")
OPEN_ERRORS = {
    "student_out_of_scope": N_("This student is not on a roster of your schools."),
    "bad_found_date": N_("The date found cannot be in the future."),
    "bad_absence_days": N_("Days absent must be a whole number from 0 to 999."),
    "pick_student": N_("Pick the student."),
    "roster_not_dropout": N_("The roster no longer says 辍学 for this student: reload the page."),
}


def open_error(code: str) -> str:
    """The message of a refused opening."""
    text = OPEN_ERRORS.get(code)
    return _(text) if text else _("The case could not be opened (%(code)s).", code=code)


def new_case_modal() -> html.Div:
    """The modal holding the form (filled when opened) and the redirect to the new case."""
    return html.Div([
        dcc.Location(id=LEDGER_GO, refresh=True),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle([html.I(className="bi bi-plus-circle me-2"), _("New case")])),
            dbc.ModalBody(html.Div(id=LEDGER_NEW_BODY)),
            dbc.ModalFooter([dbc.Button(_("Cancel"), id=LEDGER_NEW_CANCEL, color="secondary", outline=True, size="sm"),
                             dbc.Button([html.I(className="bi bi-journal-plus me-1"), _("Open the case")],
                                        id=LEDGER_NEW_SAVE, color="primary", size="sm")]),
        ], id=LEDGER_NEW_MODAL, is_open=False, size="lg", enforceFocus=False),  # the dropdown's menu lives outside
    ])


def _option(line: RosterLine) -> dict:
    return {"label": f"{line.name} · {line.student_no} · {line.school} · "
                     + _("Grade %(grade)s %(cls)s", grade=line.grade, cls=line.class_name)
                     + f" · {roster_status(line.status)}", "value": line.student_id}


@callback(Output(LEDGER_NEW_MODAL, "is_open"), Output(LEDGER_NEW_BODY, "children"),
          Input(LEDGER_NEW_OPEN, "n_clicks"), Input(LEDGER_NEW_CANCEL, "n_clicks"), prevent_initial_call=True)
def toggle_form(_open: int | None, _cancel: int | None) -> tuple:
    """Open the form (only for the roles that open cases) or close it."""
    if not (_cancel if ctx.triggered_id == LEDGER_NEW_CANCEL else _open):   # drawn, not pressed: keep what is typed
        raise PreventUpdate
    if ctx.triggered_id == LEDGER_NEW_CANCEL:
        return False, no_update
    actor = require_role(*CASE_ROLES)
    first = "school_report" if actor.role == "school_staff" else "manual"
    sources = [(s, label(SOURCE_LABELS, s)) for s in sorted(NEW_SOURCES, key=lambda s: s != first)]
    return True, new_case_form(local_today(), sources)


@callback(Output(LEDGER_NEW_STUDENT, "options"), Input(LEDGER_NEW_STUDENT, "search_value"),
          State(LEDGER_NEW_STUDENT, "value"), State(SHELL_TERM, "value"), prevent_initial_call=True)
def search_students(text: str | None, chosen: Any, term: str | None) -> list[dict]:
    """Students of the user's roster matching the typed number or name (the chosen one kept)."""
    actor = require_role(*CASE_ROLES)
    term = term_or_latest(term)
    if term is None:
        return []
    session = db()
    if isinstance(text, str) and text.strip():
        check_search_rate()
    lines = find_students(session, actor.scope, term, text if isinstance(text, str) else "")
    if chosen is not None and chosen not in {ln.student_id for ln in lines}:
        kept = roster_line(session, actor.scope, term, chosen)
        lines = ([kept] if kept else []) + lines
    return [_option(ln) for ln in lines]


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@callback(Output(LEDGER_GO, "href"), Output(LEDGER_NEW_MSG, "children"), Input(LEDGER_NEW_SAVE, "n_clicks"),
          State(LEDGER_NEW_STUDENT, "value"), State(LEDGER_NEW_DATE, "value"), State(LEDGER_NEW_DAYS, "value"),
          State(LEDGER_NEW_LEDGER, "value"), State(LEDGER_NEW_SOURCE, "value"), State(LEDGER_NEW_NOTE, "value"),
          State(SHELL_TERM, "value"), prevent_initial_call=True)
@saves
def create_case(clicks: int | None, student: Any, found: Any, days: Any, ledger: Any, source: Any, note: Any,
                term: str | None) -> tuple:
    """Open the case (the student must be on the user's roster) and go to its page."""
    if not clicks:
        return no_update, no_update
    actor = require_role(*CASE_ROLES)
    if source not in NEW_SOURCES or ledger not in ("suspected", "confirmed"):
        raise AreaRefused()
    term = term_or_latest(term)
    if student in (None, "") or term is None:
        return no_update, saved_mark(open_error("pick_student"), error=True)
    day = _day(found)
    if day is None:
        return no_update, saved_mark(open_error("bad_found_date"), error=True)
    if isinstance(days, float) and days.is_integer():
        days = int(days)
    try:
        with transaction() as session:
            line = roster_line(session, actor.scope, term, student)
            if line is None:
                raise AreaRefused()  # an id from the browser is a request: not the user's student
            case_id = open_case(session, actor, student_id=line.student_id, source=source, found_date=day,
                                ledger=ledger, school_id=line.school_id, absence_days=days if days is not None else 0,
                                note=note.strip()[:500] if isinstance(note, str) else "")
    except CaseRefused as exc:
        raise AreaRefused() from exc
    except InvalidInput as exc:
        return no_update, saved_mark(open_error(exc.code), error=True)
    return f"/cases/case?id={case_id}", saved_mark(_("Saved"))
