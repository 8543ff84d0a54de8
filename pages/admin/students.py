"""Student search (issue 15.6): find a child of the user's scope by whole 学籍号, whole ID number or whole name
(with birth date or school to tell same names apart) and see their roster history across terms, their dropout
cases and the inspection findings naming them. Names are masked for the roles that do not see them, ID numbers
always (roles that may reveal one do so with a button; each reveal is audit-logged). Searches are rate-limited
(BAOXUE_SEARCH_RATE_LIMIT)."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate
from flask_babel import gettext as _
from flask_login import current_user

from components.admin.student_search import detail_view, hit_label
from components.controls import dropdown, searched_options
from data_access.admin.student_search import (
    StudentRefused, reveal_id_number, school_choices, search_students, student_detail,
)
from domain.admin.search import MAX_HITS, QueryInvalid, parse_query
from web.context import AreaRefused, current_scope, db, transaction
from web.search_limit import check_search_rate
from wording.i18n import N_

SEARCH_ROLES = ("county_leader", "inspector", "township_officer", "school_staff", "admin")
dash.register_page(__name__, path="/students", name="Students", label=N_("Student search"), icon="search",
                   roles=SEARCH_ROLES, order=14)

ST_TEXT, ST_BIRTH, ST_SCHOOL, ST_GO = "students-text", "students-birth", "students-school", "students-go"
ST_MSG, ST_HITS, ST_DETAIL, ST_REVEAL = "students-msg", "students-hits", "students-detail", "students-reveal"
QUERY_MESSAGES = {
    "empty": N_("Type a name, a whole 学籍号 or a whole ID number."),
    "bad birth date": N_("The birth date is not a date."),
    "bad school": N_("Choose the school from the list."),
    "bad id number": N_("This is not a valid ID number (its check digit or birth date is wrong)."),
    "partial number": N_("Numbers are searched whole only: type the whole 学籍号 (G or L and 18 characters, or 19 "
                         "digits) or the whole 18-character ID number."),
    "bad name": N_("A name has at most 50 characters and no digits or punctuation."),
}


def _role() -> str:
    role = getattr(current_user, "role", None)
    if not getattr(current_user, "is_authenticated", False) or role not in SEARCH_ROLES:
        raise AreaRefused()
    return role


def layout(**_query: str) -> html.Div:
    """The search form; the schools to narrow to, the hits and the chosen child arrive through callbacks."""
    form = dbc.Row([
        dbc.Col([dbc.Label(_("Name, 学籍号 or ID number"), html_for=ST_TEXT, className="small text-muted mb-0"),
                 dbc.Input(id=ST_TEXT, type="text", maxLength=60, debounce=True)], md=4),
        dbc.Col([dbc.Label(_("Birth date (optional)"), html_for=ST_BIRTH, className="small text-muted mb-0"),
                 dbc.Input(id=ST_BIRTH, type="date")], md=3),
        dbc.Col([dbc.Label(_("School (optional)"), html_for=ST_SCHOOL, className="small text-muted mb-0"),
                 dropdown(id=ST_SCHOOL, options=[], clearable=True)], md=3),
        dbc.Col(dbc.Button([html.I(className="bi bi-search me-1"), _("Search")], id=ST_GO, color="primary",
                           className="w-100"), md=2, className="d-flex align-items-end"),
    ], className="g-2 mb-2")
    return html.Div([
        html.H2(_("Student search"), className="h4 mb-2"),
        html.P(_("Find a child of your area by name (with birth date or school to tell apart children of the same "
                 "name), by the whole 学籍号 or by the whole ID number. Numbers are never matched by a part."),
               className="small text-muted"),
        form,
        html.Div(id=ST_MSG),
        dbc.RadioItems(id=ST_HITS, options=[], className="small mb-3"),
        dbc.Button([html.I(className="bi bi-eye me-1"), _("Show the ID number")], id=ST_REVEAL, size="sm",
                   color="secondary", outline=True, className="d-none mb-2"),
        dcc.Loading(html.Div(id=ST_DETAIL), type="dot"),
    ])


@callback(Output(ST_SCHOOL, "options"), Input(ST_SCHOOL, "id"), Input(ST_SCHOOL, "search_value"),
          State(ST_SCHOOL, "value"))
def fill_schools(_id: str, search: str | None, school: int | None) -> list[dict]:
    """The schools of the user's scope to narrow a search to; of a long list (a province's), those matching what
    is typed."""
    _role()
    return searched_options(school_choices(db(), current_scope()), search if isinstance(search, str) else None,
                            school)


@callback(Output(ST_HITS, "options"), Output(ST_HITS, "value"), Output(ST_MSG, "children"),
          Input(ST_GO, "n_clicks"), Input(ST_TEXT, "value"), State(ST_BIRTH, "value"), State(ST_SCHOOL, "value"),
          prevent_initial_call=True)
def search(_clicks: int | None, text: object, birth: object, school: object) -> tuple:
    """The children of the user's scope matching the query (rate-limited per user)."""
    if ctx.triggered_id == ST_GO and not _clicks:          # the button drawn, not pressed
        raise PreventUpdate
    role = _role()
    try:
        query = parse_query(text, birth, school)
    except QueryInvalid as exc:
        return [], None, dbc.Alert(_(QUERY_MESSAGES[str(exc)]), color="warning", className="py-2 small")
    check_search_rate("students")
    hits = search_students(db(), current_scope(), role, query)
    if not hits:
        return [], None, dbc.Alert(_("No child of your area matches."), color="light", className="py-2 small")
    note = (_("More than %(n)s children match: add the birth date or the school.", n=MAX_HITS)
            if len(hits) >= MAX_HITS else _("%(n)s found; choose one.", n=len(hits)))
    options = [{"label": hit_label(h), "value": h.student_id} for h in hits]
    return options, hits[0].student_id if len(hits) == 1 else None, html.Div(note, className="small text-muted mb-1")


@callback(Output(ST_DETAIL, "children"), Output(ST_REVEAL, "className"), Input(ST_HITS, "value"),
          Input(ST_REVEAL, "n_clicks"))
def show_student(student: object, clicks: int | None) -> tuple:
    """The chosen child's roster history, cases and findings (a child outside the scope is refused); the reveal
    button shows the ID number to the roles that may reveal it, and the reveal is written to the audit log."""
    role = _role()
    if student in (None, ""):
        return None, "d-none"
    number = None
    try:
        if ctx.triggered_id == ST_REVEAL and clicks:
            with transaction() as session:
                number = reveal_id_number(session, current_scope(), role, student)
        detail = student_detail(db(), current_scope(), role, student)
    except StudentRefused as exc:
        raise AreaRefused() from exc
    return detail_view(detail, number), ("mb-2" if detail.may_reveal and number is None else "d-none")
