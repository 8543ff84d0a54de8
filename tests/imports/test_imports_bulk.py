"""The machinery that makes big roster imports fast (bench/results-import.md), on small files: the foreign keys of
roster_record checked once per load on PostgreSQL (dropped, added back NOT VALID, validated, in the import's
transaction), the staging COPY kept open while the file streams, duplicates found by unique indexes, student ids
drawn from the sequence, fewer garbage-collector passes. Each must leave the result exactly as before."""
from __future__ import annotations

import gc
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from data_access.imports import bulk as import_bulk

from data_access.imports import roster_check as import_roster_check
from data_access import models as m
from data_access.imports.parse import fewer_gc_passes
from data_access.imports.missing import missing_students
from data_access.imports.files import import_roster
from tests.conftest import PG_URL
from tests.imports.test_imports import (  # noqa: F401 - fixtures
    DATA, TERM, Factory, base, counts, problem_at, read_csv, rostered, roster_state, run, write_csv, write_xlsx,
)

pg_only = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (set BAOXUE_TEST_DATABASE_URL)")


def _keys(factory: Factory) -> list[tuple[str, str, bool]]:
    """roster_record's foreign keys: name, definition, validated."""
    with factory() as s:
        return [tuple(r) for r in s.execute(text(
            "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE conrelid = 'roster_record'::regclass AND contype = 'f' ORDER BY conname"))]


def _roster(tmp_path: Path, count: int, name: str = "big.csv") -> Path:
    """The fixture roster's first row (a boy) repeated with distinct student and ID numbers, born on the first
    days of March 2015 (500 a day; valid checksums)."""
    from stdnum.cn import ric
    rows = read_csv("roster.csv")
    head, first = rows[0], rows[1]
    out = [head]
    for i in range(count):
        row = list(first)
        day = 1 + i // 500
        body = f"990101201503{day:02d}{2 * (i % 500) + 1:03d}"          # odd 17th digit: a boy
        row[head.index("全国学籍号")] = f"G{i:018d}"
        row[head.index("身份证件号")] = body + ric.calc_check_digit(body + "0")
        row[head.index("出生日期")] = f"2015-03-{day:02d}"
        out.append(row)
    return write_csv(tmp_path / name, out)


@pytest.fixture
def bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any load counts as large."""
    monkeypatch.setattr(import_bulk, "BULK_ROWS", 1)
    monkeypatch.setattr(import_bulk, "TABLE_SHARE", 10_000_000)


@pg_only
def test_keys_are_checked_once_and_come_back_validated(base: Factory, bulk: None, tmp_path: Path) -> None:  # noqa: F811
    before = _keys(base)
    assert len(before) == 3 and all(valid for *_, valid in before)
    path = _roster(tmp_path, 1500)
    result = run(base, import_roster, path, TERM)
    assert (result.ok, result.new) == (True, 1500), result.report()
    assert _keys(base) == before                       # same names, same definitions, validated
    state = roster_state(base)
    again = run(base, import_roster, path, TERM)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 1500)
    assert roster_state(base) == state and _keys(base) == before


@pg_only
def test_a_row_breaking_a_key_fails_the_load_and_nothing_is_written(base: Factory, bulk: None,  # noqa: F811
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Were the import's own checks wrong, VALIDATE CONSTRAINT still refuses the rows: the transaction fails."""
    real = import_roster_check.load_refs

    def wrong(session: Any) -> Any:  # noqa: ANN401
        refs = real(session)
        refs.schools = {code: (999_999, town, name) for code, (_, town, name) in refs.schools.items()}
        return refs
    monkeypatch.setattr("data_access.imports.roster.load_refs", wrong)
    before = counts(base)
    with pytest.raises(IntegrityError, match="roster_record_school_id_fkey"):
        run(base, import_roster, DATA / "roster.csv", TERM)
    assert counts(base) == before and len(_keys(base)) == 3


