"""Cases against roster (人账相符): every disagreement between the dropout cases and the term's roster, the
population survey against the roster per village and age, and the poor-family flag — with what to do, and
"open case" for a roster dropout that has none (school staff, township officers, admins)."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import MATCH, Input, Output, State, callback, ctx, dcc, html, no_update
from flask_babel import gettext as _

from components.cases.agreement import (AGREEMENT_DONE, AGREEMENT_GRID, counts_row, empty_note, gaps_section,
                                        kind_section, opened_row)
from components.inspection.visit import saved_mark
from components.shell import SHELL_TERM
from data_access.cases.agreement import MAX_ROWS_PER_KIND, agreement, open_from_agreement
from data_access.cases.cases import CaseRefused
from data_access.inspection.access import InvalidInput
from domain.localtime import local_today
from domain.cases.agreement import KINDS
from pages.inspection.common import current_actor, require_role
from pages.cases.common import CASE_ROLES, refused_as_403, term_or_latest
from pages.cases.new_case import open_error
from web.context import AreaRefused, db, transaction
from wording.dashboard import term_name
from web.saves import saves

dash.register_page(__name__, pickers=("term",), path="/cases/agreement", name="Cases against roster", title="保学 Baoxue", roles=())

AGREEMENT_COUNTS, AGREEMENT_LIST, AGREEMENT_TERM = "agreement-counts", "agreement-list", "agreement-term"


def layout(**_query: str) -> html.Div:
    """Page frame; the comparison arrives through the callback."""
    return html.Div([
        dbc.Row([
            dbc.Col([html.H2(_("Cases against roster (人账相符)"), className="h4 mb-0"),
                     html.Div(id=AGREEMENT_TERM, className="text-muted small")]),
            dbc.Col(dcc.Link([html.I(className="bi bi-journal-text me-1"), _("Case ledger")], href="/cases",
                             className="btn btn-sm btn-outline-primary"), width="auto"),
        ], className="align-items-center mb-3 g-2"),
        dcc.Loading([html.Div(id=AGREEMENT_COUNTS), dbc.Card(dbc.CardBody(html.Div(id=AGREEMENT_LIST)),
                                                             className="shadow-sm")], type="dot"),
    ])


@callback(Output(AGREEMENT_COUNTS, "children"), Output(AGREEMENT_LIST, "children"), Output(AGREEMENT_TERM, "children"),
          Input(SHELL_TERM, "value"))
def show_agreement(term: str | None) -> tuple:
    """Compare cases and roster of the term within the user's scope."""
    actor = current_actor()
    term = term_or_latest(term)
    if term is None:
        return None, html.P(_("No data yet: import a roster or load the demo."), className="text-muted"), ""
    with refused_as_403():
        found = agreement(db(), actor.scope, term, actor.role)
    may_open = actor.role in CASE_ROLES
    sections = []
    for kind in KINDS:
        if kind == "population_gap":
            if found.gaps:
                sections.append(gaps_section(found.gaps, found.gap_children, found.counts[kind], found.gap_unplaced))
            continue
        rows = [r for r in found.rows if r.kind == kind]
        if rows:
            sections.append(kind_section(kind, rows, found.counts[kind], may_open))
    caption = _("Roster of %(term)s compared with every case; at most %(n)s rows are listed per kind.",
                term=term_name(term), n=MAX_ROWS_PER_KIND)
    return counts_row(found.counts, found.gap_children), sections or empty_note(), caption


@callback(Output({"type": AGREEMENT_DONE, "kind": MATCH}, "children"),
          Output({"type": AGREEMENT_GRID, "kind": MATCH}, "rowTransaction"),
          Input({"type": AGREEMENT_GRID, "kind": MATCH}, "cellRendererData"),
          State({"type": AGREEMENT_GRID, "kind": MATCH}, "rowData"), State(SHELL_TERM, "value"),
          prevent_initial_call=True)
@saves
def open_for_row(clicked: dict | None, rows: list[dict] | None, term: str | None) -> tuple:
    """Open a confirmed case for the clicked row's student (refused outside the user's schools), link to it and
    update the row."""
    if not clicked or clicked.get("colId") != "action":
        return no_update, no_update
    actor = require_role(*CASE_ROLES)
    kind = (ctx.outputs_list[0]["id"] or {}).get("kind")
    term = term_or_latest(term)
    if term is None:
        raise AreaRefused()
    try:
        student = int(clicked.get("rowId"))
    except (TypeError, ValueError):
        return no_update, no_update
    note = {"dropout_no_case": _("Agreement check: 辍学 on the roster without a case"),
            "graduate_lost": _("Agreement check: grade-6 graduate on no junior roster (小升初)")}.get(
        kind, _("Agreement check: closed as back in school, roster still 辍学"))
    try:
        with refused_as_403(), transaction() as session:
            case_id = open_from_agreement(session, actor, term, student, kind, local_today(), note)
    except CaseRefused as exc:
        raise AreaRefused() from exc
    except InvalidInput as exc:
        return saved_mark(open_error(exc.code), error=True), no_update
    row = next((r for r in rows or [] if r.get("id") == str(student)), None)
    done = html.Span([html.I(className="bi bi-check2-circle text-success me-1"),
                      dcc.Link(_("Case #%(id)s opened", id=case_id), href=f"/cases/case?id={case_id}")],
                     className="small d-block mb-1", id=f"agreement-opened-{case_id}")
    return done, ({"update": [opened_row(row, case_id)]} if row else no_update)
