"""Rectification orders (整改), domain.md §7, as pure rules: the life cycle, who may take each step,
overdue, the on-time closure rate and the notice number.

Life cycle: issued → in_progress → submitted → closed (verified), or submitted → returned → in_progress /
submitted again. The responsible unit (the township, or the school the order is addressed to) starts and
submits; the verifying team (the inspectors of the township's zone, and admins) issues, returns, verifies
and edits the deadline or requirement while the order is open.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

STATUSES = ("issued", "in_progress", "submitted", "returned", "closed")
OPEN_STATUSES = ("issued", "in_progress", "submitted", "returned")
ACTIONS = ("issue", "start", "submit", "return", "verify_close", "edit")
UNIT, TEAM = "unit", "team"
RELATIONS = (UNIT, TEAM)
DEFAULT_DEADLINE_WORKING_DAYS = 15

# action → (statuses it may be taken from, the status it leads to (None: unchanged), who may take it)
RULES: dict[str, tuple[tuple[str | None, ...], str | None, str]] = {
    "issue": ((None,), "issued", TEAM),
    "start": (("issued", "returned"), "in_progress", UNIT),
    "submit": (("in_progress", "returned"), "submitted", UNIT),
    "return": (("submitted",), "returned", TEAM),
    "verify_close": (("submitted",), "closed", TEAM),
    "edit": (OPEN_STATUSES, None, TEAM),
}
NOTE_REQUIRED = {"submit": "explanation_required", "return": "return_reason_required"}


class IllegalTransition(ValueError):
    """An action the order's status does not allow; `code` names the message, `params` fill it."""

    def __init__(self, code: str, **params: str | None) -> None:
        super().__init__(f"{code}: {params}")
        self.code = code
        self.params = params


def transition(status: str | None, action: str) -> str:
    """The status after `action` on an order in `status` (None: not yet issued); IllegalTransition otherwise.

    Codes: unknown_action, unknown_status, illegal_transition (params status, action).
    """
    if action not in RULES:
        raise IllegalTransition("unknown_action", action=action)
    if status is not None and status not in STATUSES:
        raise IllegalTransition("unknown_status", status=status)
    sources, target, _who = RULES[action]
    if status not in sources:
        raise IllegalTransition("illegal_transition", status=status, action=action)
    return target if target is not None else status  # type: ignore[return-value]


def relation_of(role: str, *, on_team: bool = False, covers_township: bool = False, own_township: bool = False,
                own_school: bool = False) -> str | None:
    """How a user stands to an order: "team" (an inspector on the team of the order's zone; an admin whose
    scope covers the township), "unit" (the township officer of its township; school staff of the school
    it is addressed to), or None (at most a reader)."""
    if role == "admin" and covers_township:
        return TEAM
    if role == "inspector" and on_team:
        return TEAM
    if role == "township_officer" and own_township:
        return UNIT
    if role == "school_staff" and own_school:
        return UNIT
    return None


def may(action: str, relation: str | None) -> bool:
    """True when a user of this relation to the order may take the action (status not considered)."""
    return action in RULES and relation is not None and RULES[action][2] == relation


def actions_for(status: str, relation: str | None) -> list[str]:
    """The actions this user may take on an order in this status, in life-cycle order."""
    return [a for a in ACTIONS if a != "issue" and may(a, relation) and status in RULES[a][0]]


def note_required(action: str, note: str | None) -> str | None:
    """The error code when an action needs a note (explanation, reason) and got none; else None."""
    code = NOTE_REQUIRED.get(action)
    return code if code and not (note or "").strip() else None


def is_open(status: str) -> bool:
    """Not yet verified and closed."""
    return status != "closed"


def is_overdue(status: str, deadline: dt.date, today: dt.date) -> bool:
    """Past its deadline and not closed (the deadline day itself is still in time)."""
    return status != "closed" and today > deadline


def days_overdue(status: str, deadline: dt.date, today: dt.date) -> int:
    """Calendar days past the deadline (0 when in time or closed)."""
    return (today - deadline).days if is_overdue(status, deadline, today) else 0


def overdue_on(deadline: dt.date, issued_on: dt.date, closed_on: dt.date | None, day: dt.date) -> bool:
    """Was the order overdue at the end of `day`: issued by then, deadline passed, not closed by then."""
    return issued_on <= day and day > deadline and (closed_on is None or closed_on > day)


@dataclass(frozen=True)
class OrderFacts:
    """What the closure rate needs of one order (dates local)."""

    status: str
    deadline: dt.date
    closed_on: dt.date | None = None


def is_due(order: OrderFacts, today: dt.date) -> bool:
    """Counts in the closure rate: closed, or past its deadline."""
    return order.status == "closed" or today > order.deadline


def closed_on_time(order: OrderFacts) -> bool:
    """Closed on or before its deadline."""
    return order.status == "closed" and order.closed_on is not None and order.closed_on <= order.deadline


def on_time_rate(orders: Iterable[OrderFacts], today: dt.date) -> float | None:
    """On-time closure rate in percent: closed on or before the deadline / orders closed or past their
    deadline. None when no order is due yet (never 0 or 100 for no data)."""
    due = on_time = 0
    for o in orders:
        if is_due(o, today):
            due += 1
            on_time += closed_on_time(o)
    return round(100.0 * on_time / due, 1) if due else None


def notice_number(county_name: str, year: int, order_id: int) -> str:
    """The notice's number, e.g. 勐海督整〔2026〕12号 (the county's name without 县/区/市)."""
    short = county_name[:-1] if len(county_name) > 2 and county_name[-1] in "县区市旗" else county_name
    return f"{short}督整〔{year}〕{order_id}号"
