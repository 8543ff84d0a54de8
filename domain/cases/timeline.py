"""A case's six escalation steps on a timeline: when each began and ended, its due date in working days,
and whether the current one is running, due or overdue (future steps projected from the current clock).
Pure rules over domain.cases.escalation and domain.workdays."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.cases.escalation import STEP_KEYS, STEPS, clock, step_due
from domain.workdays import IsWorkday, default_is_workday, unknown_years


@dataclass(frozen=True)
class StepView:
    """One step of the timeline.

    `state`: done (passed), running | due | overdue (the current step's clock), stopped (the current step
    of a case with an outcome or closed), last (the current step has no clock: step 6), waiting (ahead).
    """

    step: int
    key: str
    state: str
    started: dt.date | None
    due: dt.date | None
    ended: dt.date | None


def timeline(step: int, step_started: dt.date, status: str, starts: Mapping[int, dt.date], today: dt.date,
             step_days: dict[int, int] | None = None, is_workday: IsWorkday = default_is_workday) -> list[StepView]:
    """The six steps of a case on `step` since `step_started`; `starts` holds when earlier steps began."""
    out: list[StepView] = []
    for s in STEPS:
        if s < step:
            began = starts.get(s)
            ended = starts.get(s + 1) if s + 1 < step else step_started
            due = step_due(s, began, step_days, is_workday) if began else None
            out.append(StepView(s, STEP_KEYS[s], "done", began, due, ended))
        elif s == step:
            c = clock(s, step_started, today, step_days, is_workday)
            state = c.state if status == "open" else "stopped"
            if state == "none":
                state = "last"
            out.append(StepView(s, STEP_KEYS[s], state, step_started, c.due, None))
        else:
            prev = out[-1]
            if status != "open" or prev.due is None:
                out.append(StepView(s, STEP_KEYS[s], "waiting", None, None, None))
                continue
            began = max(prev.due, today)  # the earliest the case could move on
            out.append(StepView(s, STEP_KEYS[s], "waiting", began, step_due(s, began, step_days, is_workday), None))
    return out


def current(steps: Sequence[StepView], step: int) -> StepView:
    """The view of the current step."""
    return next(v for v in steps if v.step == step)


def timeline_unknown_years(steps: Sequence[StepView]) -> list[int]:
    """Years on the timeline whose holidays the calendar does not know (counted as weekends only)."""
    days = [d for v in steps for d in (v.started, v.due, v.ended) if d is not None]
    return unknown_years(days)
