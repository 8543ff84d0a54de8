"""Scores recomputed in the background (issue 20 item 6): an import that changes a term's rosters or absences
records the schools it touched in risk_refresh; after its transaction commits, the scheduler the web side
registered (a Celery task when Redis is configured, a thread otherwise) runs `run_pending`, which recomputes
those schools only and removes their rows. Without a scheduler (the command line, tests) the schools are scored
at once, in the same transaction, as before."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable

from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from data_access.models import RiskRefresh, RosterAggregate
from data_access.scope import Scope
from data_access.warning.backtest import _school_ids
from data_access.warning.scoring import refresh_scores

_scheduler: list[Callable[[sessionmaker[Session]], None]] = []
_FLAG = "baoxue_risk_refresh_scheduled"


def set_scheduler(start: Callable[[sessionmaker[Session]], None] | None) -> None:
    """Register what starts `run_pending` in the background; it is given a session factory on the importing
    session's database (None: score at once, in the importing session)."""
    _scheduler[:] = [start] if start else []


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def request_refresh(session: Session, term_code: str, school_ids: Iterable[int]) -> None:
    """The schools' scores of the term must be recomputed: at once without a scheduler, else recorded and the
    background job started once the session commits."""
    schools = sorted(set(school_ids))
    if not schools:
        return
    if not _scheduler:
        refresh_scores(session, term_code, schools)
        return
    stamp = _now()
    for i in range(0, len(schools), 900):
        part = schools[i:i + 900]
        session.execute(delete(RiskRefresh).where(RiskRefresh.term_code == term_code,
                                                  RiskRefresh.school_id.in_(part)))
        session.execute(insert(RiskRefresh), [dict(term_code=term_code, school_id=s, requested_at=stamp)
                                              for s in part])
    if not session.info.get(_FLAG):
        session.info[_FLAG] = True
        start = _scheduler[0]

        def _started(s: Session) -> None:
            s.info.pop(_FLAG, None)
            start(sessionmaker(bind=s.get_bind()))

        def _dropped(s: Session) -> None:
            s.info.pop(_FLAG, None)
            event.remove(s, "after_commit", _started)

        event.listen(session, "after_commit", _started, once=True)
        event.listen(session, "after_rollback", _dropped, once=True)


SCHOOLS_PER_RUN = 200  # schools recomputed per transaction (a province's 5 M pupils never sit in memory at once)
SCHOOLS_PER_RUN_SQLITE = 25   # SQLite has one writer: a run's writes hold it for a fraction of a second (issue 12.6)
PUPILS_PER_RUN = 20_000       # … and schools of at most this many roster lines together (a larger school alone): 200
                              # schools of 10,000 pupils (a million-row file of 96 schools) held 2.7 GB at once


def run_pending(session_factory: sessionmaker[Session], schools_per_run: int | None = None) -> int:
    """Recompute every pending school's scores, term by term, a batch of schools per transaction (the scores are
    computed by reads first; the transaction writes only at its end); rows requested again meanwhile stay for the
    next run. Returns the number of pupils scored."""
    if schools_per_run is None:
        bind = session_factory.kw.get("bind")
        sqlite = bind is not None and bind.dialect.name == "sqlite"
        schools_per_run = SCHOOLS_PER_RUN_SQLITE if sqlite else SCHOOLS_PER_RUN
    scored = 0
    while True:
        with session_factory() as s, s.begin():
            rows = s.execute(select(RiskRefresh.term_code, RiskRefresh.school_id, RiskRefresh.requested_at)).all()
            if not rows:
                return scored
            by_term: dict[str, list[tuple[int, dt.datetime]]] = defaultdict(list)
            for term, school, at in rows:
                by_term[term].append((school, at))
            term = sorted(by_term)[0]
            pending = _bounded(s, term, sorted(by_term[term])[:schools_per_run])
            scored += refresh_scores(s, term, [sch for sch, _ in pending])
            for sch, at in pending:
                s.execute(delete(RiskRefresh).where(RiskRefresh.term_code == term, RiskRefresh.school_id == sch,
                                                    RiskRefresh.requested_at <= at))


def _bounded(session: Session, term_code: str, pending: list[tuple[int, dt.datetime]]
             ) -> list[tuple[int, dt.datetime]]:
    """The first of the pending schools whose roster lines of the term (roster_agg) add up to at most PUPILS_PER_RUN,
    and at least the first school: what one run holds in memory does not grow with the schools' size."""
    sizes = dict(session.execute(
        select(RosterAggregate.school_id, func.sum(RosterAggregate.students))
        .where(RosterAggregate.term_code == term_code,
               RosterAggregate.school_id.in_([school for school, _at in pending]))
        .group_by(RosterAggregate.school_id)).all())
    taken: list[tuple[int, dt.datetime]] = []
    lines = 0
    for school, at in pending:
        lines += sizes.get(school) or 0
        if taken and lines > PUPILS_PER_RUN:
            break
        taken.append((school, at))
    return taken


def refreshing(session: Session, term_code: str, school_ids: Iterable[int] | None = None) -> bool:
    """Whether some of the schools' (all: None) scores of the term are waiting to be recomputed."""
    stmt = select(RiskRefresh.school_id).where(RiskRefresh.term_code == term_code)
    if school_ids is not None:
        stmt = stmt.where(RiskRefresh.school_id.in_(sorted(set(school_ids)) or [-1]))
    return session.execute(stmt.limit(1)).first() is not None


def refreshing_in_scope(session: Session, scope: Scope, term_code: str) -> bool:
    """Whether some schools in the scope have scores of the term waiting to be recomputed."""
    if not refreshing(session, term_code):
        return False
    return refreshing(session, term_code, _school_ids(session, scope))
