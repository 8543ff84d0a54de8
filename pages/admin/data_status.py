"""Terms and data status (issue 15.4): which terms are loaded, which schools have imported the term's roster
(when, by whom, how many rows) and which have not, township coverage, refused files, and — for admins scoped
to a county or above — withdrawing a term imported by mistake (preview, then the term code typed to confirm)."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask_babel import gettext as _
from flask_login import current_user

from components.admin.status import (coverage_rows, coverage_table, import_table, refusal_list, school_rows,
                                     school_summary, school_table, terms_table, withdraw_preview)
from components.imports.report import kind_label
from config import import_undo_hours
from components.admin.subnav import admin_subnav
from components.shell import SHELL_TERM
from data_access.admin.data_status import (COVERAGE_FILTERABLE, COVERAGE_SORTABLE, STATUS_FILTERABLE, STATUS_SORTABLE,
                                           StatusRefused, check_reader, coverage_page, import_files, loaded_terms,
                                           refusals, school_status_page, status_counts, township_count)
from data_access.imports.undo import UndoInvalid, UndoRefused, undo_import
from web.saves import saves
from data_access.admin.withdraw import WithdrawInvalid, WithdrawRefused, may_withdraw, preview, withdraw
from domain.admin.views import SchoolImport
from domain.grid_request import parse_grid_request
from domain.privacy import may_reveal
from domain.terms import parse_term
from web.context import AreaRefused, current_scope, db, transaction
from wording.dashboard import term_name
from wording.i18n import N_

dash.register_page(__name__, pickers=("term",), path="/data-status", name="Data status", label=N_("Data status"),
                   icon="database-check", roles=("admin", "county_leader"), order=11)

ST_TERMS, ST_SUMMARY, ST_SCHOOLS = "status-terms", "status-summary", "status-schools"
ST_COVERAGE, ST_REFUSALS, ST_WITHDRAW = "status-coverage", "status-refusals", "status-withdraw"
ST_IMPORTS, ST_UNDO_MSG, UNDO = "status-imports", "status-undo-msg", "import-undo"
ST_GRID, ST_COVERAGE_GRID = "status-schools-grid", "status-coverage-grid"
UNDO_MESSAGES = {
    "window": N_("Import %(id)s is older than the undo window (%(hours)s hours); nothing was changed."),
    "later import": N_("A later import of the same school and term came after import %(id)s: undo that one first. "
                       "Nothing was changed."),
    "withdrawn": N_("The term of import %(id)s was withdrawn after it; nothing was changed."),
    "undone": N_("Import %(id)s was undone already."),
    "not undoable": N_("Only roster imports can be undone."),
}
WD_PREVIEW, WD_BOX, WD_CONFIRM, WD_GO, WD_MSG, WD_SEEN = (
    "withdraw-preview", "withdraw-box", "withdraw-confirm", "withdraw-go", "withdraw-msg", "withdraw-seen")


def _section(title: str, body_id: str) -> html.Div:
    """A heading and a loading box for one part of the page."""
    return html.Div([html.H3(title, className="h6 mt-3"), dcc.Loading(html.Div(id=body_id), type="dot")])


def layout(**_query: str) -> html.Div:
    """Page frame; every part is filled by the callbacks for the term picked at the top."""
    return html.Div([
        dcc.Store(id=WD_SEEN),
        admin_subnav(current_user.role, "/data-status"),
        html.H2(_("Terms and data status"), className="h4 mb-2"),
        _section(_("Loaded terms"), ST_TERMS),
        html.H3(_("Rosters of the term by school"), className="h6 mt-3"),
        html.Div(id=ST_SUMMARY), dcc.Loading(html.Div(id=ST_SCHOOLS), type="dot"),
        _section(_("Population survey and enrollment history by township"), ST_COVERAGE),
        _section(_("Refused roster files of the term"), ST_REFUSALS),
        html.H3(_("Imported files"), className="h6 mt-3"),
        html.Div(id=ST_UNDO_MSG, className="small mb-1"),
        dcc.Loading(html.Div(id=ST_IMPORTS), type="dot"),
        html.Div(id=ST_WITHDRAW),
    ])


def _reader() -> None:
    """HTTP 403 unless the user is an admin or a county leader."""
    try:
        check_reader(current_user.role)
    except StatusRefused as exc:
        raise AreaRefused() from exc


def checked_term(term: str | None) -> str:
    """A checked term code from the browser (HTTP 403 otherwise)."""
    try:
        return parse_term(term or "").code
    except ValueError as exc:
        raise AreaRefused() from exc


def _export_href(term: str) -> Callable[[SchoolImport], str | None]:
    """A school's roster export link, for the roles that may take personal data out (else none)."""
    if not may_reveal(current_user.role):
        return lambda _row: None
    return lambda row: "/admin/roster.xlsx?" + urlencode({"school": row.school_id, "term": term})


