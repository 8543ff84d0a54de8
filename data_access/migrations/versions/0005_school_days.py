"""School days: each county's teaching period per term; a returned child's attendance record (issue 14)

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'term_calendar',
        sa.Column('area_code', sa.String(length=12), nullable=False),
        sa.Column('term_code', sa.String(length=7), nullable=False),
        sa.Column('teaching_start', sa.Date(), nullable=False),
        sa.Column('teaching_end', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['area_code'], ['area.code']),
        sa.PrimaryKeyConstraint('area_code', 'term_code'),
    )
    with op.batch_alter_table('dropout_case') as batch:
        batch.add_column(sa.Column('attendance_checked_by', sa.String(length=50), nullable=True))
        batch.add_column(sa.Column('attendance_first', sa.Date(), nullable=True))
        batch.add_column(sa.Column('attendance_last', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dropout_case') as batch:
        batch.drop_column('attendance_last')
        batch.drop_column('attendance_first')
        batch.drop_column('attendance_checked_by')
    op.drop_table('term_calendar')
