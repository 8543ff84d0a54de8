"""Reporting duties a county sets (issue 18.2) and the reports units send for each period."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, query_expression

from data_access.models.base import Base


class ReportingDuty(Base):
    """Who (schools or townships of a county) reports what, how often and by when (domain.inbox.duties)."""

    __tablename__ = "reporting_duty"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("area.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    reporter: Mapped[str] = mapped_column(String(10))         # school | township
    cadence: Mapped[str] = mapped_column(String(12))          # term_start | monthly | quarterly | yearly
    due_days: Mapped[int] = mapped_column(Integer, default=0)  # working days
    due_month_day: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    since: Mapped[dt.date] = mapped_column(Date)                 # periods due before this day are not asked for


class DutyReport(Base):
    """A unit's report for one period of a duty: when and by whom, its notes and the figures Baoxue filled in."""

    __tablename__ = "duty_report"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("reporting_duty.id"))
    period_key: Mapped[str] = mapped_column(String(8))
    unit_code: Mapped[str] = mapped_column(String(12))        # a school's 10-digit code or a township's code
    unit_area: Mapped[str] = mapped_column(String(12))        # the township it lies in (scoping)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    figures_json: Mapped[str] = mapped_column(Text, default="{}")
    __table_args__ = (UniqueConstraint("duty_id", "period_key", "unit_code", name="uq_duty_report"),)


class ScheduledDraft(Base):
    """A document the schedule drafted for a county's period (issue 18.6): the 控辍保学 monthly report of a month
    or the bulletin draft of a term — once per (county, kind, period), so running the schedule twice makes one."""

    __tablename__ = "scheduled_draft"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("area.code"), index=True)
    kind: Mapped[str] = mapped_column(String(16))             # monthly_report | bulletin
    period_key: Mapped[str] = mapped_column(String(8))        # 2026-11 (month) or 2026-1 (term)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    title: Mapped[str] = mapped_column(String(200), default="")
    docx: Mapped[bytes] = mapped_column(LargeBinary)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    figures_json: Mapped[str] = mapped_column(Text, default="{}")
    has_pdf: Mapped[bool] = query_expression()               # set by a query that leaves the files unread
    __table_args__ = (UniqueConstraint("county_code", "kind", "period_key", name="uq_scheduled_draft"),)
