"""figures a county can defend (#13): per-indicator warning margins, published precision, consolidation source

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 11:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.add_column(sa.Column('margin', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('margin_relative', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_check_constraint('ck_target_margin', 'margin IS NULL OR margin >= 0')
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.alter_column('margin_relative', server_default=None)
    # the one policy-wide margin (0.5 points for every indicator) gives way to per-indicator margins; a target
    # without its own margin takes the default of domain.md §4 (0.2 points for dropout rates, 0.5 for the others)
    with op.batch_alter_table('target_policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('precision', sa.Integer(), nullable=False, server_default='2'))
        batch_op.drop_column('warning_margin')
    with op.batch_alter_table('target_policy', schema=None) as batch_op:
        batch_op.alter_column('precision', server_default=None)
    with op.batch_alter_table('unit_counts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grade1_source', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('unit_counts', schema=None) as batch_op:
        batch_op.drop_column('grade1_source')
    with op.batch_alter_table('target_policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warning_margin', sa.Float(), nullable=False, server_default='0.5'))
        batch_op.drop_column('precision')
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_constraint('ck_target_margin', type_='check')
        batch_op.drop_column('margin_relative')
        batch_op.drop_column('margin')
