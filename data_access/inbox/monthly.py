"""The county's 控辍保学 monthly report (issue 18.2) from the units' reports of the month and Baoxue's figures,
and the drafts the schedule keeps (issue 18.6): one per county, kind and period."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, with_expression

from data_access.documents.register import issuer_settings
from data_access.inbox.duties import board
from data_access.models import (Area, DropoutCase, InspectionVisit, RectificationOrder, ScheduledDraft,
                                UnitCounts)
from data_access.scope import Scope, area_filter
from domain.areas import code_range, county_of
from domain.inbox.monthly import MonthlyReport, UnitReportLine, month_bounds
from domain.terms import term_for_date

KINDS = ("monthly_report", "bulletin")


def monthly_report(session: Session, county: str, month: str, today: dt.date) -> MonthlyReport:
    """The county's report for `month` (YYYY-MM): pupils and dropouts of the month's term, the change since the
    last monthly draft, returns, cases, inspections and orders of the month, and every unit's report."""
    area = session.get(Area, county)
    if area is None or area.level != "county":
        raise ValueError("unknown_county")
    first, last = month_bounds(month)
    lo, hi = code_range(county, "county")
    term = term_for_date(min(last, today)).code
    counts = session.execute(select(UnitCounts.enrolled, UnitCounts.dropouts).where(
        UnitCounts.term_code == term, UnitCounts.level == "county", UnitCounts.unit_code == county)).first()
    enrolled, dropouts = (int(counts[0] or 0), int(counts[1] or 0)) if counts else (0, 0)
    before = session.scalar(select(ScheduledDraft.figures_json).where(
        ScheduledDraft.county_code == county, ScheduledDraft.kind == "monthly_report",
        ScheduledDraft.period_key < month).order_by(ScheduledDraft.period_key.desc()).limit(1))
    earlier = json.loads(before).get("enrolled") if before else None
    cases = select(func.count(DropoutCase.id)).where(DropoutCase.township_code.between(lo, hi))
    visits = select(func.count(InspectionVisit.id)).where(InspectionVisit.township_code.between(lo, hi),
                                                          InspectionVisit.visit_date.between(first, last))
    orders = select(func.count(RectificationOrder.id)).where(RectificationOrder.township_code.between(lo, hi))
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
    names = dict(session.execute(select(Area.code, Area.name).where(Area.level == "township",
                                                                    Area.code.between(lo, hi))).all())
    names[county] = area.name                    # inspection teams report to the county
    lines = []
    for row in board(session, Scope("admin", unrestricted=True), today, first, last + dt.timedelta(days=62)):
        if row.period.key != month or county_of(row.township_code) != county:
            continue
        lines.append(UnitReportLine(row.unit_name, names.get(row.township_code, row.township_code),
                                    row.submitted_on, row.state, row.duty_name))
    lines.sort(key=lambda line: (line.sent_on is not None, line.duty_name, line.township_name, line.unit_name))
    settings = issuer_settings(session, county)
    return MonthlyReport(
        county_code=county, county_name=area.name, month=month, issuer=settings.issuer, day=today,
        enrolled=enrolled, change=None if earlier is None else enrolled - int(earlier), dropouts=dropouts,
        returned=session.scalar(cases.where(DropoutCase.outcome == "returned",
                                            DropoutCase.outcome_date.between(first, last))) or 0,
        cases_open=session.scalar(cases.where(DropoutCase.status == "open")) or 0,
        new_cases=session.scalar(cases.where(DropoutCase.found_date.between(first, last))) or 0,
        inspections=session.scalar(visits) or 0,
        orders_issued=session.scalar(orders.where(RectificationOrder.issued_at >= dt.datetime.combine(first, dt.time()),
                                                  RectificationOrder.issued_at < end)) or 0,
        orders_open=session.scalar(orders.where(RectificationOrder.status != "closed")) or 0,
        lines=tuple(lines))


def find_draft(session: Session, county: str, kind: str, period_key: str) -> ScheduledDraft | None:
    """The draft already made for this county, kind and period, if any."""
    return session.scalar(select(ScheduledDraft).where(ScheduledDraft.county_code == county,
                                                       ScheduledDraft.kind == kind,
                                                       ScheduledDraft.period_key == period_key))


def save_draft(session: Session, county: str, kind: str, period_key: str, title: str, docx: bytes,
               pdf: bytes | None, figures: dict | None = None) -> tuple[ScheduledDraft, bool]:
    """Keep a draft once per (county, kind, period): (the draft, True if made now)."""
    found = find_draft(session, county, kind, period_key)
    if found is not None:
        return found, False
    draft = ScheduledDraft(county_code=county, kind=kind, period_key=period_key, title=title, docx=docx, pdf=pdf,
                           created_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
                           figures_json=json.dumps(figures or {}))
    session.add(draft)
    session.flush()
    return draft, True


def drafts_for(session: Session, scope: Scope, kinds: tuple[str, ...] = KINDS, limit: int = 20
               ) -> list[ScheduledDraft]:
    """The newest drafts of the counties the scope covers (county leaders and admins issue them), chosen in SQL
    (the newest 100 of every county, filtered after, could hold none of a picked county's); their files are not
    read (`has_pdf` says whether there is a PDF)."""
    return list(session.scalars(
        select(ScheduledDraft).options(defer(ScheduledDraft.docx), defer(ScheduledDraft.pdf),
                                       with_expression(ScheduledDraft.has_pdf, ScheduledDraft.pdf.is_not(None)))
        .where(ScheduledDraft.kind.in_(kinds), area_filter(scope, ScheduledDraft.county_code))
        .order_by(ScheduledDraft.created_at.desc(), ScheduledDraft.id.desc()).limit(limit)))


def draft_file(session: Session, scope: Scope, draft_id: int, fmt: str) -> tuple[ScheduledDraft, bytes] | None:
    """A draft's bytes for a reader whose scope covers its county (None otherwise, or no such file)."""
    draft = session.get(ScheduledDraft, draft_id)
    if draft is None or not (scope.unrestricted or scope.covers_area(draft.county_code)):
        return None
    body = draft.docx if fmt == "docx" else draft.pdf
    return (draft, body) if body else None


def issuer_counties(session: Session, scope: Scope) -> list[tuple[str, str]]:
    """(code, name) of the counties a county leader's or admin's scope covers whole."""
    rows = session.execute(select(Area.code, Area.name).where(Area.level == "county").order_by(Area.code)).all()
    return [(c, n) for c, n in rows if scope.covers_area(c)]
