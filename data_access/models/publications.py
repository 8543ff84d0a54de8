"""Published periods (issue 18.3): a county's tiers and ranking of a term, frozen as published.

Publishing copies the term's counted units (unit_counts) inside the area, with the extras the tiers read
(overdue orders, false-data findings) and the policy in force, so that the period's figures, tiers, ranking and
bulletin stay as published whatever is imported later; withdrawing a publication is a recorded admin act.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models.base import Base


class PeriodPublication(Base):
    """One publication of an area's results for a term; at most one in force per area and term."""

    __tablename__ = "period_publication"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("area.code"))
    term_code: Mapped[str] = mapped_column(String(7))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime)   # UTC
    published_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    policy_json: Mapped[str | None] = mapped_column(Text)          # the policy in force, frozen (None: no policy)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(String(500))
    __table_args__ = (Index("ix_publication_term_area", "term_code", "area_code"),)


class PublishedUnitCounts(Base):
    """A unit's counted inputs as published: unit_counts' columns plus the tier extras of that day."""

    __tablename__ = "published_unit_counts"
    publication_id: Mapped[int] = mapped_column(ForeignKey("period_publication.id"), primary_key=True)
    level: Mapped[str] = mapped_column(String(12), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    counts_json: Mapped[str] = mapped_column(Text)    # unit_counts' counted columns, by name
    overdue_rectifications: Mapped[int] = mapped_column(Integer, default=0)
    false_data_findings: Mapped[int] = mapped_column(Integer, default=0)
    missed_reports: Mapped[int] = mapped_column(Integer, default=0)


class AccountabilityRecord(Base):
    """What the county did about a unit's 约谈 (tier 3) or 问责 (tier 4) in a published period (issue 18.5): when,
    who was talked to, by whom, the decision and the follow-up deadline; the next period's tiers show it."""

    __tablename__ = "accountability_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("period_publication.id"))
    unit_code: Mapped[str] = mapped_column(String(12))       # an area, or a school's 10-digit code
    unit_area: Mapped[str] = mapped_column(String(12))       # the area it lies in (its own code, a school's township)
    term_code: Mapped[str] = mapped_column(String(7))
    tier: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[dt.date] = mapped_column(Date)
    talked_to: Mapped[str] = mapped_column(String(200))
    held_by: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(Text)
    follow_up_deadline: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ix_accountability_unit_term", "unit_code", "term_code"),)
