"""Rectification figures for the board, the dashboards and the tiers: progress per township or team
(open, overdue, closed, closed on time, on-time closure rate), the overdue orders, and overdue counts
per township or school as of a day (domain.dashboard.report.UnitExtras for the notification tiers).

`on_time_rate` is a percentage (0–100), None when no order is due yet.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from data_access.models import Area, School, Team, Zone
from data_access.memo import memo
from data_access.models import RectificationOrder
from data_access.names import county_prefixes, township_labels
from data_access.scope import Scope, scoped
from domain.localtime import LOCAL_TZ, local_date
from domain.areas import LEVEL_DIGITS, span_range
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
    return order_progress_by(session, scope, today, (by,))[by]


def order_progress_by(session: Session, scope: Scope, today: dt.date, kinds: tuple[str, ...] = ("township", "team")
                      ) -> dict[str, list[ProgressRow]]:
    """order_progress per township and per team (or the `kinds` given) from one read of the orders."""
    rows = session.execute(_scoped(select(O.township_code, O.team_id, O.status, O.deadline, O.closed_at),
                                   scope)).all()
    groups: dict[str, dict[str, list[OrderFacts]]] = {kind: {} for kind in kinds}
    for town, team, status, deadline, closed_at in rows:
        facts = OrderFacts(status, deadline, local_date(closed_at))
        for kind in kinds:
            key = town if kind == "township" else team
            groups[kind].setdefault("" if key is None else str(key), []).append(facts)
    return {kind: _progress_rows(session, kind, groups[kind], today) for kind in kinds}


def _progress_rows(session: Session, by: str, groups: dict[str, list[OrderFacts]], today: dt.date
                   ) -> list[ProgressRow]:
    """The rows of one grouping, named; where the units span several counties (a prefecture's or a province's
    board), each name says its county too: township and team names repeat from county to county (东城镇, 第一组)."""
    if by == "township":
        names = township_labels(session, set(groups))
    else:
        ids = [int(c) for c in groups if c]
        found = session.execute(select(Team.id, Team.name, Zone.county_code).join(Zone, Zone.id == Team.zone_id)
                                .where(Team.id.in_(ids))).all()
        prefixes = county_prefixes(session, {str(i): c for i, _n, c in found})
        names = {str(i): prefixes.get(str(i), "") + n for i, n, _c in found}
    out = []
    for code in sorted(groups, key=lambda c: (c == "", c.zfill(12))):
        facts = groups[code]
        closed = [f for f in facts if f.status == "closed"]
        out.append(ProgressRow(code, names.get(code, "—"), len(facts), len(facts) - len(closed),
                               sum(is_overdue(f.status, f.deadline, today) for f in facts), len(closed),
                               sum(closed_on_time(f) for f in closed), on_time_rate(facts, today)))
    return out


def overdue_now(today: dt.date):  # noqa: ANN201 - a SQL condition
    """An order overdue on `today`, in SQL (domain.rectification.rules.is_overdue: past its deadline, not closed)."""
    return and_(O.status != "closed", O.deadline < today)


def _urgency(today: dt.date):  # noqa: ANN202 - a SQL expression
    """0 overdue, 1 open in time, 2 closed: with the deadline then the id, the board's order (the most overdue
    first: days overdue fall as the deadline rises)."""
    return case((overdue_now(today), 0), (O.status != "closed", 1), else_=2)


def order_rows(session: Session, stmt_filter, today: dt.date, limit: int | None = None,  # noqa: ANN001
               offset: int = 0) -> list[OrderRow]:
    """Orders as OrderRows: overdue first (most overdue first), then open by deadline, closed last; `limit` of
    them from `offset` only, sorted and cut in SQL (a province's orders were all read to show 300)."""
    stmt = stmt_filter(select(O.id, O.title, O.township_code, O.school_id, O.deadline, O.status, O.finding_id,
                              Area.name, School.name, Team.name)
                       .join(Area, Area.code == O.township_code).outerjoin(School, School.id == O.school_id)
                       .outerjoin(Team, Team.id == O.team_id)).order_by(_urgency(today), O.deadline, O.id)
    if limit:
        stmt = stmt.limit(limit).offset(offset)
    rows = session.execute(stmt).all()
    # where the orders span counties, their township and team say which
    prefixes = county_prefixes(session, {r.id: r.township_code[:6] + "000000" for r in rows})
    return [OrderRow(i, title, school or town, prefixes.get(i, "") + town, deadline, status,
                     days_overdue(status, deadline, today), code, prefixes.get(i, "") + team if team else "",
                     school_id is not None, finding)
            for i, title, code, school_id, deadline, status, finding, town, school, team in rows]


def order_counts(session: Session, stmt_filter, today: dt.date) -> tuple[int, int]:  # noqa: ANN001
    """How many orders the filter keeps, and how many of them are overdue (what order_rows lists, counted)."""
    total, late = session.execute(stmt_filter(select(func.count(), func.count().filter(overdue_now(today)))
                                              .select_from(O))).one()
    return int(total or 0), int(late or 0)


def overdue_orders(session: Session, scope: Scope, today: dt.date, limit: int = 50) -> list[OrderRow]:
    """The overdue orders in the scope, most overdue first."""
    return order_rows(session, lambda s: _scoped(s.where(overdue_now(today)), scope), today, limit)


def _end_of_day_utc(day: dt.date) -> dt.datetime:
    """The first UTC instant after `day` ends in the counties' time zone (naive, as stored)."""
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_TZ)
    return start.astimezone(dt.timezone.utc).replace(tzinfo=None)


