"""The dropout case state machine (domain.md §7): the suspected and confirmed ledgers, the six escalation
steps, outcomes, closing (销号) after a verification, reopening — and who may do what. Pure rules:
callers bring the role, today's date and the working-day calendar; scope (which school or township)
is checked by data_access.cases.cases."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from domain.cases.escalation import DEFAULT_STEP_DAYS, NOTICE_STEP, STEPS
from domain.schooldays import school_day_checker, school_days_between, school_days_reached
from domain.workdays import IsWorkday, add_working_days, default_is_workday

LEDGERS = ("suspected", "confirmed")
STATUSES = ("open", "outcome", "closed")
OUTCOMES = ("returned", "home_teaching", "transferred", "over_age", "deceased", "not_dropout")
CASE_SOURCES = ("school_report", "head_count", "phone_check", "roster_import", "comparison", "manual",
                "transition")  # transition: a grade-6 graduate on no junior roster (小升初, issue 13.4)
CASE_REASONS = ("study_difficulty", "migrant_work", "poverty", "parents_attitude", "no_guardian", "disability_illness",
                "early_marriage", "language", "other")
SPECIAL_GROUPS = ("poverty_registered", "dibao", "disabled", "left_behind", "migrant", "orphan", "prisoner_child")
ATTEMPT_METHODS = ("phone", "home_visit", "school_talk", "village_committee", "township", "other")
ACTIONS = ("open", "edit", "record_attempt", "confirm", "escalate", "record_outcome", "reject_outcome", "close",
           "reopen")
VERIFY_SCHOOL_DAYS = 10  # a returned child must have attended this many school days before the case closes
RETURN_DAYS = DEFAULT_STEP_DAYS[NOTICE_STEP]  # working days the step-4 order gives to return
SCHOOL_MAX_STEP = 2  # schools escalate up to here; the township takes over from step 3
LAST_STEP = STEPS[-1]

# What each role may do to a case in its scope (data_access checks the scope itself).
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "school_staff": frozenset({"open", "edit", "record_attempt", "escalate", "record_outcome", "reject_outcome"}),
    "township_officer": frozenset(ACTIONS),
    "inspector": frozenset({"open"}),  # from their own findings
    "county_leader": frozenset(),
    "admin": frozenset(ACTIONS),
}


def return_days(step_days: dict[int, int] | None = None) -> int:
    """Working days the step-4 order gives to return: the step-4 clock (configurable)."""
    return (step_days or DEFAULT_STEP_DAYS).get(NOTICE_STEP, RETURN_DAYS)


class CaseRuleError(ValueError):
    """An action the rules refuse; `code` names what is illegal and why, `params` fill the message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{code} {params}" if params else code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class CaseState:
    """What the rules look at: ledger, status, escalation step with its start, and the outcome."""

    ledger: str
    status: str
    step: int
    step_started: dt.date
    return_deadline: dt.date | None = None
    outcome: str | None = None
    outcome_date: dt.date | None = None
    verified_days: int | None = None


def new_case(found: dt.date, ledger: str = "suspected") -> CaseState:
    """A case as it opens: open, step 1, its clock starting on the day the child was found."""
    if ledger not in LEDGERS:
        raise CaseRuleError("bad_ledger")
    return CaseState(ledger, "open", 1, found)


def check_role(role: str, action: str, state: CaseState | None = None) -> None:
    """Refuse an action the role may not take (on this state: schools escalate only up to step 2)."""
    if action not in ACTIONS:
        raise CaseRuleError("unknown_action")
    if action not in ROLE_ACTIONS.get(role, frozenset()):
        raise CaseRuleError("role_may_not")
    if role == "school_staff" and action == "escalate" and state is not None and state.step + 1 > SCHOOL_MAX_STEP:
        raise CaseRuleError("school_step_limit", step=SCHOOL_MAX_STEP)


def may(role: str, action: str, state: CaseState | None = None) -> bool:
    """True when the role may take the action and the rules allow it on this state (for showing buttons)."""
    try:
        check_role(role, action, state)
        if state is not None and action not in ("open",):
            _precheck(state, action)
    except CaseRuleError:
        return False
    return True


def _precheck(state: CaseState, action: str) -> None:
    """The checks that depend on the state only (not on what the user typed)."""
    s = state.status
    if action == "edit":
        if s == "closed":
            raise CaseRuleError("closed_read_only")
    elif action == "record_attempt":
        if s != "open":
            raise CaseRuleError("closed_no_attempt" if s == "closed" else "outcome_no_attempt")
    elif action == "confirm":
        if s != "open":
            raise CaseRuleError("closed_no_confirm" if s == "closed" else "outcome_no_confirm")
        if state.ledger == "confirmed":
            raise CaseRuleError("already_confirmed")
    elif action == "escalate":
        if s != "open":
            raise CaseRuleError("closed_no_escalate" if s == "closed" else "outcome_no_escalate")
        if state.step >= LAST_STEP:
            raise CaseRuleError("last_step", step=LAST_STEP)
        if state.step + 1 >= NOTICE_STEP and state.ledger != "confirmed":
            raise CaseRuleError("confirm_before_notice", step=NOTICE_STEP)
    elif action == "record_outcome":
        if s != "open":
            raise CaseRuleError("closed_no_outcome" if s == "closed" else "outcome_already")
    elif action == "reject_outcome":
        if s != "outcome":
            raise CaseRuleError("no_outcome_to_reject")
    elif action == "close":
        if s != "outcome":
            raise CaseRuleError("already_closed" if s == "closed" else "close_needs_outcome")
    elif action == "reopen":
        if s != "closed":
            raise CaseRuleError("reopen_only_closed")


