"""Document settings: the red header (红头, issue 17) an issuer puts on its formally issued documents.

Revision ID: 0028
Revises: 0021
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('document_settings') as batch:
        batch.add_column(sa.Column('red_header', sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('document_settings') as batch:
        batch.drop_column('red_header')
