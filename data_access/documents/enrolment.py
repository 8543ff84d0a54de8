"""The children of a village due a 入学通知书 or 复学通知书 for the new school year (issue 17.6, seeds 001 and
003: every June–August the township government and the county's education bureau send them, jointly sealed,
to the guardians of the children due to enrol or return):

* grade 7: the village's pupils (by household) in grade 6 of the spring term before — in school or marked
  graduated — due at the junior school: their own school when it teaches grades 7–9, else the junior school
  of their township with the most grade-7 pupils (blank when there is none);
* return: the village's children with an open case in the confirmed dropout ledger, due back at their school;
* grade 1: the township writes these children in from the village's household books (Baoxue has no names
  before a child enrols), so the batch is that many blank forms — by default the village's population of
  age 6 in the population file.

Only township officers and admins, for villages of their area (names are printed on the notices)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access.documents.register import issuer_settings
from data_access.models import Area, DropoutCase, Population, RosterRecord, School, Student
from data_access.scope import Scope, area_filter
from domain.documents import ENROLMENT_KINDS, EnrolmentBatch, EnrolmentChild

ISSUER_ROLES = ("township_officer", "admin")
IN_SCHOOL, GRADUATED = "在读", "毕业"
JUNIOR_TYPES = ("初中", "九年一贯制", "完全中学")
THROUGH_TYPES = ("九年一贯制",)  # schools that teach both primary and junior grades
MAX_BLANK = 500


class EnrolmentRefused(PermissionError):
    """The village is outside the user's area, or the role does not issue notices."""


class EnrolmentInvalid(ValueError):
    """A bad kind, year or count; the message names it."""


def villages(session: Session, scope: Scope) -> list[tuple[str, str, str]]:
    """(code, village name, township name) of the villages a township officer or admin may issue for."""
    town = Area.__table__.alias("town")
    rows = session.execute(select(Area.code, Area.name, town.c.name).join(town, town.c.code == Area.parent_code)
                           .where(Area.level == "village", area_filter(scope, Area.code)).order_by(Area.code)).all()
    return [(c, n, t) for c, n, t in rows]


def _village(session: Session, role: str, scope: Scope, village_code: str) -> tuple[Area, Area]:
    if role not in ISSUER_ROLES or scope.school_id is not None:
        raise EnrolmentRefused()
    village = session.get(Area, village_code or "")
    if village is None or village.level != "village" or not scope.covers_area(village.code):
        raise EnrolmentRefused()
    township = session.get(Area, village.parent_code)
    if township is None:
        raise EnrolmentRefused()
    return village, township


def _spring_term(session: Session, year: int) -> str | None:
    """The term whose grade 6 enters grade 7 in September of `year`: the spring before, else the autumn."""
    for code in (f"{year - 1}-2", f"{year - 1}-1"):
        if session.scalar(select(RosterRecord.id).where(RosterRecord.term_code == code).limit(1)) is not None:
            return code     # (a count of the term's lines, even LIMIT 1, counted a province's 4.5 million)
    return None


def _junior_school(session: Session, township_code: str, term: str) -> str:
    """The junior school most of the township's grade-7 pupils attend ("" when it has none)."""
    row = session.execute(
        select(School.name).outerjoin(RosterRecord, (RosterRecord.school_id == School.id)
                                      & (RosterRecord.grade == 7) & (RosterRecord.term_code == term))
        .where(School.township_code == township_code, School.type.in_(JUNIOR_TYPES), School.closed_from.is_(None))
        .group_by(School.id, School.name, School.code).order_by(func.count(RosterRecord.id).desc(), School.code)
        .limit(1)).first()
    return row[0] if row else ""


def _grade7(session: Session, village: Area, township: Area, year: int) -> list[EnrolmentChild]:
    term = _spring_term(session, year)
    if term is None:
        return []
    junior = _junior_school(session, township.code, term)
    rows = session.execute(
        select(Student.name, Student.gender, Student.birth_date, School.name, School.type, RosterRecord.guardian_name)
        .join(RosterRecord, RosterRecord.student_id == Student.id).join(School, School.id == RosterRecord.school_id)
        .where(RosterRecord.term_code == term, RosterRecord.grade == 6, RosterRecord.household_code == village.code,
               RosterRecord.status.in_((IN_SCHOOL, GRADUATED)))
        .order_by(School.code, RosterRecord.class_name, Student.name)).all()
    return [EnrolmentChild(name, gender, birth, school, school if kind in THROUGH_TYPES else junior, 7,
                           guardian or "") for name, gender, birth, school, kind, guardian in rows]


def _returns(session: Session, village: Area) -> list[EnrolmentChild]:
    last_grade = (select(RosterRecord.grade).where(RosterRecord.student_id == DropoutCase.student_id)
                  .order_by(RosterRecord.term_code.desc()).limit(1).scalar_subquery())
    guardian = (select(RosterRecord.guardian_name).where(RosterRecord.student_id == DropoutCase.student_id)
                .order_by(RosterRecord.term_code.desc()).limit(1).scalar_subquery())
    rows = session.execute(
        select(Student.name, Student.gender, Student.birth_date, School.name, last_grade, guardian,
               DropoutCase.found_date, DropoutCase.attendance_last)
        .join(DropoutCase, DropoutCase.student_id == Student.id).outerjoin(School, School.id == DropoutCase.school_id)
        .where(DropoutCase.village_code == village.code, DropoutCase.status == "open",
               DropoutCase.ledger == "confirmed")
        .order_by(DropoutCase.found_date, Student.name)).all()
    return [EnrolmentChild(name, gender, birth, school or "", school or "", grade, guardian or "",
                           (last + dt.timedelta(days=1)) if last else found)
            for name, gender, birth, school, grade, guardian, found, last in rows]


def default_blank_count(session: Session, village_code: str, year: int) -> int:
    """The village's population of age 6 in the latest population year up to `year` (0 without one)."""
    latest = session.scalar(select(func.max(Population.year)).where(Population.area_code == village_code,
                                                                     Population.year <= year))
    if latest is None:
        return 0
    return int(session.scalar(select(Population.population).where(
        Population.area_code == village_code, Population.year == latest, Population.age == 6)) or 0)


def enrolment_batch(session: Session, role: str, scope: Scope, village_code: str, kind: str, year: int,
                    issued: dt.date, report_by: dt.date, blank: int | None = None) -> EnrolmentBatch:
    """The village's batch of notices of a kind for the school year starting in `year` (not yet numbered)."""
    village, township = _village(session, role, scope, village_code)
    if kind not in ENROLMENT_KINDS:
        raise EnrolmentInvalid(f"kind: one of {', '.join(ENROLMENT_KINDS)}")
    if not 2000 <= year <= 2100:
        raise EnrolmentInvalid(f"year {year}: not a school year")
    if report_by < issued:
        raise EnrolmentInvalid("report-by: before the day of issue")
    if kind == "grade7":
        children = _grade7(session, village, township, year)
    elif kind == "return":
        children = _returns(session, village)
    else:
        count = default_blank_count(session, village.code, year) if blank is None else blank
        if not 0 <= count <= MAX_BLANK:
            raise EnrolmentInvalid(f"blank: 0–{MAX_BLANK} forms")
        children = [EnrolmentChild(grade=1)] * count
    settings = issuer_settings(session, township.code)  # its co-issuer falls back to the county's
    return EnrolmentBatch(kind=kind, year=year, village_code=village.code, village=village.name,
                          township=township.name, issuers=(settings.issuer, settings.education_bureau),
                          report_by=report_by, issued=issued, children=tuple(children),
                          contact=settings.contact_line(), abbreviation=settings.abbreviation)

