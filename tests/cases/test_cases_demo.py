"""The demo's dropout cases: spread over the townships, at every step, some due or overdue, some closed,
with attempts; the demo township's officer can work them; the same seed gives the same cases."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from data_access.cases.view import load_case
from data_access.db import make_engine, make_sessionmaker
from data_access.demo.build import seed_demo
from data_access.inspection.access import Actor
from data_access.models import Area, Base, User
from data_access.models import CaseAttempt, CaseEvent, DropoutCase
from data_access.schema import stamp_head
from data_access.scope import scope_for_user
from domain.localtime import local_today
from domain.cases.timeline import timeline
from domain.cases.rules import OUTCOMES


def _quiet(_msg: str) -> None:
    pass


def _rows(factory) -> list:  # noqa: ANN001
    with factory() as s:
        return s.execute(select(DropoutCase.student_id, DropoutCase.ledger, DropoutCase.status, DropoutCase.step,
                                DropoutCase.step_started, DropoutCase.reason, DropoutCase.special_groups)
                         .order_by(DropoutCase.id)).all()


def test_demo_cases(session_factory) -> None:  # noqa: ANN001
    summary = seed_demo(session_factory, seed=1, progress=_quiet, students_per_county=4000)
    assert summary["dropout_cases"] >= 25
    today = local_today()
    with session_factory() as s:
        # generated through the import's rules (issue 13): every 辍学 roster line's child has a case, so the
        # Overview's dropouts and the confirmed ledger agree
        from data_access.models import RosterRecord
        dropped = set(s.scalars(select(RosterRecord.student_id).where(RosterRecord.status == "辍学")))
        with_case = set(s.scalars(select(DropoutCase.student_id)))
        assert dropped and dropped <= with_case
        cases = s.scalars(select(DropoutCase)).all()
        towns = Counter(c.township_code for c in cases)
        assert len(towns) >= 9
        assert {c.step for c in cases} == {1, 2, 3, 4, 5, 6}
        assert {c.status for c in cases} == {"open", "outcome", "closed"}
        assert {c.ledger for c in cases} == {"suspected", "confirmed"}
        assert {c.source for c in cases} >= {"roster_import", "school_report", "phone_check"}
        assert len({c.reason for c in cases}) >= 4 and any(c.special_groups for c in cases)
        assert all(c.outcome in OUTCOMES for c in cases if c.status != "open")
        assert all(c.step < 4 or (c.ledger == "confirmed" and c.return_deadline) for c in cases)
        states = Counter(timeline(c.step, c.step_started, c.status, {}, today)[c.step - 1].state for c in cases)
        assert states["overdue"] >= 3 and states["running"] >= 3
        assert s.scalar(select(func.count()).select_from(CaseAttempt)) >= 20
        assert s.scalar(select(func.count()).select_from(CaseEvent)) > 2 * len(cases)
        home = s.scalar(select(Area.code).where(Area.name == "勐混镇"))
        mine = [c for c in cases if c.township_code == home]
        assert len(mine) >= 6 and {c.status for c in mine} == {"open", "outcome", "closed"}
        officer = s.scalar(select(User).where(User.username == "township"))
        actor = Actor(officer.id, officer.role, scope_for_user(s, officer), officer.username)
        view = load_case(s, actor, mine[0].id)
        assert view.names_visible and "*" not in view.student_name


def test_demo_cases_are_deterministic() -> None:
    snaps = []
    for _ in range(2):
        engine = make_engine("sqlite://")
        Base.metadata.create_all(engine)
        stamp_head(engine)
        factory = make_sessionmaker(engine)
        seed_demo(factory, seed=3, progress=_quiet, students_per_county=1500)
        snaps.append(_rows(factory))
        engine.dispose()
    assert snaps[0] == snaps[1] and snaps[0]


def test_no_school_account_acts_on_another_schools_case(session_factory) -> None:  # noqa: ANN001
    seed_demo(session_factory, seed=1, progress=_quiet, students_per_county=4000)
    with session_factory() as s:
        school_user, school_id = s.execute(select(User.id, User.school_id).where(User.username == "school")).one()
        foreign = s.execute(select(CaseAttempt.id).join(DropoutCase, DropoutCase.id == CaseAttempt.case_id)
                            .where(CaseAttempt.created_by == school_user, DropoutCase.school_id != school_id)).all()
        events = s.execute(select(CaseEvent.id).join(DropoutCase, DropoutCase.id == CaseEvent.case_id)
                           .where(CaseEvent.user_id == school_user, DropoutCase.school_id != school_id)).all()
        assert not foreign and not events
