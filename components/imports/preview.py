"""The preview of a roster import (issue 16.1): what the file would do — new, changed, unchanged and removed
rows, the pupils who would leave the roster — and the button that writes it; removing more than a share of a
school's pupils needs a second confirmation naming the number."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

from components.controls import grid
from components.imports.report import kind_label
from domain.imports.results import ImportResult, PreviewRow
from wording.i18n import N_

CHANGES = {"new": N_("New"), "changed": N_("Changed"), "removed": N_("Leaves the roster")}


def _rows_grid(rows: list[PreviewRow], grid_id: str, with_change: bool) -> object:
    columns = ([{"field": "change", "headerName": _("Change"), "width": 110}] if with_change else []) + [
        {"field": "student_no", "headerName": _("Student number"), "minWidth": 170},
        {"field": "name", "headerName": _("Name"), "width": 110},
        {"field": "school", "headerName": _("School"), "minWidth": 160, "flex": 1},
        {"field": "grade", "headerName": _("Grade"), "width": 80},
        {"field": "class_name", "headerName": _("Class"), "width": 90},
        {"field": "status", "headerName": _("Status"), "width": 100},
    ] + ([{"field": "fields", "headerName": _("Fields that change"), "minWidth": 150, "flex": 1}]
         if with_change else [])
    data = [{"change": _(CHANGES[r.change]), "student_no": r.student_no, "name": r.name,
             "school": f"{r.school_name} ({r.school_code})", "grade": r.grade, "class_name": r.class_name or "",
             "status": r.status, "fields": r.fields} for r in rows]
    return grid(paginate=True, id=grid_id, columnDefs=columns, rowData=data)


def _count(label: str, value: int, tone: str, count_id: str) -> dbc.Col:
    return dbc.Col(html.Div([html.Div(f"{value:,}", id=count_id, className=f"fs-4 fw-semibold text-{tone}"),
                             html.Div(label, className="small text-muted")], className="bx-import-count"),
                   xs=6, md=3)


def large_removal(result: ImportResult, share: float) -> bool:
    """Whether the preview removes more than `share` of one school's stored pupils (a second confirmation)."""
    return result.removed > 0 and result.removal_share > share


def preview_view(result: ImportResult, ids: dict[str, str], share: float, when: str = "") -> html.Div:
    """The preview panel: counts, the pupils who would leave the roster, the new and changed rows, and the
    confirmation (with a second one, naming the number, above `share`)."""
    title = f"{kind_label(result.kind)} · {result.file_name}" + (f" · {result.term}" if result.term else "")
    listed = {c: [r for r in result.preview_rows if r.change == c] for c in CHANGES}
    parts: list[object] = [
        dbc.Alert([html.H3([html.I(className="bi bi-eye me-2"), _("Preview: nothing has been written yet")],
                           className="h6 mb-1"),
                   html.Div(_("Check what the file would change, then confirm to write it."), className="small"),
                   html.Div(title + (f" · {when}" if when else ""), className="small text-muted")],
                  color="info", id=ids["status"], className="mb-2"),
    ]
    if result.stale:
        parts.append(dbc.Alert(_("The roster changed since the preview you confirmed (another import?); nothing was "
                                 "written. This is what the file would do now."), color="warning",
                               id=ids["stale"], className="py-2"))
    parts.append(dbc.Row([
        _count(_("New"), result.new, "success", ids["new"]),
        _count(_("Changed"), result.changed, "primary", ids["changed"]),
        _count(_("Unchanged"), result.unchanged, "secondary", ids["unchanged"]),
        _count(_("Removed"), result.removed, "danger" if result.removed else "secondary", ids["removed"]),
    ], className="g-2 mb-2"))
    if result.removed:
        parts += [html.H3(_("Pupils who would leave the roster"), className="h6 mt-3"),
                  html.P(_("%(count)s pupil(s) of these schools' %(term)s roster are not in the file: importing it "
                           "removes them from the roster.", count=f"{result.removed:,}", term=result.term or ""),
                         className="mb-1 small"),
                  _listed_note(len(listed["removed"]), result.removed),
                  _rows_grid(listed["removed"], ids["removed_grid"], False)]
    if result.new or result.changed:
        parts += [html.H3(_("New and changed rows"), className="h6 mt-3"),
                  _listed_note(len(listed["new"]) + len(listed["changed"]), result.new + result.changed),
                  _rows_grid(listed["new"] + listed["changed"], ids["rows_grid"], True)]
    large = large_removal(result, share)
    second = html.Div([
        dbc.Alert([html.Strong(_("This file removes %(count)s pupils from the roster.", count=f"{result.removed:,}")),
                   html.Div(_("That is %(share)s of the pupils of school %(school)s, more than the %(limit)s allowed "
                              "without a second confirmation. A file with only some grades or classes removes the "
                              "others.", share=f"{result.removal_share:.0%}", school=result.removal_school,
                              limit=f"{share:.0%}"), className="small")], color="danger", className="py-2 mb-2"),
        dbc.Checkbox(id=ids["large"], value=False,
                     label=_("Yes: remove %(count)s pupils from the roster", count=f"{result.removed:,}"))],
        className="mt-3" if large else "d-none")
    confirm_label = (_("Confirm: import and remove %(count)s pupils", count=f"{result.removed:,}") if result.removed
                     else _("Confirm the import"))
    parts += [second,
              html.Div([dbc.Button([html.I(className="bi bi-check2-circle me-1"), confirm_label], id=ids["confirm"],
                                   color="danger" if result.removed else "primary"),
                        html.Span(id=ids["confirm_message"], className="small ms-2")],
                       className="d-flex flex-wrap align-items-center gap-2 mt-3")]
    return html.Div(parts, id=ids["preview"])


def _listed_note(shown: int, total: int) -> object:
    if total <= shown:
        return None
    return html.Div(_("Showing the first %(shown)s of %(total)s.", shown=f"{shown:,}", total=f"{total:,}"),
                    className="small text-muted mb-1")
