"""PostgreSQL settings and tricks for large loads, used by the roster import's write step (bench/results-import.md).

* `bulk_settings`: the import transaction commits without waiting for the WAL flush (`synchronous_commit =
  off` for this transaction only: a crash right after the commit may lose the import, never corrupt the database;
  the file can simply be imported again), and its joins and sorts get WORK_MEM.
* `next_ids_sql`: new rows take their ids from the table's sequence while the compare step runs, so writing the
  children of new rows needs no join back on a natural key.
* `foreign_keys_checked_once`: a large insert into a table with foreign keys fires one check per row and key
  (a query each: half of a million-row roster's write time); the table's foreign keys are dropped for the insert
  and added back `NOT VALID` + `VALIDATE CONSTRAINT`, which checks every row once with one join, inside the same
  transaction (so a row that breaks a key still fails the import and nothing is written). Dropping the keys takes
  ACCESS EXCLUSIVE locks on the table and the tables it references until the commit: readers of those tables wait
  for the end of the import (about 8 seconds for a million new records). So this is done only for large loads
  (BULK_ROWS, and at least 1/TABLE_SHARE of the table), and only when the locks come within LOCK_WAIT; otherwise
  the rows are inserted with the per-row checks as usual. On a partitioned table (roster_record on PostgreSQL,
  data_access.partitions) the keys are added back valid at once (PostgreSQL before 18 cannot add a NOT VALID foreign
  key to a partitioned table): the same one join per partition, under the same locks.

Nothing of these does anything on SQLite (its checks are cheap). For SQLite, `temp_storage_for`: an import's
temporary tables (the staged file, the matched rows and their indexes) kept in memory instead of a temporary file
for a file of up to MEMORY_TEMP_ROWS rows: 0.2–0.4 s of a county's 100,000 rows into the province database, for
~70 MB more memory (peak 142 → 211 MB); a larger file's stay on disk, so an import's memory stays bounded."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from data_access.partitions import is_partitioned

BULK_ROWS = 100_000           # rows from which a PostgreSQL insert goes without per-row foreign-key checks …
TABLE_SHARE = 8               # … when they are at least an eighth of the rows already in the table
WORK_MEM = "64MB"             # per sort or hash of the import transaction (the server's default is 4MB)
LOCK_WAIT = "2s"              # how long to wait for the locks of dropping the keys before giving up on it
MEMORY_TEMP_ROWS = 200_000    # SQLite: an import's temporary tables in memory up to this many rows (~70 MB a 100,000)


def is_postgresql(session: Session) -> bool:
    """True when the session's database is PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


BULK_CACHE_KB = 262_144     # SQLite's page cache while an import writes (256 MB)


def bulk_settings(session: Session) -> None:
    """For the rest of this transaction (PostgreSQL): commit without waiting for the WAL flush, and let joins and
    sorts of a large file work in memory (WORK_MEM) rather than in temporary files; SQLite: a large page cache."""
    if is_postgresql(session):
        session.execute(text("SET LOCAL synchronous_commit = off"))
        session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    else:     # a large page cache for the import's connection (until bulk_done): a province's 5 million students'
        # name and ID-number indexes take the new pupils at random places (SQLite's default 2 MB: ~25% slower)
        session.execute(text(f"PRAGMA cache_size = -{BULK_CACHE_KB}"))


def bulk_done(session: Session) -> None:
    """SQLite: the connection's page cache back to its default once the import is over (it returns to the pool)."""
    if not is_postgresql(session):
        with contextlib.suppress(Exception):
            session.execute(text("PRAGMA cache_size = -2000"))


def temp_storage_for(session: Session, rows: int) -> None:
    """SQLite: before an import makes its temporary tables, keep them in memory when the file has at most
    MEMORY_TEMP_ROWS rows, else in a temporary file (SQLite's default). It is the connection's setting: each import
    sets it for itself, and the other temporary tables of the app are small. SQLite refuses the change inside a
    transaction that has used temporary storage already (a caller's earlier temporary table): the storage then stays
    as it is."""
    if is_postgresql(session):
        return
    wanted = 2 if 0 < rows <= MEMORY_TEMP_ROWS else 0          # 2: MEMORY; 0: DEFAULT (a file); 0 rows: unknown
    if session.execute(text("PRAGMA temp_store")).scalar() != wanted:
        with contextlib.suppress(OperationalError):
            session.execute(text(f"PRAGMA temp_store = {wanted}"))


