"""The audit log viewer's table: one line per entry with its before/after folded underneath (pure builder)."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

from components.admin.status import stamp
from components.plain import el
from domain.admin.views import AuditRow
from wording.admin import actor_name, entity_key_text


def _json(value: Any) -> str:
    """A before/after value as indented JSON (— when there is none)."""
    return "—" if value is None else json.dumps(value, ensure_ascii=False, indent=1, default=str)


def change_text(row: AuditRow) -> str:
    """Before and after on one line each (for the export)."""
    parts = []
    if row.before is not None:
        parts.append(_("Before: %(v)s", v=json.dumps(row.before, ensure_ascii=False, default=str)))
    if row.after is not None:
        parts.append(_("After: %(v)s", v=json.dumps(row.after, ensure_ascii=False, default=str)))
    return "\n".join(parts) or "—"


def audit_table(rows: list[AuditRow], action: Callable[[str], str], obj: Callable[[str], str],
                area: Callable[[str | None], str]) -> object:
    """Entries newest first; before/after open under each line."""
    if not rows:
        return html.P(_("No entry matches the filter."), className="text-muted", id="audit-empty")
    head = el("Thead", el("Tr", [el("Th", h) for h in (_("Time"), _("User"), _("Action"), _("Object"), _("Key"),
                                                       _("Area"), _("Before / after"))]))
    show, before, after = _("Show"), _("Before"), _("After")
    lines = []
    for r in rows:     # (plain elements: components.plain; a page of 50 entries was ~420 components)
        # the stored values are data (column names and values as kept), shown read-only like a form's field
        details = el("Details", [el("Summary", show),
                                 el("Div", [el("Div", before, className="fw-bold"),
                                            el("dbc.Textarea", value=_json(r.before), readOnly=True, rows=4, size="sm",
                                               className="font-monospace"),
                                            el("Div", after, className="fw-bold"),
                                            el("dbc.Textarea", value=_json(r.after), readOnly=True, rows=4, size="sm",
                                               className="font-monospace")],
                                    className="small bx-audit-change")]) \
            if r.before is not None or r.after is not None else "—"
        lines.append(el("Tr", [el("Td", stamp(r.at), className="text-nowrap"), el("Td", actor_name(r.actor)),
                               el("Td", action(r.action), **{"data-action": r.action}),
                               el("Td", obj(r.entity), **{"data-entity": r.entity}),
                               el("Td", entity_key_text(r.entity, r.entity_key)), el("Td", area(r.area_code)),
                               el("Td", details)]))
    return dbc.Table([head, el("Tbody", lines)], striped=True, hover=True, size="sm", responsive=True,
                     className="small bx-audit-table")
