"""Small test factories with callable defaults (Redash's tests/factories.py style)."""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from data_access.models import Area, RosterRecord, School, Student, Term, User
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
user = Factory(User, username=lambda: f"user{next(_seq)}", display_name="", role="county_leader",
               password_hash=lambda: generate_password_hash("secret-pass"), language=None)

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
                     Area(code="532800000000", name="西双版纳州", level="prefecture", parent_code="530000000000")])
    county = Area(code="532822000000", name="勐海县", level="county", parent_code="532800000000")
    session.add(county)
    session.flush()
    towns = [area.create(session, code=f"532822{100 + i:03d}000", name=f"乡镇{i}", parent_code=county.code)
             for i in range(1, n + 1)]
    return county, towns


