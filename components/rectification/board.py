"""Builders of the rectification board (pure): status badges, progress per township or team as
stacked bars, the list of orders (overdue first) and the new-order form."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_babel import gettext as _
from components.controls import dropdown
from components.plain import el

from wording.inspection import finding_detail, finding_headline
from wording.rectification import STATUS_COLORS, STATUS_ICONS, overdue_text, rate_text, status_label
from domain.rectification.views import FindingFacts
from domain.rectification.views import OrderRow, ProgressRow

RECT_NEW_TOWN, RECT_NEW_UNIT, RECT_NEW_TITLE = "rect-new-town", "rect-new-unit", "rect-new-title"
RECT_NEW_REQ, RECT_NEW_DEADLINE, RECT_ISSUE, RECT_NEW_MSG = ("rect-new-req", "rect-new-deadline", "rect-issue",
                                                             "rect-new-msg")
FINDING_ORDER = "rect-finding-order"  # key "finding": the order slot under a finding of a visit page
ORDERS_PER_PAGE = 30   # orders on a page of the board, most urgent first (paged in SQL; ~14 components a row)
BARS_SHOWN = 30  # progress bars shown above county scope (the townships or teams needing attention)


def status_badge(status: str, badge_id: str | None = None) -> dict:
    """The order's status, coloured, with its icon (a plain element: components.plain)."""
    kwargs = {"id": badge_id} if badge_id else {}
    return el("Span", [el("I", className=f"bi bi-{STATUS_ICONS.get(status, 'circle')} me-1"), status_label(status)],
              className=f"badge text-bg-{STATUS_COLORS.get(status, 'light')} bx-order-status",
              **{"data-status": status}, **kwargs)


def overdue_badge(days: int) -> dict | None:
    """"N days overdue" in red (nothing when in time; a plain element: components.plain)."""
    if days <= 0:
        return None
    return el("Span", [el("I", className="bi bi-alarm me-1"), overdue_text(days)],
              className="badge text-bg-danger bx-overdue")


def _segment(value: int, total: int, color: str) -> dict | None:
    """One coloured part of a stacked bar (Bootstrap's progress-bar markup), labelled with its count."""
    if not value:
        return None
    return el("Div", str(value), className=f"progress-bar bg-{color}", style={"width": f"{100 * value / total:.2f}%"})


def progress_legend() -> html.Div:
    """The colour key of the progress bars."""
    keys = ((_("Closed on time"), "bg-success"), (_("Closed late"), "bg-secondary"),
            (_("Open, in time"), "bg-info"), (_("Overdue"), "bg-danger"))
    return html.Div([html.Span([html.Span(className=f"bx-swatch {css}"), text], className="me-3 small")
                     for text, css in keys], className="d-flex flex-wrap mb-2")


def progress_bars(rows: Sequence[ProgressRow], empty_text: str) -> html.Div:
    """One stacked bar per township or team: closed on time, closed late, open in time, overdue; the
    on-time closure rate and the overdue count beside it."""
    if not rows:
        return html.P(empty_text, className="text-muted small mb-0")
    on_time, overdue = _("On time:"), _("Overdue")   # (the legend names the colours; looked up once, not per bar)
    lines = []
    for r in rows:     # one grid of four cells a row (assets/rectification.css), ~9 components, not ~16 of a Row
        segments = [s for s in (      # of Cols: 30 bars were ~480 of a province page's components (plotly/dash#3846)
            _segment(r.closed_on_time, r.total, "success"), _segment(r.closed - r.closed_on_time, r.total, "secondary"),
            _segment(r.open - r.overdue, r.total, "info"), _segment(r.overdue, r.total, "danger")) if s is not None]
        lines.append(el("Div", [     # (plain elements: components.plain)
            el("Span", r.name, className="small text-truncate", title=r.name),
            el("Div", segments, className="progress bx-order-bar", title=_(
                "%(closed)s closed (%(on_time)s on time), %(open)s open, %(overdue)s overdue", closed=r.closed,
                on_time=r.closed_on_time, open=r.open, overdue=r.overdue)),
            el("Span", [on_time, " ", el("Strong", rate_text(r.on_time_rate))], className="small text-nowrap bx-rate"),
            el("Span", str(r.overdue), className="badge text-bg-danger justify-self-end", title=overdue) if r.overdue
            else el("Span", "0", className="badge text-bg-light border justify-self-end", title=overdue),
        ], className="bx-progress-row", **{"data-code": r.code}))
    return html.Div([progress_legend(), *lines])


