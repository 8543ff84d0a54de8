"""Each county's teaching periods (term_calendar) and the school-day clock built from them
(domain.schooldays); set by the county's admin (`flask --app app set-teaching-period`)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import Area, TermCalendar
from domain.areas import county_of
from domain.schooldays import Span, check_span, school_day_checker
from domain.workdays import IsWorkday, default_is_workday


def teaching_spans(session: Session, area_code: str) -> dict[str, Span]:
    """The teaching periods the county of an area has set, by term code."""
    rows = session.execute(select(TermCalendar.term_code, TermCalendar.teaching_start, TermCalendar.teaching_end)
                           .where(TermCalendar.area_code == county_of(area_code))).all()
    return {term: (start, end) for term, start, end in rows}


def teaching_spans_of(session: Session, counties: set[str]) -> dict[str, dict[str, Span]]:
    """teaching_spans of several counties at once, by county code (a county without its own: absent)."""
    out: dict[str, dict[str, Span]] = {}
    for area, term, start, end in session.execute(
            select(TermCalendar.area_code, TermCalendar.term_code, TermCalendar.teaching_start,
                   TermCalendar.teaching_end).where(TermCalendar.area_code.in_(sorted(counties)))):
        out.setdefault(area, {})[term] = (start, end)
    return out


def school_days_of(session: Session, area_code: str, is_workday: IsWorkday = default_is_workday) -> IsWorkday:
    """Is a day a school day in the county of this area (its teaching periods, else the defaults)."""
    return school_day_checker(teaching_spans(session, area_code), is_workday)


def set_teaching_period(session: Session, county_code: str, term_code: str, start: dt.date, end: dt.date) -> None:
    """Set (or change) a county's teaching period of a term; ValueError names what is wrong."""
    area = session.get(Area, county_code)
    if area is None or area.level != "county":
        raise ValueError(f"{county_code} is not an imported county")
    start, end = check_span(start, end, term_code)
    row = session.get(TermCalendar, (county_code, term_code))  # the audit log records the change (ORM events)
    if row is None:
        session.add(TermCalendar(area_code=county_code, term_code=term_code, teaching_start=start, teaching_end=end))
    else:
        row.teaching_start, row.teaching_end = start, end
