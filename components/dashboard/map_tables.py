"""Tables and the colour key of the map page (pure): areas by rank, a township's schools and villages."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

from components.dashboard.map_figure import BANDS, worst_first
from components.dashboard.policy import policy_in_force
from components.plain import el
from components.status import STATUS_COLORS, tier_badge
from domain.dashboard.indicators import INDICATOR_BY_KEY, IndicatorValue
from domain.dashboard.report import Policy, Report, UnitReport
from wording.common import LEVEL_LABELS
from wording.dashboard import (STATUS_LABELS, format_value, indicator_name, margin_text, reason_text, status_names,
                               target_text, tier_names, unit_tier_name)

UNIT_LINK = "map-unit-link"  # pattern-matching id type of the drill-down links in the areas table


def counts_text(value: IndicatorValue) -> str:
    """Numerator / denominator of a rate ("12 / 480"), or "" for a count."""
    if not INDICATOR_BY_KEY[value.key].is_rate:
        return ""
    if value.numerator is None or value.denominator is None:
        return "—"
    return f"{value.numerator:,} / {value.denominator:,}"


def status_chip(status: str, names: dict[str, str]) -> dict:
    """A coloured dot and the status word (`names`: status_names(), looked up once for a table)."""
    return el("Span", [el("Span", className="bx-map-dot", style={"backgroundColor": STATUS_COLORS[status]}),
                       names[status]], className="text-nowrap")


def legend(report: Report, key: str, bands: list[str], schematic: bool) -> html.Div:
    """Colour key beside the map: areas per band, the target they are judged against, the map's caveats."""
    target = report.policy.targets.get(key) if report.policy else None
    items = [html.Div([html.Span(className="bx-map-swatch", style={"backgroundColor": STATUS_COLORS[b]}),
                       html.Span(_(STATUS_LABELS[b]), className="me-auto"),
                       html.Span(str(bands.count(b)), className="fw-semibold ms-3")],
                      className="d-flex align-items-center mb-1", **{"data-band": b})
             for b in BANDS if b != "no_target" or b in bands]
    note = (_("Target %(target)s; near the bound: within %(margin)s on the passing side",
              target=target_text(target), margin=margin_text(target))
            if target is not None and INDICATOR_BY_KEY[key].is_rate else
            _("Target %(target)s", target=target_text(target)) if target is not None
            else _("No target for this indicator in the policy in force"))
    return html.Div([html.Div(indicator_name(key), className="fw-semibold mb-2"), *items,
                     html.Div(note, className="text-muted mt-2"),
                     html.Div(policy_in_force(report.policy, "map-policy"), className="small text-muted mt-1"),
                     html.Div(_("Schematic boundaries (demo data), not surveyed lines."),
                              className="text-muted fst-italic mt-2") if schematic else None],
                    className="small")


def units_table(report: Report, key: str, level: str, drillable: bool) -> html.Div:
    """Compact table of the areas by rank: name (a drill-down link), value, status, tier (rows of plain elements:
    components.plain)."""
    rows = []
    names, tiers = status_names(), tier_names()
    for unit in report.units:
        name = (el("Button", unit.name, id={"type": UNIT_LINK, "code": unit.code},
                   className="btn btn-link btn-sm p-0 text-start") if drillable else unit.name)
        rows.append(el("Tr", [
            el("Td", unit.rank or "—", className="text-muted"), el("Td", name),
            el("Td", format_value(key, unit.values[key].value), className="text-end text-nowrap"),
            el("Td", status_chip(unit.evaluations[key].status, names)),
            el("Td", tier_cell(unit, report.policy, tiers)),
        ], **{"data-code": unit.code}))
    head = el("Thead", el("Tr", [el("Th", "#"), el("Th", _(LEVEL_LABELS[level])),
                                 el("Th", _("Value"), className="text-end"), el("Th", _("Status")), el("Th", _("Tier"))]))
    hint = html.Div(_("Click a township on the map or in the table to see its schools and villages."),
                    className="small text-muted mt-2") if drillable and len(report.units) > 1 else None
    return html.Div([html.Div(dbc.Table([head, el("Tbody", rows)], size="sm", hover=True, id="map-units-table",
                                        className="mb-0 align-middle bx-map-table"), className="bx-map-scroll"),
                     hint])


def tier_cell(unit: UnitReport, policy: Policy | None, tiers: dict[int, str]) -> dict:
    """The unit's tier badge, its reasons on hover; "no data" without figures (`tiers`: tier_names(), looked up
    once for a table)."""
    if not unit.graded:
        return el("Span", unit_tier_name(unit, policy), className="text-muted small")
    reasons = "; ".join(reason_text(r) for r in unit.tier.reasons)
    return el("Span", tier_badge(unit.tier.tier, tiers[unit.tier.tier]), title=reasons or None)


def worst_high(target: object) -> bool:
    """True when high values are bad (no target, or a bound from above)."""
    return target is None or target.op != ">="


def school_table(report: Report, key: str, kinds: dict[str, tuple[str, bool]], target: object) -> html.Div:
    """The township's schools, worst first: name, type, value, numerator/denominator, status."""
    order = worst_first([u.values[key].value for u in report.units], worst_high(target))
    names, central = status_names(), _("central")
    rows = [el("Tr", [
        el("Td", [u.name, el("Span", central, className="badge text-bg-light border ms-1")
                  if kinds.get(u.code, ("", False))[1] else None]),
        el("Td", kinds.get(u.code, ("—", False))[0], className="text-nowrap"),
        el("Td", format_value(key, u.values[key].value), className="text-end text-nowrap"),
        el("Td", counts_text(u.values[key]), className="text-end text-nowrap text-muted"),
        el("Td", status_chip(u.evaluations[key].status, names)),
    ], **{"data-code": u.code}) for u in (report.units[i] for i in order)]
    head = el("Thead", el("Tr", [el("Th", _("School")), el("Th", _("Type")), el("Th", _("Value"), className="text-end"),
                                 el("Th", _("Numerator / denominator"), className="text-end"), el("Th", _("Status"))]))
    return html.Div([html.H4(_("Schools of the township"), className="h6 mt-1"),
                     html.Div(dbc.Table([head, el("Tbody", rows)], size="sm", hover=True, id="map-school-table",
                                        className="mb-0 align-middle bx-map-table"), className="table-responsive")])


def village_table(report: Report, key: str) -> html.Div:
    """The township's villages (by household attribution): name, value, numerator/denominator, status, tier."""
    names, tiers = status_names(), tier_names()
    rows = [el("Tr", [
        el("Td", u.name), el("Td", format_value(key, u.values[key].value), className="text-end text-nowrap"),
        el("Td", counts_text(u.values[key]), className="text-end text-nowrap text-muted"),
        el("Td", status_chip(u.evaluations[key].status, names)),
        el("Td", tier_cell(u, report.policy, tiers)),
    ], **{"data-code": u.code}) for u in sorted(report.units, key=lambda u: u.code)]
    head = el("Thead", el("Tr", [el("Th", _("Village")), el("Th", _("Value"), className="text-end"),
                                 el("Th", _("Numerator / denominator"), className="text-end"), el("Th", _("Status")),
                                 el("Th", _("Tier"))]))
    return html.Div([html.H4(_("Villages (children counted by household)"), className="h6 mt-1"),
                     html.Div(dbc.Table([head, el("Tbody", rows)], size="sm", hover=True, id="map-village-table",
                                        className="mb-0 align-middle bx-map-table"), className="table-responsive")])
