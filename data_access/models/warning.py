"""Early warning (issue 20): a county's factor settings, absence reports, the stored risk scores of each term
and what a school does for a pupil at risk."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models.base import Base

SUPPORT_KINDS = ("pairing", "home_visit", "talk", "plan")  # 结对帮扶, 家访, 谈话, 一生一策


class RiskSetting(Base):
    """A county's weight and threshold of one factor (code as in domain/warning/factors.py), or of the list
    itself (factor `list`: threshold = the score from which a pupil is listed; `case_days`: absence days that
    offer a suspected case). Missing rows: the defaults."""

    __tablename__ = "risk_setting"
    county_code: Mapped[str] = mapped_column(ForeignKey("area.code"), primary_key=True)
    factor: Mapped[str] = mapped_column(String(24), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer, default=0)
    threshold: Mapped[int] = mapped_column(Integer, default=0)


class AbsenceReport(Base):
    """A pupil's unexcused absence reported by the school: first day, days, reason if known."""

    __tablename__ = "absence_report"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    township_code: Mapped[str] = mapped_column(String(12))
    date: Mapped[dt.date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(10), default="school")  # school | import
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (CheckConstraint("days BETWEEN 1 AND 200", name="ck_absence_days"),)


class RiskScore(Base):
    """A pupil's stored score as of a term, with the factors that raised it (`code:value,…`). While the county's
    statistical model is in use, every pupil of the term has a row (score 0 too) with the model's chance and its
    largest contributions (`code:value:weight,…`); otherwise `chance` is NULL and only scores above 0 are stored."""

    __tablename__ = "risk_score"
    term_code: Mapped[str] = mapped_column(String(7), primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    township_code: Mapped[str] = mapped_column(String(12))
    grade: Mapped[int] = mapped_column(Integer)
    class_name: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[int] = mapped_column(Integer)
    factors: Mapped[str] = mapped_column(String(400), default="")
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    chance: Mapped[float | None] = mapped_column(Float)
    model_factors: Mapped[str] = mapped_column(String(200), default="", server_default="")
    __table_args__ = (Index("ix_risk_score_term_school", "term_code", "school_id", "score"),)


class RiskModel(Base):
    """A county's trained statistical model (issue 20 item 5): intercept and coefficients (`Weights.to_text`), whether
    it did better than the rule on the held-out terms, and a fingerprint of the history and settings it was trained
    on (trained again when that changes)."""

    __tablename__ = "risk_model"
    county_code: Mapped[str] = mapped_column(ForeignKey("area.code"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    better: Mapped[bool] = mapped_column(Boolean, default=False)
    weights: Mapped[str] = mapped_column(Text, default="")
    trained_on: Mapped[str] = mapped_column(String(200), default="")
    held_out: Mapped[str] = mapped_column(String(200), default="")
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class SupportAction(Base):
    """What the school does for a pupil at risk: a pairing helper, a home visit, a talk, a plan (一生一策)."""

    __tablename__ = "support_action"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    township_code: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(12))
    date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (CheckConstraint("kind IN ('pairing', 'home_visit', 'talk', 'plan')", name="ck_support_kind"),)


class RiskRefresh(Base):
    """A school's scores of a term waiting to be recomputed (issue 20 item 6): written with the roster, absence
    or attendance import that changed them, removed by the background job that recomputed them. While a row
    exists, the list says its scores are being refreshed."""

    __tablename__ = "risk_refresh"
    term_code: Mapped[str] = mapped_column(String(7), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), primary_key=True)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime)
