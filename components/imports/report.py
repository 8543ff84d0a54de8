"""What the Imports page shows: the words for kinds and problem reasons, the progress of a job, and the
result of an import (counts, students missing since the previous term, the problems of a refused file)."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_babel import gettext as _

from domain.imports.results import ImportResult
from wording.i18n import N_

SHOWN_ROWS = 100      # problems and missing students shown on screen; the workbook has up to 1,000

KIND_LABELS = {"roster": N_("Roster (one term)"), "population": N_("School-age population"),
               "enrollment_history": N_("Enrollment history"), "schools": N_("Schools"), "areas": N_("Areas"),
               "boundaries": N_("Boundaries (GeoJSON)"), "poverty": N_("Poverty list (脱贫户 / 监测户, one term)"),
               "users": N_("Users")}
PHASE_LABELS = {"queued": N_("Waiting to start"), "checking": N_("Checking rows"), "writing": N_("Writing rows"),
                "done": N_("Finishing"),
                "waiting": N_("Waiting for another import of the same data to finish")}

# Every reason an import can give (English, as the core and the CLI write it), for the user's language.
REASONS = (
    # the import of users (data_access/admin/users_import.py)
    N_("1 to 64 characters without spaces"), N_("unknown role (县领导, 督导, 乡镇, 学校, 管理员 or the English key)"),
    N_("a number, not text: Excel may have changed the code; format the column as text"),
    N_("a 12-digit area code or a 10-digit school code"), N_("appears twice in the file (also row %(row)s)"),
    N_("a user of this name exists already"), N_("unknown team (or not a team of your area)"),
    N_("outside your area, or a role or area wider than your own"),
    N_("needs the 10-digit code of an imported school"), N_("this role needs an area"),
    N_("not an imported area code"), N_("unknown role"),
    N_("Excel turned this code into a number; format the column as text"),
    N_("longer than %(count)s characters"),
    N_("not a valid code"), N_("not a valid student number"), N_("not a valid ID number"),
    N_("must be %(digits)s digits, not %(count)s"), N_("must be %(digits)s digits"),
    N_("must be G or L followed by 18 characters, or 19 digits"),
    N_("must be 18 characters, not %(count)s"), N_("must be 17 digits followed by a digit or X"),
    N_("checksum does not match"), N_("the birth date inside the number is not a valid date"),
    N_("the birth date in the ID number is %(id_date)s, but %(column)s is %(date)s"),
    N_("the ID number is of a boy, but %(column)s is %(gender)s"),
    N_("the ID number is of a girl, but %(column)s is %(gender)s"),
    N_("must be between %(low)s and %(high)s"), N_("must be one of %(choices)s"),
    N_("not a date (use 2014-03-05)"), N_("not a valid calendar date"), N_("not a mobile or landline number"),
    N_("not a whole number"), N_("not a number"), N_("must not be empty"),
    N_("this column appears twice"), N_("required column is missing"),
    N_("no header row found; expected columns %(columns)s"), N_("file not found"),
    N_("cannot read the file as text in UTF-8 or GBK"), N_("not a readable .xlsx workbook"),
    N_("the workbook has no worksheet"), N_("old Excel .xls format; save it as .xlsx"),
    N_("unsupported file type; use .xlsx or .csv"), N_("the file is damaged from this row on"),
    N_("unsupported file type; use .xlsx, .xls or .csv (or tab-separated text)"),
    N_("not a readable .xls workbook"),
    N_("the registry status %(code)s (%(name)s) has no counterpart here; write one of %(choices)s"),
    N_("the file has no data rows below the header"), N_("appears more than once (first on row %(row)s)"),
    N_("no school with this code is imported"), N_("you may import only the roster of your own school"),
    N_("this school is outside your area"), N_("no township or village with this code is imported"),
    N_("must be a division code of 12 digits (or 6 or 9, padded with zeros)"),
    N_("not a valid division code (county, township or village)"),
    N_("on the roster of another school: ask the county to transfer"),
    N_("contains a control character (such as NUL)"),
    N_("the sheet declares more than %(count)s rows"), N_("the sheet declares more than %(count)s columns"),
    N_("the workbook is too large: more than %(count)s cells"),
    N_("the workbook is too large: more than %(count)s shared strings"),
    N_("a cell holds more than %(count)s characters"),
    N_("the workbook is too large: a part of it unpacks to more than %(count)s MB"),
    N_("differs from what another school recorded for this student: ask the county to correct it"),
    N_("born after %(date)s, the day ages of this term are counted on"),
    N_("term code %(term)s is not of the form YYYY-1 or YYYY-2"),
    N_("a %(level)s code ends in %(count)s zeros"),
    N_("must not be empty: area %(code)s lies above this one"), N_("an area cannot be its own parent"),
    N_("no area with this code is imported or in this file"), N_("the parent is a %(parent)s, not above a %(level)s"),
    N_("area code %(code)s does not lie inside this parent"), N_("no area with this code is imported"),
    N_("is a %(level)s, not a %(levels)s"), N_("is more than the population"),
    N_("this area is outside yours: you may import the population of your own area only"),
    N_("this area is outside yours"), N_("the feature has no such property"),
    N_("must be a Polygon or MultiPolygon"), N_("not a GeoJSON file (invalid JSON)"),
    N_("not a GeoJSON FeatureCollection"), N_("the collection has no features"),
    N_("must be a 6-, 9- or 12-digit division code"),
    N_("the feature has neither a code (%(code)s) nor a name (%(name)s)"),
    N_("no imported township or village has this name"),
    N_("%(count)s imported areas have this name: give the features codes"),
    N_("has a position that is not longitude, latitude"), N_("unknown coordinates: use %(choices)s"),
    N_("must be 脱贫户 or 监测户 (also 脱贫不稳定户 / 边缘易致贫户 / 突发严重困难户 / 监测对象)"),
    N_("a division code has 6, 9 or 12 digits"), N_("no township with this code is imported"),
    N_("several townships have this name: give its code"), N_("no township of this name is imported"),
    N_("this township is outside yours: you may import the list of your own area only"),
    N_("no village with this code is imported in this township"),
    N_("several villages of this township have this name: give its code"),
    N_("no village of this name is imported in this township"),
    N_("this person is on the term's list of a township outside your area"),
    N_("renames %(old)s to this name: confirm the renames (--confirm-renames)"),
    N_("moves %(name)s from %(old)s to this code: confirm the renames (--confirm-renames)"),
    N_("%(code)s %(name)s is no longer listed under this area: it will be retired (kept with its history); confirm "
       "the renames (--confirm-renames)"),
)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(regex)


_PATTERNS = tuple((t, _pattern(t)) for t in REASONS)


def match_reason(reason: str) -> tuple[str, dict[str, str]] | None:
    """The template a reason was made from and its values, or None for a reason not in REASONS."""
    for template, pattern in _PATTERNS:
        found = pattern.fullmatch(reason)
        if found:
            return template, found.groupdict()
    return None


LEVEL_NAMES = {"province": N_("Province"), "prefecture": N_("Prefecture"), "county": N_("County"),
               "township": N_("Township"), "village": N_("Village")}


def _level_words(text: str) -> str:
    """'township or village' in the user's language ('乡镇/村')."""
    return "/".join(_(LEVEL_NAMES[w]) if w in LEVEL_NAMES else w for w in text.split(" or "))


