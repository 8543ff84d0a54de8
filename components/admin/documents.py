"""The register of issued documents as a table (number, title, issuer, date, who, the two downloads), and the
admin's form of an area's document settings."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_babel import gettext as _

from components.controls import dropdown, grid
from domain.documents import Issued


def documents_table(rows: list[Issued], kinds: dict[str, str]) -> object:
    """One row per issued document, newest first; each downloads again exactly as issued."""
    if not rows:
        return html.P(_("No document has been issued in your area yet."), className="text-muted",
                      id="documents-empty")
    head = html.Thead(html.Tr([html.Th(_("Number")), html.Th(_("Title")), html.Th(_("Kind")), html.Th(_("Issuer")),
                               html.Th(_("Date")), html.Th(_("Issued by")), html.Th(_("Files"))]))
    body = html.Tbody([html.Tr([
        html.Td(d.number, className="text-nowrap"), html.Td(d.title), html.Td(kinds.get(d.kind, d.kind)),
        html.Td(d.issuer), html.Td(d.issued_on.isoformat(), className="font-monospace text-nowrap"),
        html.Td(d.issued_by or "—"),
        html.Td([html.A([html.I(className="bi bi-file-earmark-word me-1"), ".docx"], href=f"/documents/{d.id}.docx",
                        className="me-2"),
                 html.A([html.I(className="bi bi-file-earmark-pdf me-1"), ".pdf"], href=f"/documents/{d.id}.pdf")
                 if d.has_pdf else html.Span("—", className="text-muted")], className="text-nowrap"),
    ]) for d in rows])
    return dbc.Table([head, body], size="sm", hover=True, responsive=True, className="small", id="documents-table")


SET_AREA = "docset-area"
SET_SAVE = "docset-save"
SET_MSG = "docset-msg"
SET_FIELD = "docset-field"   # pattern id {"type": SET_FIELD, "field": name}
SET_NEXT = "docset-next"


def _field(name: str, label: str, value: str, help_text: str = "", area: bool = False, width: int = 6,
           max_length: int | None = None) -> object:
    ident = {"type": SET_FIELD, "field": name}
    box = (dbc.Textarea(id=ident, value=value, rows=2, maxLength=max_length) if area else
           dbc.Input(id=ident, value=value, type="text", maxLength=max_length))
    return dbc.Col([dbc.Label(label, html_for=str(ident), className="small text-muted mb-0"), box,
                    dbc.FormText(help_text) if help_text else None], xs=12, md=width)


def settings_fields(values: dict[str, object], labels: dict[str, str], lengths: dict[str, int], township: bool,
                    next_number: str) -> object:
    """The settings of one area as a form: issuer and abbreviation (with the next 发文字号 they give), 主送,
    抄送, contact, the province's regulation, the co-issuer of township notices, page numbers and 红头."""
    text = {k: str(values.get(k) or "") for k in labels}
    return html.Div([
        dbc.Row([
            _field("issuer", labels["issuer"], text["issuer"], _("The signature under every document, e.g. "
                   "勐海县教育督导室 or 勐混镇人民政府."), max_length=lengths.get("issuer")),
            _field("abbreviation", labels["abbreviation"], text["abbreviation"], _("Numbers read like %(example)s.",
                   example=next_number), width=3, max_length=lengths.get("abbreviation")),
            dbc.Col([dbc.Label(labels["page_numbers"], className="small text-muted mb-0"),
                     dbc.RadioItems(id={"type": SET_FIELD, "field": "page_numbers"}, value=text["page_numbers"],
                                    options=[{"label": _("Odd right, even left"), "value": "outside"},
                                             {"label": _("Centred (drafts)"), "value": "centre"}],
                                    className="small")], xs=12, md=3),
        ], className="g-2 mb-2"),
        dbc.Row([
            _field("recipients", labels["recipients"], text["recipients"], _("Under the title of bulletins and "
                   "reports, ending with a full-width colon."), area=True),
            _field("cc", labels["cc"], text["cc"], _("The 抄送 line at the foot of the last page (empty: none)."),
                   area=True),
        ], className="g-2 mb-2"),
        dbc.Row([
            _field("contact_person", labels["contact_person"], text["contact_person"], width=3,
                   max_length=lengths.get("contact_person")),
            _field("contact_phone", labels["contact_phone"], text["contact_phone"], width=3,
                   max_length=lengths.get("contact_phone")),
            _field("education_bureau", labels["education_bureau"], text["education_bureau"],
                   _("Signs the townships' return and enrolment notices with them (two seals)."),
                   max_length=lengths.get("education_bureau")),
        ], className="g-2 mb-2"),
        dbc.Row([
            _field("regulation", labels["regulation"], text["regulation"], _("Cited by the return notices only "
                   "when set, e.g. 《云南省义务教育条例》."), width=8, max_length=lengths.get("regulation")),
            dbc.Col(dbc.Switch(id={"type": SET_FIELD, "field": "red_header"}, value=bool(values.get("red_header")),
                               label=labels["red_header"], className="mt-4"), xs=12, md=4),
        ], className="g-2 mb-2"),
        html.P(_("A township's settings sign the notices it issues; contact, regulation and co-issuer are taken from "
                 "the county until the township sets its own.") if township else
               _("The county's settings sign the bulletin, the rectification notices and the monthly report."),
               className="small text-muted mb-0"),
    ])


