"""The reports page's parts (issue 18.2): a unit's reports with their state and the form that sends one, and the
county's summary of who has sent what. Plain rows in, Dash components out."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash_bootstrap_components as dbc
from dash import html

from components.controls import count_column, county_link_column, dropdown, grid, markdown_link, rows_grid
from flask_babel import gettext as _
from wording.inbox import REPORT_STATES, report_state_name

REPORTS_REFRESH = "reports-refresh"
REPORTS_MINE = "reports-mine"
REPORTS_PICK = "reports-pick"
REPORTS_FIGURES = "reports-figures"
REPORTS_NOTES = "reports-notes"
REPORTS_SEND = "reports-send"
REPORTS_MSG = "reports-msg"
REPORTS_FORM = "reports-form"
REPORTS_SUMMARY = "reports-summary"
STATE_COLORS = {"on_time": "success", "late": "warning", "missing": "danger", "due": "primary", "open": "secondary"}


def state_badge(state: str) -> dbc.Badge:
    """A report's state as a coloured badge."""
    return dbc.Badge(report_state_name(state), color=STATE_COLORS.get(state, "secondary"), className="bx-report-state")


def send_form() -> html.Div:
    """Pick a report to send, see the figures Baoxue fills in, add notes, send."""
    return html.Div(dbc.Card(dbc.CardBody([
        html.H3(_("Send a report"), className="h6"),
        dropdown(id=REPORTS_PICK, placeholder=_("Choose the report to send"), clearable=False, className="mb-2"),
        html.Div(id=REPORTS_FIGURES, className="small mb-2"),
        dbc.Textarea(id=REPORTS_NOTES, maxLength=2000, rows=3, className="mb-2",
                     placeholder=_("What the unit reports: changes, pupils at risk, work done, problems")),
        dbc.Button(_("Send the report"), id=REPORTS_SEND, color="primary", size="sm"),
        html.Div(id=REPORTS_MSG, className="small mt-2"),
    ])), id=REPORTS_FORM, hidden=True, className="mb-3")


def mine_table(rows: Sequence) -> object:
    """The user's unit's reports, most urgent first (ReportRow)."""
    if not rows:
        return html.P(_("No reports are due for your unit."), className="text-muted small")
    head = html.Thead(html.Tr([html.Th(t) for t in (_("Report"), _("Period"), _("Due by"), _("State"), _("Sent"))]))
    body = [html.Tr([html.Td(r.duty_name), html.Td(r.period.key), html.Td(r.period.deadline.isoformat()),
                     html.Td(state_badge(r.state)),
                     html.Td(" · ".join(x for x in (r.submitted_on.isoformat(), r.submitted_by) if x)
                             if r.submitted_on else "—")])
            for r in rows]
    return dbc.Table([head, html.Tbody(body)], bordered=True, size="sm", hover=True, id="reports-mine-table")


def figures_text(figures: Mapping[str, int | None]) -> list:
    """The figures a report carries, as the form shows them before sending."""
    def num(value: int | None) -> str:
        return "—" if value is None else f"{value:,}"
    change = figures.get("change")
    if "visits_month" in figures:      # an inspection team's report
        return [html.Span(_("Filled in by Baoxue: "), className="text-muted"),
                _("visits this month %(n)s", n=num(figures.get("visits_month"))), " · ",
                _("visits this term %(n)s", n=num(figures.get("visits_term"))), " · ",
                _("visits not signed off %(n)s", n=num(figures.get("visits_unsigned"))), " · ",
                _("orders open in the zone %(n)s", n=num(figures.get("orders_open")))]
    return [html.Span(_("Filled in by Baoxue: "), className="text-muted"),
            _("pupils %(n)s", n=num(figures.get("enrolled"))), " · ",
            _("change since the last report %(n)s", n="—" if change is None else f"{change:+,}"), " · ",
            _("dropouts %(n)s", n=num(figures.get("dropouts"))), " · ",
            _("cases open %(n)s", n=num(figures.get("cases_open"))), " · ",
            _("returned this term %(n)s", n=num(figures.get("returned")))]


