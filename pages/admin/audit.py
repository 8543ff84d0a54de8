"""Audit log viewer (issue 15.5): who did what, when, with the values before and after; filtered by user, area,
object, action and dates, one page of 50 at a time from the server (the log can hold millions of rows), the
reveals of personal data on their own tab, and the filtered view as .xlsx. Admins and county leaders, each
for their area (every entry records the area of the object it names)."""
from __future__ import annotations

import math
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, ctx, dcc, html
from flask_babel import gettext as _
from flask_login import current_user

from components.admin.audit import audit_table
from components.controls import dropdown
from components.admin.subnav import admin_subnav
from components.shell import SHELL_URL
from data_access.admin.audit_log import AuditRefused, area_names, audit_page
from data_access.queries import selection_choices
from domain.admin.audit import COUNT_CAP, KNOWN_ACTIONS, OBJECTS, PAGE_SIZE, FilterInvalid, object_of, parse_filter
from web.context import AreaRefused, current_scope, db
from wording.admin import OBJECT_LABELS, action_label, object_label
from wording.common import LEVEL_LABELS
from wording.i18n import N_

dash.register_page(__name__, path="/audit", name="Audit log", label=N_("Audit log"), icon="journal-check",
                   roles=("county_leader",), order=13)  # admins: the administration pills

AU_USER, AU_AREA, AU_OBJECTS, AU_ACTION, AU_DATES = "audit-user", "audit-area", "audit-objects", "audit-action", \
    "audit-dates"
AU_DATES_TO = "audit-dates-to"
AU_TABS, AU_TABLE, AU_COUNT, AU_PAGER, AU_EXPORT = "audit-tabs", "audit-table", "audit-count", "audit-pager", \
    "audit-export"
READERS = ("admin", "county_leader")


def _label(text: str, target: str) -> dbc.Label:
    """A small label for a filter control."""
    return dbc.Label(text, html_for=target, className="small text-muted mb-0")


def layout(**_query: str) -> html.Div:
    """Page frame: the filters, the two tabs, the page of entries and the pager."""
    return html.Div([
        admin_subnav(current_user.role, "/audit"),
        html.H2(_("Audit log"), className="h4 mb-2"),
        dbc.Row([
            dbc.Col([_label(_("User"), AU_USER), dbc.Input(id=AU_USER, debounce=True, maxLength=64,
                                                            placeholder=_("user name"))], xs=12, md=2),
            dbc.Col([_label(_("Area"), AU_AREA), dropdown(id=AU_AREA, placeholder=_("All of my area"))],
                    xs=12, md=3),
            dbc.Col([_label(_("Object"), AU_OBJECTS), dropdown(
                id=AU_OBJECTS, multi=True, placeholder=_("All objects"),
                options=[{"label": _(OBJECT_LABELS[k]), "value": k} for k in OBJECTS])], xs=12, md=3),
            dbc.Col([_label(_("Action"), AU_ACTION), dropdown(
                id=AU_ACTION, placeholder=_("All actions"),
                options=[{"label": action_label(a), "value": a} for a in KNOWN_ACTIONS])], xs=12, md=2),
            dbc.Col([_label(_("Dates"), AU_DATES), dbc.InputGroup([
                # (dbc.Input takes no title: with one, the page raised and never opened)
                dbc.Input(id=AU_DATES, type="date", size="sm"), dbc.InputGroupText("–"),
                dbc.Input(id=AU_DATES_TO, type="date", size="sm")], size="sm")], xs=12, md=2),
        ], className="g-2 mb-2"),
        dbc.Tabs([dbc.Tab(label=_("All entries"), tab_id="all"),
                  dbc.Tab(label=_("Reveals of personal data"), tab_id="reveals")], id=AU_TABS, active_tab="all",
                 className="mb-2"),
        dbc.Row([dbc.Col(html.Div(id=AU_COUNT, className="small text-muted"), className="align-self-center"),
                 dbc.Col(html.A([html.I(className="bi bi-file-earmark-excel me-1"), _("Export .xlsx")],
                                id=AU_EXPORT, className="btn btn-sm btn-outline-secondary"), width="auto")],
                className="mb-2"),
        dcc.Loading(html.Div(id=AU_TABLE), type="dot"),
        dbc.Pagination(id=AU_PAGER, max_value=1, active_page=1, fully_expanded=False, first_last=True,
                       previous_next=True, size="sm", className="mt-2"),
    ])


@callback(Output(AU_AREA, "options"), Input(SHELL_URL, "pathname"))
def fill_areas(_path: str | None) -> list[dict]:
    """The areas of the reader's scope."""
    if current_user.role not in READERS:
        raise AreaRefused()
    return [{"label": f"{c.name} · {_(LEVEL_LABELS[c.level])}", "value": c.code}
            for c in selection_choices(db(), current_scope()) if c.level != "school"]


@callback(Output(AU_TABLE, "children"), Output(AU_COUNT, "children"), Output(AU_PAGER, "max_value"),
          Output(AU_PAGER, "active_page"), Output(AU_EXPORT, "href"),
          Input(AU_USER, "value"), Input(AU_AREA, "value"), Input(AU_OBJECTS, "value"), Input(AU_ACTION, "value"),
          Input(AU_DATES, "value"), Input(AU_DATES_TO, "value"), Input(AU_TABS, "active_tab"),
          Input(AU_PAGER, "active_page"))
def show_entries(user: str | None, area: str | None, objects: list | None, action: str | None,
                 start: str | None, end: str | None, tab: str | None, page: int | None) -> tuple:
    """One page of the filtered entries (back to page 1 when a filter changes) and the export link."""
    if current_user.role not in READERS:
        raise AreaRefused()
    try:
        flt = parse_filter(user, area, objects, action, start, end, tab == "reveals")
    except FilterInvalid as exc:
        message = _("The filter “%(field)s” has a value that cannot be used: %(value)s", field=exc.field,
                    value=exc.value)
        return html.P(message, className="text-danger"), "", 1, 1, None
    page = page if ctx.triggered_id == AU_PAGER and page else 1
    session = db()
    try:
        rows, total = audit_page(session, current_user.role, current_scope(), flt, page, PAGE_SIZE)
    except AuditRefused as exc:
        raise AreaRefused() from exc
    names = area_names(session, {r.area_code for r in rows if r.area_code})
    table = audit_table(rows, action_label, lambda e: object_label(object_of(e)),
                        lambda c: names.get(c, c) if c else "—")
    shown = f"{COUNT_CAP:,}+" if total > COUNT_CAP else f"{total:,}"
    count = _("%(total)s entries · page %(page)s", total=shown, page=page)
    query = {"user": flt.user or "", "area": flt.area or "", "objects": ",".join(flt.objects),
             "action": flt.action or "", "from": start or "", "to": end or "", "reveals": "1" if flt.reveals_only else ""}
    href = "/admin/audit.xlsx?" + urlencode({k: v for k, v in query.items() if v})
    return table, count, max(1, math.ceil(min(total, COUNT_CAP) / PAGE_SIZE)), page, href
