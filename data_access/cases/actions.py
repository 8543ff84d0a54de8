"""Changing a case: the state machine's actions (confirm, escalate, outcome, send back, close, reopen),
the case's fields and its persuasion attempts. Every change names the version the page loaded and is
refused when somebody else changed the case since (CaseConflict); every ledger, step or status change
writes a CaseEvent; the audit log records the rest (session events)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from data_access.cases.cases import CaseConflict, CaseRefused, add_event, conflict_for, require_case
from data_access.inspection.access import Actor, InvalidInput, now
from data_access.models import CaseAttempt, DropoutCase
from data_access.calendar import school_days_of
from domain.cases.rules import (ATTEMPT_METHODS, CASE_REASONS, SPECIAL_GROUPS, Attendance, CaseRuleError, CaseState,
                                check_role, transition)
from domain.localtime import local_today
from domain.workdays import IsWorkday, default_is_workday

NAME_MAX = 100
TEXT_MAX = 4000


def state_of(case: DropoutCase) -> CaseState:
    """The rules' view of a stored case."""
    return CaseState(case.ledger, case.status, case.step, case.step_started, case.return_deadline, case.outcome,
                     case.outcome_date, case.verified_days)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def load_for(session: Session, actor: Actor, case_id: Any, version: Any, action: str) -> DropoutCase:
    """The case, if the actor may take this action on it and the page's version is still current."""
    require_case(session, actor, case_id, act=True)
    case = session.get(DropoutCase, case_id)
    try:
        check_role(actor.role, action)
    except CaseRuleError as exc:
        raise CaseRefused() from exc
    if not _int(version):
        raise InvalidInput("stale_page")
    if case.version != version:
        raise conflict_for(session, case_id)
    return case


def _rule(exc: CaseRuleError) -> Exception:
    return CaseRefused() if exc.code in ("role_may_not", "unknown_action") else InvalidInput(exc.code, **exc.params)


def _stamp(case: DropoutCase, actor: Actor) -> None:
    case.updated_by = actor.user_id
    case.updated_at = now()


def _flush(session: Session, case_id: int) -> None:
    try:
        session.flush()
    except StaleDataError as exc:  # changed between our read and our write
        raise CaseConflict("", None) from exc


def _clean(value: Any, limit: int = TEXT_MAX) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _date(value: Any, code: str = "bad_date") -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise InvalidInput(code) from exc


def _attendance(checked_by: Any, first: Any, last: Any) -> Attendance | None:
    """An attendance record from the form, or None when none of its fields is filled."""
    who = checked_by.strip() if isinstance(checked_by, str) else ""
    if not who and first in (None, "") and last in (None, ""):
        return None
    start, end = _date(first, "attendance_dates"), _date(last, "attendance_dates")
    if start is None or end is None:
        raise InvalidInput("attendance_dates_required")
    return Attendance(who, start, end)


def act(session: Session, actor: Actor, case_id: Any, version: Any, action: str, *, note: Any = "",
        outcome: Any = None, outcome_date: Any = None, return_deadline: Any = None, checked_by: Any = None,
        attendance_first: Any = None, attendance_last: Any = None, today: dt.date | None = None,
        step_days: dict[int, int] | None = None, is_workday: IsWorkday = default_is_workday) -> DropoutCase:
    """Take a state-machine action (confirm, escalate, record_outcome, reject_outcome, close, reopen).

    Closing a returned child's case counts the school days since the return in the county's calendar, or
    those of an attendance record (`checked_by`, `attendance_first`, `attendance_last`) when one is given."""
    if action not in ("confirm", "escalate", "record_outcome", "reject_outcome", "close", "reopen"):
        raise CaseRefused()
    case = load_for(session, actor, case_id, version, action)
    today = today or local_today()
    text = _clean(note, 2000)
    attendance = _attendance(checked_by, attendance_first, attendance_last) if action == "close" else None
    before = state_of(case)
    try:
        after = transition(before, action, today=today, role=actor.role, outcome=outcome if isinstance(outcome, str)
                           else None, outcome_date=_date(outcome_date), note=text,
                           return_deadline=_date(return_deadline), found=case.found_date, step_days=step_days,
                           is_workday=is_workday, attendance=attendance,
                           is_school_day=school_days_of(session, case.township_code, is_workday))
    except CaseRuleError as exc:
        raise _rule(exc) from exc
    if action == "reopen":
        other = session.scalar(select(DropoutCase.id).where(DropoutCase.student_id == case.student_id,
                                                            DropoutCase.status != "closed", DropoutCase.id != case.id))
        if other is not None:
            raise InvalidInput("student_has_open_case", id=other)
    case.ledger, case.status, case.step = after.ledger, after.status, after.step
    case.step_started, case.return_deadline = after.step_started, after.return_deadline
    case.outcome, case.outcome_date = after.outcome, after.outcome_date
    if action == "record_outcome":
        case.outcome_note = text
    elif action == "close":
        case.verified_days, case.verification_note = after.verified_days, text
        case.verified_by, case.closed_at = actor.user_id, now()
        if attendance is not None and before.outcome == "returned":
            case.attendance_checked_by = attendance.checked_by.strip()[:50]
            case.attendance_first, case.attendance_last = attendance.first, attendance.last
    elif action in ("reopen", "reject_outcome"):
        case.outcome_note = ""
        if action == "reopen":
            case.verified_days, case.verification_note, case.verified_by, case.closed_at = None, "", None, None
            case.attendance_checked_by = case.attendance_first = case.attendance_last = None
    _stamp(case, actor)
    detail = ""
    if action == "record_outcome":
        detail = f"{after.outcome} {after.outcome_date.isoformat()}"
    elif action == "escalate" and after.return_deadline and after.step >= 4:
        detail = after.return_deadline.isoformat()
    elif action == "close":
        detail = f"{before.outcome} {after.verified_days}" if after.verified_days is not None else before.outcome or ""
    add_event(session, case.id, actor.user_id, action, from_step=before.step, to_step=after.step,
              from_status=before.status, to_status=after.status, detail=detail, note=text)
    _flush(session, case.id)
    return case


