"""The order slot under each finding of a visit page: the finding's order and its status (a link for
those who may read it) and, for the visit's team and admins once the visit is signed off, a button to
issue an order from it (/rectification?finding=N opens the form prefilled).

Not a page itself (imported by pages/rectification.py; the slots are in components.inspection.lists).
"""
from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, State, callback, dcc, html
from flask_babel import gettext as _
from sqlalchemy import select

from components.inspection.visit import VISIT_ID
from components.rectification.board import FINDING_ORDER, overdue_badge, status_badge
from data_access.models import Finding
from data_access.rectification.orders import may_issue_in, order_access
from data_access.rectification.view import orders_of_findings
from domain.localtime import local_today
from domain.rectification.rules import days_overdue
from pages.inspection.common import current_actor, readable
from web.context import db


@callback(Output({"type": FINDING_ORDER, "finding": ALL}, "children"),
          Input({"type": FINDING_ORDER, "finding": ALL}, "id"), State(VISIT_ID, "data"))
def finding_orders(slots: list[dict], visit_id: Any) -> list:
    """Each finding's order (status, overdue) or the button to issue one; HTTP 403 for a visit the user may
    not read (finding ids of other visits get nothing)."""
    access = readable(visit_id)
    if not slots:
        return []
    actor = current_actor()
    session = db()
    wanted = [s.get("finding") for s in slots]
    own = set(session.scalars(select(Finding.id).where(Finding.visit_id == access.visit_id,
                                                       Finding.id.in_([w for w in wanted if isinstance(w, int)]))))
    orders = orders_of_findings(session, sorted(own))
    may_issue = access.status == "signed" and may_issue_in(session, actor, access.township_code)
    today = local_today()
    out: list = []
    for fid in wanted:
        if fid not in own:
            out.append(None)
            continue
        parts: list = []
        order = orders.get(fid)
        if order is not None:
            o_access = order_access(session, actor, order.order_id)
            badge = [html.I(className="bi bi-clipboard2-pulse me-1"), _("Order No. %(n)s", n=order.order_id),
                     html.Span(" ", className="me-1"), status_badge(order.status),
                     overdue_badge(days_overdue(order.status, order.deadline, today))]
            parts.append(dcc.Link(badge, href=f"/rectification/order?id={order.order_id}", className="small me-2")
                         if o_access is not None and o_access.can_read else html.Span(badge, className="small me-2"))
        if may_issue and (order is None or order.status == "closed"):
            parts.append(dcc.Link([html.I(className="bi bi-send me-1"), _("Create order")],
                                  href=f"/rectification?finding={fid}",
                                  className="btn btn-outline-primary btn-sm py-0 bx-create-order"))
        out.append(html.Div(parts, className="d-flex flex-wrap align-items-center gap-1") if parts else None)
    return out

