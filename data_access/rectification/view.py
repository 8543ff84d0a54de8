"""What the rectification pages read: the board (scoped, filtered, overdue first) with its filter
choices, one order with its finding, history and evidence, and the orders of a visit's findings."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from data_access.inspection.access import user_name
from data_access.models import Area, School, Team, User
from data_access.models import OrderEvent, OrderEvidence, RectificationOrder
from data_access.rectification.orders import OrderAccess
from data_access.rectification.issue import finding_facts
from data_access.rectification.stats import order_counts, order_rows, overdue_now
from domain.rectification.views import OrderRow
from data_access.scope import Scope, scoped
from domain.rectification.rules import STATUSES
from domain.rectification.views import EventView, EvidenceView, OrderView

O = RectificationOrder
MAX_BOARD_ROWS = 300


@dataclass(frozen=True)
class BoardFilters:
    """What the board may be filtered by: teams and townships that have orders in the scope."""

    teams: list[tuple[int, str]]
    townships: list[tuple[str, str]]


def board_filters(session: Session, scope: Scope) -> BoardFilters:
    """The teams and townships of the orders the user may see."""
    base = scoped(select(O.team_id, O.township_code).distinct(), scope, area_col=O.township_code,
                  school_col=O.school_id).subquery()
    teams = session.execute(select(Team.id, Team.name).where(Team.id.in_(select(base.c.team_id)))
                            .order_by(Team.id)).all()
    towns = session.execute(select(Area.code, Area.name).where(Area.code.in_(select(base.c.township_code)))
                            .order_by(Area.code)).all()
    return BoardFilters([(i, n) for i, n in teams], [(c, n) for c, n in towns])


def list_orders(session: Session, scope: Scope, today: dt.date, team_id: Any = None, township: Any = None,
                status: Any = None, overdue_only: bool = False, limit: int | None = None, offset: int = 0
                ) -> list[OrderRow]:
    """The orders the user may see, filtered (values from the browser only narrow the scoped list), most urgent
    first; `limit` of them from `offset` when given (a page of the board)."""
    return order_rows(session, _narrowed(scope, today, team_id, township, status, overdue_only), today, limit,
                      offset)


def count_orders(session: Session, scope: Scope, today: dt.date, team_id: Any = None, township: Any = None,
                 status: Any = None, overdue_only: bool = False) -> tuple[int, int]:
    """How many orders list_orders gives with the same filters, and how many of them are overdue."""
    return order_counts(session, _narrowed(scope, today, team_id, township, status, overdue_only), today)


def _narrowed(scope: Scope, today: dt.date, team_id: Any, township: Any, status: Any, overdue_only: bool
              ) -> Callable[[Select], Select]:
    """The user's scope and the board's filters, as a function narrowing a statement on the orders."""
    def narrow(stmt):  # noqa: ANN001, ANN202
        stmt = scoped(stmt, scope, area_col=O.township_code, school_col=O.school_id)
        if isinstance(team_id, int) and not isinstance(team_id, bool):
            stmt = stmt.where(O.team_id == team_id)
        if isinstance(township, str) and township:
            stmt = stmt.where(O.township_code == township)
        if status == "open":
            stmt = stmt.where(O.status != "closed")
        elif status in STATUSES:
            stmt = stmt.where(O.status == status)
        if overdue_only:
            stmt = stmt.where(overdue_now(today))
        return stmt
    return narrow


def load_order(session: Session, access: OrderAccess, see_names: bool = False) -> OrderView:
    """The order the access was checked for (callers check can_read first); the finding's child's name is
    masked unless `see_names` (domain.privacy.may_see_names of the reader's role)."""
    o = session.get(O, access.order_id)
    town = session.get(Area, o.township_code)
    county = session.get(Area, town.parent_code) if town.parent_code else None
    school = session.get(School, o.school_id) if o.school_id else None
    team = session.get(Team, o.team_id) if o.team_id else None
    uploader = aliased(User)
    files = tuple(EvidenceView(e.id, e.original_name, e.size, e.event_id, name or login or "", e.uploaded_at)
                  for e, name, login in session.execute(
                      select(OrderEvidence, uploader.display_name, uploader.username)
                      .outerjoin(uploader, uploader.id == OrderEvidence.uploaded_by)
                      .where(OrderEvidence.order_id == o.id).order_by(OrderEvidence.id)))
    by_event: dict[int, list[EvidenceView]] = {}
    for f in files:
        if f.event_id is not None:
            by_event.setdefault(f.event_id, []).append(f)
    unit = school.name if school else town.name
    events = tuple(EventView(e.at, name or login or (unit if e.action in ("start", "submit") else ""), e.action,
                             e.from_status, e.to_status, e.note,
                             tuple(by_event.get(e.id, ())))
                   for e, name, login in session.execute(
                       select(OrderEvent, User.display_name, User.username)
                       .outerjoin(User, User.id == OrderEvent.user_id)
                       .where(OrderEvent.order_id == o.id).order_by(OrderEvent.at, OrderEvent.id)))
    finding = finding_facts(session, o.finding_id, see_names) if o.finding_id else None
    return OrderView(o.id, o.title, o.requirement, o.deadline, o.status, o.version, o.township_code, town.name,
                     county.name if county else "", o.school_id, school.name if school else "",
                     team.name if team else "", o.term_code, user_name(session, o.issued_by), o.issued_at,
                     o.explanation, o.return_reason, user_name(session, o.closed_by), o.closed_at,
                     user_name(session, o.updated_by), o.updated_at, finding, events, files)


@dataclass(frozen=True)
class FindingOrder:
    """The latest order of a finding: id, status, deadline."""

    finding_id: int
    order_id: int
    status: str
    deadline: dt.date


def orders_of_findings(session: Session, finding_ids: Sequence[int]) -> dict[int, FindingOrder]:
    """The latest order of each of these findings (an open one before closed ones)."""
    out: dict[int, FindingOrder] = {}
    if not finding_ids:
        return out
    rows = session.execute(select(O.finding_id, O.id, O.status, O.deadline)
                           .where(O.finding_id.in_(list(finding_ids))).order_by(O.id)).all()
    for fid, oid, status, deadline in rows:
        have = out.get(fid)
        if have is None or have.status == "closed":
            out[fid] = FindingOrder(fid, oid, status, deadline)
    return out
