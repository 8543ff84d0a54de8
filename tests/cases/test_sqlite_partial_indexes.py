"""SQLite reads a term's 辍学 and graduating lines through their partial indexes (data_access.db.using_index).

Without statistics SQLite chooses among indexes of the same leading column by the order they were made in. A database
brought up to date by migration 0041 has (term_code, school_id, student_id) as its newest index of roster_record, and
SQLite took it — every line of the term — over the partial indexes: the agreement check took 5–7 s at province scale.
Each test makes that index again (so it is the newest, as after the migration) and reads the plans of the statements
the agreement check and the lost graduates send."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event, text

from data_access.cases.agreement import _candidate_lines
from data_access.imports.missing import lost_graduates
from data_access.scope import Scope

SCOPES = [Scope("admin", unrestricted=True), Scope("county_leader", areas=(("532822000000", "county"),))]


@pytest.fixture
def migrated_order(engine):  # noqa: ANN001, ANN201
    """The engine, SQLite only, with (term_code, school_id, student_id) made after the partial indexes."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's planner (PostgreSQL has statistics and no INDEXED BY)")
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_roster_term_school_student"))
        conn.execute(text("CREATE INDEX ix_roster_term_school_student ON roster_record (term_code, school_id, student_id)"))
    return engine


def _plans(engine, call) -> list[str]:  # noqa: ANN001
    """The query plan steps of every statement `call` sends that reads roster_record."""
    sent: list[tuple[str, object]] = []
    listen = lambda _c, _cur, stmt, params, _ctx, _many: sent.append((stmt, params))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    steps = []
    with engine.connect() as conn:
        for stmt, params in sent:
            if "roster_record" in stmt:
                steps += [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + stmt, params)]
    assert steps, "no statement read roster_record"
    return steps


def _term_scans(steps: list[str]) -> list[str]:
    """Steps reading every roster line of a term: a seek on term_code alone in a full (not partial) index."""
    return [s for s in steps if re.search(r"roster_record.*USING (COVERING )?INDEX "
                                          r"(ix_roster_term_school_student|sqlite_autoindex_roster_record_\d) "
                                          r"\(term_code=\?\)$", s)]


@pytest.mark.parametrize("scope", SCOPES, ids=["province", "county"])
def test_the_agreement_check_reads_the_dropout_lines_by_their_partial_indexes(migrated_order, session_factory,
                                                                              scope) -> None:  # noqa: ANN001
    with session_factory() as s:
        steps = _plans(migrated_order, lambda: _candidate_lines(s, scope, "2026-1", dt.date(2027, 2, 28)))
    used = {m for st in steps for m in re.findall(r"INDEX (\w+)", st)}
    assert {"ix_roster_dropped", "ix_roster_dropped_poor"} <= used, steps
    assert not _term_scans(steps), steps


@pytest.mark.parametrize("scope", SCOPES, ids=["province", "county"])
def test_the_lost_graduates_are_read_by_their_partial_index(migrated_order, session_factory, scope) -> None:  # noqa: ANN001
    with session_factory() as s:
        steps = _plans(migrated_order, lambda: lost_graduates(s, "2026-1", scope))
    assert any("ix_roster_graduates" in st for st in steps), steps
    assert not _term_scans(steps), steps
