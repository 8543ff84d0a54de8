"""Names of areas for lists that show them beside their counts."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import Area

_LISTED = 100   # up to this many codes are asked for by name; more are read as a range of township codes


def township_names(session: Session, codes: set[str]) -> dict[str, str]:
    """The names of these township codes. Many of them (a province's ~1,400) are read as the townships between the
    lowest and the highest code: lists of 500 codes cost PostgreSQL ~3.5 ms each to plan."""
    if not codes:
        return {}
    if len(codes) <= _LISTED:
        stmt = select(Area.code, Area.name).where(Area.code.in_(sorted(codes)))
    else:
        stmt = select(Area.code, Area.name).where(Area.level == "township", Area.code.between(min(codes), max(codes)))
    return {code: name for code, name in session.execute(stmt) if code in codes}