def capped_progress_bars(rows: Sequence[ProgressRow], empty_text: str, by: str = "township") -> html.Div:
    """progress_bars of the BARS_SHOWN townships or teams with the most overdue (then open) orders when there are
    more (at province scope a bar per township is ~1,400, per team ~340), and how many are left out."""
    if len(rows) <= BARS_SHOWN:
        return progress_bars(rows, empty_text)
    shown = sorted(rows, key=lambda r: (-r.overdue, -r.open, r.name))[:BARS_SHOWN]
    rest = len(rows) - BARS_SHOWN
    note = (_("The %(n)s townships with the most overdue and open orders are shown; %(rest)s more are not.",
              n=BARS_SHOWN, rest=rest) if by == "township" else
            _("The %(n)s teams with the most overdue and open orders are shown; %(rest)s more are not.",
              n=BARS_SHOWN, rest=rest))
    return html.Div([progress_bars(shown, empty_text), html.P(note, className="small text-muted mb-0")])


def orders_table(rows: Sequence[OrderRow], table_id: str) -> html.Div:
    """The orders, overdue first: deadline, status, what, unit, township, team; each opens its page. `rows` is one
    page of the list (ORDERS_PER_PAGE, read so from the database: 300 rows of a province's board were ~4,000 Dash
    components, a browser frozen under Dash 4.4, plotly/dash#3846)."""
    if not rows:
        return html.P(_("No orders match."), className="text-muted", id=f"{table_id}-empty")
    body = []
    school = _("School")
    for r in rows:     # (plain elements: components.plain)
        body.append(el("Tr", [
            el("Td", [el("Div", r.deadline.isoformat(), className="font-monospace small"),
                      overdue_badge(r.days_overdue)]),
            el("Td", status_badge(r.status)),
            el("Td", el("dcc.Link", r.title, href=f"/rectification/order?id={r.id}", className="bx-order-link")),
            el("Td", [r.unit_name, el("I", className="bi bi-building ms-1 text-muted", title=school)
                      if r.to_school else None]),
            el("Td", r.township_name, className="text-nowrap"),
            el("Td", r.team_name or "—", className="small text-muted"),
        ], className="bx-order-overdue" if r.days_overdue else None, **{"data-order": str(r.id)}))
    head = el("Thead", el("Tr", [el("Th", _("Deadline")), el("Th", _("Status")), el("Th", _("Order")),
                                 el("Th", _("Responsible unit")), el("Th", _("Township")), el("Th", _("Team"))]))
    return html.Div(dbc.Table([head, el("Tbody", body)], hover=True, size="sm", id=table_id,
                              className="align-middle mb-0 bx-orders"), className="table-responsive")


def finding_box(f: FindingFacts) -> html.Div:
    """The finding an order comes from, with a link to its visit."""
    return html.Div([
        html.Div([html.I(className="bi bi-search me-1"), html.Strong(finding_headline(f.kind, f.false_data_type)),
                  html.Span(f" · {f.school_name or f.township_name}", className="text-muted")]),
        html.Div(finding_detail(f.method, f.kind, f.subject, f.count, f.description), className="small"),
        dcc.Link([html.I(className="bi bi-box-arrow-up-right me-1"), _("Open the visit")],
                 href=f"/inspection/visit?id={f.visit_id}", className="small"),
    ], className="border rounded bg-light p-2 mb-2", id="rect-new-finding")