def reason_text(reason: str) -> str:
    """A problem's reason in the user's language (as given when it is not a known one)."""
    found = match_reason(reason)
    if found is None:
        return reason
    template, values = found
    values = {k: _level_words(v) if k in ("level", "levels", "parent") else v for k, v in values.items()}
    return _(template, **values) if values else _(template)


def kind_label(kind: str) -> str:
    """The name of an import kind in the user's language."""
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def progress_text(done: int, total: int, phase: str, gettext: Callable[..., str] | None = None) -> str:
    """'Checking rows: 12,000 of 40,000' (`gettext` for a background job, which has no request)."""
    g = gettext or _
    label = g(PHASE_LABELS.get(phase, PHASE_LABELS["checking"]))
    if phase == "waiting":
        return label + " …"
    return g(N_("%(phase)s: %(done)s of %(total)s"), phase=label, done=f"{done:,}", total=f"{max(total, done):,}")


def _table(headings: Sequence[str], rows: Sequence[Sequence[object]], table_id: str, wrap_last: bool = False
           ) -> html.Div:
    """A compact table in a scroll box; cells do not wrap (the last one may: a reason)."""
    last = len(headings) - 1

    def cls(i: int) -> str | None:
        return None if wrap_last and i == last else "text-nowrap"
    return html.Div(dbc.Table([html.Thead(html.Tr([html.Th(h, className=cls(i)) for i, h in enumerate(headings)])),
                               html.Tbody([html.Tr([html.Td(c, className=cls(i)) for i, c in enumerate(r)])
                                           for r in rows])],
                              bordered=False, striped=True, hover=True, size="sm", id=table_id,
                              className="mb-0 align-middle"),
                    className="table-responsive", style={"maxHeight": "32rem", "overflowY": "auto"})


