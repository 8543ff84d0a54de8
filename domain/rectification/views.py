"""View models of rectification (plain data the board and order views show)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class EventView:
    """One step of the order's history."""

    at: dt.datetime
    who: str
    action: str
    from_status: str | None
    to_status: str
    note: str
    files: tuple[EvidenceView, ...] = ()


@dataclass(frozen=True)
class EvidenceView:
    """An evidence file of the order (event_id: the submission that handed it in; None: not yet)."""

    id: int
    name: str
    size: int
    event_id: int | None
    uploaded_by: str
    uploaded_at: dt.datetime


@dataclass(frozen=True)
class OrderView:
    """An order with everything its page shows."""

    id: int
    title: str
    requirement: str
    deadline: dt.date
    status: str
    version: int
    township_code: str
    township_name: str
    county_name: str
    school_id: int | None
    school_name: str
    team_name: str
    term_code: str | None
    issued_by: str
    issued_at: dt.datetime
    explanation: str
    return_reason: str
    closed_by: str
    closed_at: dt.datetime | None
    updated_by: str
    updated_at: dt.datetime | None
    finding: FindingFacts | None
    events: tuple[EventView, ...]
    evidence: tuple[EvidenceView, ...]

    @property
    def unit_name(self) -> str:
        """The responsible unit: the school, or the township."""
        return self.school_name or self.township_name

    @property
    def pending(self) -> tuple[EvidenceView, ...]:
        """Files collected for the next submission."""
        return tuple(e for e in self.evidence if e.event_id is None)


@dataclass(frozen=True)
class ProgressRow:
    """One township's or team's orders: how many, open, overdue, closed, closed on time, the rate (%)."""

    code: str
    name: str
    total: int
    open: int
    overdue: int
    closed: int
    closed_on_time: int
    on_time_rate: float | None


@dataclass(frozen=True)
class OrderRow:
    """An order in a list: what, to whom, where, by when, its status and how many days overdue."""

    id: int
    title: str
    unit_name: str
    township_name: str
    deadline: dt.date
    status: str
    days_overdue: int
    township_code: str = ""
    team_name: str = ""
    to_school: bool = False
    finding_id: int | None = None


@dataclass(frozen=True)
class FindingFacts:
    """A finding as the new-order form shows it (the page words it), and its open order if any."""

    id: int
    visit_id: int
    visit_status: str
    term_code: str
    township_code: str
    township_name: str
    school_id: int | None
    school_name: str
    method: str
    kind: str
    false_data_type: str | None
    severity: str
    subject: str
    count: int | None
    description: str
    open_order_id: int | None
