"""Terms and data status (issue 15.4) on the data layer and the `data-status` command: per school who imported
the term's roster, when and how many rows, which schools have not; coverage per township; withdrawing a term."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import delete, func, select

from data_access import audit
from data_access.admin.data_status import coverage, loaded_terms, school_status
from data_access.admin.withdraw import WithdrawInvalid, WithdrawRefused, preview, withdraw
from data_access.models import (AuditLog, CaseEvent, DropoutCase, Finding, InspectionVisit, Population, RosterAggregate,
                                RosterRecord, Term, UnitCounts)
from data_access.scope import Scope, scope_for_user
from data_access.models import User
from tests.admin.conftest import COUNTY, S1, S2, S3, T1, T2
from tests.imports.test_imports import TERM

ALL = Scope("admin", unrestricted=True)


def test_school_status_names_who_imported_and_who_is_missing(session_factory, world) -> None:  # noqa: ANN001
    with session_factory() as s:
        rows = {r.school_code: r for r in school_status(s, ALL, TERM)}
        assert {c: r.rows for c, r in rows.items()} == {S1: 3, S2: 2, S3: 0}
        assert rows[S1].imported_by == "测试admin (admin)" and rows[S1].file_name == "roster.csv"
        assert rows[S1].imported_at is not None and not rows[S3].loaded and rows[S3].imported_by is None
        assert [(t.code, t.rows, t.schools_loaded, t.schools_total) for t in loaded_terms(s, ALL)] == [
            (TERM, 5, 2, 3)]
        town = Scope("admin", areas=((T2, "township"),))
        assert [r.school_code for r in school_status(s, town, TERM)] == [S2, S3]
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "import", AuditLog.entity == "roster")).one()
        assert json.loads(entry.after)["schools"] == [S1, S2] and entry.area_code == COUNTY


def test_an_older_entry_is_attributed_to_the_importing_registrar(session_factory, world) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        with audit.acting_as(world["users"]["registrar2"], "registrar2"):
            audit.record(s, "import", "roster", "old.xlsx", after={"term": TERM, "new": 2})
    with session_factory() as s:
        rows = {r.school_code: r for r in school_status(s, ALL, TERM)}
    assert rows[S2].file_name == "old.xlsx" and rows[S2].imported_by == "测试registrar2 (registrar2)"
    assert rows[S1].file_name == "roster.csv"


def test_coverage_per_township(session_factory, world) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        s.add(Population(area_code="532822101201", year=2024, age=7, population=40, outside_attendance=0,
                         disabled_population=0))
    with session_factory() as s:
        cov = {c.code: c for c in coverage(s, ALL, TERM)}
    assert (cov[T1].population_rows, cov[T1].population, cov[T1].schools_loaded, cov[T1].schools_total) == (
        1, 40, 1, 1)
    assert (cov[T2].population_rows, cov[T2].schools_loaded, cov[T2].schools_total) == (0, 1, 2)


def test_data_status_command(server, world) -> None:  # noqa: ANN001
    out = server.test_cli_runner().invoke(args=["data-status", "--term", TERM])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert [(r["school_code"], r["status"], r["rows"]) for r in rows] == [
        (S1, "imported", "3"), (S2, "imported", "2"), (S3, "missing", "0")]
    js = server.test_cli_runner().invoke(args=["data-status", "--term", TERM, "--area", T2, "--format", "json"])
    assert [r["school_code"] for r in json.loads(js.output)] == [S2, S3]
    bad = server.test_cli_runner().invoke(args=["data-status", "--term", "2024-3"])
    assert bad.exit_code != 0 and "--term" in bad.output


def _scope(session, name: str) -> tuple[str, Scope]:  # noqa: ANN001
    user = session.scalars(select(User).where(User.username == name)).one()
    return user.role, scope_for_user(session, user)


def test_withdraw_previews_then_removes_and_keeps_findings_and_cases(session_factory, world) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        rec = s.scalars(select(RosterRecord).order_by(RosterRecord.id)).first()
        now = dt.datetime(2024, 10, 8, 9)
        visit = InspectionVisit(term_code=TERM, township_code=T1, visit_date=now.date(), created_at=now,
                                updated_at=now)
        s.add(visit)
        s.flush()
        s.add(Finding(visit_id=visit.id, method="head_count", kind="false_data", severity="high",
                      township_code=T1, student_id=rec.student_id, roster_record_id=rec.id,
                      roster_term_code=rec.term_code, description="测试", created_at=now))
    with session_factory() as s:
        role, scope = _scope(s, "county_admin")
        seen = preview(s, role, scope, TERM)
    assert (seen.records, seen.schools, seen.findings, seen.visits, seen.term_row_removed) == (5, 2, 1, 1, False)
    assert seen.students_only_here == 5
    with session_factory() as s, s.begin():      # one of them also on another term's roster
        s.add(Term(code="2023-2", year=2023, semester=2, start_date=dt.date(2023, 9, 1), end_date=dt.date(2024, 1, 20)))
        s.flush()
        s.add(RosterRecord(term_code="2023-2", student_id=rec.student_id, school_id=rec.school_id, grade=rec.grade,
                           status="在读", age=rec.age))
    with session_factory() as s:
        assert preview(s, role, scope, TERM).students_only_here == 4
        s.execute(delete(RosterRecord).where(RosterRecord.term_code == "2023-2"))
        s.execute(delete(Term).where(Term.code == "2023-2"))
        s.commit()
    with session_factory() as s, s.begin(), pytest.raises(WithdrawInvalid):
        withdraw(s, role, scope, TERM, "2024", seen.records)
    with session_factory() as s, s.begin(), pytest.raises(WithdrawInvalid):
        withdraw(s, role, scope, TERM, TERM, seen.records + 1)
    for name in ("town_admin", "leader", "officer1"):
        with session_factory() as s, pytest.raises(WithdrawRefused):
            withdraw(s, *_scope(s, name), TERM, TERM, None)
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(RosterRecord)) == 5
    with session_factory() as s, s.begin(), audit.acting_as(world["users"]["county_admin"], "county_admin"):
        withdraw(s, role, scope, TERM, TERM, 5)
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(RosterRecord)) == 0
        assert s.scalar(select(func.count()).select_from(RosterAggregate)) == 0
        assert s.scalar(select(func.sum(UnitCounts.enrolled))) in (None, 0)
        assert s.scalars(select(Finding.roster_record_id)).one() is None
        assert s.get(Term, TERM) is not None  # the visit refers to it
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "withdraw_term")).one()
        assert entry.area_code == COUNTY and json.loads(entry.after)["records"] == 5


def test_withdraw_of_an_unreferenced_term_removes_the_term(session_factory, world) -> None:  # noqa: ANN001
    with session_factory() as s:
        assert preview(s, "admin", ALL, TERM).cases == 1  # the roster's 辍学 line opened a case: the term stays
    with session_factory() as s, s.begin():
        s.execute(delete(CaseEvent))
        s.execute(delete(DropoutCase))
    with session_factory() as s, s.begin():
        assert preview(s, "admin", ALL, TERM).term_row_removed
        withdraw(s, "admin", ALL, TERM, TERM, None)
    with session_factory() as s:
        assert s.get(Term, TERM) is None and s.scalar(select(func.count()).select_from(UnitCounts)) == 0


def test_refused_files_are_listed_in_their_area(session_factory, world) -> None:  # noqa: ANN001
    from data_access.admin.data_status import refusals
    with session_factory() as s, s.begin(), audit.acting_as(world["users"]["registrar2"], "registrar2"):
        audit.record(s, "import_refused", "roster", "bad.xlsx", after={"problems": 4, "term": TERM})
    with session_factory() as s:
        assert [(r.file_name, r.problems) for r in refusals(s, ALL, TERM)] == [("bad.xlsx", 4)]
        assert [r.actor for r in refusals(s, Scope("county_leader", areas=((T2, "township"),)), TERM)] == [
            "registrar2"]
        assert refusals(s, Scope("county_leader", areas=((T1, "township"),)), TERM) == []
        assert refusals(s, ALL, "2025-1") == []


def test_withdrawal_waits_for_an_import_of_the_term_and_then_gives_up(session_factory, world,  # noqa: ANN001
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from data_access.admin import withdraw as withdrawing
    from data_access.imports.serial import hold_import_lock
    monkeypatch.setattr(withdrawing, "IMPORT_WAIT", 0.2)
    with session_factory() as importing, importing.begin():
        hold_import_lock(importing, TERM)                  # an import of the term is being written
        with session_factory() as s, s.begin(), pytest.raises(WithdrawInvalid, match="import of the term"):
            withdraw(s, "admin", ALL, TERM, TERM, None)
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(RosterRecord)) == 5


def test_a_block_of_the_coverage_reads_the_same_as_the_whole(session_factory, world, monkeypatch) -> None:  # noqa: ANN001
    from data_access.admin import data_status
    from domain.grid_request import parse_grid_request
    with session_factory() as s, s.begin():
        s.add(Population(area_code="532822101201", year=2024, age=7, population=40, outside_attendance=0,
                         disabled_population=0))
    asked = parse_grid_request({"startRow": 0, "endRow": 20}, data_status.COVERAGE_SORTABLE,
                               data_status.COVERAGE_FILTERABLE)
    with session_factory() as s:
        whole = coverage(s, ALL, TERM)
        probed, total = data_status.coverage_page(s, ALL, TERM, asked)
        monkeypatch.setattr(data_status, "_RANGE_PROBES", 0)            # the province's way: one scan a table
        scanned, _total = data_status.coverage_page(s, ALL, TERM, asked)
        second = data_status.coverage_page(s, ALL, TERM, parse_grid_request(
            {"startRow": 1, "endRow": 2, "sortModel": [{"colId": "code", "sort": "desc"}]},
            data_status.COVERAGE_SORTABLE, data_status.COVERAGE_FILTERABLE))
        town = Scope("admin", areas=((T2, "township"),))
        mine, n = data_status.coverage_page(s, town, TERM, asked)
    assert probed == scanned == whole and total == len(whole) >= 2
    assert any(c.population_rows for c in whole) and any(c.schools_total for c in whole)
    assert second[0] == [sorted(whole, key=lambda c: c.code, reverse=True)[1]] and second[1] == total
    assert (n, [c.code for c in mine]) == (1, [T2])


def test_the_preview_probes_the_other_terms_by_key(session_factory, world) -> None:  # noqa: ANN001
    """Pupils found on no other term: each line is a probe of the (term, student) key of each other term. Asked as
    `term != this one`, SQLite (no index led by the pupil) read the whole roster once per line: over two minutes
    for the county demo."""
    from sqlalchemy import event
    with session_factory() as s, s.begin():
        s.add(Term(code="2023-2", year=2023, semester=2, start_date=dt.date(2023, 9, 1), end_date=dt.date(2024, 1, 20)))
    statements: list[tuple[str, object]] = []
    with session_factory() as s:
        if s.bind.dialect.name != "sqlite":
            pytest.skip("the plan checked is SQLite's")
        role, scope = _scope(s, "county_admin")
        listen = lambda _c, _cur, stmt, params, _ctx, _many: statements.append((stmt, params))  # noqa: E731
        event.listen(s.bind, "before_cursor_execute", listen)
        try:
            assert preview(s, role, scope, TERM).students_only_here == 5
        finally:
            event.remove(s.bind, "before_cursor_execute", listen)
        anti = [(q, p) for q, p in statements if "NOT (EXISTS" in q]
        assert len(anti) == 1
        query, params = anti[0]
        plan = [row[-1] for row in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + query, params)]
    assert not [step for step in plan if step.startswith("SCAN")], plan