def next_ids_sql(session: Session, table: str, column: str = "id") -> str:
    """The SQL expression `nextval('<the column's sequence>')` (PostgreSQL)."""
    sequence = session.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table, "c": column}).scalar()
    if not sequence:
        raise LookupError(f"{table}.{column} has no sequence")
    return f"nextval('{sequence}')"


def stored_rows(session: Session, table: str) -> float:
    """PostgreSQL's estimate of a table's rows (its partitions' for a partitioned table, which has none itself)."""
    return session.execute(text(
        "SELECT coalesce(sum(greatest(reltuples, 0)), 0) FROM pg_class WHERE oid = CAST(:t AS regclass) "
        "OR oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = CAST(:t AS regclass))"), {"t": table}).scalar()


@contextlib.contextmanager
def local_setting(session: Session, name: str, value: str, when: bool = True) -> Iterator[None]:
    """A PostgreSQL setting changed for the statements inside (and put back after, within the transaction); nothing
    on SQLite or when `when` is false. When a statement inside fails, the setting is left to the rollback that
    undoes it (putting it back in the aborted transaction raised "current transaction is aborted" in place of the
    statement's own error)."""
    if not when or not is_postgresql(session):
        yield
        return
    previous = session.execute(text("SELECT current_setting(:n)"), {"n": name}).scalar()
    session.execute(text("SELECT set_config(:n, :v, true)"), {"n": name, "v": value})
    yield
    session.execute(text("SELECT set_config(:n, :v, true)"), {"n": name, "v": previous})


def _worth_it(session: Session, table: str, rows: int) -> bool:
    """Whether checking the keys once beats checking them per row: a large load (BULK_ROWS), on PostgreSQL, that is
    not small beside the table (VALIDATE CONSTRAINT reads the whole table: ~1 µs a row and key against ~3 µs a
    new row and key for the per-row checks, so from about an eighth of the table's rows on)."""
    if rows < BULK_ROWS or not is_postgresql(session):
        return False
    return rows * TABLE_SHARE >= stored_rows(session, table)


def _foreign_keys(session: Session, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's validated foreign keys."""
    return [(name, definition) for name, definition in session.execute(text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = CAST(:t AS regclass) AND contype = 'f' AND convalidated ORDER BY conname"), {"t": table})]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _drop_keys(session: Session, table: str, keys: list[tuple[str, str]]) -> bool:
    """Drop the keys, waiting at most LOCK_WAIT for the locks; False (and nothing changed) when they were busy."""
    previous = session.execute(text("SHOW lock_timeout")).scalar()
    session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
    session.execute(text("SAVEPOINT import_drop_keys"))
    try:
        session.execute(text(f"ALTER TABLE {_quote(table)} "
                             + ", ".join(f"DROP CONSTRAINT {_quote(name)}" for name, _ in keys)))
        dropped = True
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != "55P03":       # lock_not_available
            raise
        session.execute(text("ROLLBACK TO SAVEPOINT import_drop_keys"))
        dropped = False
    session.execute(text("RELEASE SAVEPOINT import_drop_keys"))
    session.execute(text("SELECT set_config('lock_timeout', :v, true)"), {"v": previous})
    return dropped


@contextlib.contextmanager
def foreign_keys_checked_once(session: Session, table: str, rows: int) -> Iterator[bool]:
    """Around a large insert into `table` on PostgreSQL: its foreign keys are checked once for all rows after the
    insert instead of once per row. Yields whether they were (False: small load, SQLite, or the locks were busy)."""
    keys = _foreign_keys(session, table) if _worth_it(session, table, rows) else []
    if not keys or not _drop_keys(session, table, keys):
        yield False
        return
    yield True
    if is_partitioned(session.connection(), table):   # PostgreSQL < 18 adds no NOT VALID key to a partitioned table:
        session.execute(text(f"ALTER TABLE {_quote(table)} "     # added valid, each partition checked by one join
                             + ", ".join(f"ADD CONSTRAINT {_quote(name)} {definition}" for name, definition in keys)))
        return
    session.execute(text(f"ALTER TABLE {_quote(table)} "
                         + ", ".join(f"ADD CONSTRAINT {_quote(name)} {definition} NOT VALID"
                                     for name, definition in keys)))
    for name, _ in keys:
        session.execute(text(f"ALTER TABLE {_quote(table)} VALIDATE CONSTRAINT {_quote(name)}"))
