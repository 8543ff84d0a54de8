"""Published periods: a term's results frozen as an area published them (issue 18.3), and the accountability
records of their 约谈 / 问责 units (issue 18.5); reporting duties and the reports sent for them (issue 18.2).

Revision ID: 0018
Revises: 0016
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'period_publication',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('area_code', sa.String(12), sa.ForeignKey('area.code'), nullable=False),
        sa.Column('term_code', sa.String(7), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=False),
        sa.Column('published_by', sa.Integer(), sa.ForeignKey('app_user.id')),
        sa.Column('policy_json', sa.Text()),
        sa.Column('withdrawn_at', sa.DateTime()),
        sa.Column('withdrawn_by', sa.Integer(), sa.ForeignKey('app_user.id')),
        sa.Column('withdraw_reason', sa.String(500)),
    )
    op.create_index('ix_publication_term_area', 'period_publication', ['term_code', 'area_code'])
    op.create_table(
        'published_unit_counts',
        sa.Column('publication_id', sa.Integer(), sa.ForeignKey('period_publication.id'), primary_key=True),
        sa.Column('level', sa.String(12), primary_key=True),
        sa.Column('unit_code', sa.String(12), primary_key=True),
        sa.Column('counts_json', sa.Text(), nullable=False),
        sa.Column('overdue_rectifications', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('false_data_findings', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('missed_reports', sa.Integer(), nullable=False, server_default='0'),
    )
    op.create_table(
        'accountability_record',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('publication_id', sa.Integer(), sa.ForeignKey('period_publication.id'), nullable=False),
        sa.Column('unit_code', sa.String(12), nullable=False),
        sa.Column('unit_area', sa.String(12), nullable=False),
        sa.Column('term_code', sa.String(7), nullable=False),
        sa.Column('tier', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('talked_to', sa.String(200), nullable=False),
        sa.Column('held_by', sa.String(200), nullable=False),
        sa.Column('decision', sa.Text(), nullable=False),
        sa.Column('follow_up_deadline', sa.Date()),
        sa.Column('recorded_by', sa.Integer(), sa.ForeignKey('app_user.id')),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_accountability_unit_term', 'accountability_record', ['unit_code', 'term_code'])
    op.create_table(
        'reporting_duty',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('county_code', sa.String(12), sa.ForeignKey('area.code'), nullable=False),
        sa.Column('name', sa.String(100), nullable=False),
        sa.Column('reporter', sa.String(10), nullable=False),
        sa.Column('cadence', sa.String(12), nullable=False),
        sa.Column('due_days', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('due_month_day', sa.String(5)),
        sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column('since', sa.Date(), nullable=False),
    )
    op.create_index('ix_reporting_duty_county_code', 'reporting_duty', ['county_code'])
    op.create_table(
        'duty_report',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('duty_id', sa.Integer(), sa.ForeignKey('reporting_duty.id'), nullable=False),
        sa.Column('period_key', sa.String(8), nullable=False),
        sa.Column('unit_code', sa.String(12), nullable=False),
        sa.Column('unit_area', sa.String(12), nullable=False),
        sa.Column('submitted_at', sa.DateTime(), nullable=False),
        sa.Column('submitted_by', sa.Integer(), sa.ForeignKey('app_user.id')),
        sa.Column('notes', sa.Text(), nullable=False, server_default=''),
        sa.Column('figures_json', sa.Text(), nullable=False, server_default='{}'),
        sa.UniqueConstraint('duty_id', 'period_key', 'unit_code', name='uq_duty_report'),
    )


def downgrade() -> None:
    op.drop_table('duty_report')
    op.drop_index('ix_reporting_duty_county_code', table_name='reporting_duty')
    op.drop_table('reporting_duty')
    op.drop_index('ix_accountability_unit_term', table_name='accountability_record')
    op.drop_table('accountability_record')
    op.drop_table('published_unit_counts')
    op.drop_index('ix_publication_term_area', table_name='period_publication')
    op.drop_table('period_publication')
