"""Casework analytics (issue 19): the school-age ledger's lines stored per term (school_age_line, refreshed per
township by roster and population writes) and partial indexes on the roster's dropout lines and
spring grade-6 graduates.

Revision ID: 0022
Revises: 0025
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = '0022'
down_revision = '0025'
branch_labels = None
depends_on = None

_DROPPED = sa.text("status = '辍学'")
_GRADUATES = sa.text("status = '毕业' AND grade = 6")


def upgrade() -> None:
    op.create_table(
        'school_age_line',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('term_code', sa.String(length=7), nullable=False),
        sa.Column('folded', sa.Boolean(), nullable=False),
        sa.Column('township_code', sa.String(length=12), nullable=False),
        sa.Column('area_code', sa.String(length=12), nullable=False),
        sa.Column('age', sa.Integer(), nullable=False),
        sa.Column('population', sa.Integer(), nullable=True),
        sa.Column('outside', sa.Integer(), nullable=False),
        sa.Column('enrolled', sa.Integer(), nullable=False),
        sa.Column('dropped', sa.Integer(), nullable=False),
        sa.Column('unplaced', sa.Integer(), nullable=False),
        sa.Column('gap', sa.Integer(), nullable=True),
    )
    op.create_index('uq_age_line', 'school_age_line', ['term_code', 'folded', 'area_code', 'age'], unique=True)
    op.create_index('ix_age_line_township', 'school_age_line', ['term_code', 'township_code'])
    op.create_index('ix_age_line_gap', 'school_age_line', ['term_code', 'folded', 'gap'])
    op.create_index('ix_roster_dropped', 'roster_record', ['term_code', 'school_id', 'student_id'],
                    postgresql_where=_DROPPED, sqlite_where=_DROPPED)
    op.create_index('ix_roster_graduates', 'roster_record', ['term_code', 'student_id'],
                    postgresql_where=_GRADUATES, sqlite_where=_GRADUATES)
    from data_access.analytics.age_lines import refresh_age_lines  # the lines of the terms already held
    session = Session(bind=op.get_bind())
    for (term,) in session.execute(sa.text("SELECT code FROM term")).all():
        refresh_age_lines(session, term)
    session.flush()


def downgrade() -> None:
    op.drop_index('ix_roster_graduates', table_name='roster_record')
    op.drop_index('ix_roster_dropped', table_name='roster_record')
    op.drop_table('school_age_line')
