"""Analytics tables refreshed by imports: roster aggregates and counted units per term."""
from __future__ import annotations


from sqlalchemy import (
    Boolean, Index, Integer, String,
)
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models.base import Base, only_on, partitioned_by_term

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
        # one row per cell: a double count is impossible (it also serves lookups by term and school)
        Index("uq_agg_cell", "term_code", "school_id", "area_code", "grade", "age", "status", "poverty_registered",
              "disability", "left_behind", "migrant", unique=True),
        partitioned_by_term(),      # PostgreSQL: one partition per term, primary key (id, term_code)
    )


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
    grade1_source: Mapped[str | None] = mapped_column(String(8))  # roster | history | mixed (per area, §3)
    # school rows: the school's roster lines of the term, any status (the data status page); None at area levels
    roster_lines: Mapped[int | None] = mapped_column(Integer)
    # school rows: its pupils in school (在读, 送教上门: those early warning scores) of the term; None at area levels
    in_school: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_unit_counts_term_township", "term_code", "level", "township_code"),)


class SchoolAgeLine(Base):
    """The school-age ledger's lines per term (analytics table, issue 19): per surveyed area (village, else township)
    and age, the survey against the roster as domain.cases.agreement.school_age_rows joins them, stored twice: as the
    children grid shows them (`folded` false) and as the agreement check compares them (`folded` true: a township
    with pupils in no village compared as a whole). Refreshed per township by every write of roster_agg or the
    population (data_access.analytics.age_lines), so province-wide pages read a page of rows."""

    __tablename__ = "school_age_line"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_code: Mapped[str] = mapped_column(String(7))
    folded: Mapped[bool] = mapped_column(Boolean)
    township_code: Mapped[str] = mapped_column(String(12))
    area_code: Mapped[str] = mapped_column(String(12))
    age: Mapped[int] = mapped_column(Integer)
    population: Mapped[int | None] = mapped_column(Integer)
    outside: Mapped[int] = mapped_column(Integer)
    enrolled: Mapped[int] = mapped_column(Integer)
    dropped: Mapped[int] = mapped_column(Integer)
    unplaced: Mapped[int] = mapped_column(Integer)
    gap: Mapped[int | None] = mapped_column(Integer)  # population − outside − found; None without a survey line
    __table_args__ = (
        Index("uq_age_line", "term_code", "folded", "area_code", "age", unique=True),
        Index("ix_age_line_township", "term_code", "township_code"),
        only_on("sqlite", Index("ix_age_line_gap", "term_code", "folded", "gap")),
    )


# The school-age grid sorts by gap with empty gaps last going down and first going up (data_access.grid), as SQLite
# orders NULL: there one index on the gap serves both directions. PostgreSQL puts NULL last going up, so its index
# keeps the grid's order (read backwards for the other): a province's largest gaps took a sort of 119,313 lines.
only_on("postgresql", Index("ix_age_line_gap_desc", SchoolAgeLine.term_code, SchoolAgeLine.folded,
                            SchoolAgeLine.gap.desc().nulls_last()))