def problem_table(result: ImportResult, table_id: str) -> html.Div:
    """The first problems of a refused file: row, column, value, reason; and how many there are."""
    shown = result.problems[:SHOWN_ROWS]
    note = _("Showing the first %(shown)s of %(total)s problems.", shown=f"{len(shown):,}",
             total=f"{result.problem_count:,}") if result.problem_count > len(shown) else ""
    rows = [(p.row or "—", p.column or "—", p.value, reason_text(p.reason)) for p in shown]
    return html.Div([
        html.Div(note, className="small text-muted mb-1") if note else None,
        _table([_("Row"), _("Column"), _("Value"), _("Reason")], rows, table_id, wrap_last=True)])


def missing_table(result: ImportResult, table_id: str) -> html.Div:
    """Students of the previous term's roster of these schools who are not on this roster."""
    shown = result.missing_students[:SHOWN_ROWS]
    rows = [(m.student_no, m.name, f"{m.school_name} ({m.school_code})", m.grade, m.class_name or "", m.status)
            for m in shown]
    note = _("Showing the first %(shown)s of %(total)s.", shown=f"{len(shown):,}",
             total=f"{result.missing_count:,}") if result.missing_count > len(shown) else ""
    return html.Div([
        html.P(_("%(count)s student(s) on the %(term)s roster of these schools are not on this one: transferred? "
                 "dropped out? Follow each of them up in the case ledger.", count=f"{result.missing_count:,}",
                 term=result.previous_term or ""), className="mb-1"),
        html.Div(note, className="small text-muted mb-1") if note else None,
        _table([_("Student number"), _("Name"), _("School"), _("Grade"), _("Class"), _("Last status")], rows,
               table_id)])


def graduates_section(result: ImportResult, ids: dict[str, str], may_open: bool) -> html.Div:
    """小升初: the spring's grade-6 graduates on no roster of this autumn term, per township and primary school,
    with the button that makes them suspected cases in one step (for those who may open cases)."""
    shown = result.lost_graduates[:SHOWN_ROWS]
    rows = [(g.township_name, f"{g.school_name} ({g.school_code})", g.class_name or "", g.student_no, g.name)
            for g in shown]
    note = _("Showing the first %(shown)s of %(total)s.", shown=f"{len(shown):,}",
             total=f"{result.lost_graduate_count:,}") if result.lost_graduate_count > len(shown) else ""
    button = dbc.Button([html.I(className="bi bi-journal-plus me-1"), _("Open suspected cases for them")],
                        id=ids["graduates_open"], color="warning", size="sm") if may_open else None
    return html.Div([
        html.H3(_("Graduates on no junior roster (小升初)"), className="h6 mt-3"),
        html.P(_("%(count)s pupil(s) marked 毕业 in grade 6 on the %(term)s roster are on no roster of this term: "
                 "the main source of junior dropouts. Find out where each of them studies.",
                 count=f"{result.lost_graduate_count:,}", term=result.graduates_term or ""), className="mb-1"),
        html.Div([button, html.Span(id=ids["graduates_done"], className="small ms-2")], className="mb-2"),
        html.Div(note, className="small text-muted mb-1") if note else None,
        _table([_("Township"), _("Primary school"), _("Class"), _("Student number"), _("Name")], rows,
               ids["graduates"])], id=ids["graduates"] + "-section")


def _count(label: str, value: int, tone: str, count_id: str) -> dbc.Col:
    return dbc.Col(html.Div([html.Div(f"{value:,}", id=count_id, className=f"fs-4 fw-semibold text-{tone}"),
                             html.Div(label, className="small text-muted")], className="bx-import-count"),
                   xs=6, md=3)


