"""What a bulletin's summary counts besides the indicators: inspections done, rectification orders and how
many were closed on time, children returned — for an area and term (scoped by the area's code range)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import Session

from data_access.calendar import teaching_spans
from data_access.models import Area, DropoutCase, InspectionVisit, RectificationOrder
from domain.areas import code_range
from domain.periods import Period, parse_period, term_of_period
from domain.schooldays import default_teaching_span
from domain.terms import parse_term


@dataclass(frozen=True)
class PeriodActivity:
    """Counts of one area and term."""

    visits: int = 0
    orders: int = 0
    closed_on_time: int = 0
    returned: int = 0


def teaching_span(session: Session, area_code: str, term: str) -> tuple[dt.date, dt.date]:
    """The teaching period of a term in the area's county (its own calendar, else the default)."""
    return teaching_spans(session, area_code).get(term) or default_teaching_span(parse_term(term))


def period_for(session: Session, area_code: str, key: str) -> Period:
    """A named period (domain.periods) with the area's teaching calendar (ValueError if malformed)."""
    return parse_period(key, teaching_span(session, area_code, term_of_period(key)))


def period_activity(session: Session, area_code: str, term: str, first: dt.date | None = None,
                    last: dt.date | None = None) -> PeriodActivity:
    """Inspection visits signed or done, orders issued and closed by their deadline, cases returned — in the term,
    or only those dated between `first` and `last` (a half-semester's or a month's bulletin)."""
    area = session.get(Area, area_code)
    if area is None:
        return PeriodActivity()
    lo, hi = code_range(area.code, area.level)
    dated = first is not None and last is not None
    visit_days = InspectionVisit.visit_date.between(first, last) if dated else true()
    visits = session.scalar(select(func.count()).select_from(InspectionVisit).where(
        InspectionVisit.term_code == term, InspectionVisit.township_code.between(lo, hi),
        InspectionVisit.status != "draft", visit_days)) or 0
    in_area = and_(RectificationOrder.term_code == term, RectificationOrder.township_code.between(lo, hi),
                   and_(RectificationOrder.issued_at >= dt.datetime.combine(first, dt.time()),
                        RectificationOrder.issued_at < dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))
                   if dated else true())
    orders = session.scalar(select(func.count()).select_from(RectificationOrder).where(in_area)) or 0
    on_time = session.scalar(select(func.count()).select_from(RectificationOrder).where(
        in_area, RectificationOrder.status == "closed", RectificationOrder.closed_at.is_not(None),
        func.date(RectificationOrder.closed_at) <= RectificationOrder.deadline)) or 0
    returned = session.scalar(select(func.count()).select_from(DropoutCase).where(
        DropoutCase.term_code == term, DropoutCase.township_code.between(lo, hi),
        DropoutCase.outcome == "returned",
        DropoutCase.outcome_date.between(first, last) if dated else true())) or 0
    return PeriodActivity(int(visits), int(orders), int(on_time), int(returned))
