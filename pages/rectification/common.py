"""Helpers of the rectification pages: run a write as the logged-in user in its own transaction and
turn refusals into HTTP 403 (strangers, unknown ids) or a message (stale page, illegal step, bad value).

Not a page itself (imported by pages/rectification.py and pages/rectification_order.py).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from wording.rectification import conflict_text, error_text
from data_access.inspection.access import Actor, InvalidInput
from data_access.rectification.orders import OrderConflict, OrderRefused
from domain.rectification.rules import IllegalTransition
from pages.inspection.common import Saved, current_actor
from web.context import AreaRefused, transaction


def run(action: Callable[[Session, Actor], Any]) -> Saved:
    """Run a write; OrderRefused becomes HTTP 403, the other refusals a message (nothing written)."""
    actor = current_actor()
    try:
        with transaction() as session:
            value = action(session, actor)
    except OrderRefused as exc:
        raise AreaRefused() from exc
    except OrderConflict as exc:
        return Saved(False, error=conflict_text(exc.by, exc.at))
    except (IllegalTransition, InvalidInput) as exc:
        return Saved(False, error=error_text(exc.code, exc.params))
    return Saved(True, value)


def as_id(value: Any) -> int | None:
    """An id from a store or query string (digits only); None otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 10 else None
