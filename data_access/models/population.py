"""The school-age population survey per village and age, and enrollment history."""
from __future__ import annotations


from sqlalchemy import (
    ForeignKey, Integer,
)
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models.base import Base

class Population(Base):
    """School-age population of an area for a school year and single age (乡镇排查)."""

    __tablename__ = "population"
    area_code: Mapped[str] = mapped_column(ForeignKey("area.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    age: Mapped[int] = mapped_column(Integer, primary_key=True)
    population: Mapped[int] = mapped_column(Integer)
    outside_attendance: Mapped[int] = mapped_column(Integer, default=0)
    disabled_population: Mapped[int] = mapped_column(Integer, default=0)


class EnrollmentHistory(Base):
    """Aggregate enrolled counts for years before the first roster (for the consolidation rate)."""

    __tablename__ = "enrollment_history"
    area_code: Mapped[str] = mapped_column(ForeignKey("area.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    grade: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolled: Mapped[int] = mapped_column(Integer)
