"""Scores refreshed in the background (issue 20.6): an import records the schools it touched, the job starts only
after the commit (never after a rollback), recomputes those schools only and clears them; the list knows while
scores are being refreshed."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data_access.models import RiskRefresh, RiskScore, RosterRecord
from data_access.warning.refresh import refreshing, request_refresh, run_pending, set_scheduler
from data_access.warning.scoring import refresh_scores
from tests.warning.test_scoring_data import history  # noqa: F401 - fixture reuse


@pytest.fixture
def started():  # noqa: ANN201
    calls: list[int] = []
    set_scheduler(lambda _factory: calls.append(1))
    yield calls
    set_scheduler(None)


def _scores(s, school):  # noqa: ANN001, ANN202
    return s.scalar(select(func.count()).select_from(RiskScore).where(RiskScore.term_code == "2023-2",
                                                                       RiskScore.school_id == school))


def test_job_starts_after_commit_and_scores_only_the_touched_schools(session_factory, history, started) -> None:  # noqa: ANN001, F811
    a, b = history["a"], history["b"]
    with session_factory() as s, s.begin():
        request_refresh(s, "2023-2", [a])
        request_refresh(s, "2023-2", [a])                 # twice in one transaction: one row, one start
        assert started == []                              # not before the commit
    assert started == [1]
    with session_factory() as s:
        assert refreshing(s, "2023-2") and refreshing(s, "2023-2", [a]) and not refreshing(s, "2023-2", [b])
        assert _scores(s, a) == 0                         # pages read stored scores: none yet
    assert run_pending(session_factory) == 4              # the four pupils of school a in 2023-2
    with session_factory() as s:
        assert not refreshing(s, "2023-2") and _scores(s, a) == 3   # p1 5, p2 4, p4 5 stored (p3 scores 0)
        assert s.scalar(select(func.count()).select_from(RiskRefresh)) == 0
    assert run_pending(session_factory) == 0


def test_no_job_after_a_rollback(session_factory, history, started) -> None:  # noqa: ANN001, F811
    with session_factory() as s:
        request_refresh(s, "2023-2", [history["a"]])
        s.rollback()
        assert started == []
        assert not refreshing(s, "2023-2")
        s.commit()                                        # the next commit of the same session starts nothing
    assert started == []


def test_without_a_scheduler_scores_at_once(session_factory, history) -> None:  # noqa: ANN001, F811
    with session_factory() as s, s.begin():
        request_refresh(s, "2023-2", [history["a"]])
        assert _scores(s, history["a"]) == 3 and not refreshing(s, "2023-2")
    with session_factory() as s, s.begin():
        refresh_scores(s, "2023-2")


def test_pending_schools_in_batches(session_factory, history, started) -> None:  # noqa: ANN001, F811
    with session_factory() as s, s.begin():
        request_refresh(s, "2023-2", [history["a"], history["b"]])
        request_refresh(s, "2024-1", [history["b"]])
    assert run_pending(session_factory, schools_per_run=1) == 4 + 1      # 2024-1: p2 at school b (p4 is at a)
    with session_factory() as s:
        assert not refreshing(s, "2023-2") and not refreshing(s, "2024-1") and _scores(s, history["a"]) == 3


def test_roster_import_schedules_its_schools_after_commit(session_factory, started) -> None:  # noqa: ANN001
    from data_access.imports.files import import_areas, import_roster, import_schools
    from tests.imports.test_imports import DATA, TERM, run
    assert run(session_factory, import_areas, DATA / "areas.csv").ok
    assert run(session_factory, import_schools, DATA / "schools.csv").ok
    assert run(session_factory, import_roster, DATA / "roster.csv", TERM).ok
    assert started == [1]                                                # once, after the import committed
    with session_factory() as s:
        pending = set(s.scalars(select(RiskRefresh.school_id)))
        in_file = set(s.scalars(select(RosterRecord.school_id).where(RosterRecord.term_code == TERM)))
        assert pending == in_file and s.scalar(select(func.count()).select_from(RiskScore)) == 0
    assert run_pending(session_factory) == len(list_pupils(session_factory))
    with session_factory() as s:
        assert not refreshing(s, TERM)


def test_a_run_holds_at_most_pupils_per_run_roster_lines(session_factory, started,  # noqa: ANN001
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Schools are taken into one run until their roster lines pass PUPILS_PER_RUN (a larger school alone), so a
    run's memory does not grow with the schools' size (96 schools of 10,000 pupils were one run of 2.7 GB)."""
    from data_access.imports.files import import_areas, import_roster, import_schools
    from data_access.warning import refresh
    from tests.imports.test_imports import DATA, TERM, run
    assert run(session_factory, import_areas, DATA / "areas.csv").ok
    assert run(session_factory, import_schools, DATA / "schools.csv").ok
    assert run(session_factory, import_roster, DATA / "roster.csv", TERM).ok
    with session_factory() as s:
        lines = dict(s.execute(select(RosterRecord.school_id, func.count()).where(RosterRecord.term_code == TERM)
                               .group_by(RosterRecord.school_id)).all())
    assert len(lines) >= 2 and max(lines.values()) >= 2
    runs: list[list[int]] = []
    real = refresh.refresh_scores

    def spy(session, term, schools, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        runs.append(sorted(schools))
        return real(session, term, schools, *args, **kwargs)
    monkeypatch.setattr(refresh, "refresh_scores", spy)
    monkeypatch.setattr(refresh, "PUPILS_PER_RUN", 1)      # every school is larger: one school a run
    assert run_pending(session_factory) == len(list_pupils(session_factory))
    assert sorted(school for schools in runs for school in schools) == sorted(lines) and all(len(r) == 1 for r in runs)
    with session_factory() as s, s.begin():
        request_refresh(s, TERM, sorted(lines))
    runs.clear()
    monkeypatch.setattr(refresh, "PUPILS_PER_RUN", sum(lines.values()))   # all of them fit: one run
    run_pending(session_factory)
    assert runs == [sorted(lines)]


def list_pupils(factory):  # noqa: ANN001, ANN201
    with factory() as s:
        return s.scalars(select(RosterRecord.student_id).where(RosterRecord.term_code == "2024-1",
                                                              RosterRecord.status.in_(("在读", "送教上门")))).all()
