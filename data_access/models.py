"""SQLAlchemy 2.0 typed models for all of domain.md (screens for some come in later issues)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean, CheckConstraint, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text,
    UniqueConstraint, func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base; every table of Baoxue derives from it."""


AREA_LEVELS = ("province", "prefecture", "county", "township", "village")
ROLES = ("county_leader", "inspector", "township_officer", "school_staff", "admin")
SCHOOL_TYPES = ("小学", "初中", "九年一贯制", "完全中学", "教学点", "特殊教育学校")
STATUSES = ("在读", "休学", "送教上门", "辍学", "转出", "毕业", "死亡")
DISABILITIES = ("无", "视力", "听力", "智力", "肢体", "精神", "言语", "多重")


class Area(Base):
    """A division of the area hierarchy, keyed by its 12-digit statistical code."""

    __tablename__ = "area"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(12), index=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"), index=True)
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


class Term(Base):
    """A term: code `Y-1` (autumn) or `Y-2` (spring) of school year Y."""

    __tablename__ = "term"
    code: Mapped[str] = mapped_column(String(7), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    semester: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)


class Student(Base):
    """A child's identity: national student number, name, gender, birth date, ID number."""

    __tablename__ = "student"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_no: Mapped[str] = mapped_column(String(19), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    id_number: Mapped[str | None] = mapped_column(String(18))


class RosterRecord(Base):
    """One student's roster line for one term, with every roster field of contract.md."""

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
    __table_args__ = (
        UniqueConstraint("term_code", "student_id", name="uq_roster_term_student"),
        Index("ix_roster_term_school", "term_code", "school_id"),
        CheckConstraint("grade BETWEEN 1 AND 9", name="ck_roster_grade"),
    )


class RosterAggregate(Base):
    """Pre-aggregated roster counts per term × school × attributed area × grade × age × status × flags."""

    __tablename__ = "roster_agg"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_code: Mapped[str] = mapped_column(String(7))
    school_id: Mapped[int] = mapped_column(Integer)
    area_code: Mapped[str] = mapped_column(String(12))  # household code, else the school's township
    grade: Mapped[int] = mapped_column(Integer)
    age: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(4))
    poverty_registered: Mapped[bool] = mapped_column(Boolean)
    disability: Mapped[str] = mapped_column(String(2))
    left_behind: Mapped[bool] = mapped_column(Boolean)
    migrant: Mapped[bool] = mapped_column(Boolean)
    students: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        Index("ix_agg_term_area", "term_code", "area_code"),
        Index("ix_agg_term_school", "term_code", "school_id"),
    )


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


class TargetPolicy(Base):
    """A set of indicator targets; presets have no area, an area's policy is a copy it edits."""

    __tablename__ = "target_policy"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(200))
    area_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"), index=True)
    is_preset: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    warning_margin: Mapped[float] = mapped_column(Float, default=0.5)
    targets: Mapped[list[Target]] = relationship(
        back_populates="policy", cascade="all, delete-orphan", order_by="Target.indicator")


class Target(Base):
    """One bound of a policy: indicator, operator (>=, <=, ==) and bound."""

    __tablename__ = "target"
    policy_id: Mapped[int] = mapped_column(ForeignKey("target_policy.id"), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40), primary_key=True)
    op: Mapped[str] = mapped_column(String(2))
    bound: Mapped[float] = mapped_column(Float)
    policy: Mapped[TargetPolicy] = relationship(back_populates="targets")
    __table_args__ = (CheckConstraint("op IN ('>=', '<=', '==')", name="ck_target_op"),)


class User(Base):
    """A login with one role and one scope: an area, or a school for school staff."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    area_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))
    language: Mapped[str | None] = mapped_column(String(5))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class Zone(Base):
    """An inspection zone (片区) of a county, covered by one team."""

    __tablename__ = "zone"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("area.code"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    __table_args__ = (UniqueConstraint("county_code", "name", name="uq_zone_name"),)


class ZoneTownship(Base):
    """A township's membership of a zone (a township is in at most one zone)."""

    __tablename__ = "zone_township"
    township_code: Mapped[str] = mapped_column(ForeignKey("area.code"), primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"), index=True)


class Team(Base):
    """The inspection team (控辍保学工作小组) of a zone."""

    __tablename__ = "team"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"), unique=True)
    name: Mapped[str] = mapped_column(String(50))


class TeamMember(Base):
    """A user on a team, as leader (组长) or member (成员)."""

    __tablename__ = "team_member"
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))  # leader | member
    __table_args__ = (CheckConstraint("role IN ('leader', 'member')", name="ck_team_role"),)


class AuditLog(Base):
    """Who changed what, when, with the values before and after (JSON text)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(40))
    entity_key: Mapped[str] = mapped_column(String(100))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)


class UnitCounts(Base):
    """Counted indicator inputs per term and unit (an area at its level, or a school), refreshed
    from roster_agg, population and history so dashboards read a few rows (analytics table)."""

    __tablename__ = "unit_counts"
    term_code: Mapped[str] = mapped_column(String(7), primary_key=True)
    level: Mapped[str] = mapped_column(String(12), primary_key=True)  # an area level, or "school"
    unit_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    township_code: Mapped[str | None] = mapped_column(String(12))  # for schools: their township
    primary_enrolled: Mapped[int] = mapped_column(Integer, default=0)
    junior_enrolled: Mapped[int] = mapped_column(Integer, default=0)
    primary_dropped: Mapped[int] = mapped_column(Integer, default=0)
    primary_base: Mapped[int] = mapped_column(Integer, default=0)
    junior_dropped: Mapped[int] = mapped_column(Integer, default=0)
    junior_base: Mapped[int] = mapped_column(Integer, default=0)
    grade9_enrolled: Mapped[int] = mapped_column(Integer, default=0)
    disabled_enrolled: Mapped[int] = mapped_column(Integer, default=0)
    special_group_dropouts: Mapped[int] = mapped_column(Integer, default=0)
    dropouts: Mapped[int] = mapped_column(Integer, default=0)
    enrolled: Mapped[int] = mapped_column(Integer, default=0)
    left_behind_enrolled: Mapped[int] = mapped_column(Integer, default=0)
    migrant_enrolled: Mapped[int] = mapped_column(Integer, default=0)
    disabled_dropped: Mapped[int] = mapped_column(Integer, default=0)
    left_behind_dropped: Mapped[int] = mapped_column(Integer, default=0)
    migrant_dropped: Mapped[int] = mapped_column(Integer, default=0)
    poverty_enrolled: Mapped[int] = mapped_column(Integer, default=0)
    outside_primary: Mapped[int | None] = mapped_column(Integer)
    outside_junior: Mapped[int | None] = mapped_column(Integer)
    population_primary: Mapped[int | None] = mapped_column(Integer)
    population_junior: Mapped[int | None] = mapped_column(Integer)
    disabled_population: Mapped[int | None] = mapped_column(Integer)
    grade1_base: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_unit_counts_term_township", "term_code", "level", "township_code"),)


from data_access import models_inspection  # noqa: E402,F401 - inspection tables, so Alembic and create_all see them
from data_access import models_casework  # noqa: E402,F401 - rectification and case tables
