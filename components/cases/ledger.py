"""Builders of the case ledger page (pure): the case table with step clocks, the school-age grid's columns
and rows, the roster children of a line, pagers and the new-case form."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _
from components.controls import dropdown, server_grid
from components.plain import el

from wording.ledger import (ATTEMPT_LABELS, CASE_STATUS_LABELS, CLOCK_COLORS, CLOCK_LABELS, GROUP_LABELS, OUTCOME_LABELS,
                                    label, reason_text, roster_status, step_text)
from domain.cases.views import CaseRow
from domain.cases.views import AgeLine, ChildPage

LEDGER_NEW_STUDENT, LEDGER_NEW_DATE, LEDGER_NEW_DAYS = "ledger-new-student", "ledger-new-date", "ledger-new-days"
LEDGER_NEW_LEDGER, LEDGER_NEW_SOURCE, LEDGER_NEW_NOTE = "ledger-new-ledger", "ledger-new-source", "ledger-new-note"
LEDGER_NEW_SAVE, LEDGER_NEW_MSG, LEDGER_NEW_CANCEL = "ledger-new-save", "ledger-new-msg", "ledger-new-cancel"
LEDGER_NEW_OPEN = "ledger-new-open"


def clock_badge(row: CaseRow, today: dt.date) -> dict:
    """Due / overdue / within time, with the clock's end date (grey once the escalation stopped; a plain element:
    components.plain)."""
    c = row.clock
    if row.status != "open":
        return el("Span", label(CASE_STATUS_LABELS, row.status), className="badge text-bg-light border")
    text = label(CLOCK_LABELS, c.state)
    if c.state == "overdue" and c.due:
        text = _("Overdue since %(date)s", date=c.due.isoformat())
    elif c.due:
        text = f"{text} · {c.due.isoformat()}"
    warn = None if c.calendar_known else el("I", className="bi bi-exclamation-triangle ms-1",
                                            title=_("Holiday calendar unknown for this year: weekends only."))
    return el("Span", [text, warn], className=f"badge text-bg-{CLOCK_COLORS[c.state]} bx-ledger-clock",
              **{"data-state": c.state})


def _groups(keys: Sequence[str]) -> str:
    return "、".join(label(GROUP_LABELS, k) for k in keys) or "—"


def _people(row: CaseRow) -> str:
    lines = [(_("Government line"), row.gov_responsible), (_("Education line"), row.edu_responsible),
             (_("Pairing helper"), row.helper)]
    return "\n".join(f"{t}：{v}" for t, v in lines if v) or _("Not assigned yet")


def _attempt(row: CaseRow) -> str:
    if row.last_attempt is None:
        return _("None yet")
    day, method, result = row.last_attempt
    return f"{day.isoformat()} · {label(ATTEMPT_LABELS, method)}\n{result[:60]}{'…' if len(result) > 60 else ''}"


def _lines(*lines: str, extra: object = None, cls: str = "bx-2l") -> dict:
    """A cell of lines as one text (the first as body text, the rest muted: assets/ledger.css), not a component per
    line: Dash 4.2–4.4.1 remount every component of a callback's output as its parents re-render (plotly/dash#3846,
    fixed in the 4.5.0rc2 the app pins; fewer components still draw faster),
    and with ~28 components a row the 50-row ledger kept the browser busy for 3–4 s. A plain element
    (components.plain), as the rows of case_table."""
    text = "\n".join(line for line in lines if line)
    return el("Td", [text + "\n", extra] if extra is not None else text, className=cls)


def case_table(rows: Sequence[CaseRow], today: dt.date, table_id: str) -> object:
    """The cases of a ledger page: each row links to its case page (rows of plain elements: components.plain)."""
    if not rows:
        return html.P(_("No cases match these filters."), className="text-muted my-3", id=f"{table_id}-empty")
    head = el("Thead", el("Tr", [el("Th", t) for t in (
        _("Case"), _("Student"), _("School"), _("Found"), _("Reason and special groups"),
        _("Current step"), _("Responsible persons"), _("Last attempt"), _("Status"))]))
    body = []
    for r in rows:
        status = label(CASE_STATUS_LABELS, r.status)
        if r.outcome:
            status = f"{status} · {label(OUTCOME_LABELS, r.outcome)}"
        household = f"{r.household_code} {r.household_name}".strip() if r.outside else ""
        body.append(el("Tr", [
            el("Td", el("dcc.Link", f"#{r.id}", href=f"/cases/case?id={r.id}", className="fw-semibold")),
            _lines(r.student, r.student_no, household,
                   extra=outside_badge(r.household_code, r.household_name) if r.outside else None),
            _lines(r.school, r.township, cls="bx-2l bx-ledger-school"),
            _lines(r.found_date.isoformat(), _("%(n)s days absent", n=r.absence_days), cls="bx-2l bx-pre"),
            _lines(reason_text(r.reason), _groups(r.special_groups)),
            _lines(step_text(r.step), extra=clock_badge(r, today), cls="bx-lines"),
            _lines(_people(r), cls="bx-lines bx-pre"),
            _lines(_attempt(r)),
            el("Td", status, className="small"),
        ], className=f"bx-ledger-row bx-ledger-{r.clock.state if r.status == 'open' else r.status}",
            **{"data-case": str(r.id)}))
    return html.Div(dbc.Table([head, el("Tbody", body)], hover=True, size="sm", id=table_id,
                              className="align-middle mb-0 bx-ledger-table"), className="table-responsive")


def pager(pager_id: str, page: int, pages: int, total: int, shown: int) -> html.Div:
    """Page links under a list, with the count shown."""
    return html.Div([
        html.Small(_("%(shown)s of %(total)s shown", shown=shown, total=total), className="text-muted me-3"),
        dbc.Pagination(id=pager_id, active_page=page, max_value=max(1, pages), fully_expanded=False,
                       first_last=True, previous_next=True, size="sm", className="mb-0")
        if pages > 1 else html.Span(id=pager_id),
    ], className="d-flex align-items-center flex-wrap gap-2 mt-2")


def _ems(text: str) -> float:
    """About how many font sizes wide a label is: a Chinese character one, a Latin letter, digit or space half."""
    return sum(1 if ord(ch) >= 0x2E80 else 0.5 for ch in text)


def age_columns(widest_township: str = "") -> list[dict]:
    """Columns of the school-age grid; the township column as wide as `widest_township` needs (a prefecture's or a
    province's townships say their county: "勐海县 · 勐海镇"), up to 12 characters: a longer one is cut with an
    ellipsis and shown whole on hover."""
    gap_style = {"styleConditions": [
        {"condition": "params.value > 0", "style": {"backgroundColor": "#f8d7da", "fontWeight": "600"}},
        {"condition": "params.value < 0", "style": {"color": "#6c757d"}}]}
    num = {"type": "rightAligned", "filter": False, "flex": 1, "minWidth": 90,
           "valueFormatter": {"function": "params.value == null ? '—' : String(params.value)"}}
    return [
        {"field": "township", "headerName": _("Township"), "flex": 1.2, "tooltipField": "township",
         "minWidth": max(110, round(14 * min(_ems(widest_township), 12)) + 40)},
        {"field": "area", "headerName": _("Village"), "minWidth": 110, "flex": 1.4},
        {"field": "age", "headerName": _("Age"), **num, "filter": "agNumberColumnFilter", "minWidth": 80, "flex": 0.7},
        # (a column with a filter button needs more room for its header: "Population" broke mid-word at 1024 px)
        {"field": "population", "headerName": _("Population (survey)"), **num, "filter": "agNumberColumnFilter",
         "minWidth": 115},
        {"field": "outside", "headerName": _("Outside the county"), **num,
         "headerTooltip": _("Attending school outside the county (verified)")},
        {"field": "found", "headerName": _("On a roster"), **num},
        {"field": "enrolled", "headerName": _("In school"), **num},
        {"field": "dropped", "headerName": _("Dropped out"), **num},
        {"field": "gap", "headerName": _("Not on any roster"), **num, "filter": "agNumberColumnFilter", "minWidth": 115,
         "cellStyle": gap_style, "headerTooltip": _("Survey children not found on any roster of the county")},
    ]


def age_grid(grid_id: str, total: int, widest_township: str = "") -> object:
    """The school-age lines as a grid whose pages the server sends (sorted and filtered over every line of the
    scope: a province's 125,000 lines were cut to the first 3,000, 561 KB); a click on a line shows its children."""
    if not total:
        return html.P(_("No line for this term in your area."), className="text-muted")
    return server_grid(grid_id, age_columns(widest_township), total, row_id="id",
                       options={"rowStyle": {"cursor": "pointer"}})


def age_rows(lines: Sequence[AgeLine]) -> list[dict]:
    """Rows of the school-age grid (counts only: no names)."""
    return [{"id": f"{ln.row.area_code}-{ln.row.age}", "code": ln.row.area_code, "township": ln.township_name,
             "area": ln.area_name if ln.row.area_code != ln.township_code else _("(whole township)"),
             "age": ln.row.age, "population": ln.row.population, "outside": ln.row.outside, "found": ln.row.found,
             "enrolled": ln.row.enrolled, "dropped": ln.row.dropped, "gap": ln.row.gap} for ln in lines]


def outside_badge(code: str, division: str) -> dict:
    """The 外县户籍 mark of a pupil whose household is outside the areas Baoxue holds, with the household code and,
    where known, its division (the county to notify; a plain element: components.plain)."""
    tip = _("Household outside the county: %(code)s %(division)s", code=code, division=division).strip()
    return el("Span", _("Household elsewhere (外县户籍)"), title=tip, className="badge text-bg-warning ms-1 bx-outside",
              **{"data-household": code})


def outside_note(count: int) -> dbc.Alert:
    """What the 外县户籍 list is for: notifying the household county and transferring the record (seed 001)."""
    return dbc.Alert([html.I(className="bi bi-send me-2"),
                      _("%(n)s case(s) of pupils whose household is outside the county (外县户籍): notify each "
                        "household county (household code and division below) and transfer the record.", n=count)],
                     color="info", className="py-2 small", id="ledger-outside-alert")


def children_table(page: ChildPage, table_id: str) -> object:
    """One page of the roster children behind a line."""
    if not page.rows:
        return html.P(_("No roster children here."), className="text-muted")
    head = el("Thead", el("Tr", [el("Th", t) for t in (_("Student"), _("Student number"), _("Age"), _("School"),
                                                        _("Class"), _("Roster status"), _("Special groups"))]))
    poor = label(GROUP_LABELS, "poverty_registered")
    body = [el("Tr", [el("Td", [c.name, outside_badge(c.area_code, c.household_name) if c.outside else None]),
                      el("Td", c.student_no, className="small"), el("Td", c.age), el("Td", c.school),
                      el("Td", _("Grade %(grade)s %(cls)s", grade=c.grade, cls=c.class_name)),
                      el("Td", el("Span", roster_status(c.status),
                                  className="badge text-bg-danger" if c.status == "辍学" else "small")),
                      el("Td", poor if c.poverty_registered else "—", className="small")])
            for c in page.rows]
    return html.Div(dbc.Table([head, el("Tbody", body)], hover=True, size="sm", id=table_id, className="mb-0"),
                    className="table-responsive")


def new_case_form(today: dt.date, sources: Sequence[tuple[str, str]]) -> html.Div:
    """The fields of the new-case form (the student is searched in the user's roster)."""
    def field(text: str, control: object, width: int = 6, ident: str | None = None) -> dbc.Col:
        return dbc.Col([dbc.Label(text, html_for=ident, className="small text-muted mb-0"), control], md=width)
    return html.Div([
        dbc.Row([
            field(_("Student (search by student number or name)"),
                  dropdown(id=LEDGER_NEW_STUDENT, options=[], placeholder=_("Type a student number or a name…"),
                               clearable=True), 12, LEDGER_NEW_STUDENT),
            field(_("Date found"), dbc.Input(id=LEDGER_NEW_DATE, type="date", value=today.isoformat(), size="sm"),
                  4, LEDGER_NEW_DATE),
            field(_("Days absent"), dbc.Input(id=LEDGER_NEW_DAYS, type="number", min=0, max=400, value=1, size="sm"),
                  4, LEDGER_NEW_DAYS),
            field(_("Ledger"), dbc.Select(id=LEDGER_NEW_LEDGER, value="suspected", size="sm", options=[
                {"label": _("Suspected dropout"), "value": "suspected"},
                {"label": _("Confirmed dropout"), "value": "confirmed"}]), 4, LEDGER_NEW_LEDGER),
            field(_("Source"), dbc.Select(id=LEDGER_NEW_SOURCE, value=sources[0][0], size="sm",
                                          options=[{"label": t, "value": v} for v, t in sources]), 6, LEDGER_NEW_SOURCE),
            field(_("Note"), dbc.Input(id=LEDGER_NEW_NOTE, maxLength=500, size="sm"), 6, LEDGER_NEW_NOTE),
        ], className="g-2"),
        html.Div(id=LEDGER_NEW_MSG, className="small mt-2"),
    ])
