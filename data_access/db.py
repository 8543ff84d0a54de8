"""Engine and session factory; callers own transactions (`with session.begin():`)."""
from __future__ import annotations

import os
import weakref
from pathlib import Path

from sqlalchemy import Engine, Select, create_engine, event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from data_access import audit, memo, writers


class _SQLiteHintCompiler(SQLiteCompiler):
    """SQLite's compiler, rendering a statement's table hints (SQLAlchemy's own renders none for SQLite): `using_index`."""

    def get_from_hint_text(self, table, text):  # noqa: ANN001, ANN201 - SQLAlchemy's signature
        return text


def using_index(stmt: Select, table: object, index: str) -> Select:
    """`stmt` reading `table` through `index` on SQLite (`INDEXED BY`; nothing elsewhere). For the partial indexes of
    a few rows of a large table (a term's 辍学 or graduating lines): without statistics SQLite picks among indexes of
    the same leading column by the order they were made in, and took (term_code, school_id, student_id) — every line
    of the term — over them once migration 0041 made it (the agreement check 5–7 s at province scale). An index the
    database lacks fails the statement, so the tests, on SQLite, find a name gone stale."""
    return stmt.with_hint(table, f"INDEXED BY {index}", dialect_name="sqlite")


_MEMORY = ("sqlite://", "sqlite:///:memory:")   # an in-memory SQLite database: one connection that is the database
_FORKABLE: weakref.WeakSet[Engine] = weakref.WeakSet()   # engines whose pools a forked child must not share


def _fresh_pools_in_child() -> None:
    """In a process just forked (gunicorn's workers from the preloaded master, an import job's child): every engine
    forgets the connections it inherited, without closing them (they are the parent's), and opens its own."""
    for engine in list(_FORKABLE):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_fresh_pools_in_child)


def make_engine(url: str, **kwargs: object) -> Engine:
    """Create an engine for SQLite (file or memory) or PostgreSQL with sensible settings. A forked child of this
    process gets fresh connections (an in-memory database keeps its one)."""
    engine = _make_engine(url, **kwargs)
    if url not in _MEMORY:
        _FORKABLE.add(engine)
    return engine


def _make_engine(url: str, **kwargs: object) -> Engine:
    if url.startswith("sqlite"):
        if url in _MEMORY:
            kwargs.setdefault("poolclass", StaticPool)
        else:
            path = url.split("///", 1)[-1]
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        engine.dialect.statement_compiler = _SQLiteHintCompiler
        if url not in _MEMORY:
            writers.install(engine, str(Path(path).resolve()))   # batched imports pause only for writers

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if url not in _MEMORY:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose sessions write the audit log on every flush."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    audit.install(factory)
    memo.install(factory)
    return factory
