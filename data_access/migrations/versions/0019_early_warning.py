"""Early warning (issue 20): risk settings per county, absence reports, stored risk scores, support actions.

Revision ID: 0019
Revises: 0015
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'risk_setting',
        sa.Column('county_code', sa.String(12), sa.ForeignKey('area.code'), primary_key=True),
        sa.Column('factor', sa.String(24), primary_key=True),
        sa.Column('weight', sa.Integer(), nullable=False),
        sa.Column('threshold', sa.Integer(), nullable=False),
    )
    op.create_table(
        'absence_report',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('student_id', sa.Integer(), sa.ForeignKey('student.id'), nullable=False),
        sa.Column('school_id', sa.Integer(), sa.ForeignKey('school.id'), nullable=False),
        sa.Column('township_code', sa.String(12), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('days', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(100), nullable=False),
        sa.Column('source', sa.String(10), nullable=False),
        sa.Column('created_by', sa.Integer(), sa.ForeignKey('app_user.id')),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('days BETWEEN 1 AND 200', name='ck_absence_days'),
    )
    op.create_index('ix_absence_report_student_id', 'absence_report', ['student_id'])
    op.create_index('ix_absence_report_school_id', 'absence_report', ['school_id'])
    op.create_table(
        'risk_score',
        sa.Column('term_code', sa.String(7), primary_key=True),
        sa.Column('student_id', sa.Integer(), sa.ForeignKey('student.id'), primary_key=True),
        sa.Column('school_id', sa.Integer(), sa.ForeignKey('school.id'), nullable=False),
        sa.Column('township_code', sa.String(12), nullable=False),
        sa.Column('grade', sa.Integer(), nullable=False),
        sa.Column('class_name', sa.String(20)),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('factors', sa.String(400), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_risk_score_term_school', 'risk_score', ['term_code', 'school_id', 'score'])
    op.create_table(
        'support_action',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('student_id', sa.Integer(), sa.ForeignKey('student.id'), nullable=False),
        sa.Column('school_id', sa.Integer(), sa.ForeignKey('school.id'), nullable=False),
        sa.Column('township_code', sa.String(12), nullable=False),
        sa.Column('kind', sa.String(12), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_by', sa.Integer(), sa.ForeignKey('app_user.id')),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('pairing', 'home_visit', 'talk', 'plan')", name='ck_support_kind'),
    )
    op.create_index('ix_support_action_student_id', 'support_action', ['student_id'])


def downgrade() -> None:
    op.drop_table('support_action')
    op.drop_index('ix_risk_score_term_school', 'risk_score')
    op.drop_table('risk_score')
    op.drop_table('absence_report')
    op.drop_table('risk_setting')
