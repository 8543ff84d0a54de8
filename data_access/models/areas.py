"""Areas (province to village), their boundaries, schools and terms."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean, CheckConstraint, Date, DateTime, Float, ForeignKey, Integer, String, Text,
)
from sqlalchemy import false
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models.base import Base

AREA_LEVELS = ("province", "prefecture", "county", "township", "village")

SCHOOL_TYPES = ("小学", "初中", "九年一贯制", "完全中学", "教学点", "特殊教育学校")


class Area(Base):
    """A division of the area hierarchy, keyed by its 12-digit statistical code."""

    __tablename__ = "area"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(12), index=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"), index=True)
    # a code that is no longer in the statistical release: kept with its history, offered for nothing new
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    retired_at: Mapped[dt.date | None] = mapped_column(Date)
    __table_args__ = (CheckConstraint("length(code) = 12", name="ck_area_code_len"),)


class Boundary(Base):
    """A township or village polygon as GeoJSON geometry text."""

    __tablename__ = "boundary"
    area_code: Mapped[str] = mapped_column(ForeignKey("area.code"), primary_key=True)
    geometry: Mapped[str] = mapped_column(Text)
    schematic: Mapped[bool] = mapped_column(Boolean, default=False)


class School(Base):
    """A school with its 10-digit 学校标识码, in one township."""

    __tablename__ = "school"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(12))
    township_code: Mapped[str] = mapped_column(ForeignKey("area.code"), index=True)
    is_central: Mapped[bool] = mapped_column(Boolean, default=False)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    # closed (or merged into another school) from this term on: expected no roster from then, its history kept
    closed_from: Mapped[str | None] = mapped_column(String(7))
    merged_into_id: Mapped[int | None] = mapped_column(Integer)    # a school id, checked on write


class SchoolMove(Base):
    """A school moved to another township from a term on: earlier terms stay attributed to the old township."""

    __tablename__ = "school_move"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    from_township: Mapped[str] = mapped_column(ForeignKey("area.code"))
    to_township: Mapped[str] = mapped_column(ForeignKey("area.code"))
    from_term: Mapped[str] = mapped_column(String(7))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(Integer)


class Term(Base):
    """A term: code `Y-1` (autumn) or `Y-2` (spring) of school year Y."""

    __tablename__ = "term"
    code: Mapped[str] = mapped_column(String(7), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    semester: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)


class TermCalendar(Base):
    """A county's teaching period of a term (first and last teaching day): school-day clocks skip the rest."""

    __tablename__ = "term_calendar"
    area_code: Mapped[str] = mapped_column(ForeignKey("area.code"), primary_key=True)
    term_code: Mapped[str] = mapped_column(String(7), primary_key=True)
    teaching_start: Mapped[dt.date] = mapped_column(Date)
    teaching_end: Mapped[dt.date] = mapped_column(Date)
