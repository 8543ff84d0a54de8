"""Pages a role may not open answer with the shared "no access" panel instead of their frame (whose
callbacks would be refused with HTTP 403 and leave the page blank)."""
from __future__ import annotations

from collections.abc import Callable

import dash
from flask_login import current_user

from components.access import no_access


def allowed_roles(page: dict) -> tuple[str, ...]:
    """The roles that may open a page: its `see_roles`, else its navigation `roles` (empty: every role)."""
    return tuple(page.get("see_roles") or page.get("roles") or ())


def _guarded(layout: Callable, roles: tuple[str, ...]) -> Callable:
    def layout_for_role(**query: str) -> object:
        """The page for its roles; the "no access" panel for the others."""
        if roles and getattr(current_user, "role", None) not in roles:
            return no_access()
        return layout(**query)
    layout_for_role.__doc__ = layout.__doc__
    return layout_for_role


def guard_pages() -> None:
    """Wrap every registered page's layout with its role check (once, after the pages are registered)."""
    for page in dash.page_registry.values():
        layout, roles = page.get("layout"), allowed_roles(page)
        if callable(layout) and roles and not getattr(layout, "guarded", False):
            page["layout"] = _guarded(layout, roles)
            page["layout"].guarded = True


def refused(check: Callable[[], object]) -> bool:
    """True when a read check refuses the user (outside their area, or unknown: the two look the same)."""
    from data_access.cases.cases import CaseRefused
    from data_access.inspection.access import VisitRefused
    from data_access.rectification.orders import OrderRefused
    from web.context import AreaRefused
    try:
        check()
    except (AreaRefused, CaseRefused, VisitRefused, OrderRefused):
        return True
    return False
