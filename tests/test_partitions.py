"""The roster tables partitioned by term on PostgreSQL (issue 19 item 6, data_access.partitions): the tested schema is
partitioned, a roster import of a new term makes the term's partitions and its lines land there, a query naming the
term reads that partition only, and a term whose lines already sit in the DEFAULT partition still imports."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select, text

from data_access import models as m
from data_access.imports.files import import_roster
from data_access.partitions import PARTITIONED, partition_name
from tests.conftest import PG_URL
from tests.imports.test_imports import DATA, TERM, Factory, base, run  # noqa: F401 - fixtures

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (set BAOXUE_TEST_DATABASE_URL)")


def _partitions(factory: Factory, table: str) -> dict[str, str]:
    """Partition name → its bound (FOR VALUES IN ('2024-1') or DEFAULT)."""
    with factory() as s:
        return dict(s.execute(text(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c "
            "ON c.oid = i.inhrelid WHERE i.inhparent = CAST(:t AS regclass)"), {"t": table}).all())


def _lines(factory: Factory, relation: str, term: str) -> int:
    with factory() as s:
        return s.scalar(text(f'SELECT count(*) FROM "{relation}" WHERE term_code = :t'), {"t": term})


def _forget_partitions(factory: Factory, term: str) -> None:
    """Detach and drop the term's partitions (made by an earlier test of the session: tables are only truncated)."""
    with factory() as s, s.begin():
        for table in PARTITIONED:
            name = partition_name(table, term)
            if s.scalar(text("SELECT to_regclass(:p)"), {"p": name}) is not None:
                s.execute(text(f'ALTER TABLE "{table}" DETACH PARTITION "{name}"'))
                s.execute(text(f'DROP TABLE "{name}"'))


def test_the_roster_tables_are_partitioned_by_term(engine: Engine) -> None:
    with engine.connect() as conn:
        for table in PARTITIONED:
            strategy, key = conn.execute(text(
                "SELECT p.partstrat, a.attname FROM pg_partitioned_table p JOIN pg_attribute a "
                "ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
                "WHERE p.partrelid = CAST(:t AS regclass)"), {"t": table}).one()
            assert (strategy, key) == ("l", "term_code")
            assert conn.execute(text(
                "SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c WHERE c.relname = :d"),
                {"d": f"{table}_default"}).scalar() == "DEFAULT"
            primary = conn.execute(text(
                "SELECT array_agg(a.attname ORDER BY a.attname) FROM pg_index i JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = CAST(:t AS regclass) AND i.indisprimary"), {"t": table}).scalar()
            assert primary == ["id", "term_code"]
        for referring in ("head_count_absence", "phone_call", "finding"):   # a roster line's key is (id, term)
            assert conn.execute(text(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) "
                "AND confrelid = CAST('roster_record' AS regclass)"), {"t": referring}).scalar() == (
                "FOREIGN KEY (roster_record_id, roster_term_code) REFERENCES roster_record(id, term_code) "
                "ON DELETE SET NULL")


def test_a_new_terms_import_lands_in_its_own_partition(base: Factory) -> None:  # noqa: F811
    _forget_partitions(base, TERM)
    assert all(partition_name(t, TERM) not in _partitions(base, t) for t in PARTITIONED)
    result = run(base, import_roster, DATA / "roster.csv", TERM)
    assert result.ok and result.new > 0, result.report()
    for table in PARTITIONED:
        name = partition_name(table, TERM)
        assert _partitions(base, table)[name] == f"FOR VALUES IN ('{TERM}')"
        assert _lines(base, name, TERM) == _lines(base, table, TERM) > 0
        assert _lines(base, f"{table}_default", TERM) == 0
    with base() as s:           # a query naming the term reads only its partition
        plan = "\n".join(s.execute(text(
            f"EXPLAIN SELECT count(*) FROM roster_record WHERE term_code = '{TERM}' AND status = '在读'")).scalars())
    scanned = {p for p in _partitions(base, "roster_record") if p in plan}
    assert scanned == {partition_name("roster_record", TERM)}, plan
    again = run(base, import_roster, DATA / "roster.csv", TERM)          # nothing to make the second time
    assert again.ok and (again.new, again.changed) == (0, 0)


def test_a_term_already_in_the_default_partition_imports_there(base: Factory) -> None:  # noqa: F811
    _forget_partitions(base, TERM)
    assert run(base, import_roster, DATA / "roster.csv", TERM, preview=True).ok   # a preview makes no partition
    assert partition_name("roster_record", TERM) not in _partitions(base, "roster_record")
    with base() as s, s.begin():          # a line of the term stored before its partition existed: in DEFAULT
        school = s.scalar(select(m.School.id).order_by(m.School.id).limit(1))
        s.add(m.Term(code=TERM, year=2024, semester=1, start_date=dt.date(2024, 3, 1),
                     end_date=dt.date(2024, 7, 15)))
        s.add(m.Student(id=990001, student_no="G000000000000990001", name="旧生", gender="男",
                        birth_date=dt.date(2015, 3, 1)))
        s.flush()
        s.add(m.RosterRecord(term_code=TERM, student_id=990001, school_id=school, grade=3, status="在读", age=9))
    result = run(base, import_roster, DATA / "roster.csv", TERM)
    assert result.ok and result.new > 0, result.report()
    assert partition_name("roster_record", TERM) not in _partitions(base, "roster_record")
    assert _lines(base, "roster_record_default", TERM) == _lines(base, "roster_record", TERM) >= result.new


def test_withdrawing_a_whole_term_drops_its_partitions(base: Factory) -> None:  # noqa: F811
    from sqlalchemy import delete

    from data_access.admin.withdraw import preview, withdraw
    from data_access.scope import Scope
    _forget_partitions(base, TERM)
    assert run(base, import_roster, DATA / "roster.csv", TERM).ok
    everyone = Scope("admin", unrestricted=True)
    with base() as s, s.begin():
        s.execute(delete(m.CaseEvent))          # the roster's 辍学 line opened a case, which would keep the term
        s.execute(delete(m.DropoutCase))
    with base() as s, s.begin():
        assert preview(s, "admin", everyone, TERM).term_row_removed
        withdraw(s, "admin", everyone, TERM, TERM, None)
    for table in PARTITIONED:
        assert partition_name(table, TERM) not in _partitions(base, table)
        assert _lines(base, table, TERM) == 0
    result = run(base, import_roster, DATA / "roster.csv", TERM)         # the term can come back
    assert result.ok and _lines(base, partition_name("roster_record", TERM), TERM) == result.new > 0
