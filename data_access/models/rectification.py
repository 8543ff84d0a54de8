"""Rectification orders (整改, domain.md §7) with their history and evidence."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, text,
)
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models.base import Base, in_values as _in
from domain.rectification.rules import STATUSES as ORDER_STATUSES

class RectificationOrder(Base):
    """An order (整改通知) to a township or school: requirement, deadline, life cycle, verifying team.

    `version` grows with every change (optimistic locking: a stale page's change is refused). A finding
    has at most one order that is not closed (partial unique index); if a reopened visit's records drop
    the finding, the order stays and loses the link (ON DELETE SET NULL).
    """

    __tablename__ = "rectification_order"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id", ondelete="SET NULL"), index=True)
    township_code: Mapped[str] = mapped_column(ForeignKey("area.code"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    term_code: Mapped[str | None] = mapped_column(ForeignKey("term.code"))
    title: Mapped[str] = mapped_column(String(200))
    requirement: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="issued")
    explanation: Mapped[str] = mapped_column(Text, default="")
    return_reason: Mapped[str] = mapped_column(Text, default="")
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    __table_args__ = (
        CheckConstraint(_in("status", ORDER_STATUSES), name="ck_order_status"),
        Index("ix_order_status_deadline", "status", "deadline"),
        Index("uq_order_open_finding", "finding_id", unique=True, sqlite_where=text("status != 'closed'"),
              postgresql_where=text("status != 'closed'")),
    )


class OrderEvent(Base):
    """One step of an order's history: who moved it from which status to which, when, and why."""

    __tablename__ = "order_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("rectification_order.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(12))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")


class OrderEvidence(Base):
    """An evidence file of an order's submission, stored under instance/evidence/orders/ with a random name.

    `event_id` is the submission (an OrderEvent) that handed it in; NULL while the unit is still collecting.
    """

    __tablename__ = "order_evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("rectification_order.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("order_event.id"))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    file_type: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (CheckConstraint("file_type IN ('pdf', 'jpg', 'png', 'docx', 'xlsx')",
                                      name="ck_order_evidence_type"),)
