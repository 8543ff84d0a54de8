"""What a bulletin's summary counts besides the indicators: inspections done, rectification orders and how
many were closed on time, children returned — for an area and term (scoped by the area's code range)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from data_access.models import Area, DropoutCase, InspectionVisit, RectificationOrder
from domain.areas import code_range


@dataclass(frozen=True)
class PeriodActivity:
    """Counts of one area and term."""

    visits: int = 0
    orders: int = 0
    closed_on_time: int = 0
    returned: int = 0


def period_activity(session: Session, area_code: str, term: str) -> PeriodActivity:
    """Inspection visits signed or done, orders issued and closed by their deadline, cases returned."""
    area = session.get(Area, area_code)
    if area is None:
        return PeriodActivity()
    lo, hi = code_range(area.code, area.level)
    visits = session.scalar(select(func.count()).select_from(InspectionVisit).where(
        InspectionVisit.term_code == term, InspectionVisit.township_code.between(lo, hi),
        InspectionVisit.status != "draft")) or 0
    in_area = and_(RectificationOrder.term_code == term, RectificationOrder.township_code.between(lo, hi))
    orders = session.scalar(select(func.count()).select_from(RectificationOrder).where(in_area)) or 0
    on_time = session.scalar(select(func.count()).select_from(RectificationOrder).where(
        in_area, RectificationOrder.status == "closed", RectificationOrder.closed_at.is_not(None),
        func.date(RectificationOrder.closed_at) <= RectificationOrder.deadline)) or 0
    returned = session.scalar(select(func.count()).select_from(DropoutCase).where(
        DropoutCase.term_code == term, DropoutCase.township_code.between(lo, hi),
        DropoutCase.outcome == "returned")) or 0
    return PeriodActivity(int(visits), int(orders), int(on_time), int(returned))