FIELD_KEYS = ("reason", "reason_note", "special_groups", "gov_responsible", "edu_responsible", "helper", "plan",
              "absence_days")


def check_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The case's editable fields, checked: reason and groups from their lists, names and texts bounded."""
    out: dict[str, Any] = {}
    reason = values.get("reason") or None
    if reason is not None and reason not in CASE_REASONS:
        raise InvalidInput("bad_reason")
    out["reason"] = reason
    groups = values.get("special_groups") or []
    if not isinstance(groups, list) or not all(g in SPECIAL_GROUPS for g in groups):
        raise InvalidInput("bad_groups")
    out["special_groups"] = ",".join(g for g in SPECIAL_GROUPS if g in groups)
    for key in ("gov_responsible", "edu_responsible", "helper"):
        raw = values.get(key) or ""
        if not isinstance(raw, str) or len(raw.strip()) > NAME_MAX:
            raise InvalidInput("name_too_long", max=NAME_MAX)
        out[key] = raw.strip()
    for key in ("reason_note", "plan"):
        raw = values.get(key) or ""
        if not isinstance(raw, str) or len(raw) > TEXT_MAX:
            raise InvalidInput("text_too_long", max=TEXT_MAX)
        out[key] = raw.strip()
    days = values.get("absence_days")
    if isinstance(days, float) and days.is_integer():
        days = int(days)
    if days in (None, ""):
        days = 0
    if not _int(days) or not 0 <= days <= 999:
        raise InvalidInput("bad_absence_days")
    out["absence_days"] = days
    return out


def save_fields(session: Session, actor: Actor, case_id: Any, version: Any, values: dict[str, Any]) -> bool:
    """Save the case's fields (reason, special groups, responsible persons, helper, plan, absence days);
    False when nothing changed."""
    case = load_for(session, actor, case_id, version, "edit")
    try:
        transition(state_of(case), "edit", today=local_today(), role=actor.role)
    except CaseRuleError as exc:
        raise _rule(exc) from exc
    clean = check_fields(values if isinstance(values, dict) else {})
    changed = [k for k in FIELD_KEYS if getattr(case, k) != clean[k]]
    if not changed:
        return False
    for key in changed:
        setattr(case, key, clean[key])
    _stamp(case, actor)
    add_event(session, case.id, actor.user_id, "edit", detail=",".join(changed))
    _flush(session, case.id)
    return True


def add_attempt(session: Session, actor: Actor, case_id: Any, version: Any, *, date: Any, who: Any, method: Any,
                result: Any, today: dt.date | None = None) -> int:
    """Record a persuasion attempt (劝返: date, who, how, result) on an open case."""
    case = load_for(session, actor, case_id, version, "record_attempt")
    try:
        transition(state_of(case), "record_attempt", today=today or local_today(), role=actor.role)
    except CaseRuleError as exc:
        raise _rule(exc) from exc
    day = _date(date, "attempt_date_required")
    if day is None:
        raise InvalidInput("attempt_date_required")
    if day > (today or local_today()):
        raise InvalidInput("attempt_date_future")
    if day < case.found_date:
        raise InvalidInput("attempt_before_found", found=case.found_date.isoformat())
    name = _clean(who, NAME_MAX + 1)
    if not name:
        raise InvalidInput("attempt_who_required")
    if len(name) > NAME_MAX:
        raise InvalidInput("name_too_long", max=NAME_MAX)
    if method not in ATTEMPT_METHODS:
        raise InvalidInput("attempt_method_required")
    if (result is not None and not isinstance(result, str)) or len(result or "") > TEXT_MAX:
        raise InvalidInput("text_too_long", max=TEXT_MAX)
    row = CaseAttempt(case_id=case.id, date=day, who=name, method=method, result=(result or "").strip(),
                      created_by=actor.user_id, created_at=now())
    session.add(row)
    _stamp(case, actor)
    add_event(session, case.id, actor.user_id, "attempt", detail=f"{day.isoformat()} {method}")
    _flush(session, case.id)
    return row.id
