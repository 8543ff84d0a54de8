"""Issue 16.1: an admin undoes a roster import within the window — the roster of its schools and term comes back
row for row, the figures with it — and is refused after the window, after a later import of the same school
and term, and as another role or area. The CLI's undo-import does the same."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from data_access import audit
from data_access.imports.files import import_roster
from data_access.imports.undo import UndoInvalid, UndoRefused, undo_import
from data_access.models import (AuditLog, ImportRecord, ImportReplacedRecord, ImportReplacedStudent,
                                RosterAggregate, RosterRecord, Student)
from data_access.scope import Scope, scope_for_user
from data_access.models import User
from tests.admin.conftest import S1
from tests.imports.test_imports import DATA, TERM, run

ALL = Scope("admin", unrestricted=True)


def _state(factory) -> tuple[list, list, list]:  # noqa: ANN001
    """Every roster record (with its id), every student's identity, every aggregate cell."""
    with factory() as s:
        records = [tuple(r) for r in s.execute(select(*RosterRecord.__table__.c).order_by(RosterRecord.id))]
        students = [tuple(r) for r in s.execute(select(Student.id, Student.name, Student.birth_date, Student.id_number)
                                                .order_by(Student.id))]
        cells = sorted(tuple(r[1:]) for r in s.execute(select(*RosterAggregate.__table__.c)))
    return records, students, cells


def _partial(tmp_path: Path) -> Path:
    """Only 测试戊 (renamed) of school 1, 测试丙 moved from school 2 to school 1, and a new pupil."""
    rows = list(csv.reader((DATA / "roster.csv").open(encoding="utf-8")))
    wu = [r for r in rows if r[1] == "测试戊"][0]
    wu[1] = "测试戊改"
    bing = [r for r in rows if r[1] == "测试丙"][0]
    bing[5] = S1
    new = [*wu]
    new[0], new[1] = "G990101201601010066", "测试己"
    path = tmp_path / "partial.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([rows[0], wu, bing, new])
    return path


def _import_partial(session_factory, tmp_path: Path, users: dict) -> int:  # noqa: ANN001
    with audit.acting_as(users["admin"], "admin"):
        refused = run(session_factory, lambda s, *a: import_roster(s, *a, scope=ALL, allow_removals=1),
                      _partial(tmp_path), TERM)
        assert refused.preview and refused.removed == 2                   # not written without the confirmation
        result = run(session_factory, lambda s, *a: import_roster(s, *a, scope=ALL, allow_removals=2),
                     _partial(tmp_path), TERM)
    assert result.ok and not result.preview and (result.new, result.changed, result.removed) == (1, 2, 2)
    return result.import_id


def _scope(session_factory, name: str) -> tuple[str, Scope]:  # noqa: ANN001
    with session_factory() as s:
        user = s.scalars(select(User).where(User.username == name)).one()
        return user.role, scope_for_user(s, user)


def test_undo_restores_the_roster_row_for_row_and_the_figures(session_factory, world, tmp_path) -> None:  # noqa: ANN001
    before = _state(session_factory)
    import_id = _import_partial(session_factory, tmp_path, world["users"])
    assert _state(session_factory)[0] != before[0]
    role, scope = _scope(session_factory, "county_admin")
    with audit.acting_as(world["users"]["county_admin"], "county_admin"), session_factory() as s, s.begin():
        done = undo_import(s, role, scope, import_id)
    assert (done.restored, done.term) == (4, TERM)          # school 1's three lines and 测试丙's line of school 2
    after = _state(session_factory)
    assert after[0] == before[0] and after[2] == before[2]                 # records with their ids; figures
    assert [s for s in after[1] if s[1] != "测试己"] == before[1]            # identities (the new pupil has no record)
    with session_factory() as s:
        record = s.get(ImportRecord, import_id)
        assert record.undone_at is not None and record.undone_by == "county_admin"
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "import_undone")).one()
        assert (entry.entity, entry.entity_key, entry.actor) == ("roster", "partial.csv", "county_admin")
    with session_factory() as s, s.begin(), pytest.raises(UndoInvalid, match="undone"):
        undo_import(s, "admin", ALL, import_id)


def test_undo_is_refused_after_the_window_a_later_import_and_for_other_roles_and_areas(
        session_factory, world, tmp_path) -> None:  # noqa: ANN001
    import_id = _import_partial(session_factory, tmp_path, world["users"])
    late = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + dt.timedelta(hours=73)
    for name in ("leader", "registrar1", "officer1", "town_admin"):       # town_admin: school 1 is not in T2
        role, scope = _scope(session_factory, name)
        with session_factory() as s, s.begin(), pytest.raises(UndoRefused):
            undo_import(s, role, scope, import_id)
    with session_factory() as s, s.begin(), pytest.raises(UndoInvalid, match="window"):
        undo_import(s, "admin", ALL, import_id, hours=72, at=late)
    with session_factory() as s, s.begin():                                 # a longer window allows it
        undo_import(s, "admin", ALL, import_id, hours=100, at=late)
        s.rollback()
    again = run(session_factory, lambda s, *a: import_roster(s, *a, scope=ALL, allow_removals=10),
                DATA / "roster.csv", TERM)
    assert again.ok and not again.preview
    with session_factory() as s, s.begin(), pytest.raises(UndoInvalid, match="later import"):
        undo_import(s, "admin", ALL, import_id)
    with session_factory() as s, s.begin():                                 # the later one can be undone
        undo_import(s, "admin", ALL, again.import_id)


