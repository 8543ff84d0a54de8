"""Helpers shared by the dropout case tests: cases opened in the inspected county of
tests/test_inspection_fixtures (township t2, school s2a with the named roster students)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data_access.cases.cases import open_case
from data_access.cases.actions import act
from data_access.models import RosterRecord
from data_access.models import DropoutCase
from tests.inspection.test_inspection_fixtures import TERM, World, actor

FOUND = dt.date(2024, 9, 23)


def student_of(session, world: World, name: str) -> int:  # noqa: ANN001
    """The student id of a named roster line of school s2a."""
    return session.scalar(select(RosterRecord.student_id).where(RosterRecord.id == world.roster[name]))


def new_case(session_factory, world: World, name: str = "甲一", who: str = "staff2a", *,  # noqa: ANN001
             step: int = 1, ledger: str = "suspected", source: str = "school_report") -> int:
    """A case for a named student of s2a, opened by `who` and moved (by officer2) to `step` (confirmed
    on the way when it passes step 3)."""
    with session_factory() as s, s.begin():
        case_id = open_case(s, actor(s, world, who), student_id=student_of(s, world, name), source=source,
                            found_date=FOUND, ledger=ledger, absence_days=4)
    for _ in range(step - 1):
        with session_factory() as s, s.begin():
            officer = actor(s, world, "officer2")
            case = s.get(DropoutCase, case_id)
            if case.step == 3 and case.ledger == "suspected":
                act(s, officer, case_id, case.version, "confirm")
                case = s.get(DropoutCase, case_id)
            act(s, officer, case_id, case.version, "escalate")
    return case_id


def version(session_factory, case_id: int) -> int:  # noqa: ANN001
    """The case's version now."""
    with session_factory() as s:
        return s.get(DropoutCase, case_id).version


__all__ = ["FOUND", "TERM", "new_case", "student_of", "version"]