@dataclass(frozen=True)
class Attendance:
    """A verification record: who checked the returned child's attendance, over which days."""

    checked_by: str
    first: dt.date
    last: dt.date


def verified_school_days(returned: dt.date | None, today: dt.date, attendance: Attendance | None,
                         is_school_day: IsWorkday) -> int:
    """The school days a close of a returned child's case rests on: those of the attendance record when given
    (after the return, not in the future, naming who checked), else those since the return; CaseRuleError
    when they are fewer than VERIFY_SCHOOL_DAYS (naming the day they will be reached)."""
    if returned is None:
        raise CaseRuleError("outcome_date_required")
    if attendance is not None:
        if not _text(attendance.checked_by):
            raise CaseRuleError("attendance_checker_required")
        if not returned <= attendance.first <= attendance.last <= today:
            raise CaseRuleError("attendance_dates", returned=returned.isoformat(), today=today.isoformat())
        days = school_days_between(attendance.first - dt.timedelta(days=1), attendance.last, is_school_day)
        if days < VERIFY_SCHOOL_DAYS:
            raise CaseRuleError("attendance_short", need=VERIFY_SCHOOL_DAYS, days=days)
        return days
    days = school_days_between(returned, today, is_school_day)
    if days < VERIFY_SCHOOL_DAYS:
        ready = school_days_reached(returned, VERIFY_SCHOOL_DAYS, is_school_day)
        raise CaseRuleError("verify_days_short", need=VERIFY_SCHOOL_DAYS, days=days,
                            ready=ready.isoformat() if ready else "—")
    return days


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def transition(state: CaseState, action: str, *, today: dt.date, role: str | None = None,
               outcome: str | None = None, outcome_date: dt.date | None = None,
               note: str = "", return_deadline: dt.date | None = None, found: dt.date | None = None,
               step_days: dict[int, int] | None = None, is_workday: IsWorkday = default_is_workday,
               attendance: Attendance | None = None, is_school_day: IsWorkday | None = None) -> CaseState:
    """The state after the action, or CaseRuleError naming what is illegal and why.

    With `role`, the role's right is checked first. `note` is the reason (send back, reopen) or the
    verification note (close); `found` is the day the child was found (an outcome cannot precede it);
    `step_days` the configured clocks (the step-4 clock is the time given to return). Closing a returned
    child's case needs VERIFY_SCHOOL_DAYS school days (`is_school_day`: the county's teaching periods) since
    the return, or an attendance record covering them (`attendance`); the server counts them, never the user.
    """
    if action not in ACTIONS or action == "open":
        raise CaseRuleError("unknown_action")
    if role is not None:
        check_role(role, action, state)
    _precheck(state, action)
    if action in ("edit", "record_attempt"):
        return state
    if action == "confirm":
        return replace(state, ledger="confirmed")
    if action == "escalate":
        to = state.step + 1
        deadline = state.return_deadline
        if to == NOTICE_STEP:
            if return_deadline is not None and return_deadline <= today:
                raise CaseRuleError("deadline_past")
            deadline = return_deadline or add_working_days(today, return_days(step_days), is_workday)
        return replace(state, step=to, step_started=today, return_deadline=deadline)
    if action == "record_outcome":
        if outcome not in OUTCOMES:
            raise CaseRuleError("bad_outcome")
        if outcome == "not_dropout" and state.ledger != "suspected":
            raise CaseRuleError("not_dropout_confirmed")
        if outcome_date is None:
            raise CaseRuleError("outcome_date_required")
        if outcome_date > today:
            raise CaseRuleError("outcome_date_future")
        if found is not None and outcome_date < found:
            raise CaseRuleError("outcome_before_found", found=found.isoformat())
        return replace(state, status="outcome", outcome=outcome, outcome_date=outcome_date)
    if action == "reject_outcome":
        if not _text(note):
            raise CaseRuleError("reason_required")
        return replace(state, status="open", outcome=None, outcome_date=None, step_started=today)
    if action == "close":
        days = None
        if state.outcome == "returned":
            days = verified_school_days(state.outcome_date, today, attendance,
                                        is_school_day or school_day_checker({}, is_workday))
        elif not _text(note):
            raise CaseRuleError("verification_note_required")
        return replace(state, status="closed", verified_days=days)
    # reopen
    if not _text(note):
        raise CaseRuleError("reason_required")
    return replace(state, status="open", outcome=None, outcome_date=None, verified_days=None, step_started=today)


def available_actions(role: str, state: CaseState) -> tuple[str, ...]:
    """The actions the role may take on this state now (what the page offers)."""
    return tuple(a for a in ACTIONS if a != "open" and may(role, a, state))
