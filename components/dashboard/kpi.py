"""KPI cards."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.status import STATUS_BG, STATUS_COLORS


def kpi_card(card_id: str, label: str, value: str, icon: str, tone: str = "primary", note: str = "") -> dbc.Card:
    """A card with an icon, a label and a large figure."""
    return dbc.Card(dbc.CardBody([
        html.Div([html.I(className=f"bi bi-{icon} fs-3 text-{tone}"),
                  html.Span(label, className="ms-2 text-muted")], className="d-flex align-items-center"),
        html.Div(value, id=card_id, className=f"display-6 fw-semibold mt-2 text-{tone}"),
        html.Small(note, className="text-muted") if note else None,
    ]), className="h-100 shadow-sm bx-kpi")


def indicator_card(card_id: str, name: str, value: str, detail: str, target: str, status: str,
                   status_label: str) -> dbc.Card:
    """A small card for one indicator: value, numerator/denominator, target and its status colour."""
    return dbc.Card(dbc.CardBody([
        html.Div(name, className="small text-muted text-truncate", title=name),
        html.Div(value, id=card_id, className="fs-4 fw-semibold", style={"color": STATUS_COLORS[status]}),
        html.Div([html.Span(detail, className="me-2") if detail else None,
                  html.Span(target, className="text-nowrap")], className="small text-muted"),
        html.Span(status_label, className="badge mt-1",
                  style={"backgroundColor": STATUS_COLORS[status], "color": "white"}),
    ], className="p-2"), className="h-100 shadow-sm", style={"backgroundColor": STATUS_BG[status],
                                                           "borderLeft": f"4px solid {STATUS_COLORS[status]}"})
