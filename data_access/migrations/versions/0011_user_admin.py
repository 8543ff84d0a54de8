"""Users administration (issue 15.1): the forced password change after a reset or a new account, and the last
sign-in of each user (filled from the audit log's sign-ins for existing users).

Revision ID: 0011
Revises: 0019
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('last_login_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE app_user SET last_login_at = (SELECT MAX(a.at) FROM audit_log a WHERE a.action = 'login' "
               "AND a.entity = 'app_user' AND a.entity_key = CAST(app_user.id AS VARCHAR(20)))")


def downgrade() -> None:
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('last_login_at')
        batch.drop_column('must_change_password')
