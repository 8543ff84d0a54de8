"""The agreement check (issue 19): a partial index on the roster's 辍学 lines of poor families, so that the check
finds which roster dropouts are poor without reading their lines (only those can disagree with an open case on
the poor-family flag).

Revision ID: 0029
Revises: 0026
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_roster_dropped_poor', 'roster_record', ['term_code', 'student_id'],
                    postgresql_where=sa.text("status = '辍学' AND poverty_registered"),
                    sqlite_where=sa.text("status = '辍学' AND poverty_registered = 1"))


def downgrade() -> None:
    op.drop_index('ix_roster_dropped_poor', table_name='roster_record')
