"""Bulk loading for the demo: Core executemany in chunks, or a driver fast path for big tables."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from data_access.models import Base

CHUNK = 20_000


def _table(model: type[Base]) -> Any:
    return model.__table__  # type: ignore[attr-defined]


def insert_dicts(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows with Core `insert(Model)` executemany, CHUNK rows at a time."""
    for i in range(0, len(rows), CHUNK):
        session.execute(insert(model), list(rows[i:i + CHUNK]))
    return len(rows)


def insert_columns(session: Session, model: type[Base], columns: dict[str, list[Any]], *, fast: bool = False) -> int:
    """Insert column lists (equal lengths, plain Python values) as rows.

    `fast=False` uses Core executemany; `fast=True` goes to the driver: executemany with
    tuples on SQLite, COPY on PostgreSQL. Both store the same values.
    """
    names = list(columns)
    n = len(columns[names[0]]) if names else 0
    if n == 0:
        return 0
    if not fast:
        for i in range(0, n, CHUNK):
            chunk = [dict(zip(names, values)) for values in zip(*(columns[c][i:i + CHUNK] for c in names))]
            session.execute(insert(model), chunk)
        return n
    table = _table(model).name
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            for row in zip(*(columns[c] for c in names)):
                copy.write_row(row)
        return n
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    converted = [[v.isoformat() if isinstance(v, dt.date) else v for v in columns[c]]
                 if columns[c] and isinstance(columns[c][0], dt.date) else columns[c] for c in names]
    for i in range(0, n, CHUNK):
        conn.exec_driver_sql(sql, list(zip(*(col[i:i + CHUNK] for col in converted))))
    return n


def next_id(session: Session, model: type[Base]) -> int:
    """One more than the highest id of a table (1 when empty)."""
    return int(session.scalar(select(func.coalesce(func.max(_table(model).c.id), 0))) or 0) + 1


def sync_sequences(session: Session, models: Sequence[type[Base]]) -> None:
    """After inserts with explicit ids, move PostgreSQL's id sequences past the highest id."""
    if session.connection().dialect.name != "postgresql":
        return
    for model in models:
        name = _table(model).name
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))


def tune_sqlite_for_bulk(session: Session) -> None:
    """A larger page cache for this SQLite connection (no effect on PostgreSQL)."""
    if session.connection().dialect.name == "sqlite":
        session.connection().exec_driver_sql("PRAGMA cache_size=-262144")


def analyze(session: Session, models: Sequence[type[Base]]) -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load (no effect on SQLite)."""
    if session.connection().dialect.name == "postgresql":
        for model in models:
            session.execute(text(f"ANALYZE {_table(model).name}"))
