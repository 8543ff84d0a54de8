"""Audit log: every ORM change (who, when, what, before/after) and explicit bulk-change records."""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import inspect, insert
from sqlalchemy.orm import Session, sessionmaker

from data_access.audit_areas import hint, resolve

_actor: contextvars.ContextVar[tuple[int | None, str]] = contextvars.ContextVar(
    "baoxue_actor", default=(None, "system"))

# Derived or secret data that is not audited column by column.
_SKIP_TABLES = {"audit_log", "roster_agg", "published_unit_counts", "issued_document", "document_sequence",
                "scheduled_draft"}  # documents: audited as "issue"
_REDACT = {"password_hash"}


@contextlib.contextmanager
def acting_as(user_id: int | None, name: str) -> Iterator[None]:
    """Attribute changes made inside the block to this user (or CLI/system actor)."""
    token = _actor.set((user_id, name))
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(user_id: int | None, name: str) -> None:
    """Attribute changes of the current context (a request) to this user."""
    _actor.set((user_id, name))


def actor() -> tuple[int | None, str]:
    """The user id (None for the CLI or the system) and name changes are attributed to now."""
    return _actor.get()


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _row(obj: Any) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {c.key: ("***" if c.key in _REDACT else _jsonable(getattr(obj, c.key)))
            for c in mapper.column_attrs}


def _key(obj: Any) -> str:
    ident = inspect(obj).mapper.primary_key_from_instance(obj)
    return "/".join(str(v) for v in ident)


def _entry(action: str, entity: str, key: str, before: Any, after: Any, area: str | None = None) -> dict[str, Any]:
    user_id, name = _actor.get()
    return {
        "at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), "user_id": user_id, "area_code": area,
        "actor": name, "action": action, "entity": entity, "entity_key": key[:100],
        "before": None if before is None else json.dumps(before, ensure_ascii=False, default=str),
        "after": None if after is None else json.dumps(after, ensure_ascii=False, default=str),
    }


def record(session: Session, action: str, entity: str, key: str,
           before: Any = None, after: Any = None, *, area: str | None = None) -> None:
    """Write one audit entry explicitly (bulk imports, reveals, logins); `area` defaults to the named row's."""
    from data_access.audit_areas import entity_area
    from data_access.models import AuditLog
    if area is None:
        area = entity_area(session.connection(), entity, key, _actor.get()[0])
    session.execute(insert(AuditLog), [_entry(action, entity, key, before, after, area)])


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    pending = session.info.setdefault("audit_pending", [])
    for obj in session.dirty:
        table = inspect(obj).mapper.local_table.name
        if table in _SKIP_TABLES or not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        before, after = {}, {}
        for attr in state.mapper.column_attrs:
            hist = state.attrs[attr.key].history
            if hist.has_changes():
                old = hist.deleted[0] if hist.deleted else None
                new = hist.added[0] if hist.added else None
                redact = attr.key in _REDACT
                before[attr.key] = "***" if redact else _jsonable(old)
                after[attr.key] = "***" if redact else _jsonable(new)
        if after:
            pending.append(("update", table, _key(obj), before, after, hint(table, obj)))
    for obj in session.deleted:
        table = inspect(obj).mapper.local_table.name
        if table not in _SKIP_TABLES:
            pending.append(("delete", table, _key(obj), _row(obj), None, hint(table, obj)))
    session.info["audit_new"] = [o for o in session.new
                                 if inspect(o).mapper.local_table.name not in _SKIP_TABLES]


def _after_flush(session: Session, _ctx: Any) -> None:
    from data_access.models import AuditLog
    pending = list(session.info.pop("audit_pending", []))
    for obj in session.info.pop("audit_new", []):
        table = inspect(obj).mapper.local_table.name
        pending.append(("insert", table, _key(obj), None, _row(obj), hint(table, obj)))
    if pending:
        conn = session.connection()
        areas = resolve(conn, [p[5] for p in pending], _actor.get()[0])
        conn.execute(insert(AuditLog), [_entry(*p[:5], area) for p, area in zip(pending, areas)])


def install(factory: sessionmaker[Session]) -> None:
    """Attach the audit listeners to sessions made by this factory."""
    from sqlalchemy import event
    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "after_flush", _after_flush)
