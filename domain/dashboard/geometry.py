"""Plane polygons for schematic maps: hull, half-plane clipping, Voronoi cells, GeoJSON rings.

Coordinates are (lon, lat) pairs treated as plane coordinates; rings are lists of points,
open (the first point is not repeated) unless a function says otherwise.
"""
from __future__ import annotations

from collections.abc import Sequence

Point = tuple[float, float]
Ring = list[Point]

_EPS = 1e-12


def signed_area(ring: Sequence[Point]) -> float:
    """Shoelace area of an open ring: positive when counter-clockwise."""
    total = 0.0
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        total += x1 * y2 - x2 * y1
    return total / 2.0


def polygon_area(ring: Sequence[Point]) -> float:
    """Unsigned area of an open ring."""
    return abs(signed_area(ring))


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def convex_hull(points: Sequence[Point]) -> Ring:
    """Convex hull (Andrew's monotone chain), counter-clockwise, without collinear points."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return list(pts)
    lower: Ring = []
    for p in pts:
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: Ring = []
    for p in reversed(pts):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _dedupe(ring: Ring) -> Ring:
    out: Ring = []
    for p in ring:
        if not out or abs(p[0] - out[-1][0]) > _EPS or abs(p[1] - out[-1][1]) > _EPS:
            out.append(p)
    while len(out) > 1 and abs(out[0][0] - out[-1][0]) <= _EPS and abs(out[0][1] - out[-1][1]) <= _EPS:
        out.pop()
    return out


def clip_half_plane(ring: Sequence[Point], a: float, b: float, c: float) -> Ring:
    """Sutherland–Hodgman: the part of a convex ring where a·x + b·y ≤ c."""
    out: Ring = []
    n = len(ring)
    for i in range(n):
        p, q = ring[i - 1], ring[i]
        fp = a * p[0] + b * p[1] - c
        fq = a * q[0] + b * q[1] - c
        if fq <= 0:
            if fp > 0:
                t = fp / (fp - fq)
                out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
            out.append(q)
        elif fp <= 0:
            t = fp / (fp - fq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    out = _dedupe(out)
    return out if len(out) >= 3 else []


def clip_convex(subject: Sequence[Point], clipper: Sequence[Point]) -> Ring:
    """Intersection of a convex ring with a counter-clockwise convex ring."""
    result: Ring = list(subject)
    n = len(clipper)
    for i in range(n):
        (x1, y1), (x2, y2) = clipper[i], clipper[(i + 1) % n]
        # inside = left of the edge: (x2-x1)(y-y1) - (y2-y1)(x-x1) >= 0
        a, b = (y2 - y1), -(x2 - x1)
        result = clip_half_plane(result, a, b, a * x1 + b * y1)
        if not result:
            return []
    return result


def voronoi_cells(sites: Sequence[Point], outline: Sequence[Point]) -> list[Ring]:
    """The Voronoi cell of every site inside a convex outline (one ring per site, CCW)."""
    cells: list[Ring] = []
    for i, (px, py) in enumerate(sites):
        cell: Ring = orient_ccw(list(outline))
        for j, (qx, qy) in enumerate(sites):
            if i == j or not cell:
                continue
            # closer to p than to q:  (q - p)·x ≤ (|q|² − |p|²) / 2
            cell = clip_half_plane(cell, qx - px, qy - py, (qx * qx + qy * qy - px * px - py * py) / 2.0)
        cells.append(orient_ccw(cell))
    return cells


def point_in_polygon(point: Point, ring: Sequence[Point]) -> bool:
    """Ray-casting test: True when the point lies inside the ring (boundary undecided)."""
    x, y = point
    inside = False
    n = len(ring)
    for i in range(n):
        (x1, y1), (x2, y2) = ring[i - 1], ring[i]
        if (y1 > y) != (y2 > y):
            x_cross = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < x_cross:
                inside = not inside
    return inside


def orient_ccw(ring: Ring) -> Ring:
    """The ring, reversed if needed so that it runs counter-clockwise."""
    return list(reversed(ring)) if signed_area(ring) < 0 else ring


def geojson_polygon(ring: Sequence[Point], digits: int = 6) -> dict[str, object]:
    """A GeoJSON Polygon geometry: exterior ring counter-clockwise and closed (RFC 7946)."""
    ccw = orient_ccw([(round(x, digits), round(y, digits)) for x, y in ring])
    ccw = _dedupe(ccw)
    if len(ccw) < 3:
        raise ValueError("a polygon needs at least three distinct points")
    coords = [[x, y] for x, y in ccw]
    coords.append(list(coords[0]))
    return {"type": "Polygon", "coordinates": [coords]}
