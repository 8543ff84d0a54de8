"""The compliance matrix of every school as an AG Grid fed with row data: hundreds of schools × the
indicators as Dash components (a Td, Div and Small per cell) froze the browser for 15–20 s."""
from __future__ import annotations

import dash_ag_grid as dag
from flask_babel import gettext as _

from components.controls import grid
from components.status import STATUS_BG, STATUS_COLORS
from domain.dashboard.indicators import INDICATOR_BY_KEY, INDICATORS
from domain.dashboard.report import Report, UnitReport
from wording.dashboard import format_value, indicator_name, status_names, target_text, tier_name


def _row(unit: UnitReport, labels: dict[str, str]) -> dict:
    """A unit's grid row; `labels` are the status names in the user's language (looked up once per grid, not per
    cell: hundreds of schools × the indicators)."""
    row: dict = {"name": unit.name, "code": unit.code,
                 "tier": tier_name(unit.tier.tier) if unit.has_data else labels["no_data"]}
    for i in INDICATORS:
        value, ev = unit.values[i.key], unit.evaluations[i.key]
        detail = (f"{value.numerator:,}/{value.denominator:,}" if INDICATOR_BY_KEY[i.key].is_rate
                  and value.numerator is not None and value.denominator else "")
        row[i.key] = value.value
        row[f"{i.key}__text"] = format_value(i.key, value.value)
        row[f"{i.key}__status"] = ev.status
        row[f"{i.key}__tip"] = " · ".join(t for t in (labels[ev.status], detail) if t)
    return row


def _status_style(key: str) -> dict:
    """The cell coloured by its status (the colours of the HTML matrix and the map)."""
    return {"styleConditions": [
        {"condition": f"params.data['{key}__status'] === '{status}'",
         "style": {"backgroundColor": STATUS_BG[status], "borderLeft": f"4px solid {STATUS_COLORS[status]}"}}
        for status in STATUS_BG]}


def compliance_grid(report: Report, total: UnitReport | None, grid_id: str) -> dag.AgGrid:
    """Every unit × indicator, coloured by status, sortable, 20 rows a page; the selection pinned on top."""
    targets = report.policy.targets if report.policy else {}
    columns = [{"field": "name", "headerName": _("Area"), "pinned": "left", "minWidth": 160},
               {"field": "tier", "headerName": _("Tier"), "minWidth": 90}]
    for i in INDICATORS:
        columns.append({"field": i.key, "headerName": indicator_name(i.key),
                        "headerTooltip": target_text(targets.get(i.key)), "type": "rightAligned",
                        "valueFormatter": {"function": f"params.data['{i.key}__text']"},
                        "tooltipField": f"{i.key}__tip", "cellStyle": _status_style(i.key),
                        "filter": "agNumberColumnFilter", "minWidth": 110})
    labels = status_names()
    return grid(paginate=True, id=grid_id, rowData=[_row(u, labels) for u in report.units], columnDefs=columns,
                getRowId="params.data.code", className="bx-grid bx-matrix-grid",
                options={"pinnedTopRowData": [_row(total, labels)] if total else [], "tooltipShowDelay": 300})
