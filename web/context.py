"""Per-request helpers for callbacks and routes: the DB session and the current user's scope."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask import current_app, g
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.exceptions import BadRequest, Forbidden

from data_access.scope import Scope


class BadInput(BadRequest):
    """A callback input no page sends (a malformed term code, a list where a code belongs): HTTP 400."""

    description = "A value in the request is not valid."


def require_term(term: object) -> str:
    """A term code as 2024-1 / 2024-2 (BadInput otherwise)."""
    from domain.terms import parse_term
    if not isinstance(term, str):
        raise BadInput()
    try:
        return parse_term(term).code
    except ValueError as exc:
        raise BadInput() from exc


class AreaRefused(Forbidden):
    """A request for data outside the user's scope (answered with HTTP 403)."""

    description = "You may not see this area."


def db() -> Session:
    """The request's database session (closed at the end of the request)."""
    if "db" not in g:
        g.db = current_app.extensions["baoxue"].session_factory()
    return g.db


@contextlib.contextmanager
def transaction() -> Iterator[Session]:
    """A session of its own for one write, committed at the end of the block (rolled back on error)."""
    from web.saves import committed
    with current_app.extensions["baoxue"].session_factory() as session, session.begin():
        yield session
    committed()                       # reached only when the block's write was committed


def close_db(_exc: BaseException | None = None) -> None:
    """Close the request's session, if one was opened."""
    session = g.pop("db", None)
    if session is not None:
        session.close()


def current_scope() -> Scope:
    """The logged-in user's scope, resolved once per request on the server."""
    if not current_user.is_authenticated:
        raise AreaRefused()
    return current_user.scope


def require_selection(selection: str | None) -> str:
    """Check a browser-sent area or school code against the user's scope; refuse otherwise."""
    from data_access.queries import selection_allowed
    scope = current_scope()
    if not isinstance(selection, str) or not selection or not selection_allowed(db(), scope, selection):
        raise AreaRefused()
    return selection