@pg_only
def test_busy_tables_fall_back_to_per_row_checks(base: Factory, bulk: None, engine: Any,  # noqa: F811
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader holding the school table makes the import not wait for it: the keys stay, rows are checked one
    by one, and the import succeeds."""
    monkeypatch.setattr(import_bulk, "LOCK_WAIT", "100ms")
    dropped: list[bool] = []
    real = import_bulk._drop_keys
    monkeypatch.setattr(import_bulk, "_drop_keys", lambda *a: dropped.append(real(*a)) or dropped[-1])
    with engine.connect() as reader:
        reader.execute(text("SELECT count(*) FROM school"))       # holds an ACCESS SHARE lock until it ends
        result = run(base, import_roster, DATA / "roster.csv", TERM)
        reader.rollback()
    assert (result.ok, result.new) == (True, 5), result.report()
    assert dropped == [False]
    assert len(_keys(base)) == 3 and all(valid for *_, valid in _keys(base))


def test_small_loads_and_sqlite_keep_the_per_row_checks(base: Factory, engine: Any) -> None:  # noqa: F811
    with base() as s, s.begin():
        assert not import_bulk._worth_it(s, "roster_record", 10)
        if not PG_URL:
            assert not import_bulk._worth_it(s, "roster_record", 10_000_000)
        import_bulk.bulk_settings(s)                      # nothing on SQLite, two SET LOCALs on PostgreSQL
        if PG_URL:
            assert s.scalar(text("SHOW synchronous_commit")) == "off"
    if PG_URL:
        with base() as s:
            assert s.scalar(text("SHOW synchronous_commit")) == "on"     # for the import's transaction only


def test_a_file_damaged_while_streaming_is_refused_and_the_session_stays_usable(
        base: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """The staging COPY is open (more than one chunk staged) when the workbook turns out damaged."""
    from data_access.imports import stage as import_stage
    copies: list[int] = []
    real = import_stage.Stage.flush
    monkeypatch.setattr(import_stage.Stage, "flush", lambda self: copies.append(len(self._buffer)) or real(self))
    import csv
    with _roster(tmp_path, 8000).open(encoding="utf-8", newline="") as fh:
        good = write_xlsx(tmp_path / "good.xlsx", list(csv.reader(fh)))
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item)
            out.writestr(item, data[:len(data) * 9 // 10] if item.filename.startswith("xl/worksheets/") else data)
    with base() as s:
        s.begin()
        result = import_roster(s, damaged, TERM)
        assert not result.ok
        assert any("damaged" in p.reason for p in result.problems), result.report()
        assert max(copies) >= 5000                          # rows were staged (a COPY was open on PostgreSQL)
        assert s.scalar(select(func.count()).select_from(m.Student)) == 0      # the connection still answers
        s.rollback()
    assert counts(base)["roster_record"] == 0


@pytest.mark.parametrize("name", ["roster_duplicate_student.csv", "roster_duplicate_id.csv"])
def test_duplicates_are_found_after_the_unique_index_refuses(base: Factory, name: str) -> None:  # noqa: F811
    result = run(base, import_roster, DATA / name, TERM)
    assert not result.ok and any("appears more than once (first on row" in p.reason for p in result.problems)
    assert counts(base)["student"] == 0
    assert all(p.value.endswith("…") for p in result.problems if p.column == "身份证件号")   # never the whole number


def test_new_students_get_ids_and_records_in_one_pass(base: Factory, tmp_path: Path) -> None:  # noqa: F811
    result = run(base, import_roster, _roster(tmp_path, 300), TERM)
    assert (result.ok, result.new) == (True, 300), result.report()
    with base() as s:
        joined = s.scalar(select(func.count()).select_from(m.RosterRecord)
                          .join(m.Student, m.Student.id == m.RosterRecord.student_id)
                          .where(m.Student.student_no.like("G0000%")))
        assert joined == 300 == s.scalar(select(func.count()).select_from(m.Student))


def test_missing_students_are_counted_beyond_those_listed(rostered: Factory, tmp_path: Path) -> None:  # noqa: F811
    rows = read_csv("roster.csv")
    h = rows[0]
    run(rostered, import_roster, write_csv(tmp_path / "spring.csv", [h, rows[1]]), "2024-2")
    with rostered() as s:
        school_ids = set(s.scalars(select(m.School.id)))
        previous, listed, count = missing_students(s, "2024-2", school_ids, limit=1)
        _, everyone, total = missing_students(s, "2024-2", school_ids)
    assert (previous, len(listed), count) == (TERM, 1, total) and total == len(everyone) >= 2
    assert listed[0] == everyone[0]


def test_fewer_gc_passes_restores_the_thresholds_when_the_last_stream_ends() -> None:
    original = gc.get_threshold()
    entered, leave = threading.Event(), threading.Event()

    def other_stream() -> None:
        with fewer_gc_passes():
            entered.set()
            leave.wait(5)
    worker = threading.Thread(target=other_stream)
    with fewer_gc_passes():
        raised = gc.get_threshold()
        assert raised[0] >= 100_000 and raised[1:] == original[1:]
        worker.start()
        entered.wait(5)
    assert gc.get_threshold() == raised               # the other stream still runs
    leave.set()
    worker.join(5)
    assert gc.get_threshold() == original


def test_an_unexpected_error_while_streaming_ends_the_copy_and_rolls_back(base: Factory, tmp_path: Path,  # noqa: F811
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug (here: the checker failing on the fourth chunk, after a COPY was opened) propagates; the session
    can still roll back and the next import on the same connection works."""
    from data_access.imports import roster as roster_module
    calls: list[int] = []
    real = roster_module.RosterChecker.__call__

    def failing(self: Any, numbers: Any, values: Any) -> Any:  # noqa: ANN401
        calls.append(len(numbers))
        if len(calls) == 4:
            raise RuntimeError("checker bug")
        return real(self, numbers, values)
    monkeypatch.setattr(roster_module.RosterChecker, "__call__", failing)
    path = _roster(tmp_path, 9000)
    with base() as s:
        s.begin()
        with pytest.raises(RuntimeError, match="checker bug"):
            import_roster(s, path, TERM)
        s.rollback()
        monkeypatch.setattr(roster_module.RosterChecker, "__call__", real)
        with s.begin():
            assert import_roster(s, DATA / "roster.csv", TERM).ok
    assert counts(base)["roster_record"] == 5


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's temporary tables")
def test_a_small_file_keeps_its_temporary_tables_in_memory(base: Factory, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                                                           tmp_path: Path) -> None:
    """SQLite: up to MEMORY_TEMP_ROWS rows the staged file and matched rows live in memory (temp_store 2), a larger
    file's in a temporary file (0, SQLite's default), each import choosing for itself on the same connection; the
    result is the same either way."""
    from data_access.imports import roster
    seen: list[int] = []

    class Spy(roster.Stage):
        def __init__(self, session: Any, *args: Any, **kwargs: Any) -> None:
            seen.append(session.execute(text("PRAGMA temp_store")).scalar())
            super().__init__(session, *args, **kwargs)
    monkeypatch.setattr(roster, "Stage", Spy)
    rows = read_csv("roster.csv")
    for limit, file in ((10 ** 6, DATA / "roster.csv"), (4, write_csv(tmp_path / "again.csv", rows)),
                        (10 ** 6, write_csv(tmp_path / "third.csv", rows))):
        monkeypatch.setattr(import_bulk, "MEMORY_TEMP_ROWS", limit)
        assert run(base, import_roster, file, TERM).ok
    assert seen == [2, 0, 2]                     # (the in-memory database: one connection for every import)
    with base() as s:
        assert s.scalar(select(func.count()).select_from(m.RosterRecord)) == 5
