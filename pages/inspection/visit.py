"""A visit: header (township, schools, date, members present), the four methods each in its own tab,
findings and history; sign-off and reopen by the team leader. Every field saves as it is filled
(pages/inspection_sections.py), checked against the version this page loaded."""
from __future__ import annotations

import secrets

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update, set_props
from dash.exceptions import PreventUpdate
from flask_babel import gettext as _

from components.inspection.visit import (VISIT_ALERT, VISIT_FILES, VISIT_EDIT, VISIT_HEADER_MSG, VISIT_ID, VISIT_RELOAD, VISIT_REOPEN, VISIT_REOPEN_REASON, VISIT_SAVED_AT,
                                   VISIT_SIGN, file_review_section, head_count_section, interviews_section,
                                   phone_section, saved_mark, visit_header)
from components.inspection.lists import findings_section, history_list
from components.inspection.signoff import (VISIT_SIGN_BODY, VISIT_SIGN_CANCEL, VISIT_SIGN_CONFIRM, VISIT_SIGN_MODAL,
                                           VISIT_SIGN_MSG, VISIT_SIGN_REASON, VISIT_SIGN_REASON_BOX, signed_with_gaps,
                                           sign_off_body, sign_off_modal)
from components.access import no_access
from data_access.inspection.access import edit_state
from data_access.inspection.visits import reopen_visit, sign_visit, visit_gaps
from data_access.inspection.view import (count_candidates, load_calls, load_classes, load_findings, load_header,
                                         load_interviews, load_items, visit_history)
from pages.inspection import sections as inspection_sections  # noqa: F401 - registers the callbacks that save each section
from pages.access import refused
from pages.inspection.common import readable, save
from web.context import db
from wording.i18n import current_language
from wording.inspection import gap_text
from wording.dashboard import term_name
from web.saves import saves

# roles=() keeps the page out of the navigation (it is opened from the visit list and the coverage
# page); whether a user may see a visit is decided by every callback, on the server.
dash.register_page(__name__, path="/inspection/visit", name="Inspection visit", title="保学 Baoxue", roles=(),
                   order=99)

VISIT_HEADER = "visit-header"
VISIT_TABS = "visit-tabs"
VISIT_HEADCOUNT = "visit-headcount"
VISIT_PHONE = "visit-phone"
VISIT_INTERVIEWS = "visit-interviews"
VISIT_FINDINGS = "visit-findings"
VISIT_HISTORY = "visit-history"


