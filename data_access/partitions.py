"""The roster tables' partitions by term on PostgreSQL (issue 19 item 6; bench/NATIONAL.md).

On PostgreSQL `roster_record` and `roster_agg` are partitioned BY LIST (term_code) (migration 0032, or create_all
with the models' options): one partition per term, named `roster_record_2026_1`, plus a DEFAULT partition
(`roster_record_default`) that takes the lines of any term without its own, so nothing ever fails for lack of a
partition. A term's partitions are made when it first gets roster lines: before a roster import writes
(`ensure_term_partitions`), and by the demo and bench loaders (`create_term_partitions`). A query that names the
term reads only its partition (partition pruning); a term can later be detached or dropped whole.

Making a partition (`CREATE TABLE … PARTITION OF`) locks the partitioned table ACCESS EXCLUSIVE until the end of
the transaction, and checks that the DEFAULT partition holds no line of the term. So the import makes it in a short
transaction of its own, waiting at most LOCK_WAIT for the lock, before it reads the roster; a term whose lines
already sit in the DEFAULT partition (made before the migration could not be, or the lock was busy) keeps them
there — correct, only not pruned. Nothing here does anything on SQLite."""
from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

PARTITIONED = ("roster_record", "roster_agg")      # tables partitioned by term on PostgreSQL
LOCK_WAIT = "2s"                                   # how long to wait for the lock of making a partition
_TERM = re.compile(r"^\d{4}-[12]$")                # a term code (the only values put into partition DDL)
_GAVE_UP = {"55P03", "42P07", "23514"}             # lock not available, made meanwhile, DEFAULT holds the term


def partition_name(table: str, term: str) -> str:
    """The partition of `table` holding `term`'s lines: roster_record_2026_1."""
    return f"{table}_{term.replace('-', '_')}"


def is_partitioned(conn: Connection, table: str) -> bool:
    """True when `table` is a partitioned table (PostgreSQL)."""
    return conn.dialect.name == "postgresql" and conn.execute(text(
        "SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}).scalar() is True


def _exists(conn: Connection, name: str) -> bool:
    return conn.execute(text("SELECT to_regclass(:p)"), {"p": name}).scalar() is not None


def term_partition(conn: Connection, table: str, term: str) -> str | None:
    """The name of `table`'s partition of `term` when the table is partitioned and that partition exists, else None
    (the term's lines are then in the table itself or its DEFAULT partition)."""
    name = partition_name(table, term)
    return name if _TERM.match(term) and is_partitioned(conn, table) and _exists(conn, name) else None


def _missing(conn: Connection, terms: Iterable[str]) -> list[tuple[str, str]]:
    """(table, term) of the partitioned tables' term partitions that do not exist yet."""
    wanted = [(table, term) for table in PARTITIONED if is_partitioned(conn, table)
              for term in sorted(set(terms)) if _TERM.match(term)]
    return [(table, term) for table, term in wanted if not _exists(conn, partition_name(table, term))]


def create_term_partitions(conn: Connection, terms: Iterable[str]) -> list[str]:
    """Make the missing partitions of `terms` in the connection's transaction (PostgreSQL; nothing elsewhere), except
    where the DEFAULT partition already holds lines of the term (they stay there). Returns the partitions made."""
    if conn.dialect.name != "postgresql":
        return []
    made = []
    for table, term in _missing(conn, terms):
        if conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{table}_default" WHERE term_code = :t)'),
                        {"t": term}).scalar():
            continue
        name = partition_name(table, term)
        conn.execute(text(f"CREATE TABLE \"{name}\" PARTITION OF \"{table}\" FOR VALUES IN ('{term}')"))
        made.append(name)
    return made


def _holds_conflicting_locks(session: Session) -> bool:
    """Whether the session's transaction holds a lock that making a partition in another transaction would wait
    for: on a roster table or its partitions, or on a table one of them references or is referenced by (a new
    partition gets the foreign keys' triggers)."""
    return bool(session.execute(text(       # catalogs only: pg_partition_tree would itself lock the partitions
        "WITH roster AS (SELECT CAST(n AS regclass) AS oid FROM unnest(CAST(:t AS text[])) n) "
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' AND relation IN "
        "(SELECT oid FROM roster UNION SELECT inhrelid FROM pg_inherits WHERE inhparent IN (SELECT oid FROM roster) "
        "UNION SELECT confrelid FROM pg_constraint WHERE contype = 'f' AND conrelid IN (SELECT oid FROM roster) "
        "UNION SELECT conrelid FROM pg_constraint WHERE contype = 'f' AND confrelid IN (SELECT oid FROM roster)))"),
        {"t": list(PARTITIONED)}).scalar())


def _gave_up(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in _GAVE_UP


def ensure_term_partitions(session: Session, term: str) -> list[str]:
    """Before a roster import of `term` writes: make the term's partitions if they are missing (PostgreSQL). In a
    transaction of its own when the session has not touched the roster tables yet (the lock is then held for
    milliseconds, not for the whole import), else in the session's transaction under a savepoint; either way waiting
    at most LOCK_WAIT for the lock and giving up quietly (the lines then go to the DEFAULT partition)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql" or not _missing(session.connection(), [term]):
        return []
    if isinstance(bind, Engine) and not _holds_conflicting_locks(session):
        try:
            with bind.begin() as conn:
                conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
                return create_term_partitions(conn, [term])
        except DBAPIError as exc:
            if not _gave_up(exc):
                raise
            return []
    previous = session.execute(text("SHOW lock_timeout")).scalar()
    session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
    try:
        with session.begin_nested():
            return create_term_partitions(session.connection(), [term])
    except DBAPIError as exc:
        if not _gave_up(exc):
            raise
        return []
    finally:
        session.execute(text("SELECT set_config('lock_timeout', :v, true)"), {"v": previous})


def drop_term_partition(session: Session, table: str, term: str) -> bool:
    """Take out all of `term`'s rows of `table` by detaching and dropping the term's partition (PostgreSQL, when the
    term has one; the DEFAULT partition then holds none of its rows): no row-by-row delete of a term's millions of
    lines. The caller has cleared what points at the rows (a key still pointing at one fails the detach). The table
    stays locked ACCESS EXCLUSIVE until the commit. False, and nothing done, where the term has no partition."""
    conn = session.connection()
    name = partition_name(table, term)
    if not is_partitioned(conn, table) or conn.execute(text("SELECT to_regclass(:p)"), {"p": name}).scalar() is None:
        return False
    conn.execute(text(f'ALTER TABLE "{table}" DETACH PARTITION "{name}"'))
    conn.execute(text(f'DROP TABLE "{name}"'))
    return True
