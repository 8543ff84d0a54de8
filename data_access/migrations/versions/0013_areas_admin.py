"""Areas and schools administration (issue 15.3): retired area codes (kept with their history), closed and
merged schools (closed from a term on), and school moves between townships from a term on.

Revision ID: 0013
Revises: 0010
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('area') as batch:
        batch.add_column(sa.Column('retired', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('retired_at', sa.Date(), nullable=True))
    with op.batch_alter_table('school') as batch:
        batch.add_column(sa.Column('closed_from', sa.String(length=7), nullable=True))
        batch.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_school_merged_into', 'school', ['merged_into_id'], ['id'])
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
    with op.batch_alter_table('school') as batch:
        batch.drop_constraint('fk_school_merged_into', type_='foreignkey')
        batch.drop_column('merged_into_id')
        batch.drop_column('closed_from')
    with op.batch_alter_table('area') as batch:
        batch.drop_column('retired_at')
        batch.drop_column('retired')