def test_undo_import_command(server, session_factory, world, tmp_path) -> None:  # noqa: ANN001
    before = _state(session_factory)
    import_id = _import_partial(session_factory, tmp_path, world["users"])
    with server.app_context():
        out = server.test_cli_runner().invoke(args=["undo-import", str(import_id)])
        assert out.exit_code == 0, out.output
        assert f"import {import_id} undone" in out.output
        assert _state(session_factory)[0] == before[0]
        again = server.test_cli_runner().invoke(args=["undo-import", str(import_id)])
        assert again.exit_code == 1 and "it was undone already" in again.output
        missing = server.test_cli_runner().invoke(args=["undo-import", "9999"])
        assert missing.exit_code == 1 and "no such import" in missing.output


def test_undo_is_refused_after_the_term_was_withdrawn(session_factory, world, tmp_path) -> None:  # noqa: ANN001
    from data_access.admin.withdraw import preview, withdraw
    import_id = _import_partial(session_factory, tmp_path, world["users"])
    role, scope = _scope(session_factory, "county_admin")
    with session_factory() as s:
        seen = preview(s, role, scope, TERM)
    with audit.acting_as(world["users"]["county_admin"], "county_admin"), session_factory() as s, s.begin():
        withdraw(s, role, scope, TERM, TERM, seen.records)
    with session_factory() as s, s.begin(), pytest.raises(UndoInvalid, match="withdrawn"):
        undo_import(s, "admin", ALL, import_id)


def test_after_an_undo_the_data_status_names_the_import_before_it(session_factory, world, tmp_path) -> None:  # noqa: ANN001
    from data_access.admin.data_status import last_imports
    import_id = _import_partial(session_factory, tmp_path, world["users"])
    with session_factory() as s:
        assert last_imports(s, TERM)[S1][2] == "partial.csv"
    with session_factory() as s, s.begin():
        undo_import(s, "admin", ALL, import_id)
    with session_factory() as s:
        assert last_imports(s, TERM)[S1][2] == "roster.csv"


def _journal(session_factory) -> dict[int, int]:  # noqa: ANN001
    """Rows of the undo journal (kept lines and identities) by import."""
    with session_factory() as s:
        found: dict[int, int] = {}
        for table in (ImportReplacedRecord, ImportReplacedStudent):
            for import_id, n in s.execute(select(table.import_id, func.count()).group_by(table.import_id)):
                found[import_id] = found.get(import_id, 0) + n
    return found


def test_the_journal_of_an_import_no_undo_can_use_is_dropped_by_the_next_import_of_its_term(
        session_factory, world, tmp_path) -> None:  # noqa: ANN001
    """Past the undo window, or once undone, an import's kept lines serve nothing: the next import of the term drops
    them (else the journal grew by every line every import replaced, for ever). Within the window they stay, so
    undoing the later import and then the earlier one still works."""
    first = _import_partial(session_factory, tmp_path, world["users"])
    assert _journal(session_factory).get(first, 0) == 5      # 4 lines kept, and 测试戊's identity
    def again() -> int:  # noqa: E306
        result = run(session_factory, lambda s, *a: import_roster(s, *a, scope=ALL, allow_removals=10),
                     DATA / "roster.csv", TERM)
        assert result.ok and not result.preview
        return result.import_id
    second = again()
    assert first in _journal(session_factory) and second in _journal(session_factory)   # both within the window
    with session_factory() as s, s.begin():
        undo_import(s, "admin", ALL, second)
    with session_factory() as s, s.begin():                  # the first is undoable again, its journal intact
        undo_import(s, "admin", ALL, first)
    third = _import_partial(session_factory, tmp_path, world["users"])
    journal = _journal(session_factory)
    assert first not in journal and second not in journal and third in journal   # the two undone ones dropped
    with session_factory() as s, s.begin():                  # the third falls out of the window
        s.execute(update(ImportRecord).where(ImportRecord.id == third).values(
            at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(hours=73)))
    fourth = again()
    assert set(_journal(session_factory)) == {fourth}
    with session_factory() as s:
        assert [s.get(ImportRecord, i).undoable for i in (first, second, third, fourth)] == [False, False, False, True]
    with session_factory() as s, s.begin(), pytest.raises(UndoInvalid):
        undo_import(s, "admin", ALL, third)
