"""Index the audit log by action, entity and time (issue 19: the data status page at province scale).

The data status page reads a term's roster imports and refused files, the login throttle a user's failed logins,
and an undo the withdrawals since the import, each by action and entity: without an index each read the whole log
(77 ms for the imports in the province database's 186,450 entries).

Revision ID: 0036
Revises: 0035
"""
from __future__ import annotations

from alembic import op

revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_audit_log_action', 'audit_log', ['action', 'entity', 'at'])


def downgrade() -> None:
    op.drop_index('ix_audit_log_action', table_name='audit_log')
