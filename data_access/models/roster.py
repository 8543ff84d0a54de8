"""Students and their roster records per term (学籍)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text,
)
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models.base import Base, partitioned_by_term

STATUSES = ("在读", "休学", "送教上门", "辍学", "转出", "毕业", "死亡")

DISABILITIES = ("无", "视力", "听力", "智力", "肢体", "精神", "言语", "多重", "其他")


class Student(Base):
    """A child's identity: national student number, name, gender, birth date, ID number."""

    __tablename__ = "student"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_no: Mapped[str] = mapped_column(String(19), unique=True)
    # indexed (migration 0039): the student search finds pupils by name, it and the poverty list by ID number (without
    # an index each read a province's 5 million students: 0.4–34 s)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    __table_args__ = (
        # by name with the id (migration 0041): a name's pupils in id order without reading the table (a province's
        # 10,602 namesakes of a common name were 3,300 table pages)
        Index("ix_student_name_id", "name", "id"),
    )


class RosterRecord(Base):
    """One student's roster line for one term, with every roster field of contract.md and the registry's
    fields that matter to dropout work. Partitioned by term on PostgreSQL (data_access.partitions)."""

    __tablename__ = "roster_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_code: Mapped[str] = mapped_column(ForeignKey("term.code"))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    grade: Mapped[int] = mapped_column(Integer)
    class_name: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(4))
    household_code: Mapped[str | None] = mapped_column(String(12))
    guardian_name: Mapped[str | None] = mapped_column(String(50))
    guardian_phone: Mapped[str | None] = mapped_column(String(20))
    poverty_registered: Mapped[bool] = mapped_column(Boolean, default=False)
    disability: Mapped[str] = mapped_column(String(2), default="无")
    left_behind: Mapped[bool] = mapped_column(Boolean, default=False)
    migrant: Mapped[bool] = mapped_column(Boolean, default=False)
    age: Mapped[int] = mapped_column(Integer)  # full years on 31 Aug of the term's school year
    # from the student registry's export (None: the file did not say): 单亲 / 双亲 left-behind, boarding (就读方式
    # 住校), 随班就读, orphan, the guardian's relation (成员N关系)
    left_behind_kind: Mapped[str | None] = mapped_column(String(2))
    boarding: Mapped[bool | None] = mapped_column(Boolean)
    mainstreamed: Mapped[bool | None] = mapped_column(Boolean)
    orphan: Mapped[bool | None] = mapped_column(Boolean)
    guardian_relation: Mapped[str | None] = mapped_column(String(20))
    __table_args__ = (
        UniqueConstraint("term_code", "student_id", name="uq_roster_term_student"),
        # a term's lines of a school, with their pupils (migration 0041): the pupils of a county's schools are read
        # from the index alone (the student search by a common name in a county)
        Index("ix_roster_term_school_student", "term_code", "school_id", "student_id"),
        # a pupil's lines of every term (migration 0039): the case page, the student search, notices and documents
        # read them by student alone, which (term, student) cannot serve: 0.6–1 s each on a province's 9 million
        Index("ix_roster_student", "student_id"),
        # the dropout lines alone (issue 19): the agreement check finds a term's roster dropouts without a scan
        Index("ix_roster_dropped", "term_code", "school_id", "student_id",
              postgresql_where=text("status = '辍学'"), sqlite_where=text("status = '辍学'")),
        # the dropout lines of poor families alone (migration 0029): the agreement check's poor roster dropouts
        Index("ix_roster_dropped_poor", "term_code", "student_id",
              postgresql_where=text("status = '辍学' AND poverty_registered"),
              sqlite_where=text("status = '辍学' AND poverty_registered = 1")),
        # the spring's grade-6 graduates alone (小升初: lost_graduates of the agreement check and imports)
        Index("ix_roster_graduates", "term_code", "student_id",
              postgresql_where=text("status = '毕业' AND grade = 6"), sqlite_where=text("status = '毕业' AND grade = 6")),
        # the grade-6 lines by household village (migration 0040): a village's grade-7 entrance notices (入学通知书)
        # read them without the term's every line (a province's 4.5 million, seconds)
        Index("ix_roster_grade6_household", "term_code", "household_code",
              postgresql_where=text("grade = 6"), sqlite_where=text("grade = 6")),
        CheckConstraint("grade BETWEEN 1 AND 9", name="ck_roster_grade"),
        partitioned_by_term(),      # PostgreSQL: one partition per term, primary key (id, term_code)
    )
