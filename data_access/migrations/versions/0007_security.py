"""security (issue 11): checklist templates belong to an area; a per-user session version revokes sessions;
demo accounts are marked

Revision ID: 0007_security
Revises: 0006
Create Date: 2026-12-04 11:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_security'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('checklist_template', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area_code', sa.String(length=12), nullable=True))
        batch_op.create_index(batch_op.f('ix_checklist_template_area_code'), ['area_code'], unique=False)
        batch_op.create_foreign_key('fk_checklist_template_area_code_area', 'area', ['area_code'], ['code'])
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('is_demo', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('is_demo')
        batch_op.drop_column('session_version')
    with op.batch_alter_table('checklist_template', schema=None) as batch_op:
        batch_op.drop_constraint('fk_checklist_template_area_code_area', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_checklist_template_area_code'))
        batch_op.drop_column('area_code')
