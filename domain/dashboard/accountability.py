"""Accountability records (issue 18.5), the pure part: what a record holds, and what makes one acceptable.

A unit given 约谈 (tier 3) or 问责 (tier 4) in a published period gets a record of what the county did: the date,
who was talked to, by whom, the decision and the follow-up deadline (domain.md §5)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ACCOUNTABLE_TIERS = (3, 4)
TEXT_LIMITS = {"talked_to": 200, "held_by": 200, "decision": 2000}


@dataclass(frozen=True)
class AccountabilityView:
    """One record as pages show it."""

    id: int
    unit_code: str
    unit_name: str
    term: str
    tier: int
    held_on: dt.date
    talked_to: str
    held_by: str
    decision: str
    follow_up_deadline: dt.date | None
    recorded_by: str


@dataclass(frozen=True)
class AccountabilityDue:
    """A 约谈 / 问责 unit of a published period that has no record yet."""

    unit_code: str
    unit_name: str
    term: str
    tier: int
    area_code: str       # the area whose publication it is in
    published_on: dt.date | None = None


def record_problems(held_on: dt.date | None, talked_to: str, held_by: str, decision: str,
                    follow_up: dt.date | None, today: dt.date) -> list[tuple[str, str]]:
    """(field, problem) pairs: required fields, lengths, no date in the future, follow-up after the meeting."""
    problems = []
    if held_on is None:
        problems.append(("held_on", "required"))
    elif held_on > today:
        problems.append(("held_on", "future"))
    for name, value in (("talked_to", talked_to), ("held_by", held_by), ("decision", decision)):
        if not value.strip():
            problems.append((name, "required"))
        elif len(value) > TEXT_LIMITS[name]:
            problems.append((name, "too_long"))
    if follow_up is not None and held_on is not None and follow_up < held_on:
        problems.append(("follow_up_deadline", "before_meeting"))
    return problems
