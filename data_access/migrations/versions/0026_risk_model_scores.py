"""Early warning by the statistical model (issue 20 item 5): the model's chance and largest contributions stored
with each pupil's score, and each county's trained model (coefficients, better on held-out terms, fingerprint).

Revision ID: 0026
Revises: 0028
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('risk_score') as batch:
        batch.add_column(sa.Column('chance', sa.Float(), nullable=True))
        batch.add_column(sa.Column('model_factors', sa.String(length=200), nullable=False, server_default=''))
    op.create_table(
        'risk_model',
        sa.Column('county_code', sa.String(length=12), sa.ForeignKey('area.code'), primary_key=True),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('better', sa.Boolean(), nullable=False),
        sa.Column('weights', sa.Text(), nullable=False),
        sa.Column('trained_on', sa.String(length=200), nullable=False),
        sa.Column('held_out', sa.String(length=200), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('risk_model')
    with op.batch_alter_table('risk_score') as batch:
        batch.drop_column('model_factors')
        batch.drop_column('chance')
