"""A staging table for big imports: the parsed rows of a file go into a temporary table of the
session's connection (COPY on PostgreSQL, driver executemany on SQLite), so that whole-file checks
and the compare-and-write run as set-based SQL and Python holds only one chunk of rows at a time.

The table is private to the connection, lives inside the caller's transaction and is dropped at the end. On
PostgreSQL a temporary table is not written to the WAL, and one COPY stays open while the file is read."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Column, Connection, Index, MetaData, Select, Table, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from data_access.imports.bulk import local_setting

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
        # row numbers are unique by construction: SQLite's rowid is free, a PostgreSQL index would cost the COPY
        self.table = Table(name, metadata, Column("row", Integer, primary_key=self.dialect != "postgresql"),
                           *(Column(c, t) for c, t in columns), *(Column(c, t) for c, t in extra),
                           prefixes=["TEMPORARY"], postgresql_on_commit="DROP")
        self.c = self.table.c
        self._buffer: list[tuple[Any, ...]] = []
        self._dates = [i for i, (_, t) in enumerate(columns, 1) if t.python_type is dt.date]
        self.count = 0
        self._derived: list[str] = []
        self._copy: Any = None
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
        """Write the buffered rows to the table (on PostgreSQL into one COPY kept open while the file is read, so
        the server stores rows while Python parses the next ones; `close()` ends it)."""
        rows, self._buffer = self._buffer, []
        if not rows:
            return
        self.count += len(rows)
        if self.dialect == "postgresql":
            if self._copy is None:
                self._open_copy()
            write = self._copy.write_row
            for row in rows:
                write(row)
            return
        if self._dates and any(r[i].__class__ is dt.date for r in rows[:1] for i in self._dates):
            rows = [_iso_dates(r, self._dates) for r in rows]   # SQLite stores dates as ISO text, as SQLAlchemy does
        names = ["row", *self.loaded]
        sql = f"INSERT INTO {self.table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        self.conn.exec_driver_sql(sql, rows)

    def _open_copy(self) -> None:
        raw = self.conn.connection.driver_connection
        self._cursor = raw.cursor()
        names = ", ".join(["row", *self.loaded])
        self._copy_cm = self._cursor.copy(f"COPY {self.table.name} ({names}) FROM STDIN")
        self._copy = self._copy_cm.__enter__()

    def close(self) -> None:
        """Write what is buffered and end the COPY (before any other statement on the connection)."""
        self.flush()
        if self._copy is not None:
            cm, self._copy = self._copy_cm, None
            try:
                cm.__exit__(None, None, None)
            finally:
                self._cursor.close()

    def abandon(self) -> None:
        """Give up an open COPY after an unexpected error (the transaction is then to be rolled back)."""
        if self._copy is not None:
            cm, self._copy = self._copy_cm, None
            try:
                cm.__exit__(RuntimeError, RuntimeError("import abandoned"), None)
            except Exception:  # noqa: BLE001 - the COPY fails on purpose; the caller's error is the one to raise
                pass
            finally:
                self._cursor.close()

    def unique(self, column: str, bytewise: bool = False) -> bool:
        """Index a staged column as unique (ignoring empty values) when its values are: True, else index it plainly
        and return False (then `duplicates` lists them). One sort either way; no GROUP BY when the file is clean.
        `bytewise`: order the index by bytes (PostgreSQL's "C" collation: equal means the same as in any
        deterministic collation, and sorting a million codes is several times faster than by the locale's rules)."""
        self.close()
        col = self.c[column]
        key = col.collate("C") if bytewise and self.dialect == "postgresql" else col
        index = Index(f"ix_{self.table.name}_{column}", key, unique=True,
                      sqlite_where=col.is_not(None), postgresql_where=col.is_not(None))
        savepoint = self.dialect == "postgresql"      # a failed statement aborts the transaction there
        if savepoint:
            self.conn.exec_driver_sql("SAVEPOINT import_stage_unique")
        try:
            index.create(self.conn)
        except IntegrityError:
            if savepoint:
                self.conn.exec_driver_sql("ROLLBACK TO SAVEPOINT import_stage_unique")
            self.index(column)
            return False
        if savepoint:
            self.conn.exec_driver_sql("RELEASE SAVEPOINT import_stage_unique")
        return True

    def index(self, *columns: str) -> None:
        """Index staged columns (after loading: one sort instead of a million index updates)."""
        self.close()
        Index(f"ix_{self.table.name}_{'_'.join(columns)}", *(self.c[c] for c in columns)).create(self.conn)

    def duplicates(self, column: str, shown: str | None = None) -> Iterator[tuple[int, Any, int]]:
        """(row, value, first row) of every staged row whose value appeared on an earlier row; the value is that of
        the column `shown` (default `column`: a key column may stand for a text one, e.g. a number for a code)."""
        self.close()
        col = self.c[column]
        first = (select(col.label("value"), func.min(self.c.row).label("first_row"))
                 .where(col.is_not(None)).group_by(col).having(func.count() > 1).subquery())
        stmt = (select(self.c.row, self.c[shown or column], first.c.first_row).join(first, first.c.value == col)
                .where(self.c.row != first.c.first_row).order_by(self.c.row))
        yield from self.conn.execute(stmt)

    def derive(self, name: str, query: Select[Any], extra: Sequence[tuple[str, TypeEngine[Any]]]) -> Table:
        """A second temporary table made from a query over this one (CREATE TEMP TABLE … AS SELECT): its columns
        are this table's and `extra`. Dropped with this one."""
        self.close()
        self._drop(name)
        sql = query.compile(dialect=self.conn.dialect, compile_kwargs={"literal_binds": True})
        on_commit = " ON COMMIT DROP" if self.dialect == "postgresql" else ""
        if self.dialect == "postgresql":     # autovacuum never analyzes temporary tables: without statistics
            self._analyze(self.table.name)   # the planner guessed (61–71 s previews)
        self.conn.execute(text(f"CREATE TEMPORARY TABLE {name}{on_commit} AS {sql}"))
        if self.dialect == "postgresql":
            self._analyze(name)
        self._derived.append(name)
        return Table(name, MetaData(), *(Column(c.name, c.type) for c in self.table.columns),
                     *(Column(c, t) for c, t in extra))

    def _analyze(self, name: str) -> None:
        """PostgreSQL: statistics of a temporary table from a sample of 3,000 rows (statistics target 10): the
        planner needs its size and rough counts of distinct values, not fine histograms; the default sample of
        30,000 rows took 0.2 s a table for a 100,000-row file. The setting is put back for the caller's ANALYZEs."""
        with local_setting(self.session, "default_statistics_target", "10"):
            self.conn.execute(text(f"ANALYZE {name}"))

    def _drop(self, name: str) -> None:
        schema = "pg_temp" if self.dialect == "postgresql" else "temp"
        self.conn.execute(text(f"DROP TABLE IF EXISTS {schema}.{name}"))

    def drop(self) -> None:
        """Drop the table and the tables derived from it, if they exist (on this connection; never a permanent
        table of that name)."""
        self._buffer = []
        self.close()                 # end an open COPY normally (its rows are dropped with the table)
        for name in [*getattr(self, "_derived", []), self.table.name]:
            self._drop(name)
        self._derived = []


def _iso_dates(row: tuple[Any, ...], positions: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for i in positions:
        if values[i].__class__ is dt.date:
            values[i] = values[i].isoformat()
    return tuple(values)
