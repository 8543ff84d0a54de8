"""Store each school's roster lines per term in unit_counts (issue 19: the data status page at province scale).

The data status page summed a term's roster aggregates for the schools in scope: for a province leader every cell
of the province (1.9 million a term), 1.6–3.1 s. `roster_lines` holds, on a school's row, its roster lines of the
term whatever their status, refreshed with the rest of the row; area rows leave it NULL. Existing school rows are
filled from roster_agg.

Revision ID: 0035
Revises: 0034
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('unit_counts', sa.Column('roster_lines', sa.Integer(), nullable=True))
    op.execute("""
        UPDATE unit_counts SET roster_lines = COALESCE((
            SELECT SUM(a.students) FROM roster_agg a JOIN school s ON s.id = a.school_id
            WHERE a.term_code = unit_counts.term_code AND s.code = unit_counts.unit_code), 0)
        WHERE level = 'school'""")


def downgrade() -> None:
    with op.batch_alter_table('unit_counts') as batch:
        batch.drop_column('roster_lines')
