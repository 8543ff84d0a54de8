"""The poverty list (脱贫户 / 防返贫监测 list of the rural revitalisation bureau), one member per row and term."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models.base import Base


class PovertyMember(Base):
    """A member of a listed household for one term: who, their ID number (the only key pupils are matched by),
    the household head, where the household lives and its status (脱贫户 or 监测户)."""

    __tablename__ = "poverty_member"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_code: Mapped[str] = mapped_column(ForeignKey("term.code"))
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50))
    birth_date: Mapped[dt.date] = mapped_column(Date)          # from the ID number
    gender: Mapped[str] = mapped_column(String(1))             # from the ID number
    head_name: Mapped[str] = mapped_column(String(50))
    relation: Mapped[str | None] = mapped_column(String(20))
    household_no: Mapped[str | None] = mapped_column(String(30))
    township_code: Mapped[str] = mapped_column(ForeignKey("area.code"))
    village_code: Mapped[str | None] = mapped_column(String(12))
    household_status: Mapped[str] = mapped_column(String(4))   # 脱贫户 / 监测户
    status_detail: Mapped[str] = mapped_column(String(20), default="")   # the file's own spelling (边缘易致贫户 …)
    __table_args__ = (
        UniqueConstraint("term_code", "id_number", name="uq_poverty_term_id"),
        Index("ix_poverty_term_township", "term_code", "township_code"),
        Index("ix_poverty_id_number", "id_number"),
    )
