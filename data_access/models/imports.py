"""What each accepted import was (its source file, who, when, what it did) and, for a roster import, the rows it
replaced, so an admin can undo it within a window (issue 16, items 1 and 7)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models.base import Base


class ImportRecord(Base):
    """One accepted import: the file (name, size, SHA-256), who and when, counts; undone when and by whom."""

    __tablename__ = "import_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    term_code: Mapped[str | None] = mapped_column(String(7))
    file_name: Mapped[str] = mapped_column(String(200))
    file_size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    area_code: Mapped[str | None] = mapped_column(String(12))
    schools: Mapped[str | None] = mapped_column(Text)          # roster: JSON list of the file's school ids
    new: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    undoable: Mapped[bool] = mapped_column(Boolean, default=False)  # the replaced rows were kept
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    undone_by: Mapped[str | None] = mapped_column(String(100))
    # a large SQLite import written batch by batch: true until its last batch commits (issue 12.6)
    writing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    __table_args__ = (Index("ix_import_record_term", "term_code", "at"),)


class ImportReplacedRecord(Base):
    """A roster record of the term as it was before the import (one row per record of the file's schools, and
    per record moved to them), with its original id."""

    __tablename__ = "import_replaced_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(Integer, index=True)   # import_record.id (no key: migration 0033)
    record_id: Mapped[int] = mapped_column(Integer)
    term_code: Mapped[str] = mapped_column(String(7))
    student_id: Mapped[int] = mapped_column(Integer)
    school_id: Mapped[int] = mapped_column(Integer)
    grade: Mapped[int] = mapped_column(Integer)
    class_name: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(4))
    household_code: Mapped[str | None] = mapped_column(String(12))
    guardian_name: Mapped[str | None] = mapped_column(String(50))
    guardian_phone: Mapped[str | None] = mapped_column(String(20))
    poverty_registered: Mapped[bool] = mapped_column(Boolean)
    disability: Mapped[str] = mapped_column(String(2))
    left_behind: Mapped[bool] = mapped_column(Boolean)
    migrant: Mapped[bool] = mapped_column(Boolean)
    age: Mapped[int] = mapped_column(Integer)
    left_behind_kind: Mapped[str | None] = mapped_column(String(2))    # the registry's fields (migration 0016)
    boarding: Mapped[bool | None] = mapped_column(Boolean)
    mainstreamed: Mapped[bool | None] = mapped_column(Boolean)
    orphan: Mapped[bool | None] = mapped_column(Boolean)
    guardian_relation: Mapped[str | None] = mapped_column(String(20))


class ImportReplacedStudent(Base):
    """A student's identity as it was before an import changed it."""

    __tablename__ = "import_replaced_student"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(Integer, index=True)   # import_record.id (no key: migration 0033)
    student_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    id_number: Mapped[str | None] = mapped_column(String(18))
