"""Large roster imports on SQLite write school batch by school batch (issue 12, item 6): a save gets the write lock
between two batches; the result equals one transaction's; a failure or a killed process leaves the roster as it was
before the import. SQLite only (on PostgreSQL an import is one transaction: tests/imports/test_imports_serial.py)."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, sessionmaker
from stdnum.cn import ric

from data_access import writers
from data_access.db import make_engine
from data_access.imports import batches, roster
from data_access.imports.files import import_roster
from data_access.models import AuditLog, ImportRecord, RosterAggregate, RosterRecord, Student, UnitCounts
from tests.conftest import PG_URL
from tests.imports.test_imports import TERM, file_database, read_csv, write_csv

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="batched writes are SQLite's (PostgreSQL: one transaction)")
ROOT = Path(__file__).resolve().parents[2]
SCHOOLS = ("2153000001", "2153000002", "2153000003")
PER_SCHOOL = 40


def _rows(statuses: dict[int, str], *, skip: set[int] = frozenset(), extra: int = 0,
          moves: dict[int, str] | None = None) -> list[list[str]]:
    """A roster of PER_SCHOOL pupils in each school (pupil i of the whole file), with changes."""
    header = read_csv("roster.csv")[0]
    out = [header]
    moves = moves or {}
    for i in range(len(SCHOOLS) * PER_SCHOOL + extra):
        if i in skip:
            continue
        birth = dt.date(2014, 1, 1) + dt.timedelta(days=i)
        body = f"532822{birth:%Y%m%d}{(i % 500) * 2 + 1:03d}"
        idn = body + ric.calc_check_digit(body + "0")   # (stdnum wants a placeholder check digit)
        school = moves.get(i, SCHOOLS[min(i // PER_SCHOOL, len(SCHOOLS) - 1)])
        out.append([f"G{idn}", f"测试{i:03d}", "男", birth.isoformat(), idn, school, "4", "1班",
                    statuses.get(i, "在读"), "", "测试家长", "13800000001", "否", "无", "否", "否"])
    return out


@pytest.fixture
def db(tmp_path: Path) -> Iterator[tuple[str, sessionmaker[Session]]]:
    url = f"sqlite:///{tmp_path / 'batched.db'}"
    engine, factory = file_database(url)
    yield url, factory
    engine.dispose()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """A first roster of the term, and a second one that changes, removes, adds and moves pupils."""
    first = write_csv(tmp_path / "first.csv", _rows({}))
    second = write_csv(tmp_path / "second.csv", _rows({3: "辍学", 50: "休学", 95: "辍学"}, skip={7, 60, 61},
                                                     extra=5, moves={10: "2153000003", 45: "2153000001"}))
    return first, second


def _state(factory: sessionmaker[Session]) -> dict[str, list[tuple]]:
    """What the import decides: the term's roster lines, its aggregates and unit counts."""
    with factory() as s:
        lines = s.execute(select(Student.student_no, RosterRecord.school_id, RosterRecord.grade, RosterRecord.status)
                          .join(Student, Student.id == RosterRecord.student_id)
                          .where(RosterRecord.term_code == TERM)).all()
        cells = s.execute(select(RosterAggregate.school_id, RosterAggregate.area_code, RosterAggregate.grade,
                                 RosterAggregate.age, RosterAggregate.status, RosterAggregate.students)
                          .where(RosterAggregate.term_code == TERM)).all()
        units = s.execute(select(*(c for c in UnitCounts.__table__.columns if c.name != "id"))).all()
    return {"lines": sorted(map(tuple, lines)), "cells": sorted(map(tuple, cells)),
            "units": sorted(map(tuple, units), key=repr)}


def _import(factory: sessionmaker[Session], path: Path) -> None:
    with factory() as s, s.begin():
        assert import_roster(s, path, TERM).ok


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> list[set[int]]:
    """Batches of about 50 rows (so the 125-row file takes three), no pause; the batches committed."""
    monkeypatch.setattr(batches, "BATCH_ROWS", 50)
    monkeypatch.setattr(batches, "BATCH_PAUSE", 0)
    monkeypatch.setattr(batches, "BATCH_SECONDS", 0)          # batches of BATCH_ROWS rows, however fast
    committed: list[set[int]] = []
    real = batches.commit_batch

    def spy(session: Session, import_id: int, written: set[int]) -> None:
        real(session, import_id, written)
        committed.append(set(written))
    monkeypatch.setattr(roster, "commit_batch", spy)
    return committed


