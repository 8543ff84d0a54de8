"""Rectification figures for the board, the dashboards and the tiers: progress per township or team
(open, overdue, closed, closed on time, on-time closure rate), the overdue orders, and overdue counts
per township or school as of a day (domain.dashboard.report.UnitExtras for the notification tiers).

`on_time_rate` is a percentage (0–100), None when no order is due yet.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from data_access.models import Area, School, Team
from data_access.models import RectificationOrder
from data_access.scope import Scope, scoped
from domain.localtime import LOCAL_TZ, local_date
from domain.areas import LEVEL_DIGITS
from domain.rectification.rules import OrderFacts, closed_on_time, days_overdue, is_overdue, on_time_rate
from domain.dashboard.report import UnitExtras
from domain.terms import parse_term
from domain.rectification.views import OrderRow, ProgressRow

O = RectificationOrder


def _scoped(stmt, scope: Scope):  # noqa: ANN001, ANN202 - a Select in, a Select out
    return scoped(stmt, scope, area_col=O.township_code, school_col=O.school_id)


def order_progress(session: Session, scope: Scope, today: dt.date, by: str = "township") -> list[ProgressRow]:
    """Progress of the orders in the scope per township or per team (units with orders only, by code)."""
    if by not in ("township", "team"):
        raise ValueError(f"order_progress by {by!r}: use township or team")
    key = O.township_code if by == "township" else O.team_id
    rows = session.execute(_scoped(select(key, O.status, O.deadline, O.closed_at), scope)).all()
    groups: dict[str, list[OrderFacts]] = {}
    for code, status, deadline, closed_at in rows:
        groups.setdefault("" if code is None else str(code), []).append(
            OrderFacts(status, deadline, local_date(closed_at)))
    if by == "township":
        names = dict(session.execute(select(Area.code, Area.name).where(Area.code.in_(list(groups)))).all())
    else:
        ids = [int(c) for c in groups if c]
        names = {str(i): n for i, n in session.execute(select(Team.id, Team.name).where(Team.id.in_(ids)))}
    out = []
    for code in sorted(groups, key=lambda c: (c == "", c.zfill(12))):
        facts = groups[code]
        closed = [f for f in facts if f.status == "closed"]
        out.append(ProgressRow(code, names.get(code, "—"), len(facts), len(facts) - len(closed),
                               sum(is_overdue(f.status, f.deadline, today) for f in facts), len(closed),
                               sum(closed_on_time(f) for f in closed), on_time_rate(facts, today)))
    return out


def order_rows(session: Session, stmt_filter, today: dt.date, limit: int | None = None  # noqa: ANN001
               ) -> list[OrderRow]:
    """Orders as OrderRows: overdue first (most overdue first), then open by deadline, closed last."""
    stmt = stmt_filter(select(O.id, O.title, O.township_code, O.school_id, O.deadline, O.status, O.finding_id,
                              Area.name, School.name, Team.name)
                       .join(Area, Area.code == O.township_code).outerjoin(School, School.id == O.school_id)
                       .outerjoin(Team, Team.id == O.team_id))
    rows = [OrderRow(i, title, school or town, town, deadline, status, days_overdue(status, deadline, today),
                     code, team or "", school_id is not None, finding)
            for i, title, code, school_id, deadline, status, finding, town, school, team in session.execute(stmt)]
    rows.sort(key=lambda r: (0 if r.days_overdue else 1 if r.status != "closed" else 2, -r.days_overdue,
                             r.deadline, r.id))
    return rows[:limit] if limit else rows


def overdue_orders(session: Session, scope: Scope, today: dt.date, limit: int = 50) -> list[OrderRow]:
    """The overdue orders in the scope, most overdue first."""
    return order_rows(session, lambda s: _scoped(s.where(O.status != "closed", O.deadline < today), scope), today,
                      limit)


def _end_of_day_utc(day: dt.date) -> dt.datetime:
    """The first UTC instant after `day` ends in the counties' time zone (naive, as stored)."""
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_TZ)
    return start.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _overdue_on(day: dt.date):  # noqa: ANN202 - a WHERE clause
    """Overdue at the end of `day`: issued by then, deadline passed, not closed by then."""
    end = _end_of_day_utc(day)
    return (O.issued_at < end) & (O.deadline < day) & or_(O.status != "closed", O.closed_at >= end)


def overdue_by_township(session: Session, township_codes: Iterable[str], today: dt.date) -> dict[str, int]:
    """Overdue orders per township (those with any), as of the end of `today` (unscoped: callers pass codes)."""
    codes = list(township_codes)
    if not codes:
        return {}
    rows = session.execute(select(O.township_code, func.count()).where(O.township_code.in_(codes), _overdue_on(today))
                           .group_by(O.township_code)).all()
    return {c: n for c, n in rows}


def overdue_by_school(session: Session, school_codes: Iterable[str], today: dt.date) -> dict[str, int]:
    """Overdue orders addressed to schools, per school code, as of the end of `today`."""
    codes = list(school_codes)
    if not codes:
        return {}
    rows = session.execute(select(School.code, func.count()).select_from(O).join(School, School.id == O.school_id)
                           .where(School.code.in_(codes), _overdue_on(today)).group_by(School.code)).all()
    return {c: n for c, n in rows}


def _overdue_by_prefix(session: Session, level: str, codes: set[str], day: dt.date) -> dict[str, int]:
    digits = LEVEL_DIGITS[level]
    out: dict[str, int] = {}
    for town, n in session.execute(select(O.township_code, func.count()).where(_overdue_on(day))
                                   .group_by(O.township_code)):
        unit = town[:digits] + "0" * (12 - digits)
        if unit in codes:
            out[unit] = out.get(unit, 0) + n
    return out


def overdue_extras(session: Session, terms: Iterable[str], level: str, codes: Iterable[str], today: dt.date
                   ) -> dict[tuple[str, str], UnitExtras]:
    """Overdue orders per (term, unit) for a report: as of today for the current term, as of the term's
    last day for earlier terms (terms that have not started get none). Villages get none."""
    codes = set(codes)
    out: dict[tuple[str, str], UnitExtras] = {}
    if not codes or level == "village" or (level != "school" and level not in LEVEL_DIGITS):
        return out
    for term in terms:
        t = parse_term(term)
        if t.start > today:
            continue
        day = min(today, t.end)
        if level == "township":
            counts = overdue_by_township(session, codes, day)
        elif level == "school":
            counts = overdue_by_school(session, codes, day)
        else:
            counts = _overdue_by_prefix(session, level, codes, day)
        out.update({(term, c): UnitExtras(overdue_rectifications=n) for c, n in counts.items() if n})
    return out


def merge_extras(*parts: Mapping[tuple[str, str], UnitExtras]) -> dict[tuple[str, str], UnitExtras]:
    """Add up UnitExtras from several sources (false-data findings, overdue orders) per (term, unit)."""
    out: dict[tuple[str, str], UnitExtras] = {}
    for part in parts:
        for key, e in part.items():
            have = out.get(key, UnitExtras())
            out[key] = UnitExtras(have.overdue_rectifications + e.overdue_rectifications,
                                  have.false_data_findings + e.false_data_findings,
                                  have.missed_reports + e.missed_reports)
    return out
