"""KPI cards."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def kpi_card(card_id: str, label: str, value: str, icon: str, tone: str = "primary", note: str = "") -> dbc.Card:
    """A card with an icon, a label and a large figure."""
    return dbc.Card(dbc.CardBody([
        html.Div([html.I(className=f"bi bi-{icon} fs-3 text-{tone}"),
                  html.Span(label, className="ms-2 text-muted")], className="d-flex align-items-center"),
        html.Div(value, id=card_id, className=f"display-6 fw-semibold mt-2 text-{tone}"),
        html.Small(note, className="text-muted") if note else None,
    ]), className="h-100 shadow-sm bx-kpi")

