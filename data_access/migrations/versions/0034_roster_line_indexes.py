"""Index the rows that point at a roster line (issue 19: a province's imports, undos and withdrawals).

`finding`, `phone_call` and `head_count_absence` point at a roster line (`roster_record_id`, with its term on
PostgreSQL), ON DELETE SET NULL. Every roster line deleted (an import replacing a school's roster, an undo, a
withdrawal) looks for the rows pointing at it, and without an index on them read each of the three tables whole:
with 7,939 phone calls in the province database (a few per township), a county's 100,000-row import into it took
16.1 s instead of 4.1 s on PostgreSQL (21.1 s instead of 3.9 s on SQLite) (bench/results-import.md). Both databases.

Revision ID: 0034
Revises: 0033
"""
from __future__ import annotations

from alembic import op

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None

REFERRING = ('head_count_absence', 'phone_call', 'finding')


def upgrade() -> None:
    for table in REFERRING:
        op.create_index(f'ix_{table}_roster_line', table, ['roster_record_id', 'roster_term_code'])


def downgrade() -> None:
    for table in REFERRING:
        op.drop_index(f'ix_{table}_roster_line', table_name=table)
