"""Index what a pupil is looked up by (issue 19: the case page, the student search and the poverty list at province
scale).

- `roster_record.student_id`: a pupil's lines of every term. The case page, the student search, notices and
  documents read them by student alone; the (term, student) key cannot serve that, so each read every line: a
  province's 9 million, 0.6–1 s on either database.
- `student.name` and `student.id_number`: the student search by name or ID number and the poverty list's comparison
  with the rosters read every student (a province's 5 million: 0.4–2.9 s, a search by name 18–34 s with the scope
  check).

New students come with rising ids, so their lines' student index grows at its end; names and ID numbers are written
once per new pupil.

Revision ID: 0039
Revises: 0038
"""
from __future__ import annotations

from alembic import op

revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_roster_student', 'roster_record', ['student_id'])
    op.create_index('ix_student_name', 'student', ['name'])
    op.create_index('ix_student_id_number', 'student', ['id_number'])


def downgrade() -> None:
    op.drop_index('ix_student_id_number', table_name='student')
    op.drop_index('ix_student_name', table_name='student')
    op.drop_index('ix_roster_student', table_name='roster_record')
