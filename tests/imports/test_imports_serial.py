"""Two imports of one term never interleave (issue 12, item 2): the second waits for the first, or is told to
wait; roster_agg cannot hold a cell twice. Runs on a SQLite file and, with BAOXUE_TEST_DATABASE_URL, on
PostgreSQL (real threads, real connections)."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from data_access.analytics.aggregates import _aggregate_select
from data_access.db import make_engine, make_sessionmaker
from data_access.imports import serial
from data_access.imports.files import import_areas, import_roster, import_schools
from data_access.models import Base, RosterAggregate
from data_access.schema import stamp_head
from tests.conftest import PG_URL
from tests.imports.test_imports import DATA, TERM, read_csv, write_csv


@pytest.fixture
def factory(engine: Engine, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a database several threads can use at once: PostgreSQL, or a SQLite file."""
    if PG_URL:
        yield make_sessionmaker(engine)
        return
    file_engine = make_engine(f"sqlite:///{tmp_path / 'serial.db'}")
    Base.metadata.create_all(file_engine)
    stamp_head(file_engine)
    yield make_sessionmaker(file_engine)
    file_engine.dispose()


@pytest.fixture
def loaded(factory: sessionmaker[Session], tmp_path: Path) -> tuple[Path, Path]:
    """Areas and schools imported; two different rosters of the same schools and term."""
    with factory() as s, s.begin():
        import_areas(s, DATA / "areas.csv")
    with factory() as s, s.begin():
        import_schools(s, DATA / "schools.csv")
    rows = read_csv("roster.csv")
    second = [rows[0]] + [r[:8] + ["辍学" if r[8] == "在读" else "在读"] + r[9:] for r in rows[1:]]
    return DATA / "roster.csv", write_csv(tmp_path / "roster_b.csv", second)


def _cells(session: Session) -> list[tuple]:
    stored = session.execute(select(RosterAggregate.term_code, RosterAggregate.school_id, RosterAggregate.area_code,
                                    RosterAggregate.grade, RosterAggregate.age, RosterAggregate.status,
                                    RosterAggregate.poverty_registered, RosterAggregate.disability,
                                    RosterAggregate.left_behind, RosterAggregate.migrant, RosterAggregate.students))
    return sorted(tuple(r) for r in stored)


def test_two_imports_of_one_term_at_once_leave_the_counts_of_a_fresh_recount(
        factory: sessionmaker[Session], loaded: tuple[Path, Path]) -> None:
    first_file, second_file = loaded
    first_holds = threading.Event()
    phases: list[str] = []
    errors: list[BaseException] = []

    def slow(done: int, total: int, phase: str) -> None:
        first_holds.set()
        time.sleep(0.2)                          # the first import is slow while it holds the term

    def run(path: Path, progress) -> None:  # noqa: ANN001
        try:
            with factory() as s, s.begin():
                assert import_roster(s, path, TERM, progress=progress).ok
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    a = threading.Thread(target=run, args=(first_file, slow))
    a.start()
    assert first_holds.wait(10)
    b = threading.Thread(target=run, args=(second_file, lambda d, t, phase: phases.append(phase)))
    b.start()
    a.join(30)
    b.join(30)
    assert not errors, errors
    assert phases[0] == serial.WAITING           # the second import waited for the first …
    with factory() as s:
        stored = _cells(s)
        fresh = sorted(tuple(r) for r in s.execute(_aggregate_select(TERM)))
        statuses = {r[5] for r in stored}
    assert stored == fresh                       # … and the aggregates equal a fresh recount
    assert sum(r[-1] for r in stored) == len(read_csv("roster.csv")) - 1
    assert "辍学" in statuses and stored         # the second file (its statuses) is what is stored


def test_a_second_import_is_told_to_wait_when_the_first_takes_too_long(
        factory: sessionmaker[Session], loaded: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serial, "WAIT_SECONDS", 0.5)
    with factory() as first, first.begin():
        serial.hold_import_lock(first, TERM)
        with factory() as second, second.begin(), pytest.raises(serial.ImportBusy):
            import_roster(second, loaded[1], TERM)
        with factory() as other_term, other_term.begin():   # another term is not held up
            assert import_roster(other_term, loaded[1], "2025-2").ok
        with factory() as schools, schools.begin(), pytest.raises(serial.ImportBusy):
            import_schools(schools, DATA / "schools.csv")   # it refreshes every term: waits for all
    with factory() as again, again.begin():                 # released with the first transaction
        assert import_roster(again, loaded[1], TERM).ok


def test_roster_agg_refuses_a_double_cell(factory: sessionmaker[Session], loaded: tuple[Path, Path]) -> None:
    with factory() as s, s.begin():
        import_roster(s, loaded[0], TERM)
    with factory() as s:
        cell = s.execute(select(RosterAggregate).limit(1)).scalar_one()
        row = {c.key: getattr(cell, c.key) for c in RosterAggregate.__table__.columns if c.key != "id"}
    with factory() as s:
        with pytest.raises(IntegrityError), s.begin():
            s.execute(insert(RosterAggregate), [row])


def test_lock_keys_cover_the_terms_whose_counts_use_the_roster() -> None:
    assert serial.lock_keys(None) == [("all", True)]
    assert serial.lock_keys("2024-2") == [("all", False), ("term:2024-2", True)]
    assert [k for k, _ in serial.lock_keys("2024-1")] == ["all", "term:2024-1", "term:2024-2", "term:2032-1",
                                                          "term:2032-2"]


def test_one_transaction_may_run_several_imports(factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    monkeypatch.setattr(serial, "WAIT_SECONDS", 0.5)
    with factory() as s, s.begin():              # the locks are the transaction's own: taking them again is fine
        import_areas(s, DATA / "areas.csv")
        import_schools(s, DATA / "schools.csv")
        assert import_roster(s, DATA / "roster.csv", TERM).ok
