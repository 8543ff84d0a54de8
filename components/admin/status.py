"""The Terms and data status page's views: loaded terms, each school's roster for a term, township coverage,
refused files and the preview of a term's withdrawal (pure builders taking view models)."""
from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_babel import gettext as _

from components.controls import COUNT_FORMAT, server_grid
from domain.admin.views import ImportFile, Refusal, SchoolImport, TermLoad, TownshipCoverage, WithdrawPreview
from domain.localtime import local_clock


def stamp(value: object) -> str:
    """A stored UTC time as local `YYYY-MM-DD HH:MM` (— when unknown)."""
    return local_clock(value.isoformat()) if value is not None else "—"  # type: ignore[attr-defined]


def _table(headers: list[str], rows: list[list[object]], class_name: str = "") -> dbc.Table:
    """A small striped table of header and rows."""
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in headers])),
                      html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows])],
                     bordered=False, striped=True, hover=True, size="sm", responsive=True,
                     className=f"small {class_name}")


def terms_table(terms: list[TermLoad], name: Callable[[str], str]) -> object:
    """One line per loaded term: roster rows and schools loaded in the user's scope."""
    if not terms:
        return html.P(_("No term is loaded yet: import a roster first."), className="text-muted")
    return _table([_("Term"), _("Code"), _("Roster rows"), _("Schools with a roster")],
                  [[name(t.code), t.code, f"{t.rows:,}", f"{t.schools_loaded:,} / {t.schools_total:,}"] for t in terms])


def school_summary(loaded: int, total: int) -> object:
    """The headline: how many schools have sent the term's roster and how many have not."""
    missing = total - loaded
    color = "success" if not missing else "warning"
    return dbc.Alert(_("%(loaded)s of %(total)s schools have imported this term's roster; %(missing)s have not.",
                       loaded=f"{loaded:,}", total=f"{total:,}", missing=f"{missing:,}"), color=color,
                     className="py-2 small mb-2", id="status-summary-alert")


def school_rows(rows: list[SchoolImport], export_href: Callable[[SchoolImport], str | None]) -> list[dict]:
    """The grid rows of a block of schools: rows, when, by whom, which file, the export link."""
    imported, missing, unknown, export = _("Imported"), _("Not imported"), _("unknown"), _("Roster .xlsx")
    data = []
    for r in rows:
        href = export_href(r) if r.loaded else None
        data.append({"township": r.township_name, "school": r.school_name, "code": r.school_code,
                     "status": imported if r.loaded else missing, "missing": not r.loaded,
                     "rows": r.rows if r.loaded else None, "at": stamp(r.imported_at),
                     "by": r.imported_by or ("—" if not r.loaded else unknown), "file": r.file_name or "—",
                     "export": f"[{export}]({href})" if href else ""})
    return data


def school_table(grid_id: str, total: int) -> object:
    """The term's schools, the missing ones first, as one AG Grid whose pages the server sends block by block
    (the infinite row model: sorted, filtered and cut in SQL). A county's 100 schools as table cells were ~1,100
    Dash components (3 s of a busy browser under Dash 4.4, plotly/dash#3846); a province's 12,462 sent whole were
    2.9 MB. When, by whom and which file are looked up per block, so they neither sort nor filter."""
    if not total:
        return html.P(_("No school in your area."), className="text-muted")
    columns = [
        {"field": "township", "headerName": _("Township"), "minWidth": 120},
        {"field": "school", "headerName": _("School"), "minWidth": 180, "flex": 2},
        {"field": "code", "headerName": _("School code"), "minWidth": 120},
        {"field": "status", "headerName": _("Status"), "filter": False,
         "cellClassRules": {"bx-missing text-danger fw-semibold": "params.data && params.data.missing",
                            "text-success": "params.data && !params.data.missing"}},
        {"field": "rows", "headerName": _("Rows"), "type": "numericColumn", "filter": "agNumberColumnFilter",
         "valueFormatter": {"function": COUNT_FORMAT}},
        {"field": "at", "headerName": _("Imported at"), "sortable": False, "filter": False},
        {"field": "by", "headerName": _("Imported by"), "sortable": False, "filter": False},
        {"field": "file", "headerName": _("File"), "sortable": False, "filter": False},
        {"field": "export", "headerName": "", "cellRenderer": "markdown", "sortable": False, "filter": False},
    ]
    for column in columns:                  # the columns share the width: the table fits a 1440 px window
        column.setdefault("flex", 1)
        column.setdefault("minWidth", 100)
    return server_grid(grid_id, columns, total, "bx-status-schools")


def _size(n: int) -> str:
    return f"{n:,} B" if n < 1024 else f"{n / 1024:,.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MB"


