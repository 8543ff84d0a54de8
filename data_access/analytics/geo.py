"""Map data: area boundaries (GeoJSON geometry text) and school locations, scoped to the user."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import Area, Boundary, School
from data_access.scope import Scope, scoped
from domain.areas import code_range


@dataclass(frozen=True)
class AreaShape:
    """One area's polygon: code, name, GeoJSON geometry and whether it is only schematic."""

    code: str
    name: str
    geometry: dict
    schematic: bool


@dataclass(frozen=True)
class SchoolPlace:
    """A school of a township with its type and (optional) location."""

    code: str
    name: str
    type: str
    is_central: bool
    lon: float | None
    lat: float | None


def _units_stmt(parent: str, parent_level: str, level: str):  # noqa: ANN202 - a Select
    """Areas of `level` inside `parent` (the parent itself when the levels are equal)."""
    return (select(Area.code).where(Area.code.between(*code_range(parent, parent_level)), Area.level == level))


def boundary_codes(session: Session, scope: Scope, parent: str, parent_level: str,
                   level: str) -> list[tuple[str, bool]]:
    """(code, schematic) of the areas of `level` inside `parent` that have a boundary, sorted; no geometry read."""
    stmt = (select(Boundary.area_code, Boundary.schematic).join(Area, Area.code == Boundary.area_code)
            .where(Boundary.area_code.in_(_units_stmt(parent, parent_level, level).scalar_subquery()))
            .order_by(Boundary.area_code))
    rows = session.execute(scoped(stmt, scope, area_col=Boundary.area_code))
    return [(code, bool(schematic)) for code, schematic in rows]


def area_shapes(session: Session, scope: Scope, parent: str, parent_level: str, level: str) -> list[AreaShape]:
    """Boundaries of the areas of `level` inside `parent` the user may see, sorted by code.

    Geometry text that is not valid JSON is skipped (imports check it; this keeps a page alive).
    """
    stmt = (select(Boundary.area_code, Area.name, Boundary.geometry, Boundary.schematic)
            .join(Area, Area.code == Boundary.area_code)
            .where(Boundary.area_code.in_(_units_stmt(parent, parent_level, level).scalar_subquery()))
            .order_by(Boundary.area_code))
    shapes = []
    for code, name, text, schematic in session.execute(scoped(stmt, scope, area_col=Boundary.area_code)):
        try:
            geometry = json.loads(text)
        except (TypeError, ValueError):
            continue
        if isinstance(geometry, dict) and geometry.get("type") in ("Polygon", "MultiPolygon"):
            shapes.append(AreaShape(code, name, geometry, bool(schematic)))
    return shapes


def township_schools(session: Session, scope: Scope, township: str) -> list[SchoolPlace]:
    """The schools of a township the user may see, central school first, then by code."""
    stmt = (select(School.code, School.name, School.type, School.is_central, School.lon, School.lat)
            .where(School.township_code == township)
            .order_by(School.is_central.desc(), School.code))
    stmt = scoped(stmt, scope, school_area_col=School.township_code, school_col=School.id)
    return [SchoolPlace(c, n, t, bool(central), lon, lat) for c, n, t, central, lon, lat in session.execute(stmt)]


def area_name(session: Session, code: str) -> str | None:
    """An area's name (the caller has checked the code against the user's scope)."""
    return session.scalar(select(Area.name).where(Area.code == code))
