"""The inbox (issue 18.1): what waits on a user, as plain items, and the order they are shown in — overdue
first, then what is due soonest, then what waits on the user's action, newest first. Pure."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

# kind → urgency rank (lower first); overdue items always come first whatever their kind
KINDS: dict[str, int] = {
    "order_overdue": 0, "case_overdue": 0, "report_missing": 0,
    "case_due": 1, "report_due": 1,
    "order_verify": 2, "order_returned": 2, "visit_sign": 2, "import_refused": 2, "accountability_due": 2,
    "draft_ready": 2,
    "order_new": 3,
    "roster_missing": 4,
}
DUE_KINDS = ("order_overdue", "case_overdue", "case_due", "report_missing", "report_due")  # `when` is a deadline: the earliest first


@dataclass(frozen=True)
class InboxItem:
    """One thing waiting on the user: its kind, what it is about, where, the page that handles it, and its
    date (a deadline for due kinds, else the day it arrived)."""

    kind: str
    subject: str
    place: str
    href: str
    when: dt.date | None
    count: int = 1  # for grouped items (schools without this term's roster)

    @property
    def overdue(self) -> bool:
        """True for the kinds that are past their deadline."""
        return KINDS.get(self.kind) == 0


def _key(item: InboxItem) -> tuple:
    rank = KINDS.get(item.kind, 9)
    day = item.when or dt.date.min
    # deadlines: earliest first; arrivals: newest first
    return (rank, day.toordinal() if item.kind in DUE_KINDS else -day.toordinal(), item.subject)


def sort_items(items: Iterable[InboxItem]) -> list[InboxItem]:
    """Most urgent first: overdue, due, waiting on the user (newest first), new, reminders."""
    return sorted(items, key=_key)
