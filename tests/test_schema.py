"""The Alembic migrations build exactly the schema the models describe, and init-db is repeatable."""
from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from data_access.db import make_engine, make_sessionmaker
from data_access.models import Base, TargetPolicy
from data_access.schema import ensure_presets, has_schema, include_object_on, upgrade_schema
from tests.conftest import PG_URL


@pytest.fixture
def empty_engine(tmp_path):  # noqa: ANN001, ANN201
    """A brand-new empty database: a SQLite file, or a scratch PostgreSQL database."""
    if not PG_URL:
        engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
        yield engine
        engine.dispose()
        return
    name = f"baoxue_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(PG_URL.rsplit("/", 1)[0] + "/" + name)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}"'))
    admin.dispose()


def test_migrations_match_models(empty_engine) -> None:  # noqa: ANN001
    assert not has_schema(empty_engine)
    upgrade_schema(empty_engine)
    upgrade_schema(empty_engine)  # a second run is a no-op
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object_on(conn.dialect.name)})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ; add a migration: {diff}"


def test_presets_are_seeded_once(empty_engine) -> None:  # noqa: ANN001
    upgrade_schema(empty_engine)
    factory = make_sessionmaker(empty_engine)
    with factory() as s, s.begin():
        assert ensure_presets(s) == 5
    with factory() as s, s.begin():
        assert ensure_presets(s) == 0
        menghai = s.query(TargetPolicy).filter_by(name="勐海县 2019").one()
        assert {(t.indicator, t.op, t.bound) for t in menghai.targets} == {
            ("primary_enrollment_rate", ">=", 99.5), ("junior_gross_enrollment_rate", ">=", 99.0),
            ("primary_dropout_rate", "<=", 0.6), ("junior_dropout_rate", "<=", 1.8),
            ("special_group_dropouts", "==", 0.0)}
