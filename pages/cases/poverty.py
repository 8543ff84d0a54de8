"""四查三比对 with the poverty list (issue 16.4; 2024 national notice, domain.md §7): for the picked term and the user's
area, the children of listed 脱贫户 / 监测户 households who are of compulsory school age (6–14 on 31 August, from
their ID number) and on no roster of the term, and the dropout cases of children on the list; both as an .xlsx.
Names are masked for the roles that do not see them, ID numbers always; every export is audit-logged."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update
from flask_babel import gettext as _
from flask_login import current_user

from components.shell import SHELL_TERM
from data_access import audit
from data_access.cases.poverty import MAX_LISTED, poverty_comparison
from documents.sheets import sheet_workbook
from domain.admin.views import Sheet
from domain.cases.poverty import PovertyComparison
from domain.localtime import local_today
from domain.terms import parse_term
from web.context import AreaRefused, current_scope, db, transaction
from wording.dashboard import term_name
from wording.i18n import N_
from wording.ledger import CASE_STATUS_LABELS, LEDGER_LABELS, label, roster_status

POVERTY_ROLES = ("admin", "county_leader", "inspector", "township_officer")
dash.register_page(__name__, pickers=("term",), path="/cases/poverty", name="Poverty list check",
                   label=N_("Poverty list check"), title="保学 Baoxue", roles=(), see_roles=POVERTY_ROLES)

PV_BODY, PV_EXPORT, PV_DOWNLOAD = "poverty-body", "poverty-export", "poverty-download"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _role() -> str:
    role = getattr(current_user, "role", None)
    if not getattr(current_user, "is_authenticated", False) or role not in POVERTY_ROLES:
        raise AreaRefused()
    return role


def _term(term: object) -> str:
    try:
        return parse_term(term if isinstance(term, str) else "").code
    except ValueError as exc:
        raise AreaRefused() from exc


def layout(**_query: str) -> html.Div:
    """The page frame; the comparison of the picked term arrives through a callback."""
    return html.Div([
        dbc.Row([
            dbc.Col([html.H2(_("Poverty list check (四查三比对)"), className="h4 mb-0"),
                     html.Div(_("The term's poverty list (脱贫户 / 监测户, imported on the Imports page) against the "
                                "rosters: children of compulsory school age on no roster, and dropouts from listed "
                                "families. Matched by ID number only; names never match."),
                              className="text-muted small")]),
            dbc.Col(dbc.Button([html.I(className="bi bi-file-earmark-excel me-1"), _("Export (.xlsx)")],
                               id=PV_EXPORT, color="success", size="sm"), width="auto"),
        ], className="align-items-center mb-3 g-2"),
        dcc.Loading(html.Div(id=PV_BODY), type="dot"),
        dcc.Download(id=PV_DOWNLOAD),
    ])


def _table(head: list[str], rows: list[list[object]], empty: str, ident: str) -> object:
    if not rows:
        return html.P(empty, className="text-muted small", id=ident)
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in head])),
                      html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows])],
                     striped=True, size="sm", className="small", responsive=True, id=ident)


def _unrostered_rows(c: PovertyComparison) -> tuple[list[str], list[list[object]]]:
    head = [_("Name"), _("ID number"), _("Gender"), _("Birth date"), _("Age"), _("Household head"),
            _("Household status"), _("Township"), _("Village"), _("Last on a roster")]
    rows = [[u.name, u.id_number, u.gender, u.birth_date.isoformat(), u.age, u.head_name, u.household_status,
             u.township, u.village or "—",
             f"{term_name(u.last_term)} · {roster_status(u.last_status)}" if u.last_term else _("Never")]
            for u in c.unrostered]
    return head, rows


def _dropout_rows(c: PovertyComparison) -> tuple[list[str], list[list[object]]]:
    head = [_("Case"), _("Name"), _("Student number"), _("School"), _("Township"), _("Ledger"), _("Status"),
            _("Found"), _("Household status")]
    rows = [[d.case_id, d.name, d.student_no, d.school, d.township, label(LEDGER_LABELS, d.ledger),
             label(CASE_STATUS_LABELS, d.status), d.found_date.isoformat(), d.household_status or "—"]
            for d in c.dropouts]
    return head, rows


@callback(Output(PV_BODY, "children"), Input(SHELL_TERM, "value"))
def show(term: object) -> object:
    """The comparison of the picked term in the user's area."""
    role = _role()
    if not term:
        return html.P(_("No term is loaded yet: import a roster first."), className="text-muted")
    c = poverty_comparison(db(), current_scope(), role, _term(term))
    if not c.listed:
        return dbc.Alert(_("No poverty list is imported for %(term)s in your area. Import it on the Imports page "
                           "(kind: poverty list).", term=term_name(c.term_code)), color="light")
    parts: list[object] = [html.P(_("%(listed)s people on the list, %(aged)s of them aged 6–14; %(missing)s on no "
                                    "roster of the term; %(dropouts)s dropout case(s) from listed families.",
                                    listed=f"{c.listed:,}", aged=f"{c.school_age:,}",
                                    missing=f"{c.unrostered_total:,}", dropouts=f"{c.dropouts_total:,}"),
                                  className="small", id="poverty-summary")]
    if c.unrostered_total > len(c.unrostered) or c.dropouts_total > len(c.dropouts):
        parts.append(dbc.Alert(_("Each list shows and exports its first %(n)s rows; the counts above are of all of "
                                 "them.", n=f"{MAX_LISTED:,}"), color="warning", className="py-2 small",
                               id="poverty-capped"))
    if not c.roster_loaded:
        parts.append(dbc.Alert(_("No roster of this term is imported yet: every listed child looks unrostered."),
                               color="warning", className="py-2 small"))
    head, rows = _unrostered_rows(c)
    parts += [html.H3(_("Children of school age on no roster"), className="h6 mt-2"),
              _table(head, rows, _("Every listed child of school age is on a roster of the term."), "poverty-unrostered")]
    head, rows = _dropout_rows(c)
    rows = [[dcc.Link(f"#{r[0]}", href=f"/cases/case?id={r[0]}"), *r[1:]] for r in rows]
    parts += [html.H3(_("Dropouts from listed families"), className="h6 mt-3"),
              _table(head, rows, _("No dropout case of a child on the list."), "poverty-dropouts")]
    return html.Div(parts)


