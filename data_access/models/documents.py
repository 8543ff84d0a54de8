"""Official documents: the issuing settings of an area (issuer, 发文字号 abbreviation, 主送, 抄送, contact)
and the register of issued documents with their 发文字号 sequence per issuer and year."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text,
                        UniqueConstraint, false)
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models.base import Base


class DocumentSettings(Base):
    """How an area (the county, or a township for the notices it issues) signs its documents."""

    __tablename__ = "document_settings"
    area_code: Mapped[str] = mapped_column(ForeignKey("area.code"), primary_key=True)
    issuer: Mapped[str] = mapped_column(String(60))              # 勐海县教育督导室
    abbreviation: Mapped[str] = mapped_column(String(20))        # 勐海教督 (发文字号)
    recipients: Mapped[str] = mapped_column(Text, default="")    # 主送
    cc: Mapped[str] = mapped_column(Text, default="")            # 抄送
    contact_person: Mapped[str] = mapped_column(String(40), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    regulation: Mapped[str] = mapped_column(String(120), default="")  # provincial regulation, optional
    education_bureau: Mapped[str] = mapped_column(String(60), default="")  # co-issuer of township notices
    page_numbers: Mapped[str] = mapped_column(String(10), default="outside")
    red_header: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # 红头 on issued documents
    __table_args__ = (CheckConstraint("page_numbers IN ('outside', 'centre')", name="ck_document_settings_pages"),)


class DocumentSequence(Base):
    """The last 发文字号 sequence given by an issuer (abbreviation) in a year."""

    __tablename__ = "document_sequence"
    abbreviation: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class IssuedDocument(Base):
    """One issued document, its number and the bytes exactly as issued (.docx and .pdf)."""

    __tablename__ = "issued_document"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("area.code"), index=True)  # the area it concerns (scoping)
    issuer: Mapped[str] = mapped_column(String(120))
    abbreviation: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(60))       # 勐海教督〔2026〕7号
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))         # bulletin | rectification | return-order | …
    subject: Mapped[str] = mapped_column(String(80), index=True)  # what holds the number: order:12, case:20:…
    version: Mapped[str] = mapped_column(String(120), )  # what the bytes are: subject + state (unique)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    issued_by_name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    docx: Mapped[bytes] = mapped_column(LargeBinary)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    __table_args__ = (UniqueConstraint("version", name="uq_issued_document_version"),
                      UniqueConstraint("abbreviation", "year", "sequence", "version",
                                       name="uq_issued_document_number_version"))
