"""The Targets page's parts (issue 15.2): the list of policies, one policy read-only, and the editor's rows."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

from components.controls import dropdown, markdown_link, rows_grid
from components.dashboard.policy import policy_href
from domain.admin.targets import PolicyView
from domain.dashboard.indicators import INDICATORS
from wording.dashboard import indicator_name, margin_text, target_text
from wording.targets import effective_text

OP_IDS, BOUND_IDS, MARGIN_IDS, REL_IDS = "targets-op", "targets-bound", "targets-margin", "targets-rel"


def policy_list(views: list[PolicyView], selected: int | None, table_id: str) -> object:
    """Every policy the user may read: area, takes effect from, active, targets; the presets last. A grid, not a
    table: a province's 117 policies with their targets were ~2,000 Dash components, ~3 s of a busy browser."""
    rows = []
    for v in views:
        notes = [_("preset")] if v.is_preset else [] if v.editable else [_("read only")]
        rows.append({"id": v.id, "policy": " · ".join([f"{markdown_link(v.name, policy_href(v.id))} #{v.id}", *notes]),
                     "area": v.area_name or v.area_code or "—",
                     "from": "—" if v.is_preset else effective_text(v.effective_from),
                     "active": _("yes") if v.active else _("no"),
                     "targets": "\n".join(f"{indicator_name(t.indicator)} {target_text(t)}" for t in v.targets),
                     "judged": "、".join(v.judged) or "—"})
    lines = {"wrapText": True, "autoHeight": True, "cellClass": "bx-lines small"}
    columns = [{"field": "policy", "headerName": _("Policy"), "cellRenderer": "markdown", "minWidth": 150, "flex": 1.5,
                **lines},
               {"field": "area", "headerName": _("Area"), "minWidth": 90, "flex": 1, **lines},
               {"field": "from", "headerName": _("Takes effect from"), "minWidth": 90, "flex": 1, **lines},
               {"field": "active", "headerName": _("Active"), "minWidth": 70, "flex": 0.5},
               {"field": "targets", "headerName": _("Targets"), "minWidth": 200, "flex": 2.5, "sortable": False,
                **lines},
               {"field": "judged", "headerName": _("Terms judged"), "minWidth": 90, "flex": 1, **lines}]
    picked = {"rowClassRules": {"bx-row-picked": f"params.data.id === {int(selected)}"}} if selected else {}
    return rows_grid(table_id, rows, columns, getRowId="params.data.id", **picked)


def policy_detail(view: PolicyView, previous_name: str | None) -> dbc.Card:
    """One policy read-only: where it applies, from when, its precision and each target with its margin."""
    facts = [
        (_("Area"), view.area_name or view.area_code or _("none (a preset)")),
        (_("Takes effect from"), "—" if view.is_preset else effective_text(view.effective_from)),
        (_("Published precision"), _("%(digits)s decimals", digits=view.precision)),
        (_("Source"), view.source or "—"),
        (_("Edited from"), html.A(f"{previous_name or ''} #{view.previous_id}", href=policy_href(view.previous_id))
         if view.previous_id else "—"),
        (_("Terms judged"), "、".join(view.judged) or "—"),
    ]
    head = html.Thead(html.Tr([html.Th(_("Indicator")), html.Th(_("Target")), html.Th(_("Warning margin"))]))
    body = [html.Tr([html.Td(indicator_name(t.indicator)), html.Td(target_text(t)),
                     html.Td(margin_text(t) if t.op != "==" and t.margin_points else "—")]) for t in view.targets]
    return dbc.Card(dbc.CardBody([
        html.H3([view.name, f" #{view.id}"], className="h6"),
        html.Dl([part for label, value in facts for part in (html.Dt(label, className="col-sm-4"),
                                                              html.Dd(value, className="col-sm-8 mb-1"))],
                className="row small mb-2"),
        dbc.Table([head, html.Tbody(body)], size="sm", bordered=True, className="small mb-0"),
    ]), className="shadow-sm", id="targets-detail-card")


def editor_rows() -> html.Tbody:
    """One row per indicator: operator (empty: no target), bound, warning margin and its kind."""
    ops = [{"label": "—", "value": ""}, {"label": "≥", "value": ">="}, {"label": "≤", "value": "<="},
           {"label": "=", "value": "=="}]
    kinds = [{"label": _("points"), "value": "points"}, {"label": _("% of the bound"), "value": "relative"}]
    return html.Tbody([html.Tr([
        html.Td(indicator_name(i.key), className="small"),
        html.Td(dropdown(id={"type": OP_IDS, "ind": i.key}, options=ops, clearable=False, searchable=False,
                         style={"minWidth": "5rem"})),
        html.Td(dbc.Input(id={"type": BOUND_IDS, "ind": i.key}, type="text", inputMode="decimal", size="sm",
                          style={"maxWidth": "7rem"})),
        html.Td(dbc.Input(id={"type": MARGIN_IDS, "ind": i.key}, type="text", inputMode="decimal", size="sm",
                          placeholder=_("default"), style={"maxWidth": "7rem"}, disabled=not i.is_rate)),
        html.Td(dropdown(id={"type": REL_IDS, "ind": i.key}, options=kinds, clearable=False, searchable=False,
                         disabled=not i.is_rate, style={"minWidth": "8rem"})),
    ]) for i in INDICATORS])
