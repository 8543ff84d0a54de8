"""Roster fields from the national student registry's export that matter to dropout work (issue 16.2): boarding
(就读方式 住校), 随班就读, single- or two-parent left-behind (是否留守儿童), orphan (是否孤儿), the guardian's relation
(成员N关系). All nullable: records imported before, or from files without these columns, do not know them.

Revision ID: 0016
Revises: 0010
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0010'
branch_labels = None
depends_on = None

_COLUMNS = (
    ('left_behind_kind', sa.String(length=2)),
    ('boarding', sa.Boolean()),
    ('mainstreamed', sa.Boolean()),
    ('orphan', sa.Boolean()),
    ('guardian_relation', sa.String(length=20)),
)


def upgrade() -> None:
    with op.batch_alter_table('roster_record') as batch:
        for name, type_ in _COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('roster_record') as batch:
        for name, _type in reversed(_COLUMNS):
            batch.drop_column(name)
