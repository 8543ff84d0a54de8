"""Scheduled drafts (issue 18.6): the monthly report and bulletin drafts the schedule makes; users' e-mail.

Revision ID: 0021
Revises: 0024
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'scheduled_draft',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('county_code', sa.String(12), sa.ForeignKey('area.code'), nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('period_key', sa.String(8), nullable=False),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('title', sa.String(200), nullable=False),
        sa.Column('docx', sa.LargeBinary, nullable=False),
        sa.Column('pdf', sa.LargeBinary),
        sa.Column('figures_json', sa.Text, nullable=False),
        sa.UniqueConstraint('county_code', 'kind', 'period_key', name='uq_scheduled_draft'),
    )
    op.create_index('ix_scheduled_draft_county_code', 'scheduled_draft', ['county_code'])
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('email', sa.String(200)))


def downgrade() -> None:
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('email')
    op.drop_index('ix_scheduled_draft_county_code', 'scheduled_draft')
    op.drop_table('scheduled_draft')