def _withdraw_panel(term: str) -> object:
    """The withdrawal card, for admins who may withdraw terms."""
    if not may_withdraw(current_user.role, current_scope()):
        return ""
    return dbc.Card(dbc.CardBody([
        html.H3(_("Withdraw this term"), className="h6"),
        html.P(_("For a term imported by mistake: its roster is deleted in your area and the figures are "
                 "recomputed. Look at the preview first."), className="small text-muted"),
        dbc.Button([html.I(className="bi bi-eye me-1"), _("Preview the withdrawal")], id=WD_PREVIEW,
                   color="secondary", outline=True, size="sm", className="mb-2"),
        html.Div(id=WD_BOX),
        dbc.InputGroup([dbc.InputGroupText(_("Type the term code %(term)s to confirm", term=term)),
                        dbc.Input(id=WD_CONFIRM, maxLength=7, placeholder=term),
                        dbc.Button(_("Withdraw the term"), id=WD_GO, color="danger", disabled=True)],
                       size="sm", className="mb-2"),
        html.Div(id=WD_MSG, className="small"),
    ]), className="mt-4 border-danger")


@callback(Output(ST_TERMS, "children"), Output(ST_SUMMARY, "children"), Output(ST_SCHOOLS, "children"),
          Output(ST_REFUSALS, "children"), Output(ST_WITHDRAW, "children"), Input(SHELL_TERM, "value"))
def show_status(term: str | None) -> tuple:
    """The loaded terms, the term's headline, its school grid (whose rows `school_block` sends), refused files and
    the withdrawal card, in the user's scope."""
    _reader()
    scope, session = current_scope(), db()
    terms = terms_table(loaded_terms(session, scope), term_name)
    if not term:
        return terms, "", "", "", ""
    code = checked_term(term)
    loaded, total = status_counts(session, scope, code)
    return (terms, school_summary(loaded, total), school_table(ST_GRID, total),
            refusal_list(refusals(session, scope, code)), _withdraw_panel(code))


def school_block_answer(request: dict | None, term: str | None) -> dict:
    """The block of schools a school grid asks for (its page, order and filters), from SQL, with the export
    links the user may follow (this page's grid and the roster export's)."""
    code = checked_term(term)
    asked = parse_grid_request(request, STATUS_SORTABLE, STATUS_FILTERABLE)
    rows, total = school_status_page(db(), current_scope(), code, asked)
    return {"rowData": school_rows(rows, _export_href(code)), "rowCount": total}


@callback(Output(ST_GRID, "getRowsResponse"), Input(ST_GRID, "getRowsRequest"), State(SHELL_TERM, "value"),
          prevent_initial_call=True)
def school_block(request: dict | None, term: str | None) -> dict:
    """The block of schools the grid asks for."""
    _reader()
    return school_block_answer(request, term)


@callback(Output(ST_COVERAGE, "children"), Input(SHELL_TERM, "value"))
def show_coverage(term: str | None) -> object:
    """The township coverage grid for the picked term (`coverage_block` sends its rows)."""
    _reader()
    return coverage_table(ST_COVERAGE_GRID, township_count(db(), current_scope())) if term else ""


@callback(Output(ST_COVERAGE_GRID, "getRowsResponse"), Input(ST_COVERAGE_GRID, "getRowsRequest"),
          State(SHELL_TERM, "value"), prevent_initial_call=True)
def coverage_block(request: dict | None, term: str | None) -> dict:
    """The block of townships the coverage grid asks for, with their population survey, history and rosters."""
    _reader()
    code = checked_term(term)
    asked = parse_grid_request(request, COVERAGE_SORTABLE, COVERAGE_FILTERABLE)
    rows, total = coverage_page(db(), current_scope(), code, asked)
    return {"rowData": coverage_rows(rows), "rowCount": total}


