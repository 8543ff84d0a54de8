"""Tables of compliance figures: the indicator matrix, tiers with reasons, special groups."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

from components.controls import COUNT_FORMAT, grid
from components.plain import el
from components.status import STATUS_BG, STATUS_COLORS, TIER_COLORS, tier_badge
from domain.dashboard.indicators import INDICATOR_BY_KEY, INDICATORS
from domain.dashboard.report import Report, UnitReport
from wording.dashboard import (STATUS_LABELS, base_source_text, format_value, indicator_name, reason_text, status_names,
                               target_text, term_name, tier_name, tier_names, unit_tier_name)


def _cell(unit: UnitReport, key: str, precision: int, names: Mapping[str, str]) -> dict:
    """One unit's value of one indicator, coloured by its status (`names`: status_names(), looked up once a table)."""
    value, ev = unit.values[key], unit.evaluations[key]
    detail = (f"{value.numerator:,}/{value.denominator:,}" if INDICATOR_BY_KEY[key].is_rate
              and value.numerator is not None and value.denominator else "")
    title = names[ev.status]
    if key == "consolidation_rate" and detail and unit.counts.grade1_source:
        title += " · " + base_source_text(unit.counts.grade1_source)
    return el("Td", [el("Div", format_value(key, value.value, precision), className="fw-semibold"),
                     el("Small", detail, className="text-muted") if detail else None],
              title=title, **({"data-base": unit.counts.grade1_source} if key == "consolidation_rate" else {}),
              style={"backgroundColor": STATUS_BG[ev.status], "borderLeft": f"4px solid {STATUS_COLORS[ev.status]}"},
              className="text-end bx-cell", **{"data-status": ev.status})


MAX_MATRIX_ROWS = 300


def compliance_matrix(report: Report, total: UnitReport | None, table_id: str) -> html.Div:
    """Units × indicators, coloured pass / warning / fail / no data, counts beside rates (capped rows; its cells
    plain elements: components.plain)."""
    keys = [i.key for i in INDICATORS]
    targets = report.policy.targets if report.policy else {}
    precision = report.policy.precision if report.policy else 2
    head = el("Thead", el("Tr", [el("Th", _("Area")), el("Th", _("Tier"))] + [
        el("Th", [el("Div", indicator_name(k)), el("Small", target_text(targets.get(k)), className="text-muted")],
           className="text-end") for k in keys]))
    rows = []
    names = status_names()
    tiers = tier_names()
    shown = report.units[:MAX_MATRIX_ROWS]
    for unit, strong in ([(total, True)] if total else []) + [(u, False) for u in shown]:
        rows.append(el("Tr", [el("Th", unit.name, scope="row", className="fw-bold" if strong else "fw-normal"),
                              el("Td", tier_badge(unit.tier.tier, tiers[unit.tier.tier]) if unit.graded
                                 else el("Span", unit_tier_name(unit, report.policy), className="text-muted small"))]
                       + [_cell(unit, k, precision, names) for k in keys],
                       className="table-active" if strong else None))
    note = (dbc.Alert(_("Showing the first %(shown)s of %(total)s in rank order; pick a smaller area to see all.",
                        shown=len(shown), total=len(report.units)), color="info", className="py-2 small")
            if len(report.units) > len(shown) else None)
    return html.Div([note, dbc.Table([head, el("Tbody", rows)], bordered=True, hover=True, size="sm", id=table_id,
                                     className="bx-matrix align-middle mb-0")], className="table-responsive")


def status_legend() -> html.Div:
    """The colour key of the matrix and the map."""
    items = [html.Span([html.Span(className="bx-swatch", style={"backgroundColor": STATUS_COLORS[s]}),
                        _(STATUS_LABELS[s])], className="me-3 small") for s in ("pass", "warning", "fail", "no_data")]
    return html.Div(items, className="d-flex flex-wrap align-items-center mb-2")


def _period_label(tier: int | None, unreported: bool) -> str:
    if tier is not None:
        return tier_name(tier)
    return _("Not reported") if unreported else _("No tier")


def history_strip(unit: UnitReport, current_label: str) -> dict:
    """Small squares, one per earlier period, coloured by tier (grey: no tier; hatched: 未报送), then the current."""
    cells = [el("Span", className="bx-hist" + (" bx-hist-unreported" if t in unit.unreported else ""),
                title=f"{term_name(t)}: {_period_label(tier, t in unit.unreported)}",
                style={"backgroundColor": TIER_COLORS[tier] if tier is not None else "#dee2e6"})
             for t, tier in unit.history]
    now = unit.tier.tier
    cells.append(el("Span", className="bx-hist bx-hist-now", title=current_label,
                    style={"backgroundColor": TIER_COLORS[now] if now is not None else "#dee2e6"}))
    return el("Div", cells, className="d-flex gap-1")


