"""Official documents (issue 17): document settings per area, the 发文字号 sequence per issuer and year,
and the register of issued documents with their bytes.

Revision ID: 0017
Revises: 0014
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'document_settings',
        sa.Column('area_code', sa.String(length=12), sa.ForeignKey('area.code'), primary_key=True),
        sa.Column('issuer', sa.String(length=60), nullable=False),
        sa.Column('abbreviation', sa.String(length=20), nullable=False),
        sa.Column('recipients', sa.Text(), nullable=False),
        sa.Column('cc', sa.Text(), nullable=False),
        sa.Column('contact_person', sa.String(length=40), nullable=False),
        sa.Column('contact_phone', sa.String(length=40), nullable=False),
        sa.Column('regulation', sa.String(length=120), nullable=False),
        sa.Column('education_bureau', sa.String(length=60), nullable=False),
        sa.Column('page_numbers', sa.String(length=10), nullable=False),
        sa.CheckConstraint("page_numbers IN ('outside', 'centre')", name='ck_document_settings_pages'),
    )
    op.create_table(
        'document_sequence',
        sa.Column('abbreviation', sa.String(length=20), primary_key=True),
        sa.Column('year', sa.Integer(), primary_key=True),
        sa.Column('last', sa.Integer(), nullable=False),
    )
    op.create_table(
        'issued_document',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('area_code', sa.String(length=12), sa.ForeignKey('area.code'), nullable=False),
        sa.Column('issuer', sa.String(length=120), nullable=False),
        sa.Column('abbreviation', sa.String(length=20), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=60), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('subject', sa.String(length=80), nullable=False),
        sa.Column('version', sa.String(length=120), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('issued_by', sa.Integer(), sa.ForeignKey('app_user.id'), nullable=True),
        sa.Column('issued_by_name', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('docx', sa.LargeBinary(), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=True),
        sa.UniqueConstraint('version', name='uq_issued_document_version'),
        sa.UniqueConstraint('abbreviation', 'year', 'sequence', 'version', name='uq_issued_document_number_version'),
    )
    op.create_index('ix_issued_document_area_code', 'issued_document', ['area_code'])
    op.create_index('ix_issued_document_subject', 'issued_document', ['subject'])


def downgrade() -> None:
    op.drop_index('ix_issued_document_subject', 'issued_document')
    op.drop_index('ix_issued_document_area_code', 'issued_document')
    op.drop_table('issued_document')
    op.drop_table('document_sequence')
    op.drop_table('document_settings')