def summary_grid(rows: Sequence) -> object:
    """Every unit's report per duty and period (ReportRow), missing and late first: what the county chases."""
    if not rows:
        return html.P(_("No reporting duties are set for this area."), className="text-muted small")
    order = {s: i for i, s in enumerate(("missing", "late", "due", "open", "on_time"))}
    names = {s: report_state_name(s) for s in {r.state for r in rows}}     # (a translation per row cost ~25 µs)
    data = [{"duty": r.duty_name, "period": r.period.key, "deadline": r.period.deadline.isoformat(),
             "unit": r.unit_name, "state": names[r.state],
             "sent": r.submitted_on.isoformat() if r.submitted_on else ""}
            for r in sorted(rows, key=lambda r: (order.get(r.state, 9), r.period.deadline, r.unit_code))]
    columns = [{"field": "duty", "headerName": _("Report")}, {"field": "period", "headerName": _("Period")},
               {"field": "deadline", "headerName": _("Due by")}, {"field": "unit", "headerName": _("Unit")},
               {"field": "state", "headerName": _("State")}, {"field": "sent", "headerName": _("Sent")}]
    counts = {s: sum(1 for r in rows if r.state == s) for s in REPORT_STATES}
    return html.Div([
        html.Div([html.Span([state_badge(s), f" {counts[s]:,}"], className="me-3") for s in REPORT_STATES],
                 className="mb-2", id="reports-counts"),
        grid(paginate=True, id="reports-grid", rowData=data, columnDefs=columns,
             options={"domLayout": "autoHeight"}),
    ])


def county_summary(counts: Sequence[tuple[str, str, Mapping[str, int]]]) -> object:
    """A prefecture's or a province's reports by county: (code, name, count per state) each, in a grid sorted by
    any state (the counties with most reports missing first); a county opens its units' list (?county=…). A grid,
    not a table: a province's 112 counties were ~1,000 Dash components, 1–2 s of a busy browser."""
    if not counts:
        return html.P(_("No reporting duties are set for this area."), className="text-muted small")
    rows = [{"code": code, "county": markdown_link(name, f"/reports?county={code}"),
             **{s: n.get(s, 0) for s in REPORT_STATES}} for code, name, n in counts]
    first = {"missing": {"sort": "desc"}}                  # the counties with most reports not sent first
    columns = [county_link_column(),
               *(count_column(s, report_state_name(s), **first.get(s, {})) for s in REPORT_STATES)]
    return rows_grid("reports-counties", rows, columns, getRowId="params.data.code")


REPORTS_MONTHLY = "reports-monthly"
REPORTS_COUNTY = "reports-county"


def monthly_panel(current: Sequence, drafts: Sequence) -> html.Div | None:  # DocumentLink rows
    """The county's monthly report of last month (made now) and the drafts the schedule made, to download."""
    if not current and not drafts:
        return None

    def links(link) -> list:  # noqa: ANN001
        out = [html.A(".docx", href=link.docx_href, className="me-2")]
        if link.pdf_href:
            out.append(html.A(".pdf", href=link.pdf_href))
        return out
    rows = [html.Li([html.Span(f"{link.title} · ", className="me-1"), *links(link)]) for link in current]
    rows += [html.Li([html.Span(f"{link.title} · " + _("drafted %(date)s", date=link.made_on.isoformat())
                                + " · ", className="me-1"), *links(link)]) for link in drafts if link.made_on]
    return dbc.Card(dbc.CardBody([
        html.H3(_("Monthly report and drafts to issue"), className="h6"),
        html.P(_("The county's 控辍保学 monthly report is made from the units' reports of the month and Baoxue's "
                 "figures; drafts are numbered only when issued."), className="text-muted small mb-2"),
        html.Ul(rows, className="small mb-0"),
    ]), className="mb-3")


REPORTS_CENTRAL_BOX = "reports-central-box"
REPORTS_CENTRAL_PICK = "reports-central-pick"
REPORTS_CENTRAL_DOCX = "reports-central-docx"
REPORTS_CENTRAL_PDF = "reports-central-pdf"


def central_panel() -> html.Div:
    """A central school's monthly notice over its teaching points and classes: pick the school and month."""
    return html.Div(dbc.Card(dbc.CardBody([
        html.H3(_("Central school's monthly notice"), className="h6"),
        html.P(_("A central school notifies its teaching points and classes every month (seed 001)."),
               className="text-muted small mb-2"),
        dbc.Row([
            dbc.Col(dropdown(id=REPORTS_CENTRAL_PICK, clearable=False, style={"minWidth": "20rem"}), width="auto"),
            dbc.Col([html.A(".docx", id=REPORTS_CENTRAL_DOCX, href="#", className="btn btn-outline-primary btn-sm me-2"),
                     html.A(".pdf", id=REPORTS_CENTRAL_PDF, href="#", className="btn btn-outline-secondary btn-sm")],
                    width="auto"),
        ], className="g-2 align-items-center"),
    ])), id=REPORTS_CENTRAL_BOX, hidden=True, className="mb-3")
