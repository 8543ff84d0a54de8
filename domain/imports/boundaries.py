"""Boundary files as they are published (contract.md, boundaries): division codes given as integers or strings
of 6, 9 or 12 digits (adcode 532822), padded to Baoxue's 12-digit codes; features that carry only a name;
and coordinates in WGS-84 or in GCJ-02, the datum Chinese map services publish, converted to WGS-84 (the datum
of GPS readings and of the schools' coordinates), so boundaries and schools agree. Pure: no I/O."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import prcoords

from domain.imports.parsing import CellError

DATUMS = ("wgs84", "gcj02")
CODE_LENGTHS = (6, 9, 12)


def boundary_code(raw: Any) -> str:
    """A division code from a GeoJSON property: an integer or digit string of 6, 9 or 12 digits, padded to 12."""
    if isinstance(raw, bool) or raw is None:
        raise CellError("must be a 6-, 9- or 12-digit division code")
    if isinstance(raw, float):
        if not raw.is_integer():
            raise CellError("must be a 6-, 9- or 12-digit division code")
        raw = int(raw)
    text = str(raw).strip()
    if not text.isascii() or not text.isdigit() or len(text) not in CODE_LENGTHS:
        raise CellError("must be a 6-, 9- or 12-digit division code")
    return text.ljust(12, "0")


def _gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """One GCJ-02 point as WGS-84 (prcoords' iterative inverse, about 1e-6 degrees; outside China unchanged)."""
    wgs = prcoords.gcj_wgs_bored(prcoords.Coords(lat, lon))
    return wgs.lon, wgs.lat


def _map_ring(ring: list[Any], point: Callable[[float, float], tuple[float, float]]) -> list[list[float]]:
    out = []
    for position in ring:
        lon, lat = float(position[0]), float(position[1])
        x, y = point(lon, lat)
        out.append([round(x, 7), round(y, 7), *position[2:]])
    return out


def to_wgs84(geometry: dict[str, Any], datum: str) -> dict[str, Any]:
    """The Polygon or MultiPolygon in WGS-84 (unchanged when it is WGS-84 already)."""
    if datum == "wgs84":
        return geometry
    if datum != "gcj02":
        raise ValueError(f"unknown datum {datum!r}: use one of {', '.join(DATUMS)}")
    if geometry["type"] == "Polygon":
        return {**geometry, "coordinates": [_map_ring(r, _gcj02_to_wgs84) for r in geometry["coordinates"]]}
    return {**geometry, "coordinates": [[_map_ring(r, _gcj02_to_wgs84) for r in poly]
                                        for poly in geometry["coordinates"]]}


def positions_valid(geometry: dict[str, Any]) -> bool:
    """Every position of the Polygon or MultiPolygon is a pair of finite longitude and latitude numbers."""
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    try:
        return all(isinstance(p, list) and len(p) >= 2 and -180 <= float(p[0]) <= 180 and -90 <= float(p[1]) <= 90
                   for poly in polys for ring in poly for p in ring) and bool(polys)
    except (TypeError, ValueError):
        return False
