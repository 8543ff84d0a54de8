"""Engine and session factory; callers own transactions (`with session.begin():`)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from data_access import audit, memo, writers


def make_engine(url: str, **kwargs: object) -> Engine:
    """Create an engine for SQLite (file or memory) or PostgreSQL with sensible settings."""
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs.setdefault("poolclass", StaticPool)
        else:
            path = url.split("///", 1)[-1]
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        if url not in ("sqlite://", "sqlite:///:memory:"):
            writers.install(engine, str(Path(path).resolve()))   # batched imports pause only for writers

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if url not in ("sqlite://", "sqlite:///:memory:"):
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
