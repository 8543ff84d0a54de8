"""The Alembic migrations build exactly the schema the models describe, and init-db is repeatable."""
from __future__ import annotations

import uuid
from collections.abc import Callable

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


_ROWS_0026 = [       # the smallest database that has roster lines of two terms and a phone call pointing at one
    "INSERT INTO area (code, name, level, retired) VALUES ('532822101000', '勐海镇', 'township', false)",
    "INSERT INTO school (id, code, name, type, township_code, is_central) "
    "VALUES (1, '2153000001', '一小', 'primary', '532822101000', false)",
    "INSERT INTO term (code, year, semester, start_date, end_date) VALUES "
    "('2025-2', 2025, 2, '2025-09-01', '2026-01-20'), ('2026-1', 2026, 1, '2026-03-01', '2026-07-10')",
    "INSERT INTO student (id, student_no, name, gender, birth_date) VALUES "
    "(1, 'G000000000000000001', '甲', '男', '2016-05-01'), (2, 'G000000000000000002', '乙', '女', '2016-06-01')",
    "INSERT INTO roster_record (id, term_code, student_id, school_id, grade, status, poverty_registered, disability, "
    "left_behind, migrant, age) VALUES (1, '2025-2', 1, 1, 3, '在读', false, '无', false, false, 9), "
    "(2, '2026-1', 1, 1, 3, '在读', false, '无', false, false, 9), (3, '2026-1', 2, 1, 3, '辍学', true, '无', true, false, 9)",
    "INSERT INTO roster_agg (id, term_code, school_id, area_code, grade, age, status, poverty_registered, disability, "
    "left_behind, migrant, students) VALUES (1, '2025-2', 1, '532822101000', 3, 9, '在读', false, '无', false, false, 1), "
    "(2, '2026-1', 1, '532822101000', 3, 9, '在读', false, '无', false, false, 1)",
    "INSERT INTO inspection_visit (id, term_code, township_code, visit_date, status, version, created_at, updated_at) "
    "VALUES (1, '2026-1', '532822101000', '2026-04-01', 'draft', 1, '2026-04-01 09:00', '2026-04-01 09:00')",
    "INSERT INTO phone_call (id, visit_id, student_id, roster_record_id, position, note) VALUES "
    "(1, 1, 1, 2, 1, ''), (2, 1, 2, 3, 2, '')",
]


def _migrator(engine):  # noqa: ANN001, ANN202
    """migrate(step, revision): run Alembic's upgrade or downgrade to a revision on the engine."""
    from alembic import command

    from data_access.schema import alembic_config
    cfg = alembic_config(engine)

    def migrate(step: str, revision: str) -> None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            getattr(command, step)(cfg, revision)
    return migrate


def _roster_rows(conn) -> list[tuple]:  # noqa: ANN001
    return [tuple(r) for t in ("roster_record", "roster_agg")
            for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))]


def test_migration_0032_keeps_the_roster_and_partitions_it_on_postgresql(empty_engine) -> None:  # noqa: ANN001
    """Upgrading a database with roster lines and an inspection pointing at one: every row kept, the call gets its
    line's term; on PostgreSQL the lines sit in their term's partition and deleting one still clears the call;
    downgrading gives the rows back as they were."""
    migrate = _migrator(empty_engine)
    migrate("upgrade", "0026")
    with empty_engine.begin() as conn:
        for sql in _ROWS_0026:
            conn.execute(text(sql))
        if empty_engine.dialect.name == "postgresql":       # the rows were given ids, as the demo loader does
            conn.execute(text("SELECT setval('roster_record_id_seq', 3)"))
        before = _roster_rows(conn)
    migrate("upgrade", "0032")
    postgresql = empty_engine.dialect.name == "postgresql"
    with empty_engine.begin() as conn:
        assert _roster_rows(conn) == before
        assert conn.execute(text("SELECT roster_record_id, roster_term_code FROM phone_call ORDER BY id")).all() == [
            (2, "2026-1"), (3, "2026-1")]
        if postgresql:
            assert conn.execute(text("SELECT tableoid::regclass::text, count(*) FROM roster_record GROUP BY 1 "
                                     "ORDER BY 1")).all() == [("roster_record_2025_2", 1), ("roster_record_2026_1", 2)]
            assert conn.execute(text("SELECT count(*) FROM roster_agg_2026_1")).scalar() == 1
        conn.execute(text("DELETE FROM roster_record WHERE id = 2"))        # a re-import removing the line
        assert conn.execute(text("SELECT roster_record_id, roster_term_code FROM phone_call ORDER BY id")).all() == [
            (None, None) if postgresql else (None, "2026-1"), (3, "2026-1")]
        conn.execute(text("INSERT INTO roster_record (term_code, student_id, school_id, grade, status, "
                          "poverty_registered, disability, left_behind, migrant, age) "
                          "VALUES ('2026-1', 1, 1, 3, '在读', false, '无', false, false, 9)"))
        assert conn.execute(text("SELECT max(id) FROM roster_record")).scalar() == 4     # the sequence came along
        after = _roster_rows(conn)
    migrate("downgrade", "0026")
    with empty_engine.begin() as conn:
        assert _roster_rows(conn) == after
        assert conn.execute(text("SELECT roster_record_id FROM phone_call ORDER BY id")).scalars().all() == [None, 3]
        if postgresql:
            assert conn.execute(text("SELECT relkind FROM pg_class WHERE relname = 'roster_record'")).scalar() == "r"
            conn.execute(text("DELETE FROM roster_record WHERE id = 3"))
            assert conn.execute(text("SELECT roster_record_id FROM phone_call WHERE id = 2")).scalar() is None


