"""roster_agg: one row per cell (term, school, area, grade, age, status, flags), so that two imports of one term
can never leave a school's counts twice (issue 12). Cells stored twice by that bug are counted again first.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 11:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

CELL = ['term_code', 'school_id', 'area_code', 'grade', 'age', 'status', 'poverty_registered', 'disability',
        'left_behind', 'migrant']
_RECOUNT = sa.text(
    "INSERT INTO roster_agg (" + ", ".join(CELL) + ", students) "
    "SELECT r.term_code, r.school_id, coalesce(r.household_code, s.township_code), r.grade, r.age, r.status, "
    "r.poverty_registered, r.disability, r.left_behind, r.migrant, count(*) "
    "FROM roster_record r JOIN school s ON s.id = r.school_id WHERE r.term_code = :t AND r.school_id = :s "
    "GROUP BY r.term_code, r.school_id, coalesce(r.household_code, s.township_code), r.grade, r.age, r.status, "
    "r.poverty_registered, r.disability, r.left_behind, r.migrant")


def upgrade() -> None:
    conn = op.get_bind()
    doubled = conn.execute(sa.text(
        "SELECT DISTINCT term_code, school_id FROM roster_agg GROUP BY " + ", ".join(CELL) + " HAVING count(*) > 1"
    )).all()
    for term_code, school_id in doubled:
        conn.execute(sa.text("DELETE FROM roster_agg WHERE term_code = :t AND school_id = :s"),
                     {"t": term_code, "s": school_id})
        conn.execute(_RECOUNT, {"t": term_code, "s": school_id})
    with op.batch_alter_table('roster_agg', schema=None) as batch_op:
        batch_op.create_index('uq_agg_cell', CELL, unique=True)
        batch_op.drop_index('ix_agg_term_school')


def downgrade() -> None:
    with op.batch_alter_table('roster_agg', schema=None) as batch_op:
        batch_op.create_index('ix_agg_term_school', ['term_code', 'school_id'], unique=False)
        batch_op.drop_index('uq_agg_cell')