@callback(Output(PV_DOWNLOAD, "data"), Input(PV_EXPORT, "n_clicks"), State(SHELL_TERM, "value"),
          prevent_initial_call=True)
def export(clicks: int | None, term: object) -> object:
    """Both lists as an .xlsx (masked as on screen); the export is written to the audit log."""
    role = _role()
    if not clicks:
        return no_update
    code = _term(term)
    scope = current_scope()
    c = poverty_comparison(db(), scope, role, code)
    info = (_("Term: %(term)s", term=term_name(code)), _("Exported on %(date)s", date=local_today().isoformat()))
    head1, rows1 = _unrostered_rows(c)
    head2, rows2 = _dropout_rows(c)
    data = sheet_workbook([
        Sheet(_("Not on a roster"), tuple(head1), [tuple(r) for r in rows1], info, (10, 22, 6, 12, 6, 10, 10, 12, 12, 24),
              frozenset({1})),
        Sheet(_("Dropouts"), tuple(head2), [tuple(r) for r in rows2], info, (8, 10, 24, 20, 12, 12, 16, 12, 10),
              frozenset({2})),
    ])
    area = scope.areas[0][0] if len(scope.areas) == 1 else None
    with transaction() as s:
        audit.record(s, "export", "poverty_check", code, after={"unrostered": len(c.unrostered),
                                                                "dropouts": len(c.dropouts)}, area=area)
    return dcc.send_bytes(data, f"poverty-check-{code}.xlsx", type=XLSX)
