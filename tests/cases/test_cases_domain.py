"""The dropout case state machine, table-driven: every action from every state (legal and illegal, with
the code saying why), every role, and the working-day clocks across National Day holidays and make-up
days (2024, 2026) and for a year the holiday calendar does not know (2027: weekends only)."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from data_access.models import CASE_LEDGERS, CASE_STATUSES
from domain.cases.rules import OUTCOMES as CASE_OUTCOMES
from domain.cases.timeline import current, timeline, timeline_unknown_years
from domain.cases.rules import (ACTIONS, LEDGERS, OUTCOMES, RETURN_DAYS, ROLE_ACTIONS, STATUSES, VERIFY_SCHOOL_DAYS,
                          Attendance, CaseRuleError, CaseState, available_actions, check_role, may, new_case, transition)
from domain.cases.escalation import clock
from domain.workdays import add_working_days, calendar_known

TODAY = dt.date(2024, 11, 11)  # a Monday
START = dt.date(2024, 11, 4)
RETURNED = dt.date(2024, 10, 14)  # a Monday: 20 school days before TODAY (no holiday in between)
SINCE_RETURN = 20


def st(ledger: str = "confirmed", status: str = "open", step: int = 1, outcome: str | None = None) -> CaseState:
    """A case state for the tables."""
    return CaseState(ledger, status, step, START, dt.date(2024, 11, 20) if step >= 4 else None, outcome,
                     RETURNED if outcome else None, None)


def test_constants_match_the_tables() -> None:
    assert LEDGERS == CASE_LEDGERS and STATUSES == CASE_STATUSES and OUTCOMES == CASE_OUTCOMES


def test_new_case() -> None:
    assert new_case(START) == CaseState("suspected", "open", 1, START)
    assert new_case(START, "confirmed").ledger == "confirmed"
    with pytest.raises(CaseRuleError):
        new_case(START, "maybe")


# --- every action from every state ------------------------------------------------------------

ALL_STATES = [st(ledger, status, step, "returned" if status != "open" else None)
              for ledger, status, step in itertools.product(LEDGERS, STATUSES, range(1, 7))]

# (action, extra arguments) that are valid input whenever the state allows the action
GOOD_ARGS = {
    "edit": {}, "record_attempt": {}, "confirm": {}, "escalate": {},
    "record_outcome": {"outcome": "returned", "outcome_date": TODAY},
    "reject_outcome": {"note": "still not back"},
    "close": {"note": "checked attendance book"},
    "reopen": {"note": "left school again"},
}


def expected_error(s: CaseState, action: str) -> str | None:
    """The error code the rules should give (None: legal) — written out independently of the module."""
    closed, outcome = s.status == "closed", s.status == "outcome"
    if action == "edit":
        return "closed_read_only" if closed else None
    if action == "record_attempt":
        return "closed_no_attempt" if closed else "outcome_no_attempt" if outcome else None
    if action == "confirm":
        if closed or outcome:
            return "closed_no_confirm" if closed else "outcome_no_confirm"
        return "already_confirmed" if s.ledger == "confirmed" else None
    if action == "escalate":
        if closed or outcome:
            return "closed_no_escalate" if closed else "outcome_no_escalate"
        if s.step == 6:
            return "last_step"
        return "confirm_before_notice" if s.step >= 3 and s.ledger == "suspected" else None
    if action == "record_outcome":
        return "closed_no_outcome" if closed else "outcome_already" if outcome else None
    if action == "reject_outcome":
        return None if outcome else "no_outcome_to_reject"
    if action == "close":
        return None if outcome else "already_closed" if closed else "close_needs_outcome"
    return None if closed else "reopen_only_closed"


CASES = [(s, a) for s in ALL_STATES for a in GOOD_ARGS]


@pytest.mark.parametrize(("state", "action"), CASES,
                         ids=[f"{s.ledger}-{s.status}-{s.step}-{a}" for s, a in CASES])
def test_every_action_from_every_state(state: CaseState, action: str) -> None:
    code = expected_error(state, action)
    if code is None:
        after = transition(state, action, today=TODAY, **GOOD_ARGS[action])
        assert may("admin", action, state)
        assert action in available_actions("admin", state)
        check_after(state, action, after)
    else:
        with pytest.raises(CaseRuleError) as err:
            transition(state, action, today=TODAY, **GOOD_ARGS[action])
        assert err.value.code == code
        assert not may("admin", action, state)


def check_after(before: CaseState, action: str, after: CaseState) -> None:
    """What each legal action changes — and only that."""
    if action in ("edit", "record_attempt"):
        assert after == before
    elif action == "confirm":
        assert after.ledger == "confirmed" and (after.status, after.step) == (before.status, before.step)
    elif action == "escalate":
        assert after.step == before.step + 1 and after.step_started == TODAY and after.status == "open"
        if after.step == 4:
            assert after.return_deadline == add_working_days(TODAY, RETURN_DAYS)
        else:
            assert after.return_deadline == before.return_deadline
    elif action == "record_outcome":
        assert (after.status, after.outcome, after.outcome_date, after.step) == ("outcome", "returned", TODAY,
                                                                                 before.step)
    elif action == "reject_outcome":
        assert (after.status, after.outcome, after.step_started) == ("open", None, TODAY)
    elif action == "close":
        assert after.status == "closed" and after.verified_days == SINCE_RETURN  # counted, never typed
    else:  # reopen
        assert (after.status, after.outcome, after.verified_days, after.step_started) == ("open", None, None, TODAY)
        assert after.step == before.step and after.ledger == before.ledger


# --- values the actions need ----------------------------------------------------------------------

RECENT = CaseState("confirmed", "outcome", 4, START, None, "returned", dt.date(2024, 11, 6))  # 3 school days ago


@pytest.mark.parametrize(("state", "action", "kwargs", "code"), [
    (st(step=3), "escalate", {"return_deadline": TODAY}, "deadline_past"),
    (st(step=3), "escalate", {"return_deadline": TODAY - dt.timedelta(days=3)}, "deadline_past"),
    (st(), "record_outcome", {"outcome": "moved", "outcome_date": TODAY}, "bad_outcome"),
    (st(), "record_outcome", {"outcome": None, "outcome_date": TODAY}, "bad_outcome"),
    (st("confirmed"), "record_outcome", {"outcome": "not_dropout", "outcome_date": TODAY}, "not_dropout_confirmed"),
    (st(), "record_outcome", {"outcome": "returned"}, "outcome_date_required"),
    (st(), "record_outcome", {"outcome": "returned", "outcome_date": TODAY + dt.timedelta(days=1)},
     "outcome_date_future"),
    (st(), "record_outcome", {"outcome": "returned", "outcome_date": START - dt.timedelta(days=1), "found": START},
     "outcome_before_found"),
    (st(status="outcome", outcome="returned"), "reject_outcome", {"note": "  "}, "reason_required"),
    (RECENT, "close", {"note": "ok"}, "verify_days_short"),
    (RECENT, "close", {"attendance": Attendance(" ", RECENT.outcome_date, TODAY)}, "attendance_checker_required"),
    (RECENT, "close", {"attendance": Attendance("班主任", RECENT.outcome_date - dt.timedelta(days=1), TODAY)},
     "attendance_dates"),
    (RECENT, "close", {"attendance": Attendance("班主任", RECENT.outcome_date, TODAY + dt.timedelta(days=1))},
     "attendance_dates"),
    (RECENT, "close", {"attendance": Attendance("班主任", RECENT.outcome_date, TODAY)}, "attendance_short"),
    (st(status="outcome", outcome="transferred"), "close", {}, "verification_note_required"),
    (st(status="closed", outcome="returned"), "reopen", {}, "reason_required"),
    (st(), "open", {}, "unknown_action"),
    (st(), "fly", {}, "unknown_action"),
])
def test_bad_values_are_refused(state: CaseState, action: str, kwargs: dict, code: str) -> None:
    with pytest.raises(CaseRuleError) as err:
        transition(state, action, today=TODAY, **kwargs)
    assert err.value.code == code


def test_legal_values_at_the_edges() -> None:
    to4 = transition(st(step=3), "escalate", today=TODAY, return_deadline=TODAY + dt.timedelta(days=1))
    assert to4.return_deadline == TODAY + dt.timedelta(days=1)
    configured = transition(st(step=3), "escalate", today=TODAY, step_days={1: 3, 2: 5, 3: 5, 4: 7, 5: 20})
    assert configured.return_deadline == add_working_days(TODAY, 7)  # the county's own step-4 clock
    suspected = transition(st("suspected"), "record_outcome", today=TODAY, outcome="not_dropout", outcome_date=START,
                           found=START)
    assert suspected.outcome == "not_dropout"
    for outcome in ("home_teaching", "transferred", "over_age", "deceased"):
        s = transition(st(), "record_outcome", today=TODAY, outcome=outcome, outcome_date=TODAY)
        closed = transition(s, "close", today=TODAY, note="seen the new school's letter")
        assert closed.status == "closed" and closed.verified_days is None
    back = transition(st(status="outcome", outcome="returned"), "close", today=TODAY)
    assert back.status == "closed" and back.verified_days == SINCE_RETURN
    # ten school days exactly: 2024-11-06 (Wed) + 10 school days = 2024-11-20
    assert transition(RECENT, "close", today=dt.date(2024, 11, 20)).verified_days == VERIFY_SCHOOL_DAYS
    with pytest.raises(CaseRuleError, match="verify_days_short"):
        transition(RECENT, "close", today=dt.date(2024, 11, 19))
    # an attendance record of ten school days after the return closes it however it is dated
    record = transition(RECENT, "close", today=dt.date(2024, 11, 25),
                        attendance=Attendance("班主任 张老师", dt.date(2024, 11, 7), dt.date(2024, 11, 20)))
    assert record.verified_days == VERIFY_SCHOOL_DAYS
    five = transition(st(step=5, outcome=None), "escalate", today=TODAY)
    assert five.step == 6 and five.return_deadline == dt.date(2024, 11, 20)  # the step-4 deadline stays


def test_the_whole_way_round() -> None:
    s = new_case(START)
    s = transition(s, "escalate", today=TODAY)
    s = transition(s, "escalate", today=TODAY)
    with pytest.raises(CaseRuleError, match="confirm_before_notice"):
        transition(s, "escalate", today=TODAY)
    s = transition(s, "confirm", today=TODAY)
    s = transition(s, "escalate", today=TODAY)
    assert (s.step, s.return_deadline) == (4, add_working_days(TODAY, RETURN_DAYS))
    s = transition(s, "record_outcome", today=TODAY, outcome="returned", outcome_date=TODAY)
    s = transition(s, "reject_outcome", today=TODAY, note="still not back")
    s = transition(s, "escalate", today=TODAY)
    s = transition(s, "escalate", today=TODAY)
    with pytest.raises(CaseRuleError, match="last_step"):
        transition(s, "escalate", today=TODAY)
    s = transition(s, "record_outcome", today=TODAY, outcome="returned", outcome_date=TODAY)
    s = transition(s, "close", today=dt.date(2024, 12, 2))  # 15 school days after the return on TODAY
    with pytest.raises(CaseRuleError, match="closed_no_escalate"):
        transition(s, "escalate", today=TODAY)
    s = transition(s, "reopen", today=TODAY, note="gone again")
    assert (s.status, s.step) == ("open", 6)


# --- roles --------------------------------------------------------------------------------------

ROLE_TABLE = {  # role → actions it may take (on a case in its scope)
    "school_staff": {"open", "edit", "record_attempt", "escalate", "record_outcome", "reject_outcome"},
    "township_officer": set(ACTIONS),
    "inspector": {"open"},
    "county_leader": set(),
    "admin": set(ACTIONS),
}


@pytest.mark.parametrize(("role", "action"), list(itertools.product(ROLE_TABLE, ACTIONS)))
def test_role_table(role: str, action: str) -> None:
    assert (action in ROLE_ACTIONS[role]) == (action in ROLE_TABLE[role])
    if action in ROLE_TABLE[role]:
        check_role(role, action)
    else:
        with pytest.raises(CaseRuleError, match="role_may_not"):
            check_role(role, action)
        if action != "open":
            state = ALL_STATES[0]
            with pytest.raises(CaseRuleError, match="role_may_not"):
                transition(state, action, today=TODAY, role=role, **GOOD_ARGS[action])


@pytest.mark.parametrize(("step", "allowed"), [(1, True), (2, False), (3, False), (5, False)])
def test_schools_escalate_up_to_step_two(step: int, allowed: bool) -> None:
    state = st(step=step)
    if allowed:
        assert transition(state, "escalate", today=TODAY, role="school_staff").step == 2
        assert may("school_staff", "escalate", state)
    else:
        with pytest.raises(CaseRuleError) as err:
            transition(state, "escalate", today=TODAY, role="school_staff")
        assert err.value.code == "school_step_limit"
        assert not may("school_staff", "escalate", state)
        assert transition(state, "escalate", today=TODAY, role="township_officer").step == step + 1


def test_available_actions_per_role() -> None:
    open3 = st(step=3)
    assert available_actions("county_leader", open3) == ()
    assert available_actions("inspector", open3) == ()
    assert available_actions("school_staff", open3) == ("edit", "record_attempt", "record_outcome")
    assert available_actions("township_officer", open3) == ("edit", "record_attempt", "escalate", "record_outcome")
    assert available_actions("township_officer", st(status="outcome", outcome="returned")) == (
        "edit", "reject_outcome", "close")
    assert available_actions("school_staff", st(status="closed", outcome="returned")) == ()
    assert available_actions("township_officer", st("suspected", status="closed", outcome="returned")) == ("reopen",)


# --- working-day clocks -----------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "days", "due"), [
    # National Day 2024: 1–7 Oct off, Sunday 29 Sep and Saturday 12 Oct are make-up working days
    (dt.date(2024, 9, 27), 1, dt.date(2024, 9, 29)),   # Friday + 1 → the make-up Sunday
    (dt.date(2024, 9, 30), 3, dt.date(2024, 10, 10)),  # across the holiday
    (dt.date(2024, 10, 11), 1, dt.date(2024, 10, 12)),  # the make-up Saturday
    (dt.date(2024, 9, 30), 10, dt.date(2024, 10, 18)),  # the step-4 return deadline across both
    # National Day 2026: 1–7 Oct off (and 25 Sep), Saturday 10 Oct a make-up day
    (dt.date(2026, 9, 30), 1, dt.date(2026, 10, 8)),
    (dt.date(2026, 10, 9), 1, dt.date(2026, 10, 10)),
    (dt.date(2026, 9, 24), 3, dt.date(2026, 9, 30)),   # 25 Sep (Mid-Autumn) and the weekend skipped
    # 2027: unknown to the calendar → Monday to Friday
    (dt.date(2027, 9, 30), 3, dt.date(2027, 10, 5)),
])
def test_working_day_clock(start: dt.date, days: int, due: dt.date) -> None:
    assert add_working_days(start, days) == due


def test_step_clock_states_across_the_holiday() -> None:
    started = dt.date(2024, 9, 30)  # step 1 (3 working days): due 10 Oct
    assert clock(1, started, dt.date(2024, 10, 7)).state == "running"
    assert clock(1, started, dt.date(2024, 10, 9)).state == "due"   # one working day before
    assert clock(1, started, dt.date(2024, 10, 10)).state == "due"
    assert clock(1, started, dt.date(2024, 10, 11)).state == "overdue"
    assert clock(1, started, dt.date(2024, 10, 11)).calendar_known


def test_escalating_to_the_notice_step_over_the_holiday() -> None:
    s = transition(st(step=3), "escalate", today=dt.date(2026, 9, 30))
    assert s.return_deadline == dt.date(2026, 10, 20)  # 8, 9, 10 (make-up), 12–16, 19, 20: ten working days


def test_unknown_year_falls_back_to_weekends_and_says_so() -> None:
    assert not calendar_known(dt.date(2027, 10, 1))
    c = clock(1, dt.date(2027, 9, 30), dt.date(2027, 10, 1))
    assert c.due == dt.date(2027, 10, 5) and not c.calendar_known
    steps = timeline(1, dt.date(2027, 9, 30), "open", {1: dt.date(2027, 9, 30)}, dt.date(2027, 10, 1))
    assert timeline_unknown_years(steps) == [2027]
    steps24 = timeline(1, dt.date(2024, 9, 30), "open", {}, dt.date(2024, 10, 1))
    assert timeline_unknown_years(steps24) == []


def test_timeline_states() -> None:
    starts = {1: dt.date(2024, 9, 2), 2: dt.date(2024, 9, 5), 3: dt.date(2024, 9, 12)}
    steps = timeline(3, dt.date(2024, 9, 12), "open", starts, dt.date(2024, 9, 30))
    assert [v.state for v in steps] == ["done", "done", "overdue", "waiting", "waiting", "waiting"]
    assert steps[0].ended == dt.date(2024, 9, 5) and steps[1].ended == dt.date(2024, 9, 12)
    assert steps[0].due == add_working_days(dt.date(2024, 9, 2), 3)
    assert steps[3].started == dt.date(2024, 9, 30)  # overdue: the next step could begin today
    assert steps[3].due == add_working_days(dt.date(2024, 9, 30), 10)
    assert steps[5].due is None and steps[5].started is not None  # step 6: no clock, a projected start
    assert current(steps, 3).due == add_working_days(dt.date(2024, 9, 12), 5)
    stopped = timeline(3, dt.date(2024, 9, 12), "outcome", starts, dt.date(2024, 9, 30))
    assert [v.state for v in stopped][2:] == ["stopped", "waiting", "waiting", "waiting"]
    assert stopped[3].due is None
    last = timeline(6, dt.date(2024, 9, 12), "open", {}, dt.date(2024, 9, 30))
    assert last[5].state == "last" and last[0].started is None
