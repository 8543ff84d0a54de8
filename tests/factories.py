"""Small test factories with callable defaults (Redash's tests/factories.py style)."""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from data_access.analytics.aggregates import refresh_roster_aggregates
from data_access.analytics.age_lines import refresh_age_lines
from data_access.models import (Area, EnrollmentHistory, Population, RosterRecord, School, Student, Target,
                                TargetPolicy, Term, User)
from data_access.analytics.unit_counts import refresh_terms, terms_depending_on
from domain.terms import age_on_reference_day, parse_term

_seq = itertools.count(1)


class Factory:
    """Build a model with defaults, each default a value or a callable of no arguments."""

    def __init__(self, model: type, **defaults: Any) -> None:
        self.model = model
        self.defaults = defaults

    def build(self, **kwargs: Any) -> Any:
        """Make an instance without adding it to a session."""
        values = {k: (v() if callable(v) else v) for k, v in self.defaults.items() if k not in kwargs}
        values.update(kwargs)
        return self.model(**values)

    def create(self, session: Session, **kwargs: Any) -> Any:
        """Make, add and flush an instance."""
        obj = self.build(**kwargs)
        session.add(obj)
        session.flush()
        return obj


area = Factory(Area, code=lambda: f"532822{next(_seq):03d}000", name=lambda: f"乡镇{next(_seq)}", level="township",
               parent_code=None)
school = Factory(School, code=lambda: f"21{next(_seq):08d}", name=lambda: f"测试小学{next(_seq)}", type="小学",
                 is_central=False)
student = Factory(Student, student_no=lambda: f"G{next(_seq):018d}", name=lambda: f"学生{next(_seq)}",
                  gender="男", birth_date=dt.date(2015, 3, 5), id_number=None)
# one hash for every test user, with few rounds: the app's own (scrypt) costs ~0.25 s to make and to check, which
# made up minutes of the suite (sign-ins and users of every fixture); the app checks either kind
_TEST_HASH = generate_password_hash("secret-pass", method="pbkdf2:sha256:1000")
user = Factory(User, username=lambda: f"user{next(_seq)}", display_name="", role="county_leader",
               password_hash=lambda: _TEST_HASH, language=None)

DEMO_PASSWORD = "secret-pass"


def term(session: Session, code: str) -> Term:
    """Get or create a term row."""
    found = session.get(Term, code)
    if found:
        return found
    t = parse_term(code)
    obj = Term(code=code, year=t.year, semester=t.semester, start_date=t.start, end_date=t.end)
    session.add(obj)
    session.flush()
    return obj


def roster(session: Session, term_code: str, school_obj: School, *, grade: int = 1, status: str = "在读",
           birth: dt.date | None = None, household_code: str | None = None, **fields: Any) -> RosterRecord:
    """A student with one roster record in a term (age derived from birth date as §3 says)."""
    term(session, term_code)
    t = parse_term(term_code)
    birth = birth or dt.date(t.year - 5 - grade, 3, 1)
    stu = student.create(session, birth_date=birth)
    rec = RosterRecord(term_code=term_code, student_id=stu.id, school_id=school_obj.id, grade=grade,
                       status=status, household_code=household_code,
                       age=age_on_reference_day(birth, t.year), **fields)
    session.add(rec)
    session.flush()
    return rec


def county_with_townships(session: Session, n: int = 2) -> tuple[Area, list[Area]]:
    """A province → prefecture → county chain (53/5328/532822) with n townships under it."""
    session.add_all([Area(code="530000000000", name="云南省", level="province"),
                     Area(code="532800000000", name="西双版纳傣族自治州", level="prefecture", parent_code="530000000000")])
    county = Area(code="532822000000", name="勐海县", level="county", parent_code="532800000000")
    session.add(county)
    session.flush()
    towns = [area.create(session, code=f"532822{100 + i:03d}000", name=f"乡镇{i}", parent_code=county.code)
             for i in range(1, n + 1)]
    return county, towns


def small_county(session_factory) -> tuple[str, str, str]:  # noqa: ANN001
    """Two townships (T1 with a village), two schools, hand-countable roster, population, history,
    an active county policy, unit_counts refreshed; returns (township 1, township 2, village) codes."""
    with session_factory() as s, s.begin():
        county, (t1, t2) = county_with_townships(s, 2)
        v1 = Area(code=t1.code[:9] + "201", name="村一", level="village", parent_code=t1.code)
        s.add(v1)
        a = school.create(s, township_code=t1.code, code="5328220001")
        b = school.create(s, township_code=t2.code, code="5328220002")
        term = "2024-1"
        age7 = dt.date(2017, 3, 1)   # 7 on 31 Aug 2024
        age13 = dt.date(2011, 3, 1)  # 13
        # School A (township 1): 4 primary enrolled aged 7 from village v1, one 休学, one 辍学 (poor family)
        for _ in range(3):
            roster(s, term, a, grade=2, birth=age7, household_code=v1.code)
        roster(s, term, a, grade=2, birth=age7, household_code=v1.code, status="休学")
        roster(s, term, a, grade=2, birth=age7, household_code=v1.code, status="辍学", poverty_registered=True)
        # a primary pupil with no household code counts toward the school's township
        roster(s, term, a, grade=1, birth=dt.date(2018, 3, 1), disability="视力")
        # School B (township 2): junior students; one lives in township 1 (household attribution)
        for _ in range(4):
            roster(s, term, b, grade=9, birth=dt.date(2010, 3, 1))
        roster(s, term, b, grade=8, birth=age13, household_code=v1.code)
        roster(s, term, b, grade=7, birth=age13, status="辍学")
        roster(s, term, b, grade=7, birth=age13, status="转出")  # not in any denominator
        refresh_roster_aggregates(s, term)
        s.add_all([Population(area_code=v1.code, year=2024, age=7, population=6, outside_attendance=1,
                              disabled_population=0),
                   Population(area_code=t1.code, year=2024, age=6, population=1, outside_attendance=0,
                              disabled_population=1),
                   Population(area_code=t2.code, year=2024, age=13, population=8, outside_attendance=1,
                              disabled_population=0),
                   EnrollmentHistory(area_code=t2.code, year=2016, grade=1, enrolled=5)])
        policy = TargetPolicy(name="县目标", area_code="532822000000", active=True, targets=[
            Target(indicator="primary_enrollment_rate", op=">=", bound=99.5),
            Target(indicator="junior_dropout_rate", op="<=", bound=1.8),
            Target(indicator="special_group_dropouts", op="==", bound=0)])
        s.add(policy)
        s.flush()
        refresh_age_lines(s, term)  # population written after the aggregates, as an import of it refreshes
        refresh_terms(s, terms_depending_on(s, roster_term=term))
    return t1.code, t2.code, v1.code


def refresh(session: Session, term_code: str) -> None:
    """Refresh roster aggregates and unit_counts for a term, as imports do."""
    refresh_roster_aggregates(session, term_code)
    refresh_terms(session, terms_depending_on(session, roster_term=term_code))