def _imports(term: str) -> object:
    """The accepted imports of the term in the user's area, with the undo buttons an admin may use."""
    return import_table(import_files(db(), current_user.role, current_scope(), term, import_undo_hours()), kind_label,
                        lambda n: {"type": UNDO, "id": n})


@callback(Output(ST_IMPORTS, "children"), Input(SHELL_TERM, "value"))
def show_imports(term: str | None) -> object:
    """The imported files of the picked term (file name, size, SHA-256, who, when)."""
    _reader()
    return _imports(checked_term(term)) if term else ""


@callback(Output(ST_IMPORTS, "children", allow_duplicate=True), Output(ST_UNDO_MSG, "children"),
          Input({"type": UNDO, "id": ALL}, "submit_n_clicks"), State(SHELL_TERM, "value"), prevent_initial_call=True)
@saves
def undo(_clicks: list[int | None], term: str | None) -> tuple:
    """Undo the import whose button was confirmed (admins whose area holds all its schools, within the window)."""
    _reader()
    code = checked_term(term)
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not isinstance(trigger.get("id"), int) or not any(_clicks or []):
        return no_update, no_update
    import_id, hours = trigger["id"], import_undo_hours()
    try:
        with transaction() as s:
            done = undo_import(s, current_user.role, current_scope(), import_id, hours)
    except UndoRefused as exc:
        raise AreaRefused() from exc
    except UndoInvalid as exc:
        return _imports(code), html.Span(_(UNDO_MESSAGES[str(exc)], id=import_id, hours=f"{hours:g}"),
                                         className="text-danger")
    note = _("Import %(id)s undone: %(n)s roster records of %(term)s restored; the figures are recomputed.",
             id=import_id, n=f"{done.restored:,}", term=done.term)
    return _imports(code), html.Span(note, className="text-success", id="import-undone")


@callback(Output(WD_BOX, "children"), Output(WD_SEEN, "data"), Output(WD_GO, "disabled"), Output(WD_MSG, "children"),
          Input(WD_PREVIEW, "n_clicks"), Input(WD_GO, "n_clicks"), State(SHELL_TERM, "value"),
          State(WD_CONFIRM, "value"), State(WD_SEEN, "data"), prevent_initial_call=True)
def preview_or_withdraw(_preview: int | None, go: int | None, term: str | None, confirm: str | None,
                        seen: dict | None) -> tuple:
    """Show what a withdrawal removes; on the second press (code typed) carry it out and say what was done."""
    if not _preview and not go:     # the card was drawn (Dash fires its buttons' callback with no click)
        raise PreventUpdate
    code = checked_term(term)
    role, scope = current_user.role, current_scope()
    try:
        if ctx.triggered_id == WD_GO and go:
            if not seen or seen.get("term") != code:
                return no_update, no_update, True, html.Span(_("Look at the preview first."), className="text-danger")
            with transaction() as s:
                done = withdraw(s, role, scope, code, confirm, seen.get("records"))
            note = _("Withdrawn: %(n)s roster records of %(term)s deleted; the figures are recomputed.",
                     n=f"{done.records:,}", term=code)
            return "", None, True, html.Span(note, className="text-success", id="withdraw-done")
        p = preview(db(), role, scope, code)
    except WithdrawRefused as exc:
        raise AreaRefused() from exc
    except WithdrawInvalid as exc:
        return no_update, no_update, no_update, html.Span(_translate_invalid(str(exc), code), className="text-danger")
    return withdraw_preview(p, term_name(code)), {"term": code, "records": p.records}, p.records == 0, ""


def _translate_invalid(message: str, term: str) -> str:
    """The words for a refused withdrawal."""
    if message.startswith("type the term code"):
        return _("Type the term code %(term)s exactly to confirm; nothing was deleted.", term=term)
    if message.startswith("an import of the term is running"):
        return _("An import of %(term)s is running; try again when it has finished. Nothing was deleted.", term=term)
    if message.startswith("the roster changed"):
        return _("The roster changed since the preview; look at the preview again. Nothing was deleted.")
    return _("Term %(term)s is not loaded.", term=term)