def settings_card(area_options: list[dict]) -> object:
    """The card around the form: which area, the fields (filled by a callback), save and its message."""
    return dbc.Card(dbc.CardBody([
        html.H3(_("Document settings"), className="h6"),
        dbc.Row([
            dbc.Col([dbc.Label(_("Issuing area"), html_for=SET_AREA, className="small text-muted mb-0"),
                     dropdown(id=SET_AREA, options=area_options, clearable=False,
                              value=area_options[0]["value"] if area_options else None)], xs=12, md=5),
        ], className="g-2 mb-2"),
        dcc.Loading(html.Div(id=SET_NEXT), type="dot"),
        html.Div([dbc.Button([html.I(className="bi bi-check2 me-1"), _("Save settings")], id=SET_SAVE,
                             color="primary", size="sm", className="me-2"),
                  html.Span(id=SET_MSG, className="small")], className="mt-2"),
    ]), className="mb-3", id="docset-card")


EN_VILLAGE = "enrol-village"
EN_KIND = "enrol-kind"
EN_YEAR = "enrol-year"
EN_REPORT = "enrol-report-by"
EN_BLANK = "enrol-blank"
EN_PREVIEW = "enrol-preview"


def enrolment_card(villages: list[dict], kinds: list[dict], year: int, report_by: str) -> object:
    """The township's 入学（复学）通知书 for a village: what to issue, then a preview (filled by a callback)."""
    label = "small text-muted mb-0"
    return dbc.Card(dbc.CardBody([
        html.H3(_("Enrolment and return notices"), className="h6"),
        html.P(_("Every June to August the township and the education bureau send each guardian a notice, jointly "
                 "sealed, for the children due to enrol or to return. Choose a village: the notices come one a page "
                 "with a signing sheet at the end, under one number of the township's register."),
               className="small text-muted"),
        dbc.Row([
            dbc.Col([dbc.Label(_("Village"), html_for=EN_VILLAGE, className=label),
                     dropdown(id=EN_VILLAGE, options=villages, clearable=False,
                              value=villages[0]["value"] if villages else None)], xs=12, md=4),
            dbc.Col([dbc.Label(_("Notices"), className=label),
                     dbc.RadioItems(id=EN_KIND, options=kinds, value=kinds[0]["value"], className="small")],
                    xs=12, md=3),
            dbc.Col([dbc.Label(_("School year from"), html_for=EN_YEAR, className=label),
                     dbc.Input(id=EN_YEAR, type="number", min=2000, max=2100, step=1, value=year)], xs=6, md=2),
            dbc.Col([dbc.Label(_("Report by"), html_for=EN_REPORT, className=label),
                     dbc.Input(id=EN_REPORT, type="date", value=report_by)], xs=6, md=3),
        ], className="g-2 mb-2"),
        dcc.Loading(html.Div(id=EN_PREVIEW), type="dot"),
    ]), className="mb-3", id="enrol-card")


def enrolment_preview(rows: list[tuple[str, ...]], header: tuple[str, ...], summary: str, form_values: dict,
                      csrf_token: str, blank: int | None) -> object:
    """Who gets a notice, and the forms that issue the batch (POST with the CSRF token: issuing takes a number)."""
    hidden = [dcc.Input(type="hidden", name=k, value="" if v is None else str(v)) for k, v in form_values.items()]
    blank_box = (dbc.InputGroup([dbc.InputGroupText(_("Blank forms")),
                                 dbc.Input(id=EN_BLANK, name="blank", type="number", min=0, max=500, value=blank)],
                                size="sm", className="mb-2", style={"maxWidth": "260px"})
                 if blank is not None else dcc.Input(id=EN_BLANK, type="hidden", value=""))
    # a grid, not table cells: a village's 700 grade-6 pupils of a generated province were ~5,000 Dash components
    # and froze the browser for ~8 s
    fields = [f"c{i}" for i in range(len(header))]
    tall = {"options": {"domLayout": "normal"}, "style": {"height": "40vh", "width": "100%"}} if len(rows) > 12 else {}
    table = (html.Div(grid(id="enrol-table", rowData=[dict(zip(fields, row)) for row in rows],
                           columnDefs=[{"field": f, "headerName": h, "flex": 1, "minWidth": 90}
                                       for f, h in zip(fields, header)], **tall), className="mb-2")
             if rows else None)
    can_issue = bool(rows) or bool(blank)
    buttons = html.Div([
        html.Button([html.I(className="bi bi-file-earmark-word me-1"), _("Issue and download")], type="submit",
                    className="btn btn-primary btn-sm me-2", id="enrol-issue", disabled=not can_issue),
        html.Button([html.I(className="bi bi-file-earmark-pdf me-1"), "PDF"], type="submit",
                    formAction="/documents/enrolment.pdf", className="btn btn-outline-secondary btn-sm",
                    id="enrol-issue-pdf", disabled=not can_issue)])
    return html.Div([
        html.P(summary, className="small mb-1", id="enrol-summary"),
        table,
        html.Form([dcc.Input(type="hidden", name="csrf_token", value=csrf_token), *hidden, blank_box, buttons],
                  action="/documents/enrolment.docx", method="POST", id="enrol-form"),
    ])
