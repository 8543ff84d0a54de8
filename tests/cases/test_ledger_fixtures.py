"""A hand-countable county for the ledger and agreement tests (no tests here).

Townships T1 (villages V1, V2) and T2; schools S1, S2 in T1 and S3 in T2; the roster of term 2024-1; a
population survey; users of every role; and, per test, dropout cases inserted directly (factory rows) so each
agreement kind and each clock state is known by hand.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from data_access.analytics.age_lines import refresh_age_lines
from data_access.models import Area, Population, RosterRecord, School
from data_access.models import DropoutCase
from tests import factories as f

TERM = "2024-1"
COUNTY, T1, T2 = "532822000000", "532822101000", "532822102000"
V1, V2 = "532822101201", "532822101202"


@dataclass
class World:
    """Ids of what the fixture built."""

    s1: int = 0
    s2: int = 0
    s3: int = 0
    students: dict[str, int] = field(default_factory=dict)  # label → student id


def kid(s: Session, world: World, key: str, school: School, *, grade: int = 2, status: str = "在读",
        household: str | None = V1, name: str | None = None, **flags: object) -> RosterRecord:
    """A roster child of term 2024-1 (grade 2 → age 7, grade 4 → age 9, grade 7 → age 12)."""
    rec = f.roster(s, TERM, school, grade=grade, status=status, household_code=household, **flags)
    if name:
        rec_student = s.get(f.student.model, rec.student_id)
        rec_student.name = name
    world.students[key] = rec.student_id
    return rec


def case(s: Session, student_id: int, township: str, school_id: int | None, *, ledger: str = "confirmed",
         status: str = "open", outcome: str | None = None, step: int = 1, started: dt.date = dt.date(2024, 10, 14),
         found: dt.date = dt.date(2024, 10, 10), closed_at: dt.datetime | None = None, reason: str | None = None,
         groups: str = "", **extra: object) -> int:
    """A dropout case row, inserted directly."""
    row = DropoutCase(student_id=student_id, township_code=township, school_id=school_id, ledger=ledger,
                      source="school_report", found_date=found, absence_days=5, reason=reason, special_groups=groups,
                      step=step, step_started=started, status=status, outcome=outcome, closed_at=closed_at,
                      opened_at=dt.datetime(2024, 10, 10, 8, 0), term_code=TERM, **extra)
    s.add(row)
    s.flush()
    return row.id


def build(session_factory) -> World:  # noqa: ANN001
    """Areas, schools, roster, population and users (no cases)."""
    w = World()
    with session_factory() as s, s.begin():
        county, (t1, t2) = f.county_with_townships(s, 2)
        assert (t1.code, t2.code) == (T1, T2)
        s.add_all([Area(code=V1, name="曼一村", level="village", parent_code=T1),
                   Area(code=V2, name="曼二村", level="village", parent_code=T1)])
        s1 = f.school.create(s, township_code=T1, code="5328220001", name="一乡中心小学", is_central=True)
        s2 = f.school.create(s, township_code=T1, code="5328220002", name="一乡二小")
        s3 = f.school.create(s, township_code=T2, code="5328220003", name="二乡中学", type="初中")
        w.s1, w.s2, w.s3 = s1.id, s2.id, s3.id
        for key, status, extra in (
                ("A", "在读", {"name": "张测试"}), ("A2", "辍学", {}), ("A3", "在读", {}),
                ("B", "辍学", {"poverty_registered": True, "name": "欧阳测试"}), ("B2", "辍学", {}),
                ("C", "辍学", {}), ("C2", "在读", {}), ("D", "在读", {}), ("D2", "死亡", {}),
                ("F", "辍学", {"poverty_registered": True}), ("F2", "辍学", {"poverty_registered": True})):
            kid(s, w, key, s1, status=status, **extra)
        kid(s, w, "G", s2, household=V2)             # (V2, 7): no survey line of its own
        kid(s, w, "H", s2, household=None)           # (T1, 7): school's township
        kid(s, w, "J", s2, grade=4, household=V2)    # (V2, 9) → counted on the T1 line of age 9
        kid(s, w, "X", s3, grade=7, status="辍学", household=None)
        kid(s, w, "Y1", s3, grade=7, household=None)
        kid(s, w, "Y2", s3, grade=7, household=None)
        f.refresh(s, TERM)
        s.add_all([Population(area_code=V1, year=2024, age=7, population=14, outside_attendance=1),
                   Population(area_code=V2, year=2024, age=8, population=3, outside_attendance=0),
                   Population(area_code=T1, year=2024, age=9, population=2, outside_attendance=0),
                   Population(area_code=T2, year=2024, age=12, population=5, outside_attendance=0),
                   Population(area_code=T2, year=2024, age=16, population=9, outside_attendance=0)])
        s.flush()
        refresh_age_lines(s, TERM)  # population written after the roster, as its import refreshes the lines
        f.user.create(s, username="admin", role="admin")
        f.user.create(s, username="leader", role="county_leader", area_code=county.code)
        f.user.create(s, username="officer1", role="township_officer", area_code=T1)
        f.user.create(s, username="officer2", role="township_officer", area_code=T2)
        f.user.create(s, username="staff1", role="school_staff", area_code=T1, school_id=s1.id)
        f.user.create(s, username="staff2", role="school_staff", area_code=T1, school_id=s2.id)
    return w


def agreement_cases(session_factory, w: World) -> dict[str, int]:  # noqa: ANN001
    """Cases giving one disagreement of every kind, and consistent ones beside them."""
    st = w.students
    with session_factory() as s, s.begin():
        ids = {
            "A": case(s, st["A"], T1, w.s1),                                            # confirmed, roster 在读
            "A2": case(s, st["A2"], T1, w.s1),                                          # agrees (辍学)
            "A3": case(s, st["A3"], T1, w.s1, status="outcome", outcome="returned"),    # agrees (returning)
            "C": case(s, st["C"], T1, w.s1, status="closed", outcome="returned",
                      closed_at=dt.datetime(2024, 12, 1, 9)),                            # closed returned, 辍学
            "C2": case(s, st["C2"], T1, w.s1, status="closed", outcome="returned",
                       closed_at=dt.datetime(2024, 12, 1, 9)),                           # agrees (在读)
            "D": case(s, st["D"], T1, w.s1, status="closed", outcome="deceased",
                      closed_at=dt.datetime(2024, 11, 1, 9)),                            # closed deceased, 在读
            "D2": case(s, st["D2"], T1, w.s1, status="closed", outcome="deceased",
                       closed_at=dt.datetime(2024, 11, 1, 9)),                           # agrees (死亡)
            "F": case(s, st["F"], T1, w.s1),                                            # poor, group missing
            "F2": case(s, st["F2"], T1, w.s1, groups="poverty_registered"),             # agrees
        }
    return ids
