"""Target policies (preset or per area) and their bounds per indicator."""
from __future__ import annotations


from sqlalchemy import (
    Boolean, CheckConstraint, Float, ForeignKey, Integer, String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from data_access.models.base import Base

class TargetPolicy(Base):
    """A set of indicator targets; presets have no area, an area's policy is a copy it edits.

    A policy is one version: it is in force for its area from `effective_from` (a term code; none: from the
    first term) until a later version of the same area takes effect. Versions are never overwritten once they
    have judged a term; `previous_id` names the version (or policy) it was edited from."""

    __tablename__ = "target_policy"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(200))
    area_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"), index=True)
    is_preset: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    precision: Mapped[int] = mapped_column(Integer, default=2)  # decimals rates are published and judged at
    effective_from: Mapped[str | None] = mapped_column(String(7))
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("target_policy.id"))
    targets: Mapped[list[Target]] = relationship(
        back_populates="policy", cascade="all, delete-orphan", order_by="Target.indicator")


class Target(Base):
    """One bound of a policy: indicator, operator (>=, <=, ==), bound and warning margin (percentage points, or
    with margin_relative a percentage of the bound; none: the indicator's default of domain.md §4)."""

    __tablename__ = "target"
    policy_id: Mapped[int] = mapped_column(ForeignKey("target_policy.id"), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40), primary_key=True)
    op: Mapped[str] = mapped_column(String(2))
    bound: Mapped[float] = mapped_column(Float)
    margin: Mapped[float | None] = mapped_column(Float)
    margin_relative: Mapped[bool] = mapped_column(Boolean, default=False)
    policy: Mapped[TargetPolicy] = relationship(back_populates="targets")
    __table_args__ = (CheckConstraint("op IN ('>=', '<=', '==')", name="ck_target_op"),
                      CheckConstraint("margin IS NULL OR margin >= 0", name="ck_target_margin"))
