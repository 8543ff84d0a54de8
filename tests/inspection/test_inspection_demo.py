"""The demo's inspections: every township visited last term, this term's coverage partly done, findings
from each method, a false-data finding that puts its township at tier 3 or above — deterministic."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from data_access.analytics.report import load_report
from data_access.demo.build import seed_demo
from data_access.models import Area, User
from data_access.models import ChecklistItem, Finding, InspectionVisit, PhoneCall
from data_access.scope import scope_for_user

COUNTY = "532822000000"


def _quiet(_msg: str) -> None:
    pass


def _snapshot(factory) -> list:  # noqa: ANN001
    with factory() as s:
        return s.execute(select(Finding.visit_id, Finding.source_key, Finding.kind, Finding.subject)
                         .order_by(Finding.visit_id, Finding.source_key)).all()


def test_demo_inspections(session_factory) -> None:  # noqa: ANN001
    summary = seed_demo(session_factory, seed=1, progress=_quiet, students_per_county=3000)
    assert summary["inspection_visits"] == 18
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(ChecklistItem)) == 16
        by_term = Counter(s.execute(select(InspectionVisit.term_code, InspectionVisit.status)).all())
        assert by_term == {("2025-2", "signed"): 11, ("2026-1", "signed"): 5, ("2026-1", "draft"): 2}
        kinds = {k for (k,) in s.execute(select(Finding.kind).distinct())}
        assert {"work_gap", "false_data", "suspected_dropout"} <= kinds
        assert s.scalar(select(func.count()).select_from(PhoneCall)) > 50
        town = s.scalar(select(Area.code).where(Area.name == "勐往乡"))
        leader = s.scalar(select(User).where(User.username == "leader"))
        units = {u.code: u for u in load_report(s, scope_for_user(s, leader), COUNTY, "township", "2026-1").units}
        assert units[town].tier.tier >= 3
        assert any(r.kind == "false_data" for r in units[town].tier.reasons)
        draft = s.scalar(select(InspectionVisit).join(Area, Area.code == InspectionVisit.township_code)
                         .where(Area.name == "勐混镇", InspectionVisit.term_code == "2026-1"))
        assert draft.status == "draft"  # the demo inspector's visit, to go on with


def test_demo_inspections_are_deterministic() -> None:
    from data_access.db import make_engine, make_sessionmaker
    from data_access.models import Base
    snaps = []
    for _ in range(2):
        engine = make_engine("sqlite://")
        Base.metadata.create_all(engine)
        factory = make_sessionmaker(engine)
        seed_demo(factory, seed=4, progress=_quiet, students_per_county=1500)
        snaps.append(_snapshot(factory))
        engine.dispose()
    assert snaps[0] == snaps[1] and snaps[0]
