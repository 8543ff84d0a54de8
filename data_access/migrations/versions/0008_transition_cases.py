"""cases from 小升初 (#13.4): a dropout case may come from a grade-6 graduate on no junior roster (source transition)

Revision ID: 0008
Revises: 0007_security
Create Date: 2026-12-05 10:00:00
"""
from alembic import op


revision = '0008'
down_revision = '0007_security'
branch_labels = None
depends_on = None

OLD = "'school_report', 'head_count', 'phone_check', 'roster_import', 'comparison', 'manual'"
NEW = OLD + ", 'transition'"


def upgrade() -> None:
    with op.batch_alter_table('dropout_case', schema=None) as batch_op:
        batch_op.drop_constraint('ck_case_source', type_='check')
        batch_op.create_check_constraint('ck_case_source', f"source IN ({NEW})")


def downgrade() -> None:
    # cases stay: the older schema knows them as comparisons (四查三比对)
    op.execute("UPDATE dropout_case SET source = 'comparison' WHERE source = 'transition'")
    with op.batch_alter_table('dropout_case', schema=None) as batch_op:
        batch_op.drop_constraint('ck_case_source', type_='check')
        batch_op.create_check_constraint('ck_case_source', f"source IN ({OLD})")
