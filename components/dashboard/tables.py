"""Tables of compliance figures: the indicator matrix, tiers with reasons, special groups."""
from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

from components.status import STATUS_BG, STATUS_COLORS, TIER_COLORS, tier_badge
from domain.dashboard.indicators import INDICATOR_BY_KEY, INDICATORS
from domain.dashboard.report import Report, UnitReport
from wording.dashboard import STATUS_LABELS, format_value, indicator_name, reason_text, target_text, term_name, tier_name


def _cell(unit: UnitReport, key: str) -> html.Td:
    value, ev = unit.values[key], unit.evaluations[key]
    detail = (f"{value.numerator:,}/{value.denominator:,}" if INDICATOR_BY_KEY[key].is_rate
              and value.numerator is not None and value.denominator else "")
    return html.Td([html.Div(format_value(key, value.value), className="fw-semibold"),
                    html.Small(detail, className="text-muted") if detail else None],
                   title=_(STATUS_LABELS[ev.status]),
                   style={"backgroundColor": STATUS_BG[ev.status], "borderLeft": f"4px solid {STATUS_COLORS[ev.status]}"},
                   className="text-end bx-cell", **{"data-status": ev.status})


MAX_MATRIX_ROWS = 300


def compliance_matrix(report: Report, total: UnitReport | None, table_id: str) -> html.Div:
    """Units × indicators, coloured pass / warning / fail / no data, counts beside rates (capped rows)."""
    keys = [i.key for i in INDICATORS]
    targets = report.policy.targets if report.policy else {}
    head = html.Thead(html.Tr([html.Th(_("Area")), html.Th(_("Tier"))] + [
        html.Th([html.Div(indicator_name(k)), html.Small(target_text(targets.get(k)), className="text-muted")],
                className="text-end") for k in keys]))
    rows = []
    shown = report.units[:MAX_MATRIX_ROWS]
    for unit, strong in ([(total, True)] if total else []) + [(u, False) for u in shown]:
        rows.append(html.Tr([html.Th(unit.name, scope="row", className="fw-bold" if strong else "fw-normal"),
                             html.Td(tier_badge(unit.tier.tier, tier_name(unit.tier.tier)) if unit.has_data
                                     else html.Span(_("No data"), className="text-muted small"))]
                            + [_cell(unit, k) for k in keys], className="table-active" if strong else None))
    note = (dbc.Alert(_("Showing the first %(shown)s of %(total)s in rank order; pick a smaller area to see all.",
                        shown=len(shown), total=len(report.units)), color="info", className="py-2 small")
            if len(report.units) > len(shown) else None)
    return html.Div([note, dbc.Table([head, html.Tbody(rows)], bordered=True, hover=True, size="sm", id=table_id,
                                     className="bx-matrix align-middle mb-0")], className="table-responsive")


def status_legend() -> html.Div:
    """The colour key of the matrix and the map."""
    items = [html.Span([html.Span(className="bx-swatch", style={"backgroundColor": STATUS_COLORS[s]}),
                        _(STATUS_LABELS[s])], className="me-3 small") for s in ("pass", "warning", "fail", "no_data")]
    return html.Div(items, className="d-flex flex-wrap align-items-center mb-2")


def history_strip(history: Sequence[tuple[str, int | None]], current: int) -> html.Div:
    """Small squares, one per earlier period, coloured by tier (grey: no data), then the current one."""
    cells = [html.Span(className="bx-hist", title=f"{term_name(t)}: {tier_name(tier) if tier is not None else _('No data')}",
                       style={"backgroundColor": TIER_COLORS[tier] if tier is not None else "#dee2e6"})
             for t, tier in history]
    cells.append(html.Span(className="bx-hist bx-hist-now", style={"backgroundColor": TIER_COLORS[current]},
                           title=tier_name(current)))
    return html.Div(cells, className="d-flex gap-1")


def tiers_table(report: Report, table_id: str) -> dbc.Table:
    """Each unit's tier with all its reasons and its tier history."""
    head = html.Thead(html.Tr([html.Th(_("Rank")), html.Th(_("Area")), html.Th(_("Tier")), html.Th(_("Reasons")),
                               html.Th(_("Earlier periods"))]))
    body = []
    for u in report.units:
        reasons = [html.Li(reason_text(r)) for r in u.tier.reasons] or [html.Li(_("All targets met"))]
        body.append(html.Tr([
            html.Td(u.rank), html.Td([u.name, html.Span(_("last place"), className="badge text-bg-dark ms-2")
                                      if u.last_place else None]),
            html.Td(tier_badge(u.tier.tier, tier_name(u.tier.tier)) if u.has_data else _("No data")),
            html.Td(html.Ul(reasons, className="mb-0 ps-3 small")), html.Td(history_strip(u.history, u.tier.tier)),
        ], **{"data-code": u.code}))
    return dbc.Table([head, html.Tbody(body)], bordered=True, hover=True, size="sm", id=table_id,
                     className="align-middle")


def special_groups_table(rows: Sequence[dict], table_id: str) -> html.Div:
    """Enrolled and dropped children of the special groups per unit."""
    groups = (("poverty_enrolled", "special_group_dropouts", _("Registered poor families")),
              ("disabled_enrolled", "disabled_dropped", _("Disabled")),
              ("left_behind_enrolled", "left_behind_dropped", _("Left-behind")),
              ("migrant_enrolled", "migrant_dropped", _("Migrant")))
    head = html.Thead([html.Tr([html.Th(_("Area"), rowSpan=2)] + [html.Th(g[2], colSpan=2, className="text-center")
                                                                   for g in groups]),
                       html.Tr([html.Th(label, className="text-end") for _g in groups
                                for label in (_("Enrolled"), _("Dropouts"))])])
    body = [html.Tr([html.Th(r["name"], scope="row", className="fw-normal")] + [
        cell for enrolled, dropped, _label in groups for cell in (
            html.Td(f"{r[enrolled]:,}", className="text-end"),
            html.Td(f"{r[dropped]:,}", className="text-end" + (" text-danger fw-bold" if r[dropped] else "")))])
        for r in rows]
    return html.Div(dbc.Table([head, html.Tbody(body)], bordered=True, hover=True, size="sm", id=table_id),
                    className="table-responsive")
