"""The accountability page's parts (issue 18.5): the form recording a 约谈 / 问责, what is still to record, and
the records. Plain views in, Dash components out."""
from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_babel import gettext as _

from components.status import tier_badge
from domain.dashboard.accountability import AccountabilityDue, AccountabilityView
from wording.dashboard import term_name, tier_name

ACC_QUERY = "acc-query"
ACC_REFRESH = "acc-refresh"
ACC_FORM = "acc-form"
ACC_FORM_TITLE = "acc-form-title"
ACC_DUE = "acc-due"
ACC_LIST = "acc-list"
ACC_MSG = "acc-msg"
ACC_SAVE = "acc-save"
FIELDS = ("held_on", "talked_to", "held_by", "decision", "follow_up_deadline")
FIELD_IDS = {name: f"acc-{name.replace('_', '-')}" for name in FIELDS}


def form(today_iso: str) -> html.Div:
    """The record form, hidden until a unit to record is chosen."""
    def row(label: str, control: object) -> dbc.Row:
        return dbc.Row([dbc.Label(label, width=3, className="small"), dbc.Col(control, width=9)], className="mb-2")
    return html.Div(dbc.Card(dbc.CardBody([
        html.H3(id=ACC_FORM_TITLE, className="h6 mb-3"),
        row(_("Date of the meeting"), dbc.Input(id=FIELD_IDS["held_on"], type="date", max=today_iso, size="sm")),
        row(_("Who was talked to"), dbc.Input(id=FIELD_IDS["talked_to"], maxLength=200, size="sm",
                                              placeholder=_("e.g. the township's head and its education officer"))),
        row(_("Held by"), dbc.Input(id=FIELD_IDS["held_by"], maxLength=200, size="sm",
                                    placeholder=_("e.g. the county's deputy head in charge of education"))),
        row(_("Decision and measures"), dbc.Textarea(id=FIELD_IDS["decision"], maxLength=2000, rows=3)),
        row(_("Follow-up deadline"), dbc.Input(id=FIELD_IDS["follow_up_deadline"], type="date", size="sm")),
        dbc.Button(_("Save the record"), id=ACC_SAVE, color="primary", size="sm"),
        html.Div(id=ACC_MSG, className="small mt-2"),
    ])), id=ACC_FORM, hidden=True, className="mb-3")


def due_list(items: Sequence[AccountabilityDue]) -> html.Div:
    """Units of published periods waiting for a record, each a link to record it."""
    if not items:
        return html.P(_("Nothing waits to be recorded."), className="text-muted small")
    return html.Ul([html.Li([tier_badge(d.tier, tier_name(d.tier)), " ",
                             dcc.Link(d.unit_name, href=f"/accountability?unit={d.unit_code}&term={d.term}"),
                             html.Span(f" · {term_name(d.term)}", className="text-muted")])
                    for d in items], className="list-unstyled mb-0", id="acc-due-list")


def records_table(rows: Sequence[AccountabilityView]) -> object:
    """The records, newest meeting first."""
    if not rows:
        return html.P(_("No records yet."), className="text-muted small")
    head = html.Thead(html.Tr([html.Th(t) for t in (_("Unit"), _("Period"), _("Tier"), _("Date of the meeting"),
                                                     _("Who was talked to"), _("Held by"), _("Decision and measures"),
                                                     _("Follow-up deadline"), _("Recorded by"))]))
    body = [html.Tr([html.Td(r.unit_name), html.Td(term_name(r.term)), html.Td(tier_badge(r.tier, tier_name(r.tier))),
                     html.Td(r.held_on.isoformat()), html.Td(r.talked_to), html.Td(r.held_by),
                     html.Td(r.decision, style={"whiteSpace": "pre-wrap"}),
                     html.Td(r.follow_up_deadline.isoformat() if r.follow_up_deadline else "—"), html.Td(r.recorded_by)])
            for r in rows]
    return html.Div(dbc.Table([head, html.Tbody(body)], bordered=True, hover=True, size="sm", id="acc-table"),
                    className="table-responsive")
