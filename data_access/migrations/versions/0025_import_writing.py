"""An import being written batch by batch (issue 12.6: on SQLite a large roster import commits school batch by
school batch so that saves are not blocked for seconds): `writing` is true until its last batch commits; a record
still writing whose import lock is free was interrupted, and the batches it wrote are put back.

Revision ID: 0025
Revises: 0011
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('import_record') as batch:
        batch.add_column(sa.Column('writing', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('import_record') as batch:
        batch.drop_column('writing')
