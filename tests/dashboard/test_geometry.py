"""Schematic polygons: hull, clipping and Voronoi cells (domain/geometry.py)."""
from __future__ import annotations

import math
import random

import pytest

from domain.dashboard import geometry as g


def _outline() -> list[tuple[float, float]]:
    rng = random.Random(3)
    pts = [(100.45 + 0.4 * math.cos(a) * rng.uniform(0.8, 1), 21.95 + 0.4 * math.sin(a) * rng.uniform(0.8, 1))
           for a in (k * 2 * math.pi / 12 for k in range(12))]
    return g.convex_hull(pts)


def _sites(outline: list[tuple[float, float]], n: int, seed: int) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    sites: list[tuple[float, float]] = []
    while len(sites) < n:
        p = (rng.uniform(100.0, 100.9), rng.uniform(21.5, 22.4))
        if g.point_in_polygon(p, outline):
            sites.append(p)
    return sites


def test_convex_hull_is_ccw_and_drops_inner_points() -> None:
    hull = g.convex_hull([(0, 0), (2, 0), (2, 2), (0, 2), (1, 1), (1, 0)])
    assert sorted(hull) == [(0, 0), (0, 2), (2, 0), (2, 2)]
    assert g.signed_area(hull) == pytest.approx(4.0)


def test_clip_half_plane_keeps_the_inside() -> None:
    square = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]
    assert g.polygon_area(g.clip_half_plane(square, 1.0, 0.0, 0.5)) == pytest.approx(1.0)
    assert g.clip_half_plane(square, 1.0, 0.0, -1.0) == []
    assert g.polygon_area(g.clip_half_plane(square, 1.0, 1.0, 10.0)) == pytest.approx(4.0)


@pytest.mark.parametrize("n,seed", [(2, 1), (5, 2), (11, 3), (16, 4)])
def test_voronoi_cells_partition_the_outline(n: int, seed: int) -> None:
    outline = _outline()
    sites = _sites(outline, n, seed)
    cells = g.voronoi_cells(sites, outline)
    assert len(cells) == n
    total = sum(g.polygon_area(c) for c in cells)
    assert total == pytest.approx(g.polygon_area(outline), rel=1e-9)
    for i, cell in enumerate(cells):
        assert g.signed_area(cell) > 0
        assert g.point_in_polygon(sites[i], cell)
        for j in range(i + 1, n):
            overlap = g.clip_convex(cell, cells[j])
            assert not overlap or g.polygon_area(overlap) < 1e-9 * g.polygon_area(outline)
    probe = _sites(outline, 200, seed + 100)
    for p in probe:
        assert sum(g.point_in_polygon(p, c) for c in cells) == 1


def test_geojson_polygon_is_closed_and_counter_clockwise() -> None:
    clockwise = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)]
    geo = g.geojson_polygon(clockwise)
    ring = geo["coordinates"][0]  # type: ignore[index]
    assert geo["type"] == "Polygon"
    assert ring[0] == ring[-1] and len(ring) == 5
    assert g.signed_area([tuple(p) for p in ring[:-1]]) > 0
