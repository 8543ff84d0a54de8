"""Import records (issue 16, items 1 and 7): every accepted import's source file (name, size, SHA-256), who and
when, its counts; for a roster import the rows it replaced, so that it can be undone within a window.

Revision ID: 0015
Revises: 0013
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'import_record',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('term_code', sa.String(7), nullable=True),
        sa.Column('file_name', sa.String(200), nullable=False),
        sa.Column('file_size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(100), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('area_code', sa.String(12), nullable=True),
        sa.Column('schools', sa.Text(), nullable=True),
        sa.Column('new', sa.Integer(), nullable=False),
        sa.Column('changed', sa.Integer(), nullable=False),
        sa.Column('unchanged', sa.Integer(), nullable=False),
        sa.Column('removed', sa.Integer(), nullable=False),
        sa.Column('undoable', sa.Boolean(), nullable=False),
        sa.Column('undone_at', sa.DateTime(), nullable=True),
        sa.Column('undone_by', sa.String(100), nullable=True),
    )
    op.create_index('ix_import_record_term', 'import_record', ['term_code', 'at'])
    op.create_table(
        'import_replaced_record',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('import_id', sa.Integer(), sa.ForeignKey('import_record.id', ondelete='CASCADE'), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('term_code', sa.String(7), nullable=False),
        sa.Column('student_id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('grade', sa.Integer(), nullable=False),
        sa.Column('class_name', sa.String(20), nullable=True),
        sa.Column('status', sa.String(4), nullable=False),
        sa.Column('household_code', sa.String(12), nullable=True),
        sa.Column('guardian_name', sa.String(50), nullable=True),
        sa.Column('guardian_phone', sa.String(20), nullable=True),
        sa.Column('poverty_registered', sa.Boolean(), nullable=False),
        sa.Column('disability', sa.String(2), nullable=False),
        sa.Column('left_behind', sa.Boolean(), nullable=False),
        sa.Column('migrant', sa.Boolean(), nullable=False),
        sa.Column('age', sa.Integer(), nullable=False),
        sa.Column('left_behind_kind', sa.String(2), nullable=True),
        sa.Column('boarding', sa.Boolean(), nullable=True),
        sa.Column('mainstreamed', sa.Boolean(), nullable=True),
        sa.Column('orphan', sa.Boolean(), nullable=True),
        sa.Column('guardian_relation', sa.String(20), nullable=True),
    )
    op.create_index('ix_import_replaced_record_import_id', 'import_replaced_record', ['import_id'])
    op.create_table(
        'import_replaced_student',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('import_id', sa.Integer(), sa.ForeignKey('import_record.id', ondelete='CASCADE'), nullable=False),
        sa.Column('student_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(50), nullable=False),
        sa.Column('gender', sa.String(1), nullable=False),
        sa.Column('birth_date', sa.Date(), nullable=False),
        sa.Column('id_number', sa.String(18), nullable=True),
    )
    op.create_index('ix_import_replaced_student_import_id', 'import_replaced_student', ['import_id'])


def downgrade() -> None:
    op.drop_table('import_replaced_student')
    op.drop_table('import_replaced_record')
    op.drop_table('import_record')