def tiers_table(report: Report, table_id: str, notes: Mapping[str, Sequence[object]] | None = None) -> dbc.Table:
    """Each unit's tier with all its reasons and its tier history (and `notes` per unit code under its reasons:
    accountability records, a link to record one; rows of plain elements: components.plain)."""
    head = el("Thead", el("Tr", [el("Th", _("Rank")), el("Th", _("Area")), el("Th", _("Tier")), el("Th", _("Reasons")),
                                 el("Th", _("Earlier periods"))]))
    body = []
    last_place = _("last place")
    for u in report.units:
        label = unit_tier_name(u, report.policy)
        reasons = ([el("Li", reason_text(r)) for r in u.tier.reasons] or [el("Li", _("All targets met"))] if u.graded
                   else [el("Li", label)])
        if u.unreported:
            reasons.append(el("Li", _("Not reported in %(terms)s", terms="、".join(term_name(t) for t in u.unreported))))
        reasons += [el("Li", n, className="bx-tier-note") for n in (notes or {}).get(u.code, ())]
        body.append(el("Tr", [
            el("Td", u.rank), el("Td", [u.name, el("Span", last_place, className="badge text-bg-dark ms-2")
                                        if u.last_place else None]),
            el("Td", tier_badge(u.tier.tier, label) if u.graded else label),
            el("Td", el("Ul", reasons, className="mb-0 ps-3 small")), el("Td", history_strip(u, label)),
        ], **{"data-code": u.code}))
    return dbc.Table([head, el("Tbody", body)], bordered=True, hover=True, size="sm", id=table_id,
                     className="align-middle")


def special_group_columns() -> tuple[tuple[str, str, str], ...]:
    """The special groups shown: (enrolled field, dropped field, label in the user's language)."""
    return (("poverty_enrolled", "special_group_dropouts", _("Registered poor families")),
            ("disabled_enrolled", "disabled_dropped", _("Disabled")),
            ("left_behind_enrolled", "left_behind_dropped", _("Left-behind")),
            ("migrant_enrolled", "migrant_dropped", _("Migrant")))


MAX_GROUP_TABLE_ROWS = 40  # a longer list (every school of a county) goes to a grid: a Dash component per cell is slow


def special_groups_table(rows: Sequence[dict], table_id: str) -> html.Div | dag.AgGrid:
    """Enrolled and dropped children of the special groups per unit (a paged grid for a long list)."""
    groups = special_group_columns()
    if len(rows) > MAX_GROUP_TABLE_ROWS:
        return special_groups_grid(rows, groups, table_id)
    head = el("Thead", [el("Tr", [el("Th", _("Area"), rowSpan=2)] + [el("Th", g[2], colSpan=2, className="text-center")
                                                                   for g in groups]),
                        el("Tr", [el("Th", label, className="text-end") for _g in groups
                                  for label in (_("Enrolled"), _("Dropouts"))])])
    body = [el("Tr", [el("Th", r["name"], scope="row", className="fw-normal")] + [
        cell for enrolled, dropped, _label in groups for cell in (
            el("Td", f"{r[enrolled]:,}", className="text-end"),
            el("Td", f"{r[dropped]:,}", className="text-end" + (" text-danger fw-bold" if r[dropped] else "")))])
        for r in rows]
    return html.Div(dbc.Table([head, el("Tbody", body)], bordered=True, hover=True, size="sm", id=table_id),
                    className="table-responsive")


def special_groups_grid(rows: Sequence[dict], groups: Sequence[tuple[str, str, str]], grid_id: str) -> dag.AgGrid:
    """The special-groups table as an AG Grid fed with row data, 20 rows a page, dropouts in red."""
    fields = ["name", "code"] + [f for enrolled, dropped, _label in groups for f in (enrolled, dropped)]
    columns = [{"field": "name", "headerName": _("Area"), "pinned": "left", "minWidth": 150, "flex": 2}] + [
        {"headerName": label, "children": [
            {"field": enrolled, "headerName": _("Enrolled"), "type": "rightAligned", "minWidth": 100, "flex": 1,
             "valueFormatter": {"function": COUNT_FORMAT}},
            {"field": dropped, "headerName": _("Dropouts"), "type": "rightAligned", "minWidth": 100, "flex": 1,
             "valueFormatter": {"function": COUNT_FORMAT},
             "cellClassRules": {"text-danger fw-bold": "params.value > 0"}}]}
        for enrolled, dropped, label in groups]
    return grid(paginate=True, id=grid_id, rowData=[{f: r.get(f) for f in fields} for r in rows], columnDefs=columns,
                getRowId="params.data.code", className="bx-grid bx-groups-grid")
