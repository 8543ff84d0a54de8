"""Rectification orders (整改): who may read and act on an order (checked on every call), and each step
of its life cycle with the optimistic version check and a history row (OrderEvent). Issuing:
data_access.rectification.issue. Callers own the transaction.

The rules themselves (statuses, actions, who takes which) are domain.rectification.rules.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.inspection.access import Actor, EditConflict, InvalidInput, creatable_townships, now, team_role, user_name
from data_access.models import OrderEvent, OrderEvidence, RectificationOrder
from domain.rectification.rules import DEFAULT_DEADLINE_WORKING_DAYS, actions_for, may, note_required, relation_of, transition
from domain.workdays import add_working_days

ORDER_ENTITY = "rectification_order"
MAX_TITLE, MAX_TEXT = 200, 4000


class OrderRefused(Exception):
    """The user may not see or do this to this order (answered with HTTP 403; unknown ids too)."""


class OrderConflict(EditConflict):
    """Somebody changed the order since this page loaded it."""


def default_deadline(today: dt.date) -> dt.date:
    """15 working days from today (weekends and public holidays excluded)."""
    return add_working_days(today, DEFAULT_DEADLINE_WORKING_DAYS)


# --- who may do what ------------------------------------------------------------------------

def may_issue_in(session: Session, actor: Actor, township_code: str) -> bool:
    """The verifying team of a township: inspectors on its zone's team, admins whose scope covers it."""
    if actor.role == "admin":
        return actor.scope.covers_area(township_code)
    return actor.role == "inspector" and team_role(session, actor.user_id, township_code) is not None


