"""Index the grade-6 roster lines by household village (issue 19: the enrolment notices at province scale).

A village's grade-7 entrance notices (入学通知书, `/documents`) list its grade-6 pupils of the spring term by their
household village; without an index that read the term's every line (a province's 4.5 million, seconds for each
village picked). A partial index: grade-6 lines only, a ninth of the roster.

Revision ID: 0040
Revises: 0039
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None

_GRADE6 = sa.text("grade = 6")


def upgrade() -> None:
    op.create_index('ix_roster_grade6_household', 'roster_record', ['term_code', 'household_code'],
                    postgresql_where=_GRADE6, sqlite_where=_GRADE6)


def downgrade() -> None:
    op.drop_index('ix_roster_grade6_household', table_name='roster_record')
