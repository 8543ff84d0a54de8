"""The declarative base of every Baoxue table, and the CHECK helper for enumerated columns."""
from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base; every table of Baoxue derives from it."""


def in_values(column: str, values: tuple[str, ...]) -> str:
    """SQL for `column IN (values)`, for a CHECK constraint."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"
