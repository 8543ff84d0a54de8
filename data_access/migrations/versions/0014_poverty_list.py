"""The poverty list (issue 16.4): members of 脱贫户 / 监测户 households per term, matched to pupils by ID number.

Revision ID: 0014
Revises: 0018
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "poverty_member",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("term_code", sa.String(7), sa.ForeignKey("term.code"), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("gender", sa.String(1), nullable=False),
        sa.Column("head_name", sa.String(50), nullable=False),
        sa.Column("relation", sa.String(20), nullable=True),
        sa.Column("household_no", sa.String(30), nullable=True),
        sa.Column("township_code", sa.String(12), sa.ForeignKey("area.code"), nullable=False),
        sa.Column("village_code", sa.String(12), nullable=True),
        sa.Column("household_status", sa.String(4), nullable=False),
        sa.Column("status_detail", sa.String(20), nullable=False, server_default=""),
        sa.UniqueConstraint("term_code", "id_number", name="uq_poverty_term_id"),
    )
    op.create_index("ix_poverty_term_township", "poverty_member", ["term_code", "township_code"])
    op.create_index("ix_poverty_id_number", "poverty_member", ["id_number"])


def downgrade() -> None:
    op.drop_index("ix_poverty_id_number", table_name="poverty_member")
    op.drop_index("ix_poverty_term_township", table_name="poverty_member")
    op.drop_table("poverty_member")
