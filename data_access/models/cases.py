"""Dropout cases (台账, domain.md §7) with their persuasion attempts and escalation history."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, text,
)
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models.base import Base, in_values as _in
from domain.cases.rules import (ATTEMPT_METHODS, CASE_SOURCES, LEDGERS as CASE_LEDGERS,
                               STATUSES as CASE_STATUSES)


class DropoutCase(Base):
    """A child in the suspected (疑似辍学) or confirmed (确认辍学) ledger, with the fields of §7.

    `step` is the escalation step (1–6) and `step_started` starts its working-day clock; `status`
    is open, outcome (an outcome recorded, awaiting verification) or closed (销号, with who verified).
    `special_groups` holds keys of SPECIAL_GROUPS separated by commas.
    """

    __tablename__ = "dropout_case"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), index=True)
    township_code: Mapped[str] = mapped_column(ForeignKey("area.code"), index=True)
    village_code: Mapped[str | None] = mapped_column(String(12))
    term_code: Mapped[str | None] = mapped_column(ForeignKey("term.code"))
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id", ondelete="SET NULL"), unique=True)
    ledger: Mapped[str] = mapped_column(String(10), default="suspected")
    source: Mapped[str] = mapped_column(String(14))
    found_date: Mapped[dt.date] = mapped_column(Date)
    absence_days: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(String(20))
    reason_note: Mapped[str] = mapped_column(Text, default="")
    special_groups: Mapped[str] = mapped_column(String(120), default="")
    gov_responsible: Mapped[str] = mapped_column(String(100), default="")
    edu_responsible: Mapped[str] = mapped_column(String(100), default="")
    helper: Mapped[str] = mapped_column(String(100), default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    step: Mapped[int] = mapped_column(Integer, default=1)
    step_started: Mapped[dt.date] = mapped_column(Date)
    return_deadline: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")
    outcome: Mapped[str | None] = mapped_column(String(14))
    outcome_date: Mapped[dt.date | None] = mapped_column(Date)
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    verified_days: Mapped[int | None] = mapped_column(Integer)
    verification_note: Mapped[str] = mapped_column(Text, default="")
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # a returned child's attendance record, when the close rests on one: who checked, over which days
    attendance_checked_by: Mapped[str | None] = mapped_column(String(50))
    attendance_first: Mapped[dt.date | None] = mapped_column(Date)
    attendance_last: Mapped[dt.date | None] = mapped_column(Date)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    __table_args__ = (
        CheckConstraint(_in("ledger", CASE_LEDGERS), name="ck_case_ledger"),
        CheckConstraint(_in("status", CASE_STATUSES), name="ck_case_status"),
        CheckConstraint(_in("source", CASE_SOURCES), name="ck_case_source"),
        CheckConstraint("step BETWEEN 1 AND 6", name="ck_case_step"),
        Index("ix_case_township_status", "township_code", "status"),
        # a child has at most one case that is not closed (a second report finds the first)
        Index("uq_case_student_active", "student_id", unique=True, sqlite_where=text("status <> 'closed'"),
              postgresql_where=text("status <> 'closed'")),
    )
    # optimistic locking: every ORM update checks and bumps `version` (StaleDataError when it moved)
    __mapper_args__ = {"version_id_col": version}


class CaseAttempt(Base):
    """One persuasion attempt (劝返): date, who, how, result."""

    __tablename__ = "case_attempt"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dropout_case.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    who: Mapped[str] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (CheckConstraint(_in("method", ATTEMPT_METHODS), name="ck_attempt_method"),)


class CaseEvent(Base):
    """One entry of a case's history: a change of its ledger, step or status, an edit, an attempt or a
    generated notice — who, when, a machine-readable detail and the user's note."""

    __tablename__ = "case_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dropout_case.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(14))
    from_step: Mapped[int | None] = mapped_column(Integer)
    to_step: Mapped[int | None] = mapped_column(Integer)
    from_status: Mapped[str | None] = mapped_column(String(8))
    to_status: Mapped[str | None] = mapped_column(String(8))
    detail: Mapped[str] = mapped_column(String(200), default="")  # e.g. the outcome, a deadline, a notice number
    note: Mapped[str] = mapped_column(Text, default="")