def _visit_id(query: dict) -> int | None:
    raw = str(query.get("id") or "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def layout(**query: str) -> html.Div:
    """The frame; the visit id from the address is a request, checked here ("no access" outside the user's
    area) and by every callback."""
    visit_id = _visit_id(query)
    if visit_id is not None and refused(lambda: readable(visit_id)):
        return no_access(_("This visit is not in your area, or does not exist."))
    tab = lambda content_id, text, tab_id: dbc.Tab(dcc.Loading(html.Div(id=content_id, className="pt-2"),  # noqa: E731
                                                               type="dot", delay_show=400),
                                                   label=text, tab_id=tab_id)
    return html.Div([
        dcc.Location(id=VISIT_RELOAD, refresh=True),
        sign_off_modal(),
        dcc.Store(id=VISIT_ID, data=_visit_id(query)),
        dcc.Store(id=VISIT_EDIT),
        html.Div([dcc.Link([html.I(className="bi bi-chevron-left me-1"), _("All visits")], href="/inspection",
                           className="small"),
                  html.Span([html.Span(id=VISIT_SAVED_AT, className="small text-success"),
                             html.Span([html.I(className="bi bi-exclamation-triangle-fill me-1"), _("Not saved")],
                                       className="small text-danger bx-unsaved-only", id="visit-not-saved")])],
                 className="d-flex justify-content-between align-items-center mb-2"),
        html.Div(id=VISIT_ALERT),
        dcc.Loading(html.Div(id=VISIT_HEADER), type="dot"),
        dbc.Tabs([
            tab(VISIT_FILES, _("File review"), "files"),
            tab(VISIT_HEADCOUNT, _("Head count"), "headcount"),
            tab(VISIT_PHONE, _("Phone check"), "phone"),
            tab(VISIT_INTERVIEWS, _("Interviews"), "interviews"),
            tab(VISIT_FINDINGS, _("Findings"), "findings"),
            tab(VISIT_HISTORY, _("History"), "history"),
        ], id=VISIT_TABS, active_tab="files", persistence=True, persistence_type="session", className="bx-visit-tabs"),
    ], className="bx-visit")


@callback(Output(VISIT_HEADER, "children"), Output(VISIT_FILES, "children"), Output(VISIT_HEADCOUNT, "children"),
          Output(VISIT_PHONE, "children"), Output(VISIT_INTERVIEWS, "children"), Output(VISIT_EDIT, "data"),
          Input(VISIT_ID, "data"))
def show_visit(visit_id: int | None) -> tuple:
    """Read the visit for this user (HTTP 403 when they may not see it) and hand out an edit token."""
    if visit_id is None:
        empty = html.P(_("No visit chosen: open one from the list of visits."), className="text-muted")
        return empty, None, None, None, None, None
    access = readable(visit_id)
    session = db()
    view = load_header(session, access)
    zh = current_language() == "zh"
    header = visit_header(view, term_name(view.term_code), access.can_edit, access.can_sign, access.can_reopen,
                          f"/inspection/visit/{visit_id}/report.docx")
    header = html.Div([header, signed_with_gaps([gap_text(g) for g in view.signed_gaps], view.signed_reason)])
    files = file_review_section(load_items(session, access), access.can_edit, zh)
    classes = head_count_section(load_classes(session, access, with_students=access.can_edit), access.can_edit)
    phone = phone_section(load_calls(session, access), view.phone_seed, view.phone_sample_size,
                          count_candidates(session, access), access.can_edit, access.can_reveal)
    interviews = interviews_section(load_interviews(session, access), access.can_edit)
    return header, files, classes, phone, interviews, {"version": view.version, "token": secrets.token_hex(8)}


@callback(Output(VISIT_FINDINGS, "children"), Output(VISIT_HISTORY, "children"), Input(VISIT_TABS, "active_tab"),
          Input(VISIT_ID, "data"))
def show_findings(tab: str | None, visit_id: int | None) -> tuple:
    """Findings (kept in step with every save) and history, read when their tab is opened."""
    if visit_id is None or tab not in ("findings", "history"):
        return no_update, no_update
    access = readable(visit_id)
    session = db()
    if tab == "history":
        return no_update, history_list(visit_history(session, visit_id, only_school_id=access.only_school_id))
    view = load_header(session, access)
    return findings_section(load_findings(session, access), view.schools, view.township_name, access.can_edit), no_update


@callback(Output(VISIT_SIGN_MODAL, "is_open"), Output(VISIT_SIGN_BODY, "children"),
          Output(VISIT_SIGN_REASON_BOX, "hidden"), Output(VISIT_SIGN_MSG, "children"),
          Input(VISIT_SIGN, "n_clicks"), Input(VISIT_SIGN_CANCEL, "n_clicks"), State(VISIT_ID, "data"),
          prevent_initial_call=True)
def prepare_sign_off(clicks: int | None, _cancel: int | None, visit_id: int | None) -> tuple:
    """Open the sign-off dialog with what the visit leaves undone (only the team leader may sign)."""
    if ctx.triggered_id == VISIT_SIGN_CANCEL or not clicks:
        return False, no_update, no_update, ""
    access = readable(visit_id)
    if not access.can_sign:
        raise PreventUpdate
    lines = [gap_text(g) for g in visit_gaps(db(), access.visit_id)]
    return True, sign_off_body(lines), not lines, ""


@callback(Output(VISIT_RELOAD, "href"), Input(VISIT_SIGN_CONFIRM, "n_clicks"), State(VISIT_SIGN_REASON, "value"),
          State(VISIT_ID, "data"), State(VISIT_EDIT, "data"), prevent_initial_call=True)
@saves
def sign_off(clicks: int | None, reason: str | None, visit_id: int | None, edit: dict | None) -> object:
    """The team leader signs the visit off, with a reason when it has gaps (refused when the page is stale)."""
    if not clicks:
        return no_update
    done = save(lambda s, a: sign_visit(s, a, visit_id, edit_state(edit), reason), visit_id=visit_id,
                need="lead")
    if not done.ok:
        set_props(VISIT_SIGN_MSG, {"children": done.error or ""})
        return no_update
    return f"/inspection/visit?id={visit_id}"


@callback(Output(VISIT_RELOAD, "href", allow_duplicate=True), Input(VISIT_REOPEN, "n_clicks"),
          State(VISIT_REOPEN_REASON, "value"), State(VISIT_ID, "data"), prevent_initial_call=True)
@saves
def reopen(clicks: int | None, reason: str | None, visit_id: int | None) -> object:
    """The team leader reopens a signed visit, with a reason (audit-logged)."""
    if not clicks:
        return no_update
    done = save(lambda s, a: reopen_visit(s, a, visit_id, reason), page_wide=False,
                visit_id=visit_id, need="lead")
    if not done.ok:
        set_props(VISIT_HEADER_MSG, {"children": saved_mark(done.error or "", error=True)})
        return no_update
    return f"/inspection/visit?id={visit_id}"

