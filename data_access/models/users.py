"""Users with their role and area, and the audit log of every change."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import false as sa_false
from sqlalchemy import (
    Boolean, DateTime, ForeignKey, Index, Integer, String, Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models.base import Base

ROLES = ("county_leader", "inspector", "township_officer", "school_staff", "admin")


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
    email: Mapped[str | None] = mapped_column(String(200))      # inbox digests go here when SMTP is configured
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # raised on logout and password change: session cookies signed with an older value stop working
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # an account of the generated demo (published password): refused when the app serves real data
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    # a new account or a reset password: the user must choose their own at the next sign-in
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


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
    # the area of the object the entry names (data_access/audit_areas.py): the audit viewer's scope filter
    area_code: Mapped[str | None] = mapped_column(String(12), index=True)
    # entries of one kind, oldest first (the data status' imports and refusals, failed logins, withdrawals): without
    # it each read the whole log, 77 ms in the province database (186,450 entries)
    __table_args__ = (Index("ix_audit_log_action", "action", "entity", "at"),)
