"""Early warning at scale (issue 20 item 6): the schools whose scores of a term wait for the background job.

Revision ID: 0024
Revises: 0022
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'risk_refresh',
        sa.Column('term_code', sa.String(length=7), nullable=False),
        sa.Column('school_id', sa.Integer(), sa.ForeignKey('school.id'), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('term_code', 'school_id'),
    )


def downgrade() -> None:
    op.drop_table('risk_refresh')
