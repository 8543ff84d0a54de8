"""Rectification rules, table-driven: every status × action (legal and illegal), who may take each action,
overdue at the edges, the on-time closure rate (no data is None), the notice number."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from domain.rectification.rules import (ACTIONS, STATUSES, IllegalTransition, OrderFacts, actions_for, closed_on_time,
                                  days_overdue, is_due, is_overdue, may, note_required, notice_number, on_time_rate,
                                  overdue_on, relation_of, transition)

LEGAL = {
    (None, "issue"): "issued",
    ("issued", "start"): "in_progress",
    ("returned", "start"): "in_progress",
    ("in_progress", "submit"): "submitted",
    ("returned", "submit"): "submitted",
    ("submitted", "return"): "returned",
    ("submitted", "verify_close"): "closed",
    ("issued", "edit"): "issued",
    ("in_progress", "edit"): "in_progress",
    ("submitted", "edit"): "submitted",
    ("returned", "edit"): "returned",
}
ALL_PAIRS = list(itertools.product((None, *STATUSES), ACTIONS))


def test_the_table_covers_every_status_and_action() -> None:
    assert len(ALL_PAIRS) == 6 * 6
    assert set(LEGAL) < set(ALL_PAIRS)


@pytest.mark.parametrize(("status", "action"), list(LEGAL))
def test_legal_transitions(status: str | None, action: str) -> None:
    assert transition(status, action) == LEGAL[(status, action)]


@pytest.mark.parametrize(("status", "action"), [p for p in ALL_PAIRS if p not in LEGAL])
def test_illegal_transitions_are_refused_with_a_code(status: str | None, action: str) -> None:
    with pytest.raises(IllegalTransition) as err:
        transition(status, action)
    assert err.value.code == "illegal_transition"
    assert err.value.params == {"status": status, "action": action}


def test_unknown_actions_and_statuses() -> None:
    with pytest.raises(IllegalTransition) as err:
        transition("issued", "delete")
    assert err.value.code == "unknown_action"
    with pytest.raises(IllegalTransition) as err:
        transition("lost", "start")
    assert err.value.code == "unknown_status"


def test_closed_is_final() -> None:
    for action in ACTIONS:
        with pytest.raises(IllegalTransition):
            transition("closed", action)


# who stands how to an order: role, facts → relation
RELATIONS = [
    ("admin", dict(covers_township=True), "team"),
    ("admin", dict(covers_township=False), None),
    ("inspector", dict(on_team=True, covers_township=True), "team"),
    ("inspector", dict(on_team=False, covers_township=True), None),  # in scope but not on the zone's team
    ("inspector", dict(on_team=False), None),
    ("township_officer", dict(own_township=True, covers_township=True), "unit"),
    ("township_officer", dict(own_township=False), None),
    ("township_officer", dict(on_team=True, covers_township=True), None),  # only inspectors are teams
    ("school_staff", dict(own_school=True), "unit"),
    ("school_staff", dict(own_school=False, own_township=True), None),
    ("county_leader", dict(covers_township=True, own_township=True, on_team=True, own_school=True), None),
    ("admin", dict(own_township=True), None),
]


@pytest.mark.parametrize(("role", "facts", "expected"), RELATIONS)
def test_relation_of(role: str, facts: dict, expected: str | None) -> None:
    assert relation_of(role, **facts) == expected


MAY = {  # action → the relation that may take it
    "issue": "team", "start": "unit", "submit": "unit", "return": "team", "verify_close": "team", "edit": "team",
}


@pytest.mark.parametrize(("action", "relation"), list(itertools.product(ACTIONS, ("unit", "team", None))))
def test_who_may_take_each_action(action: str, relation: str | None) -> None:
    assert may(action, relation) is (relation == MAY[action])


def test_unknown_action_is_never_allowed() -> None:
    assert not may("delete", "team") and not may("delete", "unit")


@pytest.mark.parametrize(("status", "relation", "expected"), [
    ("issued", "unit", ["start"]),
    ("issued", "team", ["edit"]),
    ("in_progress", "unit", ["submit"]),
    ("in_progress", "team", ["edit"]),
    ("submitted", "unit", []),
    ("submitted", "team", ["return", "verify_close", "edit"]),
    ("returned", "unit", ["start", "submit"]),
    ("returned", "team", ["edit"]),
    ("closed", "unit", []),
    ("closed", "team", []),
    ("submitted", None, []),
])
def test_actions_for(status: str, relation: str | None, expected: list[str]) -> None:
    assert actions_for(status, relation) == expected


def test_notes_required_for_submit_and_return() -> None:
    assert note_required("submit", "") == "explanation_required"
    assert note_required("submit", "   ") == "explanation_required"
    assert note_required("return", None) == "return_reason_required"
    assert note_required("submit", "已整改") is None
    assert note_required("verify_close", "") is None and note_required("start", "") is None


D = dt.date(2026, 10, 15)


@pytest.mark.parametrize(("status", "today", "overdue", "days"), [
    ("issued", D, False, 0),                           # the deadline day itself is in time
    ("issued", D + dt.timedelta(days=1), True, 1),
    ("in_progress", D + dt.timedelta(days=10), True, 10),
    ("submitted", D + dt.timedelta(days=3), True, 3),  # submitted but not verified: still overdue
    ("returned", D - dt.timedelta(days=1), False, 0),
    ("closed", D + dt.timedelta(days=30), False, 0),
])
def test_overdue(status: str, today: dt.date, overdue: bool, days: int) -> None:
    assert is_overdue(status, D, today) is overdue
    assert days_overdue(status, D, today) == days


@pytest.mark.parametrize(("issued", "closed", "day", "expected"), [
    (dt.date(2026, 10, 1), None, D, False),                          # deadline day: in time
    (dt.date(2026, 10, 1), None, D + dt.timedelta(days=1), True),
    (dt.date(2026, 10, 1), D + dt.timedelta(days=5), D + dt.timedelta(days=2), True),   # closed later
    (dt.date(2026, 10, 1), D + dt.timedelta(days=1), D + dt.timedelta(days=2), False),  # closed by then
    (D + dt.timedelta(days=3), None, D + dt.timedelta(days=2), False),                  # not yet issued
])
def test_overdue_on_a_day(issued: dt.date, closed: dt.date | None, day: dt.date, expected: bool) -> None:
    assert overdue_on(D, issued, closed, day) is expected


TODAY = dt.date(2026, 11, 1)
ON_TIME = OrderFacts("closed", D, D)
LATE = OrderFacts("closed", D, D + dt.timedelta(days=1))
OPEN_OVERDUE = OrderFacts("in_progress", D)
OPEN_IN_TIME = OrderFacts("issued", TODAY + dt.timedelta(days=5))
CLOSED_EARLY_NOT_YET_DUE = OrderFacts("closed", TODAY + dt.timedelta(days=5), TODAY)


@pytest.mark.parametrize(("orders", "rate"), [
    ([], None),
    ([OPEN_IN_TIME], None),                           # nothing due yet: no data, not 0 or 100
    ([ON_TIME], 100.0),
    ([LATE], 0.0),
    ([ON_TIME, LATE], 50.0),
    ([ON_TIME, OPEN_OVERDUE], 50.0),                  # an overdue open order counts against the rate
    ([ON_TIME, OPEN_IN_TIME], 100.0),                 # an order not yet due does not count
    ([CLOSED_EARLY_NOT_YET_DUE], 100.0),              # closed before its deadline: due and on time
    ([ON_TIME, LATE, OPEN_OVERDUE], 33.3),
])
def test_on_time_rate(orders: list[OrderFacts], rate: float | None) -> None:
    assert on_time_rate(orders, TODAY) == rate


def test_due_and_on_time_parts() -> None:
    assert is_due(ON_TIME, TODAY) and is_due(OPEN_OVERDUE, TODAY) and not is_due(OPEN_IN_TIME, TODAY)
    assert closed_on_time(ON_TIME) and not closed_on_time(LATE) and not closed_on_time(OPEN_OVERDUE)
    assert not closed_on_time(OrderFacts("closed", D, None))


@pytest.mark.parametrize(("county", "expected"), [
    ("勐海县", "勐海督整〔2026〕12号"),
    ("华容区", "华容督整〔2026〕12号"),
    ("姚安", "姚安督整〔2026〕12号"),
    ("X县", "X县督整〔2026〕12号"),
])
def test_notice_number(county: str, expected: str) -> None:
    assert notice_number(county, 2026, 12) == expected
