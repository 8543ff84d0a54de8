"""Index a term's lines of a school with their pupils, and pupils by name with their id (issue 19: the student search
by a common name in a county).

A county officer's search by a name shared by 10,602 pupils of a province checked each namesake's lines for a school
of the county: 21,000 index probes, ~200 ms on PostgreSQL. The search now reads the county's pupils from its schools'
lines and meets the namesakes there; both sides come from an index alone:

- `roster_record (term_code, school_id, student_id)` replaces `(term_code, school_id)`, which every read by term and
  school still uses;
- `student (name, id)` replaces `(name)`: a name's pupils in id order.

Revision ID: 0041
Revises: 0040
"""
from __future__ import annotations

from alembic import op

revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_roster_term_school_student', 'roster_record', ['term_code', 'school_id', 'student_id'])
    op.drop_index('ix_roster_term_school', table_name='roster_record')
    op.create_index('ix_student_name_id', 'student', ['name', 'id'])
    op.drop_index('ix_student_name', table_name='student')


def downgrade() -> None:
    op.create_index('ix_student_name', 'student', ['name'])
    op.drop_index('ix_student_name_id', table_name='student')
    op.create_index('ix_roster_term_school', 'roster_record', ['term_code', 'school_id'])
    op.drop_index('ix_roster_term_school_student', table_name='roster_record')