def issuable_townships(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the townships the actor may issue orders to (their team's zone; admins: scope)."""
    return creatable_townships(session, actor)


@dataclass(frozen=True)
class OrderAccess:
    """What the actor may do with one order."""

    order_id: int
    township_code: str
    school_id: int | None
    status: str
    version: int
    can_read: bool
    relation: str | None  # "unit" | "team" | None

    @property
    def actions(self) -> list[str]:
        """The steps this user may take now (life-cycle order)."""
        return actions_for(self.status, self.relation) if self.can_read else []


def order_access(session: Session, actor: Actor, order_id: Any) -> OrderAccess | None:
    """The actor's rights on an order, or None when it does not exist."""
    if not isinstance(order_id, int) or isinstance(order_id, bool):
        return None
    row = session.execute(select(RectificationOrder.township_code, RectificationOrder.school_id,
                                 RectificationOrder.status, RectificationOrder.version)
                          .where(RectificationOrder.id == order_id)).first()
    if row is None:
        return None
    township, school_id, status, version = row
    scope = actor.scope
    own_school = scope.school_id is not None and scope.school_id == school_id
    readable = own_school if scope.school_id is not None else scope.covers_area(township)
    on_team = actor.role == "inspector" and team_role(session, actor.user_id, township) is not None
    relation = relation_of(actor.role, on_team=on_team, covers_township=scope.covers_area(township),
                           own_township=scope.school_id is None and scope.covers_area(township),
                           own_school=own_school)
    return OrderAccess(order_id, township, school_id, status, version, readable or relation is not None, relation)


def require_order(session: Session, actor: Actor, order_id: Any) -> OrderAccess:
    """The access of an order the actor may read; OrderRefused otherwise (unknown ids too)."""
    access = order_access(session, actor, order_id)
    if access is None or not access.can_read:
        raise OrderRefused()
    return access


# --- input checks -----------------------------------------------------------------------------

def clean_text(value: Any, limit: int, code: str, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        raise InvalidInput("bad_value")
    if required and not text:
        raise InvalidInput(code)
    if len(text) > limit:
        raise InvalidInput("too_long", limit=limit)
    return text


def parse_deadline(value: Any, today: dt.date, unchanged: dt.date | None = None) -> dt.date:
    """A deadline from the form: a valid date, not in the past (unless it is the one already set)."""
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value or "")[:10])
        except ValueError:
            raise InvalidInput("bad_date") from None
    if day < today and day != unchanged:
        raise InvalidInput("deadline_past")
    if day > today + dt.timedelta(days=366):
        raise InvalidInput("deadline_too_far")
    return day


# --- the life cycle ---------------------------------------------------------------------------

def conflict_for(session: Session, order_id: int) -> OrderConflict:
    """The error for a change that lost the version check."""
    row = session.execute(select(RectificationOrder.updated_by, RectificationOrder.updated_at)
                          .where(RectificationOrder.id == order_id)).first()
    return OrderConflict(user_name(session, row[0]) if row else "", row[1] if row else None)


def _version(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput("stale_page")
    return value


def _step(session: Session, actor: Actor, order_id: Any, version: Any, action: str, note: str,
          values: dict[str, Any], precheck: Callable[[OrderAccess], None] | None = None,
          before: dict[str, Any] | None = None) -> OrderEvent:
    """Check permission, version, transition and note (then `precheck`); take the next version; write the
    history row. Refusals in that order: OrderRefused, OrderConflict, IllegalTransition, InvalidInput."""
    access = require_order(session, actor, order_id)
    if not may(action, access.relation):
        raise OrderRefused()
    version = _version(version)
    if access.version != version:
        raise conflict_for(session, access.order_id)
    new_status = transition(access.status, action)
    code = note_required(action, note)
    if code:
        raise InvalidInput(code)
    if precheck is not None:
        precheck(access)
    stamp = now()
    o = RectificationOrder
    result = session.execute(update(o).where(o.id == access.order_id, o.version == version)
                             .values(status=new_status, version=o.version + 1, updated_by=actor.user_id,
                                     updated_at=stamp, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise conflict_for(session, access.order_id)
    session.expire_all()
    event = OrderEvent(order_id=access.order_id, at=stamp, user_id=actor.user_id, action=action,
                       from_status=access.status, to_status=new_status, note=note)
    session.add(event)
    session.flush()
    audit.record(session, action, ORDER_ENTITY, str(access.order_id),
                 before={k: str(v) if v is not None else None for k, v in before.items()} if before
                 else {"status": access.status},
                 after={"status": new_status, "note": note, **{k: str(v) for k, v in values.items()}})
    return event


def _note(session: Session, actor: Actor, order_id: Any, action: str, value: Any) -> str:
    """A note from the form, after the permission check (a stranger gets OrderRefused, not a message)."""
    if not may(action, require_order(session, actor, order_id).relation):
        raise OrderRefused()
    return clean_text(value, MAX_TEXT, "bad_value", required=False)


def start_order(session: Session, actor: Actor, order_id: Any, version: Any) -> str:
    """The unit starts work on the order (issued or returned → in progress)."""
    return _step(session, actor, order_id, version, "start", "", {}).to_status


def submit_order(session: Session, actor: Actor, order_id: Any, version: Any, explanation: Any) -> str:
    """The unit submits what it did: an explanation (required) and at least one evidence file."""
    text = _note(session, actor, order_id, "submit", explanation)

    def has_evidence(access: OrderAccess) -> None:
        if not session.scalar(select(func.count()).select_from(OrderEvidence)
                              .where(OrderEvidence.order_id == access.order_id)):
            raise InvalidInput("evidence_required")
    event = _step(session, actor, order_id, version, "submit", text, {"explanation": text, "submitted_at": now()},
                  has_evidence)
    session.execute(update(OrderEvidence).where(OrderEvidence.order_id == order_id, OrderEvidence.event_id.is_(None))
                    .values(event_id=event.id).execution_options(synchronize_session=False))
    return event.to_status


def return_order(session: Session, actor: Actor, order_id: Any, version: Any, reason: Any) -> str:
    """The team returns a submission for more work, with the reason (required)."""
    text = _note(session, actor, order_id, "return", reason)
    return _step(session, actor, order_id, version, "return", text, {"return_reason": text}).to_status


def close_order(session: Session, actor: Actor, order_id: Any, version: Any, note: Any = "") -> str:
    """The team verifies the submission and closes the order (who and when recorded)."""
    text = _note(session, actor, order_id, "verify_close", note)
    return _step(session, actor, order_id, version, "verify_close", text,
                 {"closed_by": actor.user_id, "closed_at": now()}).to_status


def edit_order(session: Session, actor: Actor, order_id: Any, version: Any, deadline: Any, requirement: Any,
               today: dt.date, reason: Any = "") -> bool:
    """The team changes an open order's deadline or requirement; False when nothing changed."""
    access = require_order(session, actor, order_id)
    if not may("edit", access.relation):
        raise OrderRefused()
    if access.version != _version(version):
        raise conflict_for(session, access.order_id)
    transition(access.status, "edit")
    order = session.get(RectificationOrder, access.order_id)
    new_deadline = parse_deadline(deadline, today, unchanged=order.deadline)
    text = clean_text(requirement, MAX_TEXT, "requirement_required")
    why = clean_text(reason, MAX_TEXT, "bad_value", required=False)
    changes: dict[str, Any] = {}
    if new_deadline != order.deadline:
        changes["deadline"] = [order.deadline.isoformat(), new_deadline.isoformat()]
    if text != order.requirement:
        changes["requirement"] = True
    if not changes:
        return False
    note = json.dumps({**changes, "reason": why}, ensure_ascii=False)
    previous = {c.key: getattr(order, c.key) for c in RectificationOrder.__table__.columns}   # the full state
    _step(session, actor, order_id, version, "edit", note, {"deadline": new_deadline, "requirement": text},
          before=previous)
    return True


ACTION_FUNCTIONS = {"start": start_order, "submit": submit_order, "return": return_order,
                    "verify_close": close_order}


def take_action(session: Session, actor: Actor, order_id: Any, version: Any, action: Any, note: Any = "") -> str:
    """One life-cycle step by name (start, submit, return, verify_close); the new status."""
    if action not in ACTION_FUNCTIONS:
        raise OrderRefused()
    if action == "start":
        return start_order(session, actor, order_id, version)
    return ACTION_FUNCTIONS[action](session, actor, order_id, version, note)
