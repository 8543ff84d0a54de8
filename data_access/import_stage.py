"""A staging table for big imports: the parsed rows of a file go into a temporary table of the
session's connection (COPY on PostgreSQL, driver executemany on SQLite), so that whole-file checks
and the compare-and-write run as set-based SQL and Python holds only one chunk of rows at a time.

The table is private to the connection, lives inside the caller's transaction and is dropped at the end."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Column, Connection, Index, MetaData, Select, Table, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

STAGE_CHUNK = 5000


class Stage:
    """A temporary table of staged rows: `row` (the file's row number) first, then the given columns."""

    def __init__(self, session: Session, name: str, columns: Sequence[tuple[str, TypeEngine[Any]]],
                 extra: Sequence[tuple[str, TypeEngine[Any]]] = ()) -> None:
        from sqlalchemy import Integer
        self.session = session
        self.conn: Connection = session.connection()
        self.dialect = self.conn.dialect.name
        self.loaded = [c for c, _ in columns]
        metadata = MetaData()
        self.table = Table(name, metadata, Column("row", Integer, primary_key=True),
                           *(Column(c, t) for c, t in columns), *(Column(c, t) for c, t in extra),
                           prefixes=["TEMPORARY"], postgresql_on_commit="DROP")
        self.c = self.table.c
        self._buffer: list[tuple[Any, ...]] = []
        self._dates = [i for i, (_, t) in enumerate(columns, 1) if t.python_type is dt.date]
        self.count = 0
        self._derived: list[str] = []
        self.drop()
        self.table.create(self.conn)

    def add(self, row: tuple[Any, ...]) -> None:
        """Stage one row: (row number, *values in column order); dates may come as ISO text."""
        self._buffer.append(row)
        if len(self._buffer) >= STAGE_CHUNK:
            self.flush()

    def add_many(self, rows: list[tuple[Any, ...]]) -> None:
        """Stage several rows (see add)."""
        self._buffer.extend(rows)
        if len(self._buffer) >= STAGE_CHUNK:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows to the table."""
        rows, self._buffer = self._buffer, []
        if not rows:
            return
        self.count += len(rows)
        names = ["row", *self.loaded]
        if self.dialect == "postgresql":
            raw = self.conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(f"COPY {self.table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        if self._dates and any(r[i].__class__ is dt.date for r in rows[:1] for i in self._dates):
            rows = [_iso_dates(r, self._dates) for r in rows]   # SQLite stores dates as ISO text, as SQLAlchemy does
        sql = f"INSERT INTO {self.table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        self.conn.exec_driver_sql(sql, rows)

    def index(self, *columns: str) -> None:
        """Index staged columns (after loading: one sort instead of a million index updates)."""
        Index(f"ix_{self.table.name}_{'_'.join(columns)}", *(self.c[c] for c in columns)).create(self.conn)
        if self.dialect == "postgresql":
            self.conn.execute(text(f"ANALYZE {self.table.name}"))

    def duplicates(self, column: str) -> Iterator[tuple[int, Any, int]]:
        """(row, value, first row) of every staged row whose value appeared on an earlier row."""
        col = self.c[column]
        first = (select(col.label("value"), func.min(self.c.row).label("first_row"))
                 .where(col.is_not(None)).group_by(col).having(func.count() > 1).subquery())
        stmt = (select(self.c.row, col, first.c.first_row).join(first, first.c.value == col)
                .where(self.c.row != first.c.first_row).order_by(self.c.row))
        yield from self.conn.execute(stmt)

    def derive(self, name: str, query: Select[Any], extra: Sequence[tuple[str, TypeEngine[Any]]]) -> Table:
        """A second temporary table made from a query over this one (CREATE TEMP TABLE … AS SELECT): its columns
        are this table's and `extra`. Dropped with this one."""
        self._drop(name)
        sql = query.compile(dialect=self.conn.dialect, compile_kwargs={"literal_binds": True})
        on_commit = " ON COMMIT DROP" if self.dialect == "postgresql" else ""
        self.conn.execute(text(f"CREATE TEMPORARY TABLE {name}{on_commit} AS {sql}"))
        if self.dialect == "postgresql":
            self.conn.execute(text(f"ANALYZE {name}"))
        self._derived.append(name)
        return Table(name, MetaData(), *(Column(c.name, c.type) for c in self.table.columns),
                     *(Column(c, t) for c, t in extra))

    def _drop(self, name: str) -> None:
        schema = "pg_temp" if self.dialect == "postgresql" else "temp"
        self.conn.execute(text(f"DROP TABLE IF EXISTS {schema}.{name}"))

    def drop(self) -> None:
        """Drop the table and the tables derived from it, if they exist (on this connection; never a permanent
        table of that name)."""
        for name in [*getattr(self, "_derived", []), self.table.name]:
            self._drop(name)
        self._derived = []


def _iso_dates(row: tuple[Any, ...], positions: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for i in positions:
        if values[i].__class__ is dt.date:
            values[i] = values[i].isoformat()
    return tuple(values)
