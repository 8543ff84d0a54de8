"""The roster tables partitioned by term on PostgreSQL (issue 19 item 6; bench/NATIONAL.md).

PostgreSQL: `roster_record` and `roster_agg` become partitioned BY LIST (term_code), one partition per term of the
`term` table plus a DEFAULT partition; their rows are copied over (the table is rebuilt: a partitioned table cannot
be made from a plain one in place), with every constraint and index they had (read from the catalog, so indexes
added by other migrations come along), the primary key becoming (id, term_code). The three inspection tables that
point at a roster line (`roster_record_id`, ON DELETE SET NULL) get the line's term beside it
(`roster_term_code`) and a foreign key on both columns, since a partitioned table's `id` alone is not unique.
SQLite: the `roster_term_code` columns only (filled), its keys stay as they are.

Revision ID: 0032
Revises: 0026
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0032'
down_revision = '0029'
branch_labels = None
depends_on = None

PARTITIONED = ('roster_record', 'roster_agg')
REFERRING = ('head_count_absence', 'phone_call', 'finding')      # tables with a roster_record_id


def _rows(sql: str, **params: object) -> list[tuple]:
    return [tuple(r) for r in op.get_bind().execute(sa.text(sql), params)]


def _run(sql: str, **params: object) -> None:
    op.get_bind().execute(sa.text(sql), params)


def _keys_and_indexes(table: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(name, definition) of the table's constraints other than its primary key and NOT NULLs, and (name,
    CREATE INDEX statement) of its indexes that back no constraint."""
    keys = _rows("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) "
                 "AND contype IN ('u', 'c', 'f') ORDER BY contype DESC, conname", t=table)
    indexes = _rows("SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                    "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = CAST(:t AS regclass) "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
                    "ORDER BY c.relname", t=table)
    return keys, indexes


def _rebuild(table: str, partitioned: bool) -> None:
    """Copy `table` into a new table of the same name, partitioned by term or plain, with the same keys and
    indexes; the primary key is (id, term_code) when partitioned, (id) when not."""
    keys, indexes = _keys_and_indexes(table)
    old = f'{table}_before_0032'
    _run(f'ALTER TABLE "{table}" RENAME TO "{old}"')
    _run(f'ALTER TABLE "{old}" DROP CONSTRAINT "{table}_pkey"')
    for name, definition in keys:
        if not definition.startswith('FOREIGN KEY'):
            _run(f'ALTER TABLE "{old}" DROP CONSTRAINT "{name}"')
    for name, _sql in indexes:
        _run(f'DROP INDEX "{name}"')
    _run(f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS)'
         + (' PARTITION BY LIST (term_code)' if partitioned else ''))
    _run(f"ALTER SEQUENCE \"{table}_id_seq\" OWNED BY \"{table}\".id")
    if partitioned:
        for (term,) in _rows("SELECT code FROM term ORDER BY code"):
            name = f"{table}_{term.replace('-', '_')}"
            _run(f"CREATE TABLE \"{name}\" PARTITION OF \"{table}\" FOR VALUES IN ('{term}')")
        _run(f'CREATE TABLE "{table}_default" PARTITION OF "{table}" DEFAULT')
    _run(f'INSERT INTO "{table}" SELECT * FROM "{old}"')
    _run(f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_pkey" PRIMARY KEY '
         + ('(id, term_code)' if partitioned else '(id)'))
    for name, definition in keys:
        _run(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    for _name, sql in indexes:
        _run(sql)
    _run(f'DROP TABLE "{old}"')
    _run(f'ANALYZE "{table}"')


def _referring_keys() -> list[tuple[str, str]]:
    """(table, constraint name) of the foreign keys pointing at roster_record."""
    return _rows("SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
                 "AND confrelid = CAST('roster_record' AS regclass) ORDER BY 1")


def _add_terms() -> None:
    for table in REFERRING:
        op.add_column(table, sa.Column('roster_term_code', sa.String(length=7), nullable=True))
        _run(f'UPDATE "{table}" SET roster_term_code = (SELECT r.term_code FROM roster_record r '
             f'WHERE r.id = "{table}".roster_record_id) WHERE roster_record_id IS NOT NULL')


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        _add_terms()
        return
    for table, name in _referring_keys():
        _run(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    _add_terms()
    for table in PARTITIONED:
        _rebuild(table, partitioned=True)
    for table in REFERRING:
        _run(f'ALTER TABLE "{table}" ADD CONSTRAINT "ck_{table}_roster_line" '
             'CHECK ((roster_record_id IS NULL) = (roster_term_code IS NULL))')
        _run(f'ALTER TABLE "{table}" ADD CONSTRAINT "fk_{table}_roster_line" FOREIGN KEY '
             '(roster_record_id, roster_term_code) REFERENCES roster_record (id, term_code) ON DELETE SET NULL')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in REFERRING:
            _run(f'ALTER TABLE "{table}" DROP CONSTRAINT "fk_{table}_roster_line"')
            _run(f'ALTER TABLE "{table}" DROP CONSTRAINT "ck_{table}_roster_line"')
        for table in PARTITIONED:
            _rebuild(table, partitioned=False)
        for table in REFERRING:
            _run(f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_roster_record_id_fkey" FOREIGN KEY '
                 '(roster_record_id) REFERENCES roster_record (id) ON DELETE SET NULL')
    for table in REFERRING:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('roster_term_code')