def test_a_batched_import_ends_as_one_transaction_would(db, files, tmp_path: Path, small_batches,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _url, factory = db
    _import(factory, files[0])
    small_batches.clear()
    _import(factory, files[1])
    assert len(small_batches) == 3 and small_batches[-1] == small_batches[-2] | small_batches[-1]
    batched = _state(factory)
    with factory() as s:
        record = s.scalars(select(ImportRecord).order_by(ImportRecord.id.desc())).first()
        assert record is not None and not record.writing and record.undoable and record.new == 5
    # the same two files into another database, each in one transaction
    monkeypatch.setattr(batches, "BATCH_ROWS", 10 ** 9)
    engine, other = file_database(f"sqlite:///{tmp_path / 'one.db'}")
    _import(other, files[0])
    _import(other, files[1])
    assert len(small_batches) == 3                      # no batches this time
    assert _state(other) == batched
    assert {r[3] for r in batched["lines"]} >= {"辍学", "休学"} and len(batched["lines"]) == 3 * PER_SCHOOL + 2
    engine.dispose()


def test_batches_are_sized_by_the_time_they_hold_the_write_lock(db, files, small_batches,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """After the first batch of BATCH_ROWS rows, a batch takes as many rows as the last one wrote in BATCH_SECONDS:
    on a machine this fast, the rest of the file in one batch when the lock may be held long enough (a fixed 5,000
    rows held it ~0.15 s and left it free 0.1 s: a third of an import spent waiting for nobody) …"""
    _url, factory = db
    _import(factory, files[0])
    monkeypatch.setattr(batches, "BATCH_SECONDS", 60)
    small_batches.clear()
    _import(factory, files[1])
    assert len(small_batches) == 2 and len(small_batches[0]) == 1 and len(small_batches[1]) == len(SCHOOLS)
    # … and never fewer rows than BATCH_ROWS (schools of 40 rows: two a batch), nor more than MAX_BATCH_ROWS
    monkeypatch.setattr(batches, "BATCH_SECONDS", 1e-9)
    small_batches.clear()
    _import(factory, files[0])
    assert [len(b) for b in small_batches] == [1, 2, 3]
    monkeypatch.setattr(batches, "BATCH_SECONDS", 60)
    monkeypatch.setattr(batches, "MAX_BATCH_ROWS", 50)
    small_batches.clear()
    _import(factory, files[1])
    assert [len(b) for b in small_batches] == [1, 2, 3]


def test_a_batched_import_reports_the_rows_of_each_batch_written(db, files, small_batches) -> None:
    from data_access.imports.core import WRITING
    _url, factory = db
    seen: list[int] = []
    with factory() as s, s.begin():
        assert import_roster(s, files[0], TERM, progress=lambda done, _total, phase: seen.append(done)
                             if phase == WRITING else None).ok
    assert len(small_batches) == 3 and seen == sorted(seen) and seen[-1] == len(SCHOOLS) * PER_SCHOOL
    assert {40, 80} <= set(seen)                        # the end of each batch of one school (40 rows), in turn


def test_each_school_is_recomputed_once_in_a_batched_import(db, files, small_batches,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A school's aggregate rows are recomputed once, with the batch after which no later one changes its lines: its
    own, or that of the last school its pupils move to (a file moving a county's pupils among its schools recomputed
    the whole county in every batch, then every school pupils left for a later batch twice); the school-age lines
    once, after the last batch."""
    from tests.cases.test_age_lines_stored import assert_same
    _url, factory = db
    _import(factory, files[0])
    recomputed: list[tuple[set[int], int]] = []
    lines: list[int] = []
    real, real_lines = roster.refresh_roster_aggregates, roster.refresh_age_lines

    def spy(session: Session, term: str, schools: set[int], **kw):  # noqa: ANN003, ANN202
        recomputed.append((set(schools), len(small_batches)))
        return real(session, term, schools, **kw)

    def lines_spy(*args, **kw):  # noqa: ANN002, ANN003, ANN202
        lines.append(len(small_batches))
        return real_lines(*args, **kw)
    monkeypatch.setattr(roster, "refresh_roster_aggregates", spy)
    monkeypatch.setattr(roster, "refresh_age_lines", lines_spy)
    small_batches.clear()
    _import(factory, files[1])          # pupil 45 leaves school 2 for school 1, pupil 10 school 1 for school 3
    assert len(small_batches) == 3 and [len(b) for b in small_batches] == [1, 2, 3]
    first, second = small_batches[0], small_batches[1] - small_batches[0]
    third = small_batches[2] - small_batches[1]
    # school 1 loses pupil 10 to the third batch: recomputed with it; school 2 with its own batch (the second)
    assert recomputed == [(second, 1), (first | third, 2)]
    assert lines == [3]                 # the school-age lines once, after the last batch was written …
    assert assert_same(factory, TERM)   # … and they are the lines computed afresh


def _batch_pauses(monkeypatch: pytest.MonkeyPatch, seconds: float, *, sleep: bool) -> list[float]:
    """Set BATCH_PAUSE to `seconds` and record the import's pauses (time.sleep of that length; `sleep`: really
    sleep them). Other waits of the process (time.sleep is shared) sleep as usual."""
    monkeypatch.setattr(batches, "BATCH_PAUSE", seconds)
    pauses: list[float] = []
    real_sleep = time.sleep

    def sleeping(s_: float) -> None:
        if s_ == seconds:
            pauses.append(s_)
            if not sleep:
                return
        real_sleep(s_)
    monkeypatch.setattr(batches.time, "sleep", sleeping)
    return pauses


def test_a_save_gets_the_write_lock_between_two_batches(db, files, monkeypatch: pytest.MonkeyPatch,
                                                        small_batches) -> None:
    """Another user saves while the import's first batch holds the write lock: the save waits (in another thread,
    as a web worker would), the import sees a writer waiting and pauses after that batch, and the save goes in
    before the next one."""
    url, factory = db
    _import(factory, files[0])
    pauses = _batch_pauses(monkeypatch, 0.3, sleep=True)
    saver = make_engine(url)
    signal = writers.signal_of(saver)
    assert signal is not None
    seen: list[tuple[bool, int]] = []

    def save() -> None:
        with saver.begin() as conn:       # waits for the write lock while the batch holds it
            conn.execute(update(Student).where(Student.student_no == f"G{_rows({})[1][4]}").values(name="已改"))
            writing = conn.execute(select(ImportRecord.writing).order_by(ImportRecord.id.desc())).scalar()
            dropouts = conn.execute(select(RosterRecord.id).where(RosterRecord.term_code == TERM,
                                                                  RosterRecord.status == "辍学")).all()
        seen.append((bool(writing), len(dropouts)))
    threads: list[threading.Thread] = []
    real_remove = roster._remove_absent

    def first_batch_writes(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - once in each batch
        if not threads:                   # inside the first batch: another user starts saving …
            threads.append(threading.Thread(target=save))
            threads[0].start()
            deadline = time.monotonic() + 10
            while not signal.others_writing() and time.monotonic() < deadline:   # … and is waiting for the lock
                time.sleep(0.01)
        return real_remove(*args, **kwargs)
    monkeypatch.setattr(roster, "_remove_absent", first_batch_writes)
    _import(factory, files[1])
    threads[0].join(10)
    saver.dispose()
    assert seen == [(True, 1)]            # saved between the first two batches: one school written, import unfinished
    assert pauses and pauses[0] == 0.3 and len(pauses) < len(small_batches)   # paused for it, not after every batch
    with factory() as s:
        assert s.scalar(select(Student.name).where(Student.student_no == f"G{_rows({})[1][4]}")) == "已改"


def test_with_nobody_else_writing_the_batches_do_not_pause(db, files, monkeypatch: pytest.MonkeyPatch,
                                                          small_batches) -> None:
    """Between two batches the import pauses only for a transaction writing or waiting to (data_access.writers):
    alone, it goes straight on (a fifth of its write phase was pauses for nobody)."""
    _url, factory = db
    _import(factory, files[0])
    small_batches.clear()
    pauses = _batch_pauses(monkeypatch, 5, sleep=False)
    _import(factory, files[1])
    assert len(small_batches) >= 2 and pauses == []


def test_a_writer_of_another_process_makes_the_batches_pause(db, files, monkeypatch: pytest.MonkeyPatch,
                                                             small_batches) -> None:
    """A transaction of another process holding the writers' lock (a web worker saving): the import pauses after
    every batch while it lasts."""
    url, factory = db
    _import(factory, files[0])
    small_batches.clear()
    pauses = _batch_pauses(monkeypatch, 0.0123, sleep=False)
    path = str(Path(url.split("///", 1)[1]).resolve())
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from data_access.writers import WriterSignal
        WriterSignal({path!r}).enter()
        print("holding", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        _import(factory, files[1])
    finally:
        holder.kill()
        holder.wait(10)
    assert len(small_batches) >= 2 and len(pauses) == len(small_batches)


def test_a_failure_after_a_committed_batch_leaves_the_roster_as_before(db, files, monkeypatch: pytest.MonkeyPatch,
                                                                      small_batches) -> None:
    _url, factory = db
    _import(factory, files[0])
    small_batches.clear()
    before = _state(factory)
    calls = {"n": 0}
    real = roster._remove_absent

    def failing(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - once in each batch: the third fails
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(*args, **kwargs)
    monkeypatch.setattr(roster, "_remove_absent", failing)
    with pytest.raises(OSError), factory() as s, s.begin():
        import_roster(s, files[1], TERM)
    assert len(small_batches) == 2                      # two batches had been committed …
    assert _state(factory) == before                    # … and were put back
    with factory() as s:
        record = s.scalars(select(ImportRecord).order_by(ImportRecord.id.desc())).first()
        assert record is not None and not record.writing and record.undone_by == batches.INTERRUPTED
        assert s.scalar(select(AuditLog.action).where(AuditLog.action == "import_interrupted")) is not None


def _kill_after_first_batch(url: str, path: Path) -> None:
    """Run the import in another process that sleeps after its first batch; kill it there (a power cut)."""
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from data_access.db import make_engine, make_sessionmaker
        from data_access.imports import batches
        from data_access.imports.files import import_roster
        batches.BATCH_ROWS, batches.BATCH_PAUSE, batches.BATCH_SECONDS = 50, 60, 0
        factory = make_sessionmaker(make_engine({url!r}))
        with factory() as s, s.begin():
            import_roster(s, {str(path)!r}, {TERM!r})
    """)
    held = writers.WriterSignal(str(Path(url.split("///", 1)[1]).resolve()))
    held.enter()                          # another writer, so the child pauses after its first batch
    child = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    engine = make_engine(url)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if conn.execute(select(ImportRecord.id).where(ImportRecord.writing.is_(True))).first():
                    break
            assert child.poll() is None, "the import ended before its first batch was seen"
            time.sleep(0.05)
        else:
            pytest.fail("no batch was committed within a minute")
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
        engine.dispose()
        held.leave()


