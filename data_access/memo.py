"""Per-session memos (issue 19 §3): a value read once per database session, i.e. once per web request (a request has
one session, closed at its end: web.context.db), never shared between requests or users.

`memo(session, key, compute)` keeps `compute()` in `session.info` until the session writes (flush), commits or
rolls back, so a request that changes terms or policies reads them afresh afterwards.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
_KEY = "baoxue_memo"


def memo(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """compute() once per session (until it writes) for this key."""
    store = session.info.setdefault(_KEY, {})
    if key not in store:
        store[key] = compute()
    return store[key]


def forget(session: Session, *_args: object) -> None:
    """Drop the session's memos (after a flush, commit or rollback)."""
    session.info.pop(_KEY, None)


def install(factory: sessionmaker[Session]) -> None:
    """Clear memos whenever a session of this factory writes or ends a transaction."""
    for name in ("after_flush", "after_commit", "after_soft_rollback"):
        event.listen(factory, name, forget)
