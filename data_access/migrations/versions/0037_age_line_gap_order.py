"""On PostgreSQL, index the school-age lines' gap in the grid's order (issue 19: the province's largest gaps).

The school-age grid sorts by gap with empty gaps last going down and first going up, as SQLite orders NULL, so
SQLite's index on (term, folded, gap) serves both directions. PostgreSQL orders NULL last going up: its scan of that
index gave neither order, and a province's largest gaps were a sort of all 119,313 lines (~40 ms). Its index now
holds the gap DESC NULLS LAST (read backwards for the other direction). SQLite is unchanged.

Revision ID: 0037
Revises: 0036
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index('ix_age_line_gap', table_name='school_age_line')
    op.create_index('ix_age_line_gap_desc', 'school_age_line',
                    ['term_code', 'folded', sa.text('gap DESC NULLS LAST')])


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index('ix_age_line_gap_desc', table_name='school_age_line')
    op.create_index('ix_age_line_gap', 'school_age_line', ['term_code', 'folded', 'gap'])