def import_table(rows: list[ImportFile], kind_name: Callable[[str], str], undo_id: Callable[[int], dict]) -> object:
    """The accepted imports: file name, size, SHA-256, who, when, what they did, and the undo button (for an
    admin, within the window) or when and by whom an import was undone."""
    if not rows:
        return html.P(_("No import recorded for this term yet."), className="text-muted")
    lines = []
    for r in rows:
        if r.undone_at is not None:
            action: object = html.Span(_("Undone %(at)s by %(who)s", at=stamp(r.undone_at), who=r.undone_by or "—"),
                                       className="text-muted")
        elif r.may_undo:
            action = dcc.ConfirmDialogProvider(
                dbc.Button([html.I(className="bi bi-arrow-counterclockwise me-1"), _("Undo")], color="danger",
                           outline=True, size="sm"),
                id=undo_id(r.id),
                message=_("Undo import %(id)s (%(file)s)? The %(term)s roster of its schools goes back to what it "
                          "was before it.", id=r.id, file=r.file_name, term=r.term or ""))
        else:
            action = ""
        counts = f"+{r.new:,} / ~{r.changed:,} / ={r.unchanged:,} / −{r.removed:,}"
        lines.append([r.id, stamp(r.at), r.actor, kind_name(r.kind), r.term or "—", r.file_name, _size(r.file_size),
                      html.Code(r.sha256[:16] + "…", title=r.sha256), counts, action])
    return _table([_("No."), _("Imported at"), _("Imported by"), _("Kind"), _("Term"), _("File"), _("Size"),
                   _("SHA-256"), _("New / changed / unchanged / removed"), ""], lines, "bx-import-files")


def coverage_rows(rows: list[TownshipCoverage]) -> list[dict]:
    """The grid rows of a block of townships: population survey of the school year, enrollment-history years,
    rosters sent."""
    def years(values: tuple[int, ...]) -> str:
        """History years as a span with their count."""
        return "—" if not values else (f"{values[0]}–{values[-1]} ({len(values)})" if len(values) > 1
                                       else str(values[0]))
    missing = _("missing")
    return [{"township": r.name, "code": r.code, "survey": r.population_rows or missing,
             "no_survey": not r.population_rows, "population": r.population if r.population_rows else None,
             "history": years(r.history_years), "schools": f"{r.schools_loaded} / {r.schools_total}"} for r in rows]


def coverage_table(grid_id: str, total: int) -> object:
    """Per township, as one AG Grid whose pages the server sends block by block (a province's 1,395 townships as
    table cells were ~10,000 Dash components; counted whole, 180–240 ms). Townships sort and filter by name and
    code; the counts are read for the block shown."""
    if not total:
        return html.P(_("No township in your area."), className="text-muted")
    columns = [
        {"field": "township", "headerName": _("Township"), "flex": 2},
        {"field": "code", "headerName": _("Code")},
        {"field": "survey", "headerName": _("Population survey (rows)"),
         "cellClassRules": {"bx-missing text-warning-emphasis fw-semibold": "params.data && params.data.no_survey"}},
        {"field": "population", "headerName": _("School-age population"), "type": "numericColumn",
         "valueFormatter": {"function": COUNT_FORMAT}},
        {"field": "history", "headerName": _("Enrollment history years")},
        {"field": "schools", "headerName": _("Schools with a roster")},
    ]
    for column in columns:
        column.setdefault("flex", 1)
        column.setdefault("minWidth", 110)
        if column["field"] not in ("township", "code"):
            column.update(sortable=False, filter=False)
    return server_grid(grid_id, columns, total, "bx-status-coverage")


def refusal_list(rows: list[Refusal]) -> object:
    """Refused roster files of the term (someone tried; the problems are in their import report)."""
    if not rows:
        return html.P(_("No refused roster file for this term."), className="text-muted small")
    return _table([_("Time"), _("User"), _("File"), _("Problems")],
                  [[stamp(r.at), r.actor, r.file_name, r.problems] for r in rows])


def withdraw_preview(p: WithdrawPreview, name: str) -> object:
    """What withdrawing the term will remove, and what happens to the records that point at it."""
    items = [
        _("%(n)s roster records of %(schools)s schools are deleted.", n=f"{p.records:,}", schools=p.schools),
        _("%(n)s pupils appear in no other term; their identities (学籍号, name) are kept for cases and findings.",
          n=f"{p.students_only_here:,}"),
        _("%(f)s findings, %(a)s head-count absences and %(c)s phone checks of inspections lose the link to the "
          "roster record; they keep the pupil, the visit and what was found.", f=p.findings, a=p.absences,
          c=p.phone_calls),
        _("%(c)s cases, %(v)s visits and %(o)s rectification orders of this term are kept unchanged.",
          c=p.cases, v=p.visits, o=p.orders),
        _("The term itself is removed from the term picker.") if p.term_row_removed else
        _("The term stays in the term picker (other records still refer to it)."),
        _("Figures are recomputed for this term and for the terms that use it: %(terms)s.",
          terms="、".join(p.later_terms) or "—"),
    ]
    return dbc.Alert([html.H6(_("Withdrawing %(term)s", term=name), className="alert-heading"),
                      html.Ul([html.Li(i) for i in items], className="mb-0 small")],
                     color="warning", className="mb-2", id="withdraw-preview-box")
