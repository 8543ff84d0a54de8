"""Import township and village polygons from a GeoJSON FeatureCollection as published (contract.md, boundaries):
codes as integers or strings of 6, 9 or 12 digits, or only names matched within the imported areas; WGS-84 or
GCJ-02 coordinates (converted to WGS-84). County polygons offered as townships are refused; nothing is written
while any feature has a problem."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.imports.core import (CHECKING, Progress, accepted, check_unique, no_progress, rejected, upsert)
from data_access.imports.files import _check_areas_exist, _done, _written
from data_access.imports.readers import ProblemLog, UnreadableFile
from data_access.imports.serial import hold_import_lock
from data_access.models import Area, Boundary
from domain.imports.boundaries import DATUMS, boundary_code, positions_valid, to_wgs84
from domain.imports.parsing import CellError, display_value
from domain.imports.results import ImportProblem, ImportResult

BOUNDARY_LEVELS = ("township", "village")


def _features(path: Path) -> list[Any]:
    """The features of a GeoJSON FeatureCollection file, or UnreadableFile."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError as exc:
        raise UnreadableFile([ImportProblem(0, "", str(path), "file not found")]) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise UnreadableFile([ImportProblem(0, "", path.name, "not a GeoJSON file (invalid JSON)")]) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" \
            or not isinstance(data.get("features"), list):
        raise UnreadableFile([ImportProblem(0, "", path.name, "not a GeoJSON FeatureCollection")])
    return data["features"]


def _names(session: Session) -> dict[str, list[str]]:
    """Imported townships and villages by name (a name may stand for several areas)."""
    out: dict[str, list[str]] = {}
    for code, name in session.execute(select(Area.code, Area.name).where(Area.level.in_(BOUNDARY_LEVELS))):
        out.setdefault(name.strip(), []).append(code)
    return out


def _code_of(session: Session, number: int, props: Any, prop: str, name_prop: str, names: dict[str, list[str]],
             problems: ProblemLog) -> str | None:
    """The feature's area code: from the code property, else matched by its name (None, with a problem)."""
    raw = props.get(prop) if isinstance(props, dict) else None
    if raw is not None:
        try:
            return boundary_code(raw)
        except CellError as exc:
            problems.append(ImportProblem(number, prop, display_value(raw), str(exc)))
            return None
    name = props.get(name_prop) if isinstance(props, dict) else None
    if not isinstance(name, str) or not name.strip():
        problems.append(ImportProblem(number, prop, "", f"the feature has neither a code ({prop}) nor a name "
                                                        f"({name_prop})"))
        return None
    if not names:
        names.update(_names(session))
    codes = names.get(name.strip(), [])
    if len(codes) != 1:
        problems.append(ImportProblem(number, name_prop, name.strip(),
                                      "no imported township or village has this name" if not codes else
                                      f"{len(codes)} imported areas have this name: give the features codes"))
        return None
    return codes[0]


def _boundary_rows(session: Session, features: list[Any], prop: str, name_prop: str,
                   problems: ProblemLog) -> list[tuple[int, str, Any]]:
    """(feature number, area code, geometry) of each well-formed feature; problems for the others."""
    found, names = [], {}
    for number, feature in enumerate(features, 1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        code = _code_of(session, number, props, prop, name_prop, names, problems)
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind not in ("Polygon", "MultiPolygon") or not isinstance(geometry.get("coordinates"), list):
            problems.append(ImportProblem(number, "geometry", str(kind or ""), "must be a Polygon or MultiPolygon"))
        elif not positions_valid(geometry):
            problems.append(ImportProblem(number, "geometry", str(kind), "has a position that is not longitude, "
                                                                         "latitude"))
        elif code:
            found.append((number, code, geometry))
    return found


class _Feature:
    """A feature's number and area code, shaped like a parsed row for the shared checks."""

    __slots__ = ("row", "area_code")

    def __init__(self, row: int, area_code: str) -> None:
        self.row, self.area_code = row, area_code


def import_boundaries(session: Session, path: str | Path, code_property: str = "code", *, name_property: str = "name",
                      datum: str = "wgs84", progress: Progress | None = None) -> ImportResult:
    """Import township or village polygons from a GeoJSON FeatureCollection, replacing schematic ones."""
    hold_import_lock(session, progress=progress)
    problems = ProblemLog()
    if datum not in DATUMS:
        return rejected("boundaries", [ImportProblem(0, "", datum, f"unknown coordinates: use {' or '.join(DATUMS)}")])
    try:
        features = _features(Path(path))
    except UnreadableFile as exc:
        return rejected("boundaries", exc.problems)
    (progress or no_progress)(len(features), len(features), CHECKING)
    found = _boundary_rows(session, features, code_property, name_property, problems)
    if not features:
        problems.append(ImportProblem(0, "", Path(path).name, "the collection has no features"))
    rows = [_Feature(n, code) for n, code, _ in found]
    check_unique(rows, lambda r: r.area_code, code_property, problems)
    _check_areas_exist(session, rows, "area_code", code_property, BOUNDARY_LEVELS, problems)
    if problems:
        return rejected("boundaries", problems)
    data = [{"area_code": code, "schematic": False,
             "geometry": json.dumps(to_wgs84(geometry, datum), ensure_ascii=False, separators=(",", ":"))}
            for _, code, geometry in found]
    _written(progress, len(data))
    return _done(progress, accepted(session, "boundaries", path, *upsert(session, Boundary, ("area_code",), data)))