def test_a_killed_import_is_put_back_at_start_up(db, files) -> None:
    url, factory = db
    _import(factory, files[0])
    before = _state(factory)
    _kill_after_first_batch(url, files[1])
    assert _state(factory) != before                     # one batch had been committed when the power went
    assert batches.recover_interrupted(factory) == 1
    assert _state(factory) == before
    assert batches.recover_interrupted(factory) == 0


def test_a_killed_import_is_put_back_by_the_next_import_of_the_term(db, files) -> None:
    url, factory = db
    _import(factory, files[0])
    _kill_after_first_batch(url, files[1])
    _import(factory, files[0])                           # the same first file again: it finds the term as before …
    with factory() as s:
        records = s.scalars(select(ImportRecord).where(ImportRecord.kind == "roster").order_by(ImportRecord.id)).all()
        assert [r.undone_by for r in records] == [None, batches.INTERRUPTED, None]
        assert records[-1].new == 0 and records[-1].changed == 0 and records[-1].removed == 0   # … so changes nothing
        assert not any(r.writing for r in records)


def test_an_import_still_writing_is_not_put_back(db, files) -> None:
    """The import lock is held by a live import: recovery leaves its batches alone."""
    _url, factory = db
    _import(factory, files[0])
    with factory() as s, s.begin():
        s.execute(update(ImportRecord).values(writing=True))
    with factory() as holder, holder.begin():
        from data_access.imports.serial import hold_import_lock
        hold_import_lock(holder, TERM)
        assert batches.recover_interrupted(factory) == 0
    with factory() as s:
        assert s.execute(text("SELECT writing FROM import_record")).scalar() == 1


