"""Colours and badges for target status and notification tiers (one palette for the whole app)."""
from __future__ import annotations

from components.plain import el

STATUS_COLORS = {"pass": "#198754", "warning": "#f0ad00", "fail": "#dc3545", "no_data": "#adb5bd",
                 "no_target": "#6c757d"}
STATUS_BG = {"pass": "#d1e7dd", "warning": "#fff3cd", "fail": "#f8d7da", "no_data": "#eceff1",
             "no_target": "#f8f9fa"}
TIER_COLORS = ("#198754", "#f0ad00", "#fd7e14", "#dc3545", "#6f1d1b")
TIER_TEXT = ("white", "black", "black", "white", "white")


def tier_badge(tier: int, label: str, badge_id: str | None = None) -> dict:
    """A coloured badge for a tier (a plain element: components.plain; one a row of long tables)."""
    kwargs = {"id": badge_id} if badge_id else {}
    return el("Span", label, style={"backgroundColor": TIER_COLORS[tier], "color": TIER_TEXT[tier]},
              className="badge bx-tier", **kwargs)
