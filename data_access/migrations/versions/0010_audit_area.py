"""Audit log area: each entry records the area of the object it names (issue 15.5); older entries are
resolved here through the object they name, or the acting user's area.

Revision ID: 0010
Revises: 0009
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_KEY = "audit_log.entity_key = CAST({alias}.id AS VARCHAR(20))"
_OPEN = "audit_log.area_code IS NULL AND audit_log.entity = '{entity}'"
# (entity, FROM clause, area expression, alias whose id the entry names); children reach their parent
_RESOLVE = [
    (table, f"{table} t", "t.township_code", "t")
    for table in ("dropout_case", "inspection_visit", "rectification_order", "finding", "school")
] + [
    (child, f"{child} c JOIN {parent} t ON t.id = c.{fk}", "t.township_code", "c")
    for child, fk, parent in (
        ("case_event", "case_id", "dropout_case"), ("case_attempt", "case_id", "dropout_case"),
        ("order_event", "order_id", "rectification_order"), ("order_evidence", "order_id", "rectification_order"),
        ("head_count", "visit_id", "inspection_visit"), ("file_review_result", "visit_id", "inspection_visit"),
        ("phone_call", "visit_id", "inspection_visit"), ("interview", "visit_id", "inspection_visit"),
        ("evidence_file", "visit_id", "inspection_visit"), ("roster_record", "school_id", "school"))
] + [("app_user", "app_user t", "t.area_code", "t"), ("zone", "zone t", "t.county_code", "t")]


def upgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('area_code', sa.String(length=12), nullable=True))
        batch.create_index('ix_audit_log_area_code', ['area_code'], unique=False)
    for entity, source, area, alias in _RESOLVE:
        op.execute(f"UPDATE audit_log SET area_code = {area} FROM {source} "
                   f"WHERE {_OPEN.format(entity=entity)} AND {_KEY.format(alias=alias)}")
    # users without an area (school staff) are placed in their school's township
    op.execute(f"UPDATE audit_log SET area_code = s.township_code FROM app_user t JOIN school s ON s.id = t.school_id "
               f"WHERE {_OPEN.format(entity='app_user')} AND {_KEY.format(alias='t')}")
    # the rest: the acting user's area (or school's township)
    op.execute("UPDATE audit_log SET area_code = u.area_code FROM app_user u "
               "WHERE audit_log.area_code IS NULL AND u.id = audit_log.user_id")
    op.execute("UPDATE audit_log SET area_code = s.township_code FROM app_user u JOIN school s ON s.id = u.school_id "
               "WHERE audit_log.area_code IS NULL AND u.id = audit_log.user_id")


def downgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_index('ix_audit_log_area_code')
        batch.drop_column('area_code')