def new_order_form(towns: Sequence[tuple[str, str]], deadline: dt.date, finding: FindingFacts | None,
                   title: str = "", requirement: str = "") -> html.Div:
    """Township and unit (fixed when the order comes from a finding), title, requirement, deadline."""
    if finding is not None:
        towns = [(finding.township_code, finding.township_name)]
        units = [{"label": finding.school_name or f"{finding.township_name} ({_('township')})",
                  "value": str(finding.school_id or "")}]
    else:
        units = []
    fixed = finding is not None
    field = lambda text, ident, control: dbc.Col([  # noqa: E731
        dbc.Label(text, html_for=ident, className="small text-muted mb-0"), control], xs=12, md=6)
    return html.Div([
        finding_box(finding) if finding is not None else None,
        dbc.Row([
            field(_("Township"), RECT_NEW_TOWN, dropdown(
                id=RECT_NEW_TOWN, options=[{"label": n, "value": c} for c, n in towns], clearable=False,
                value=towns[0][0] if len(towns) == 1 else None, disabled=fixed, placeholder=_("Pick the township…"))),
            field(_("Responsible unit"), RECT_NEW_UNIT, dropdown(
                id=RECT_NEW_UNIT, options=units, value=units[0]["value"] if units else "", clearable=False,
                disabled=fixed)),
            dbc.Col([dbc.Label(_("Title"), html_for=RECT_NEW_TITLE, className="small text-muted mb-0"),
                     dbc.Input(id=RECT_NEW_TITLE, value=title, maxLength=200, size="sm")], xs=12),
            dbc.Col([dbc.Label(_("Requirement"), html_for=RECT_NEW_REQ, className="small text-muted mb-0"),
                     dbc.Textarea(id=RECT_NEW_REQ, value=requirement, rows=4, maxLength=4000, size="sm")], xs=12),
            dbc.Col([dbc.Label(_("Deadline"), html_for=RECT_NEW_DEADLINE, className="small text-muted mb-0"),
                     dbc.Input(id=RECT_NEW_DEADLINE, type="date", value=deadline.isoformat(), size="sm"),
                     dbc.FormText(_("Default: 15 working days (weekends and public holidays excluded)."))],
                    xs=12, md=6),
            dbc.Col(dbc.Button([html.I(className="bi bi-send me-1"), _("Issue the order")], id=RECT_ISSUE,
                               color="primary", className="w-100"), xs=12, md=6, className="align-self-center"),
        ], className="g-2"),
        html.Div(id=RECT_NEW_MSG, className="small mt-2"),
    ])


def add_rectification_columns(table: dbc.Table, rows: dict[str, ProgressRow]) -> dbc.Table:
    """Two columns beside the tiers of townships: overdue orders and the on-time closure rate of each
    (tiers_table's head and rows are plain elements, components.plain; each row carries its area code in
    data-code)."""
    head, body = table.children
    head_row = head["props"]["children"]["props"]
    head_row["children"] = [*head_row["children"], el("Th", _("Overdue orders"), className="text-end"),
                            el("Th", _("Orders closed on time"), className="text-end", title=_(
                                "Closed on or before the deadline, of the orders closed or past their deadline"))]
    for tr in body["props"]["children"]:
        r = rows.get(tr["props"].get("data-code", ""))
        overdue = (el("Span", str(r.overdue), className="badge text-bg-danger bx-tier-overdue") if r and r.overdue
                   else el("Span", "0" if r else "—", className="text-muted"))
        rate = el("Span", rate_text(r.on_time_rate) if r else "—", className="bx-tier-rate",
                  title=_("%(on_time)s of %(due)s due orders closed on time", on_time=r.closed_on_time,
                          due=r.closed + r.overdue) if r else None)
        tr["props"]["children"] = [*tr["props"]["children"], el("Td", overdue, className="text-end"),
                                   el("Td", rate, className="text-end")]
    return table
