"""Helpers of the inspection pages: the acting user, refusals as HTTP 403, and saves that take the
visit's version (a conflict or a signed visit shows a banner, a bad value a message by the field).

Not a page itself (Dash imports only the modules of pages/ that register one).
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
from dash import html, set_props
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from components.inspection.visit import VISIT_ALERT, VISIT_SAVED_AT
from wording.inspection import conflict_text, error_text, locked_text
from data_access.inspection.access import (Actor, InvalidInput, VisitAccess, VisitConflict, VisitLocked, VisitRefused,
                                    actor_of, require_read, visit_access)
from domain.localtime import LOCAL_TZ
from web.context import AreaRefused, db, transaction


def current_actor() -> Actor:
    """The logged-in user as an Actor (scope resolved on the server)."""
    if not current_user.is_authenticated:
        raise AreaRefused()
    return actor_of(current_user)


def readable(visit_id: Any) -> VisitAccess:
    """The user's access to a visit they may read; HTTP 403 otherwise (unknown ids too)."""
    try:
        return require_read(db(), current_actor(), visit_id)
    except VisitRefused as exc:
        raise AreaRefused() from exc


def require_role(*roles: str) -> Actor:
    """The acting user if their role is one of these; HTTP 403 otherwise."""
    actor = current_actor()
    if actor.role not in roles:
        raise AreaRefused()
    return actor


@dataclass(frozen=True)
class Saved:
    """The outcome of a save: done (with the action's value), or refused with a message."""

    ok: bool
    value: Any = None
    error: str | None = None
    code: str | None = None  # the refusal's code (InvalidInput), for pages that act on a particular one


def banner(text: str, color: str = "danger") -> dbc.Alert:
    """The page-wide message of a refused save."""
    return dbc.Alert([html.I(className="bi bi-exclamation-octagon-fill me-2"), text,
                      html.A(_("Reload"), href="", className="alert-link ms-2", id="visit-alert-reload")],
                     color=color, className="py-2", id="visit-alert-box")


def _allowed(session: Session, actor: Actor, visit_id: Any, need: str) -> bool:
    access = visit_access(session, actor, visit_id)
    if access is None or not access.can_read:
        return False
    return {"read": True, "edit": access.is_editor, "lead": access.is_leader}[need]


_UNCHECKED = object()


def save(action: Callable[[Session, Actor], Any], page_wide: bool = True, visit_id: Any = _UNCHECKED,
         need: str = "edit") -> Saved:
    """Run a write in its own transaction; refusals become messages (permission refusals HTTP 403).

    With `visit_id`, the user's right on that visit (read, edit or lead) is checked first, before any
    value from the browser is looked at; the data_access function checks it again.
    """
    actor = current_actor()
    try:
        with transaction() as session:
            if visit_id is not _UNCHECKED and not _allowed(session, actor, visit_id, need):
                raise VisitRefused()
            value = action(session, actor)
    except VisitRefused as exc:
        raise AreaRefused() from exc
    except VisitConflict as exc:
        text = conflict_text(exc.by, exc.at)
        if page_wide:
            set_props(VISIT_ALERT, {"children": banner(text)})
        return Saved(False, error=text)
    except VisitLocked:
        text = locked_text()
        if page_wide:
            set_props(VISIT_ALERT, {"children": banner(text, "warning")})
        return Saved(False, error=text)
    except InvalidInput as exc:
        return Saved(False, error=error_text(exc.code, exc.params), code=exc.code)
    if page_wide and value is not False:
        now = dt.datetime.now(LOCAL_TZ).strftime("%H:%M:%S")
        set_props(VISIT_SAVED_AT, {"children": [html.I(className="bi bi-cloud-check me-1"),
                                                _("All changes saved · %(time)s", time=now)]})
    return Saved(True, value)


MAX_UPLOAD_CHARS = 15_000_000  # base64 of a little more than 10 MB: refuse bigger before decoding


def decode_upload(contents: Any) -> bytes | None:
    """The bytes of a dcc.Upload data URL, or None when it is not one or is too large to decode."""
    if not isinstance(contents, str) or "," not in contents or len(contents) > MAX_UPLOAD_CHARS:
        return None
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return None


def upload_refusal(contents: Any) -> str:
    """Why an upload could not be decoded: too_large or bad_type."""
    return "too_large" if isinstance(contents, str) and len(contents) > MAX_UPLOAD_CHARS else "bad_type"


def as_int(value: Any) -> int | None:
    """An integer from a number field (None when empty); anything else stays as it is for the checks."""
    if value in (None, ""):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value