def overdue_by_township(session: Session, township_codes: Iterable[str], today: dt.date) -> dict[str, int]:
    """Overdue orders per township (those with any), as of the end of `today` (unscoped: callers pass codes)."""
    return _overdue_counts(session, "township", set(township_codes), [today])[today]


def _overdue_counts(session: Session, level: str, codes: set[str], days: list[dt.date],
                    within: tuple[str, str] | None = None) -> dict[dt.date, dict[str, int]]:
    """Overdue orders per unit of `level` (township, school, or an area level above: by code prefix) as of the end
    of each day, from one read of the orders that can be overdue on any of those days (a report asks for each of
    its terms: one query each before). `within` (lowest and highest township code, areas only) reads the orders of
    that range: two levels of one area (a report and its parent's row) then share one read."""
    out: dict[dt.date, dict[str, int]] = {day: {} for day in days}
    if not codes or not days:
        return out
    last, first = max(days), min(days)
    stmt = select(O.township_code, O.issued_at, O.deadline, O.status, O.closed_at).where(
        O.issued_at < _end_of_day_utc(last), O.deadline < last,
        or_(O.status != "closed", O.closed_at >= _end_of_day_utc(first)))
    if level == "school":
        stmt = stmt.join(School, School.id == O.school_id).where(School.code.in_(sorted(codes)))
        stmt = stmt.with_only_columns(School.code, O.issued_at, O.deadline, O.status, O.closed_at)
    elif within is not None:
        stmt = stmt.where(O.township_code.between(*within))
    elif level == "township":
        stmt = stmt.where(O.township_code.in_(sorted(codes)))
    elif level in LEVEL_DIGITS:     # the orders under the units only (every order of the province before: ~4 ms)
        stmt = stmt.where(O.township_code.between(*span_range(codes, level)))
    digits = LEVEL_DIGITS.get(level, 12)
    rows = (session.execute(stmt).all() if within is None or level == "school" else
            memo(session, ("overdue_rows", first, last, within), lambda: session.execute(stmt).all()))
    for day in days:
        end, counts = _end_of_day_utc(day), out[day]
        for code, issued_at, deadline, status, closed_at in rows:
            # overdue at the day's end: issued by then, deadline passed, not closed by then
            closed_by_then = status == "closed" and (closed_at is None or closed_at < end)
            if issued_at < end and deadline < day and not closed_by_then:
                unit = code if level == "school" else code[:digits] + "0" * (12 - digits)
                if unit in codes:
                    counts[unit] = counts.get(unit, 0) + 1
    return out


def overdue_extras(session: Session, terms: Iterable[str], level: str, codes: Iterable[str], today: dt.date,
                   within: tuple[str, str] | None = None) -> dict[tuple[str, str], UnitExtras]:
    """Overdue orders per (term, unit) for a report: as of today for the current term, as of the term's
    last day for earlier terms (terms that have not started get none). Villages get none."""
    codes = set(codes)
    if not codes or level == "village" or (level != "school" and level not in LEVEL_DIGITS):
        return {}
    days = {term: min(today, parse_term(term).end) for term in terms if parse_term(term).start <= today}
    counts = _overdue_counts(session, level, codes, sorted(set(days.values())), within)
    return {(term, c): UnitExtras(overdue_rectifications=n) for term, day in days.items()
            for c, n in counts[day].items() if n}


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
