"""Builders of the agreement page (人账相符, pure): the count per kind, one section per kind with what to do,
the "open case" buttons, and the population gaps per village and age."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_babel import gettext as _

from wording.ledger import (CASE_STATUS_LABELS, KIND_ADVICE, KIND_COLORS, KIND_LABELS, LEDGER_LABELS,
                                    OUTCOME_LABELS, label, roster_status)
from domain.cases.views import AgreementRow, GapRow
from domain.cases.agreement import KINDS

AGREEMENT_OPEN, AGREEMENT_DONE = "agreement-open", "agreement-done"  # keys "student", "kind"


def counts_row(counts: Mapping[str, int], gap_children: int) -> dbc.Row:
    """One small card per kind with its count (links to its section)."""
    cards = []
    for kind in KINDS:
        n = counts.get(kind, 0)
        note = _("%(n)s children", n=gap_children) if kind == "population_gap" and n else ""
        cards.append(dbc.Col(html.A(dbc.Card(dbc.CardBody([
            html.Div(label(KIND_LABELS, kind), className="small text-muted bx-agreement-kind"),
            html.Div([html.Span(str(n), className=f"fs-4 fw-semibold text-{KIND_COLORS[kind] if n else 'success'}",
                                id=f"agreement-count-{kind}"),
                      html.Small(f" · {note}", className="text-muted") if note else None]),
        ], className="p-2"), className="h-100 shadow-sm"), href=f"#agreement-{kind}", className="text-decoration-none"),
            xs=6, md=4, xl=2))
    return dbc.Row(cards, className="g-2 mb-3")


def _case_cell(r: AgreementRow) -> object:
    if r.case_id is None:
        return html.Span(_("No case"), className="text-muted")
    status = label(CASE_STATUS_LABELS, r.case_status)
    if r.case_outcome:
        status = f"{status} · {label(OUTCOME_LABELS, r.case_outcome)}"
    return html.Div([dcc.Link(f"#{r.case_id}", href=f"/cases/case?id={r.case_id}", className="fw-semibold me-1"),
                     html.Span(label(LEDGER_LABELS, r.case_ledger), className="small"),
                     html.Div(status, className="small text-muted")])


def _action(r: AgreementRow, may_open: bool) -> object:
    if not (r.can_open and may_open):
        return None
    return html.Div(dbc.Button([html.I(className="bi bi-journal-plus me-1"), _("Open case")], size="sm",
                               color="primary", outline=True,
                               id={"type": AGREEMENT_OPEN, "student": r.student_id, "kind": r.kind}),
                    id={"type": AGREEMENT_DONE, "student": r.student_id, "kind": r.kind})


def kind_section(kind: str, rows: Sequence[AgreementRow], total: int, may_open: bool) -> html.Div:
    """The disagreements of one kind: who, where, roster and case, and the fix."""
    head = html.Thead(html.Tr([html.Th(t) for t in (_("Student"), _("School and township"), _("Roster status"),
                                                      _("Case"), "")]))
    body = [html.Tr([
        html.Td([html.Div([r.student, html.Span(_("Poor family"), className="badge text-bg-warning ms-1")
                           if r.poor else None]), html.Small(r.student_no, className="text-muted")]),
        html.Td([html.Div(r.school), html.Small(r.township, className="text-muted")]),
        html.Td(roster_status(r.roster_status), className="small"),
        html.Td(_case_cell(r)),
        html.Td(_action(r, may_open), className="text-end"),
    ], className="bx-agreement-row", **{"data-kind": kind}) for r in rows]
    more = (html.Small(_("Showing %(shown)s of %(total)s.", shown=len(rows), total=total), className="text-muted")
            if total > len(rows) else None)
    return _section(kind, total, html.Div(dbc.Table([head, html.Tbody(body)], hover=True, size="sm",
                                                    className="align-middle mb-0"), className="table-responsive"), more)


def _section(kind: str, total: int, content: object, more: object = None) -> html.Div:
    return html.Div([
        html.H3([html.Span(str(total), className=f"badge text-bg-{KIND_COLORS[kind]} me-2"), label(KIND_LABELS, kind)],
                className="h6 mt-3", id=f"agreement-{kind}"),
        html.Div([html.I(className="bi bi-lightbulb me-1"), label(KIND_ADVICE, kind)], className="small text-muted mb-2"),
        content, more,
    ], className="bx-agreement-section")


GAP_LIMIT = 200  # lines shown; the school-age children ledger (and its export) lists them all


def gaps_section(gaps: Sequence[GapRow], children: int) -> html.Div:
    """Survey children not on any roster, per village (or township) and age: counts, not names; the
    GAP_LIMIT largest gaps, in the order given."""
    largest = set(sorted(range(len(gaps)), key=lambda i: -gaps[i].gap)[:GAP_LIMIT])
    shown = [g for i, g in enumerate(gaps) if i in largest]
    head = html.Thead(html.Tr([html.Th(t) for t in (_("Township"), _("Village"), _("Age"), _("Population (survey)"),
                                                      _("Attending outside the county"), _("Found on the roster"),
                                                      _("Not found on any roster"))]))
    body = [html.Tr([html.Td(g.township_name), html.Td(g.area_name if g.area_code[9:] != "000" else
                                                       _("(whole township)")),
                     html.Td(g.age), html.Td(g.population), html.Td(g.outside), html.Td(g.found),
                     html.Td(html.Strong(g.gap), className="text-danger")]) for g in shown]
    more = (html.Small(_("Showing the %(shown)s largest gaps of %(total)s lines; the school-age children ledger "
                         "lists them all.", shown=len(shown), total=len(gaps)), className="text-muted")
            if len(gaps) > len(shown) else None)
    unplaced = sum(g.unplaced for g in gaps)
    return _section("population_gap", len(gaps), html.Div(
        [html.Small(_("%(n)s children in %(lines)s village-age lines.", n=children, lines=len(gaps)),
                    className="text-muted d-block mb-1"),
         html.Small(_("Compared as the rates count them: %(n)s pupils counted toward their township could not be "
                      "placed in a village, so those townships are compared as a whole.", n=unplaced),
                    className="text-muted d-block mb-1", id="agreement-unplaced") if unplaced else None,
         dbc.Table([head, html.Tbody(body)], hover=True, size="sm", className="align-middle mb-0")],
        className="table-responsive"), more)


def empty_note() -> dbc.Alert:
    """All agree."""
    return dbc.Alert([html.I(className="bi bi-check-circle-fill me-2"),
                      _("Cases and roster agree: no disagreement found.")], color="success", className="py-2")
