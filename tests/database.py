"""Emptying the test PostgreSQL database between tests."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Engine, event, text

# Every table emptied and every id sequence restarted, in one round trip. Tables are emptied by DELETE with the
# foreign-key triggers off (session_replication_role: the test database's superuser), so the order does not
# matter; a large table (a demo loaded into it) is truncated instead. TRUNCATE … RESTART IDENTITY CASCADE of all
# 58 tables after every test cost 0.3–0.9 s (a new file for every table and index), most of the PostgreSQL suite.
LARGE = 8 * 1024 * 1024      # bytes of a table's heap from which TRUNCATE beats DELETE
_RESET = f"""
DO $$
DECLARE
  t regclass;
  large text;
BEGIN
  SET LOCAL session_replication_role = replica;
  -- no autovacuum on the test tables: it records the space of deleted rows, and new rows then fill it out of
  -- insertion order (a test reading rows without ORDER BY got them in another order than on fresh tables)
  FOR t IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'r'
             AND NOT coalesce(c.reloptions @> '{{autovacuum_enabled=false}}', false) LOOP
    EXECUTE 'ALTER TABLE ' || t::text || ' SET (autovacuum_enabled = false)';
  END LOOP;
  FOR t IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'alembic_version'
             AND pg_relation_size(c.oid) BETWEEN 1 AND {LARGE} LOOP
    EXECUTE 'DELETE FROM ' || t::text;
  END LOOP;
  SELECT string_agg(c.oid::regclass::text, ', ') INTO large
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind = 'r' AND pg_relation_size(c.oid) > {LARGE};
  IF large IS NOT NULL THEN
    EXECUTE 'TRUNCATE ' || large || ' CASCADE';
  END IF;
  PERFORM setval(format('%I.%I', schemaname, sequencename), 1, false)
  FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL;
END $$
"""


def empty_postgresql(engine: Engine) -> None:
    """Empty every table of the test PostgreSQL database and restart its ids, as TRUNCATE … RESTART IDENTITY
    CASCADE of them all would (the rows; planner statistics are left to autovacuum)."""
    with engine.begin() as conn:
        conn.execute(text(_RESET))


@contextlib.contextmanager
def statements_sent(bind: Engine) -> Iterator[list[str]]:
    """The SQL statements sent through `bind` inside the block, in order (to count a function's reads)."""
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_rest) -> None:  # noqa: ANN001
        sent.append(statement)
    event.listen(bind, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(bind, "before_cursor_execute", note)
