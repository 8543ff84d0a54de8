"""Index a user's team memberships (issue 19: the users page of a province admin).

The users list names each user's team, and an inspector's scope is read from their team's zone, both by user; the
membership's key (team, user) leads with the team, so each read scanned every membership: a province admin's list
of 1,028 users read 1,009 memberships for each, ~85 ms of its 157 ms on PostgreSQL.

Revision ID: 0042
Revises: 0041
"""
from __future__ import annotations

from alembic import op

revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_team_member_user', 'team_member', ['user_id'])


def downgrade() -> None:
    op.drop_index('ix_team_member_user', table_name='team_member')
