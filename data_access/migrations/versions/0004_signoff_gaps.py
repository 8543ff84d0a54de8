"""A visit signed with gaps: what was undone at sign-off and the leader's reason (issue 14)

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inspection_visit') as batch:
        batch.add_column(sa.Column('signed_gaps', sa.Text(), nullable=True))
        batch.add_column(sa.Column('signed_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('inspection_visit') as batch:
        batch.drop_column('signed_reason')
        batch.drop_column('signed_gaps')