def result_view(result: ImportResult, ids: dict[str, str], when: str = "", may_open: bool = False) -> html.Div:
    """The outcome of an import: counts or refusal, the missing students, the 小升初 graduates, the problems,
    the report download."""
    kind = kind_label(result.kind)
    title = f"{kind} · {result.file_name}" + (f" · {result.term}" if result.term else "")
    download = dbc.Button([html.I(className="bi bi-file-earmark-excel me-1"), _("Download the report (.xlsx)")],
                          id=ids["download_button"], color="secondary", outline=True, size="sm")
    if not result.ok:
        return html.Div([
            dbc.Alert([html.H3([html.I(className="bi bi-x-octagon-fill me-2"), _("File refused: nothing was written")],
                               className="h6 mb-1"),
                       html.Div(_("%(count)s problem(s) found in %(file)s. Correct them in the file and import it "
                                  "again.", count=f"{result.problem_count:,}", file=result.file_name))],
                      color="danger", id=ids["status"], className="mb-2"),
            html.Div([html.Small(title, className="text-muted me-3"), download],
                     className="d-flex flex-wrap align-items-center gap-2 mb-2"),
            problem_table(result, ids["problems"]),
        ])
    counts = dbc.Row([
        _count(_("New"), result.new, "success", ids["new"]), _count(_("Changed"), result.changed, "primary", ids["changed"]),
        _count(_("Unchanged"), result.unchanged, "secondary", ids["unchanged"]),
        _count(_("Removed"), result.removed, "warning" if result.removed else "secondary", ids["removed"]),
    ], className="g-2 mb-2")
    parts = [
        dbc.Alert([html.H3([html.I(className="bi bi-check-circle-fill me-2"),
                            _("Imported: %(rows)s rows", rows=f"{result.rows:,}")], className="h6 mb-1"),
                   html.Div(title + (f" · {when}" if when else ""), className="small")],
                  color="success", id=ids["status"], className="mb-2"),
        counts,
    ]
    if result.kind == "poverty":
        parts.append(dbc.Alert([html.I(className="bi bi-people me-2"),
                                _("%(n)s roster line(s) of the term are now flagged 脱贫户 (matched by ID number; names "
                                  "never match).", n=f"{result.poverty_flagged:,}"),
                                dcc.Link(_("Compare with the rosters"), href="/cases/poverty",
                                         className="alert-link ms-2")],
                               color="info", className="py-2", id=ids["status"] + "-poverty"))
    if result.kind == "roster":
        if result.cases_opened:
            parts.append(dbc.Alert([html.I(className="bi bi-journal-plus me-2"),
                                    _("%(n)s student(s) marked 辍学 had no dropout case: their cases are now open in "
                                      "the confirmed ledger.", n=f"{result.cases_opened:,}"),
                                    dcc.Link(_("Open the case ledger"), href="/cases", className="alert-link ms-2")],
                                   color="warning", className="py-2", id=ids["status"] + "-cases"))
        if result.missing_count:
            parts += [html.H3(_("Missing since the previous term"), className="h6 mt-3"),
                      html.Div(download, className="mb-2"), missing_table(result, ids["missing"])]
        elif result.previous_term:
            parts.append(html.P(_("Every student of the %(term)s roster of these schools is on this one.",
                                  term=result.previous_term), className="text-muted small"))
        if result.lost_graduate_count:
            parts.append(graduates_section(result, ids, may_open))
    return html.Div(parts)


def report_labels(result: ImportResult) -> dict[str, object]:
    """The worded texts of the report workbook (see data_access.imports.report.ReportLabels)."""
    more = result.problem_count - len(result.problems)
    summary = (_("File refused: %(count)s problem(s); nothing was written.", count=f"{result.problem_count:,}")
               if not result.ok else _("Imported: %(rows)s rows", rows=f"{result.rows:,}"))
    return {
        "title": _("Import report: %(file)s", file=result.file_name), "summary": summary,
        "problems_sheet": _("Problems"), "problem_headings": (_("Row"), _("Column"), _("Value"), _("Reason")),
        "not_listed": _("… and %(count)s more problem(s) not listed", count=f"{more:,}") if more > 0 else "",
        "missing_sheet": _("Missing students"),
        "missing_headings": (_("Student number"), _("Name"), _("School code"), _("School"), _("Grade"), _("Class"),
                             _("Last status")),
        "missing_note": _("%(count)s student(s) on the %(term)s roster of these schools are not on this one: "
                          "transferred? dropped out? Follow each of them up in the case ledger.",
                          count=f"{result.missing_count:,}", term=result.previous_term or "")
        if result.missing_count else "",
    }
