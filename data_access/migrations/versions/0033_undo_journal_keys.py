"""The undo journal of roster imports loses its foreign keys to import_record (issue 19: the import rate).

`import_replaced_record` and `import_replaced_student` keep, for undo, the lines and identities an import replaces:
one row per line, written by the import itself in the transaction that writes its import_record. Their key to
import_record was checked row by row: on PostgreSQL 0.25 s per 100,000 rows, each a lookup of the one import row
the statement had just written (0.5 s of a 5.5 s import of a county's changed roster into the province database).
No import_record is ever deleted, so the keys' ON DELETE CASCADE never ran. The journal's import_id stays indexed.

Revision ID: 0033
Revises: 0032
"""
from __future__ import annotations

from alembic import op

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

JOURNAL = ('import_replaced_record', 'import_replaced_student')
_NAMES = {'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s'}   # SQLite's keys have no name


def upgrade() -> None:
    for table in JOURNAL:
        if op.get_bind().dialect.name == 'postgresql':
            op.drop_constraint(f'{table}_import_id_fkey', table, type_='foreignkey')
        else:
            with op.batch_alter_table(table, naming_convention=_NAMES) as batch:
                batch.drop_constraint(f'fk_{table}_import_id_import_record', type_='foreignkey')


def downgrade() -> None:
    for table in JOURNAL:
        with op.batch_alter_table(table) as batch:
            batch.create_foreign_key(f'{table}_import_id_fkey', 'import_record', ['import_id'], ['id'],
                                     ondelete='CASCADE')
