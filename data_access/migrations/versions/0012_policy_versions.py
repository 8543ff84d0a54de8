"""Target policy versions (issue 15.2): the term a policy takes effect from, and the version it was edited from.
Existing policies keep no term (in force from the first term).

Revision ID: 0012
Revises: 0017
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('target_policy') as batch:
        batch.add_column(sa.Column('effective_from', sa.String(length=7), nullable=True))
        batch.add_column(sa.Column('previous_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_target_policy_previous_id_target_policy', 'target_policy',
                                 ['previous_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('target_policy') as batch:
        batch.drop_constraint('fk_target_policy_previous_id_target_policy', type_='foreignkey')
        batch.drop_column('previous_id')
        batch.drop_column('effective_from')