_UNIT_COUNTS = ("INSERT INTO unit_counts (term_code, level, unit_code, township_code, primary_enrolled, "
                "junior_enrolled, primary_dropped, primary_base, junior_dropped, junior_base, grade9_enrolled, "
                "disabled_enrolled, special_group_dropouts, dropouts, enrolled, left_behind_enrolled, "
                "migrant_enrolled, disabled_dropped, left_behind_dropped, migrant_dropped, poverty_enrolled) VALUES "
                "('2026-1', 'school', '2153000001', '532822101000', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "
                "('2026-1', 'township', '532822101000', NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "
                "('2025-1', 'school', '2153000001', '532822101000', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)")


def _counted_terms(empty_engine, before: str, cells: list[tuple[str, str, int]]) -> Callable[[str, str], None]:  # noqa: ANN001
    """A database at migration `before` with counted terms: a school's roster cells (term, status, students) of
    2026-1 and 2025-2, its school rows of 2026-1 and 2025-1 (none of its cells) and a township row; the migrator."""
    migrate = _migrator(empty_engine)
    migrate("upgrade", before)
    values = ", ".join(f"({i}, '{term}', 1, '532822101000', 3, 9, '{status}', false, '无', false, false, {n})"
                       for i, (term, status, n) in enumerate(cells, start=1))
    with empty_engine.begin() as conn:
        for sql in _ROWS_0026[:3] + [
                "INSERT INTO roster_agg (id, term_code, school_id, area_code, grade, age, status, poverty_registered, "
                f"disability, left_behind, migrant, students) VALUES {values}", _UNIT_COUNTS]:
            conn.execute(text(sql))
    return migrate


def test_migration_0035_fills_each_schools_roster_lines(empty_engine) -> None:  # noqa: ANN001
    """Upgrading a database with counted terms: each school row gets its roster lines of the term (every cell, any
    status), a school row without cells 0, and area rows none."""
    migrate = _counted_terms(empty_engine, "0034", [("2026-1", "在读", 7), ("2026-1", "转出", 2), ("2025-2", "在读", 5)])
    migrate("upgrade", "0035")
    with empty_engine.begin() as conn:
        assert conn.execute(text("SELECT term_code, level, roster_lines FROM unit_counts ORDER BY 1, 2")).all() == [
            ("2025-1", "school", 0), ("2026-1", "school", 9), ("2026-1", "township", None)]
    migrate("downgrade", "0034")


def test_migration_0038_fills_each_schools_pupils_in_school(empty_engine) -> None:  # noqa: ANN001
    """Upgrading a database with counted terms: each school row gets its pupils in school of the term (在读 and
    送教上门, not 休学 or 转出), a school row without cells 0, and area rows none."""
    migrate = _counted_terms(empty_engine, "0037", [("2026-1", "在读", 7), ("2026-1", "送教上门", 1),
                                                    ("2026-1", "休学", 4), ("2026-1", "转出", 2), ("2025-2", "在读", 5)])
    migrate("upgrade", "0038")
    with empty_engine.begin() as conn:
        assert conn.execute(text("SELECT term_code, level, in_school FROM unit_counts ORDER BY 1, 2")).all() == [
            ("2025-1", "school", 0), ("2026-1", "school", 8), ("2026-1", "township", None)]
    migrate("downgrade", "0037")


def test_rows_pointing_at_a_roster_line_are_indexed(empty_engine) -> None:  # noqa: ANN001
    """Roster lines are deleted by the thousand (imports replacing a school's roster, undo, withdrawal), and each
    delete looks for the rows pointing at the line: every key to roster_record needs an index starting with its
    columns, else each deleted line reads the whole referring table (7,939 phone calls made a county's import into
    the province database 5× slower)."""
    from sqlalchemy import inspect
    upgrade_schema(empty_engine)
    inspector = inspect(empty_engine)
    referring = []
    for table in inspector.get_table_names():
        for key in inspector.get_foreign_keys(table):
            if key["referred_table"] != "roster_record":
                continue
            columns = key["constrained_columns"]
            referring.append(table)
            leading = [ix["column_names"][:len(columns)] for ix in inspector.get_indexes(table)]
            assert columns in leading, f"{table}.{columns} points at roster_record without an index"
    assert sorted(referring) == ["finding", "head_count_absence", "phone_call"]
