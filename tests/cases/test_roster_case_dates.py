"""Issue 13 point 9: a case opened from a term's roster is dated at the term's start and its clocks start there;
a pupil whose household is in another county gets a case in the school's township, with no village."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data_access.cases.cases import open_cases_from_roster
from data_access.models import DropoutCase
from tests import factories as f


@pytest.mark.parametrize(("term", "household", "found", "township", "village"), [
    ("2024-1", "532822101201", dt.date(2024, 9, 1), "532822101000", "532822101201"),  # an old term: its start
    ("2024-2", "440106001001", dt.date(2025, 3, 1), "532822102000", None),          # 外县户籍: the school's township
    ("2024-2", None, dt.date(2025, 3, 1), "532822102000", None),
])
def test_roster_case_takes_the_term_date(session_factory, term, household, found, township, village) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        _county, (t1, t2) = f.county_with_townships(s, 2)
        f.area.create(s, code="532822101201", name="村一", level="village", parent_code=t1.code)
        school = f.school.create(s, township_code=t2.code)
        f.roster(s, term, school, grade=4, status="辍学", household_code=household)
        assert open_cases_from_roster(s, None, term, [school.id]) == 1
    with session_factory() as s:
        case = s.scalars(select(DropoutCase)).one()
        start = s.scalar(select(f.Term.start_date).where(f.Term.code == term))
        assert case.found_date == start == found and case.step_started == found
        assert (case.township_code, case.village_code) == (township, village)