@pytest.mark.parametrize("batch_rows", [50, 10 ** 9])
def test_a_save_while_the_file_is_checked_does_not_fail_the_import(db, files, monkeypatch: pytest.MonkeyPatch,
                                                                   batch_rows: int) -> None:
    """A save committed after the import began reading (its snapshot is then stale): the import still writes
    (SQLite would refuse a stale deferred transaction at once with "database is locked")."""
    url, factory = db
    monkeypatch.setattr(batches, "BATCH_ROWS", batch_rows)
    monkeypatch.setattr(batches, "BATCH_PAUSE", 0)
    monkeypatch.setattr(batches, "BATCH_SECONDS", 0)          # batches of BATCH_ROWS rows, however fast
    _import(factory, files[0])
    other = make_engine(url)
    saved: list[bool] = []
    real = roster.flag_staged

    def save_meanwhile(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        found = real(*args, **kwargs)     # the import has read the stored roster (its snapshot begins) …
        with other.begin() as conn:       # … and another user saves
            conn.execute(update(Student).where(Student.student_no == f"G{_rows({})[2][4]}").values(name="改名"))
        saved.append(True)
        return found
    monkeypatch.setattr(roster, "flag_staged", save_meanwhile)
    with factory() as s, s.begin():
        result = import_roster(s, files[1], TERM)
        assert result.ok and not result.preview
    other.dispose()
    assert saved
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(RosterRecord).where(RosterRecord.status == "辍学")) == 2
