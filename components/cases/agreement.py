"""Builders of the agreement page (人账相符, pure): the count per kind, one section per kind with what to do,
the "open case" buttons, and the population gaps per village and age. Lists are AG Grids fed with row data
(hundreds of rows of Dash components froze the browser for tens of seconds)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

from components.controls import grid
from wording.ledger import (CASE_STATUS_LABELS, KIND_ADVICE, KIND_COLORS, KIND_LABELS, LEDGER_LABELS,
                                    OUTCOME_LABELS, label, roster_status)
from domain.cases.views import AgreementRow, GapRow
from domain.cases.agreement import KINDS

AGREEMENT_GRID, AGREEMENT_DONE = "agreement-grid", "agreement-done"  # key "kind"
AGREEMENT_GAPS = "agreement-gaps"


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


def _case_cell(r: AgreementRow) -> str:
    """The case column as Markdown: a link to the case, its ledger and status (— when there is none)."""
    if r.case_id is None:
        return _("No case")
    status = label(CASE_STATUS_LABELS, r.case_status)
    if r.case_outcome:
        status = f"{status} · {label(OUTCOME_LABELS, r.case_outcome)}"
    return f"[#{r.case_id}](/cases/case?id={r.case_id}) {label(LEDGER_LABELS, r.case_ledger)} · {status}"


def agreement_row(r: AgreementRow, may_open: bool) -> dict:
    """One grid row (data, not components: a long list stays light in the browser)."""
    return {"id": str(r.student_id), "student": r.student, "poor": _("Poor family") if r.poor else "",
            "student_no": r.student_no, "school": r.school, "township": r.township,
            "roster": roster_status(r.roster_status), "case": _case_cell(r),
            "action": _("Open case") if r.can_open and may_open else ""}


def opened_row(row: dict, case_id: int) -> dict:
    """The row once its case is opened: the link, no button."""
    return {**row, "case": f"[#{case_id}](/cases/case?id={case_id}) {_('Case #%(id)s opened', id=case_id)}",
            "action": ""}


def _columns(may_open: bool) -> list[dict]:
    cols = [{"field": "student", "headerName": _("Student"), "minWidth": 90, "flex": 1},
            {"field": "poor", "headerName": _("Poor family"), "minWidth": 90, "flex": 1,
             "cellClass": "text-warning-emphasis"},
            {"field": "student_no", "headerName": _("Student number"), "minWidth": 130, "flex": 2},
            {"field": "school", "headerName": _("School"), "minWidth": 130, "flex": 2},
            {"field": "township", "headerName": _("Township"), "minWidth": 90, "flex": 1},
            {"field": "roster", "headerName": _("Roster status"), "minWidth": 90, "flex": 1},
            {"field": "case", "headerName": _("Case"), "cellRenderer": "markdown", "minWidth": 160, "flex": 2}]
    if may_open:  # pinned: on a tablet the button stays in view while the other columns scroll
        cols.append({"field": "action", "headerName": "", "cellRenderer": "BxActionButton", "sortable": False,
                     "filter": False, "width": 120, "pinned": "right"})
    return cols


def kind_section(kind: str, rows: Sequence[AgreementRow], total: int, may_open: bool) -> html.Div:
    """The disagreements of one kind in a paginated grid (who, where, roster and case, and the fix)."""
    more = (html.Small(_("Showing %(shown)s of %(total)s.", shown=len(rows), total=total), className="text-muted")
            if total > len(rows) else None)
    table = grid(paginate=True, id={"type": AGREEMENT_GRID, "kind": kind}, getRowId="params.data.id",
                 rowData=[agreement_row(r, may_open) for r in rows], columnDefs=_columns(may_open),
                 className="bx-grid bx-agreement-grid")
    return _section(kind, total, html.Div([html.Div(id={"type": AGREEMENT_DONE, "kind": kind}), table]), more)


def _section(kind: str, total: int, content: object, more: object = None) -> html.Div:
    return html.Div([
        html.H3([html.Span(str(total), className=f"badge text-bg-{KIND_COLORS[kind]} me-2"), label(KIND_LABELS, kind)],
                className="h6 mt-3", id=f"agreement-{kind}"),
        html.Div([html.I(className="bi bi-lightbulb me-1"), label(KIND_ADVICE, kind)], className="small text-muted mb-2"),
        content, more,
    ], className="bx-agreement-section")


def gaps_section(gaps: Sequence[GapRow], children: int, lines: int | None = None,
                 unplaced: int | None = None) -> html.Div:
    """Survey children not on any roster, per village (or township) and age: counts, not names; the largest gaps
    first, in a paginated grid (`lines` and `unplaced` of all the lines when `gaps` lists only the largest)."""
    rows = [{"township": g.township_name,
             "village": g.area_name if g.area_code[9:] != "000" else _("(whole township)"), "age": g.age,
             "population": g.population, "outside": g.outside, "found": g.found, "gap": g.gap}
            for g in sorted(gaps, key=lambda g: -g.gap)]
    cols = [{"field": "township", "headerName": _("Township")}, {"field": "village", "headerName": _("Village")},
            {"field": "age", "headerName": _("Age"), "width": 80},
            {"field": "population", "headerName": _("Population (survey)")},
            {"field": "outside", "headerName": _("Attending outside the county")},
            {"field": "found", "headerName": _("Found on the roster")},
            {"field": "gap", "headerName": _("Not found on any roster"), "cellClass": "text-danger fw-semibold"}]
    unplaced = sum(g.unplaced for g in gaps) if unplaced is None else unplaced
    lines = len(gaps) if lines is None else lines
    return _section("population_gap", lines, html.Div([
        html.Small(_("%(n)s children in %(lines)s village-age lines.", n=children, lines=lines),
                   className="text-muted d-block mb-1"),
        html.Small(_("Compared as the rates count them: %(n)s pupils counted toward their township could not be "
                     "placed in a village, so those townships are compared as a whole.", n=unplaced),
                   className="text-muted d-block mb-1", id="agreement-unplaced") if unplaced else None,
        grid(paginate=True, id=AGREEMENT_GAPS, rowData=rows, columnDefs=cols,
             className="bx-grid bx-agreement-grid")]))


def empty_note() -> dbc.Alert:
    """All agree."""
    return dbc.Alert([html.I(className="bi bi-check-circle-fill me-2"),
                      _("Cases and roster agree: no disagreement found.")], color="success", className="py-2")
