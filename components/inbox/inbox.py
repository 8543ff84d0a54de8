"""The inbox (pure): one list of what waits on the user, most urgent first, each linking to its page."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

from components.plain import el
from domain.inbox.views import InboxItem
from wording.inbox import KIND_ICONS, item_detail, item_title

INBOX_LIST = "inbox-list"


def inbox_list(items: Sequence[InboxItem], kind_name: Callable[[str], str]) -> object:
    """The items as a list group; overdue ones in red; an empty inbox says so."""
    if not items:
        return dbc.Alert([html.I(className="bi bi-check2-circle me-2"), _("Nothing waits on you. Well done.")],
                         color="success", id="inbox-empty")
    rows = []
    for item in items:     # (plain elements: components.plain; a province admin's inbox is ~300 components)
        color = "danger" if item.overdue else "primary"
        rows.append(el("dcc.Link", el("dbc.ListGroupItem", [
            el("Div", [el("I", className=f"bi bi-{KIND_ICONS.get(item.kind, 'dot')} me-2 text-{color}"),
                       el("Span", item_title(item), className="fw-semibold")]),
            el("Div", item_detail(item, kind_name(item.place)), className="small text-muted ms-4"),
        ], action=True, className=f"bx-inbox-item bx-inbox-{item.kind}"), href=item.href,
            className="text-decoration-none"))
    return dbc.ListGroup(rows, id="inbox-items")
