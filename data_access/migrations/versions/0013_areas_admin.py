"""Areas and schools administration (issue 15.3): retired area codes (kept with their history), closed and
merged schools (closed from a term on), and school moves between townships from a term on.

Revision ID: 0013
Revises: 0012
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMNs (no table rebuild on SQLite, where area and school are referenced by many tables);
    # merged_into_id is checked by the application (data_access/admin/areas.py), not by a foreign key
    op.add_column('area', sa.Column('retired', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('area', sa.Column('retired_at', sa.Date(), nullable=True))
    op.add_column('school', sa.Column('closed_from', sa.String(length=7), nullable=True))
    op.add_column('school', sa.Column('merged_into_id', sa.Integer(), nullable=True))
    op.create_table(
        'school_move',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('school_id', sa.Integer(), sa.ForeignKey('school.id'), nullable=False),
        sa.Column('from_township', sa.String(length=12), sa.ForeignKey('area.code'), nullable=False),
        sa.Column('to_township', sa.String(length=12), sa.ForeignKey('area.code'), nullable=False),
        sa.Column('from_term', sa.String(length=7), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
    )
    op.create_index('ix_school_move_school_id', 'school_move', ['school_id'])


def downgrade() -> None:
    op.drop_index('ix_school_move_school_id', table_name='school_move')
    op.drop_table('school_move')
    # plain DROP COLUMNs (SQLite 3.35+ has them): a batch rebuild of area or school would break the foreign keys
    # of the many tables that refer to them
    for table, column in (('school', 'merged_into_id'), ('school', 'closed_from'), ('area', 'retired_at'),
                          ('area', 'retired')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
