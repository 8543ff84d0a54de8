"""The escalation of a dropout case (domain.md §7, seeds 001, 003, 004): six steps, each with a clock
in working days from the day the step began; a step past its clock is overdue and the case is due
to move on. Pure rules: the callers bring today's date and the working-day calendar."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.workdays import IsWorkday, add_working_days, calendar_known, default_is_workday

STEPS = (1, 2, 3, 4, 5, 6)
STEP_KEYS = {
    1: "school_contact",      # teacher reports the same day; school phones or visits the home
    2: "village_help",        # not back within 3 working days: the village committee helps
    3: "township_report",     # still not back: reported to the township government and education office
    4: "return_order",        # township orders a return by a deadline: 限期复学通知书 / 敦促辍学学生返校通知书
    5: "administrative",      # still not back: 行政处罚决定书
    6: "judicial",            # still not back: judicial documents (支持起诉)
}
# Working days each step may run before the case is due to move on (configurable per county);
# step 6 has no clock of its own.
DEFAULT_STEP_DAYS: dict[int, int] = {1: 3, 2: 5, 3: 5, 4: 10, 5: 20}
NOTICE_STEP = 4  # the step whose documents set a return deadline
# the notices of that step: their titles, and the word of their number (勐混镇复学〔2026〕12号)
NOTICE_KINDS = {"return-order": "限期复学通知书", "urge-return": "敦促辍学学生返校通知书"}
NUMBER_WORDS = {"return-order": "复学", "urge-return": "督返"}
# drafts of the later steps (issue 17.6): kind → (title, the step from which the case has them)
DRAFT_KINDS = {"penalty-draft": ("行政处罚决定书", 5), "prosecution-support": ("支持起诉函", 6)}
DUE_SOON_DAYS = 1  # a clock ending within this many working days counts as due


@dataclass(frozen=True)
class StepClock:
    """A step's clock: when it ends, its state on `today`, and whether the calendar knew the year."""

    step: int
    started: dt.date
    due: dt.date | None
    state: str  # running | due | overdue | none (step 6, or a closed case)
    calendar_known: bool


def step_due(step: int, started: dt.date, step_days: dict[int, int] | None = None,
             is_workday: IsWorkday = default_is_workday) -> dt.date | None:
    """The date a step's clock ends, or None for a step without a clock."""
    days = (step_days or DEFAULT_STEP_DAYS).get(step)
    return None if days is None else add_working_days(started, days, is_workday)


def clock(step: int, started: dt.date, today: dt.date, step_days: dict[int, int] | None = None,
          is_workday: IsWorkday = default_is_workday, closed: bool = False) -> StepClock:
    """The clock of the step a case is on, as of `today`."""
    due = None if closed else step_due(step, started, step_days, is_workday)
    known = calendar_known(started) and (due is None or calendar_known(due))
    if due is None:
        return StepClock(step, started, None, "none", known)
    if today > due:
        state = "overdue"
    elif today >= _soon(due, is_workday) or today == due:
        state = "due"
    else:
        state = "running"
    return StepClock(step, started, due, state, known)


def _soon(due: dt.date, is_workday: IsWorkday) -> dt.date:
    """The first day that counts as 'due soon': DUE_SOON_DAYS working days before `due`."""
    day, left = due, DUE_SOON_DAYS
    while left > 0:
        day -= dt.timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def parse_step_days(text: str | None) -> dict[int, int]:
    """Step clocks from configuration, e.g. "3,5,5,10,20" for steps 1–5; defaults when empty.

    Raises ValueError naming the bad part.
    """
    if not text or not text.strip():
        return dict(DEFAULT_STEP_DAYS)
    parts = [p.strip() for p in text.replace("，", ",").split(",")]
    if len(parts) != 5:
        raise ValueError(f"expected 5 numbers (steps 1-5), got {len(parts)}: {text!r}")
    out = {}
    for i, p in enumerate(parts, start=1):
        if not p.isdigit() or int(p) > 250:
            raise ValueError(f"step {i}: {p!r} is not a number of working days (0-250)")
        out[i] = int(p)
    return out
