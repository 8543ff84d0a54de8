"""Fixtures: a fresh database per test (SQLite in memory, or PostgreSQL when
BAOXUE_TEST_DATABASE_URL is set), session factories, and data factories."""
from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from data_access.db import make_engine, make_sessionmaker
from data_access.models import Base

PG_URL = os.environ.get("BAOXUE_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def _pg_engine() -> Iterator[Engine | None]:
    if not PG_URL:
        yield None
        return
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(_pg_engine: Engine | None) -> Iterator[Engine]:
    """A database with the full schema and no rows, private to this test."""
    if _pg_engine is None:
        eng = make_engine("sqlite://")
        Base.metadata.create_all(eng)
        yield eng
        eng.dispose()
        return
    yield _pg_engine
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with _pg_engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory on the test database (audit listeners installed)."""
    return make_sessionmaker(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session; tests own their transactions like any caller."""
    with session_factory() as s:
        yield s
