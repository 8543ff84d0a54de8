"""Map figures (pure): a choropleth of areas on their own GeoJSON, coloured by status band against
the target, with name labels; and a horizontal bar chart of schools against the target."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from components.charts import FONT_FAMILY, axis
from components.status import STATUS_COLORS
from domain.dashboard.geometry import point_in_polygon, signed_area

BANDS = ("pass", "warning", "fail", "no_data", "no_target")
MAP_HEIGHT = 500
MAX_LABELS = 40  # more areas than this: names only on hover
OUTLINE = ("#ffffff", 1.0)
OUTLINE_SELECTED = ("#212529", 3.5)


@dataclass(frozen=True)
class MapUnit:
    """One area on the map: code, name, status band and the hover texts of its figures."""

    code: str
    name: str
    band: str
    value: str
    counts: str
    target: str
    status: str
    tier: str


def band_colorscale(bands: Sequence[str] = BANDS) -> list[list]:
    """A stepped colorscale: band i of n fills z in [i - 0.5, i + 0.5] with its status colour."""
    n = len(bands)
    scale: list[list] = []
    for i, band in enumerate(bands):
        scale += [[i / n, STATUS_COLORS[band]], [(i + 1) / n, STATUS_COLORS[band]]]
    return scale


def _wound(ring: list, clockwise: bool) -> list:
    is_clockwise = signed_area([(p[0], p[1]) for p in ring]) < 0
    return ring if is_clockwise == clockwise else list(reversed(ring))


def d3_winding(geometry: dict) -> dict:
    """The geometry with d3-geo's winding: exterior rings clockwise, holes counter-clockwise.

    GeoJSON files (RFC 7946) wind exteriors counter-clockwise; plotly draws with d3-geo on the sphere,
    where such a ring encloses the rest of the globe and the whole map fills with one colour.
    """
    def polygon(rings: list) -> list:
        return [_wound(r, i == 0) for i, r in enumerate(rings) if r]
    if geometry.get("type") == "Polygon":
        return {"type": "Polygon", "coordinates": polygon(geometry["coordinates"])}
    if geometry.get("type") == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [polygon(p) for p in geometry["coordinates"]]}
    return geometry


def feature_collection(shapes: Sequence[tuple[str, str, dict]]) -> dict:
    """A GeoJSON FeatureCollection of (code, name, geometry) for plotly, each feature's id its code."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": code, "properties": {"code": code, "name": name}, "geometry": d3_winding(geometry)}
        for code, name, geometry in shapes]}


def _rings(geometry: dict) -> list[list[tuple[float, float]]]:
    """Exterior rings of a Polygon or MultiPolygon."""
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [[(float(x), float(y)) for x, y, *_ in poly[0]] for poly in polys if poly and poly[0]]


def _ring_area_centroid(ring: list[tuple[float, float]]) -> tuple[float, tuple[float, float]]:
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(area) < 1e-12:
        n = len(ring)
        return 0.0, (sum(p[0] for p in ring) / n, sum(p[1] for p in ring) / n)
    return abs(area) / 2, (cx / (3 * area), cy / (3 * area))


def _edge_distance(p: tuple[float, float], ring: list[tuple[float, float]]) -> float:
    best = math.inf
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        dx, dy = x2 - x1, y2 - y1
        t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((p[0] - x1) * dx + (p[1] - y1) * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(p[0] - x1 - t * dx, p[1] - y1 - t * dy))
    return best


def label_point(geometry: dict) -> tuple[float, float]:
    """Where to write an area's name: the centroid of its largest ring, or, when that falls outside
    (a concave shape) or too near an edge, the inside grid point farthest from the edges."""
    rings = _rings(geometry)
    if not rings:
        raise ValueError("geometry without rings")
    ring = max(rings, key=lambda r: _ring_area_centroid(r)[0])
    _area, centroid = _ring_area_centroid(ring)
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    size = min(max(xs) - min(xs), max(ys) - min(ys))
    if point_in_polygon(centroid, ring) and _edge_distance(centroid, ring) > size / 6:
        return centroid
    steps = 16
    best, best_d = centroid, -1.0
    for i in range(1, steps):
        for j in range(1, steps):
            p = (min(xs) + (max(xs) - min(xs)) * i / steps, min(ys) + (max(ys) - min(ys)) * j / steps)
            if point_in_polygon(p, ring):
                d = _edge_distance(p, ring)
                if d > best_d:
                    best, best_d = p, d
    return best


def band_values(units: Sequence[MapUnit]) -> dict[str, list]:
    """The parts of the choropleth that change with indicator and term: z (band index) and customdata."""
    return {"z": [BANDS.index(u.band) for u in units],
            "customdata": [[u.name, u.value, u.counts, u.target, u.status, u.tier] for u in units]}


def outline(codes: Sequence[str], selected: str | None) -> dict[str, list]:
    """Outline colours and widths: the selected area drawn dark and thick."""
    return {"color": [OUTLINE_SELECTED[0] if c == selected else OUTLINE[0] for c in codes],
            "width": [OUTLINE_SELECTED[1] if c == selected else OUTLINE[1] for c in codes]}


LABEL_HALO = "1px 1px 2px #fff, -1px -1px 2px #fff, 1px -1px 2px #fff, -1px 1px 2px #fff"  # names stay legible


def choropleth_figure(collection: dict, units: Sequence[MapUnit], hovertemplate: str,
                      selected: str | None = None, revision: str = "") -> dict:
    """Areas filled by status band (no tiles, base map hidden, fitted to the areas), names on top (a plain dict:
    plotly's Figure validates every property, ~10 ms of each draw)."""
    codes = [u.code for u in units]
    values = band_values(units)
    line = outline(codes, selected)
    data = [{"type": "choropleth", "geojson": collection, "featureidkey": "id", "locations": codes, "z": values["z"],
             "customdata": values["customdata"], "zmin": -0.5, "zmax": len(BANDS) - 0.5,
             "colorscale": band_colorscale(), "showscale": False,
             "marker": {"line": {"color": line["color"], "width": line["width"]}}, "hovertemplate": hovertemplate,
             "hoverlabel": {"font": {"family": FONT_FAMILY, "color": "#212529"}, "bgcolor": "white"}}]
    shapes = {f["id"]: f["geometry"] for f in collection["features"]}
    if len(units) <= MAX_LABELS:
        points = [label_point(shapes[c]) for c in codes]
        data.append({"type": "scattergeo", "lon": [p[0] for p in points], "lat": [p[1] for p in points],
                     "text": [u.name for u in units], "mode": "text",
                     "textfont": {"size": 13, "color": "#212529", "family": FONT_FAMILY, "weight": "bold",
                                  "shadow": LABEL_HALO},
                     "hoverinfo": "skip", "showlegend": False})
    layout = {"geo": {"fitbounds": "locations", "visible": False, "showframe": False,
                      "projection": {"type": "mercator"}, "bgcolor": "rgba(0,0,0,0)"},
              "margin": {"l": 4, "r": 4, "t": 4, "b": 4}, "height": MAP_HEIGHT, "font": {"family": FONT_FAMILY},
              "paper_bgcolor": "white", "showlegend": False, "dragmode": "pan", "clickmode": "event"}
    if revision:
        layout["uirevision"] = revision
    return {"data": data, "layout": layout}


def bar_height(n: int) -> int:
    """Pixel height of the schools' bar chart for n bars (the Graph's style: responsive graphs fill their box)."""
    return max(170, 80 + 28 * n)


def worst_first(values: Sequence[float | None], worst_high: bool) -> list[int]:
    """Indexes ordered worst first (highest first when high is bad), no data last."""
    return sorted(range(len(values)), key=lambda i: (values[i] is None,
                                                     -(values[i] or 0) if worst_high else (values[i] or 0)))


def school_bars(names: Sequence[str], values: Sequence[float | None], statuses: Sequence[str],
                texts: Sequence[str], counts: Sequence[str], bound: float | None, bound_label: str,
                axis_title: str, worst_high: bool) -> dict:
    """Horizontal bars of the schools' values coloured by status, worst first, the target as a line."""
    order = worst_first(values, worst_high)
    bar = {"type": "bar", "orientation": "h", "y": [names[i] for i in order],
           "x": [values[i] if values[i] is not None else 0 for i in order],
           "marker": {"color": [STATUS_COLORS[statuses[i]] for i in order]}, "text": [texts[i] for i in order],
           "textposition": "outside", "cliponaxis": False, "customdata": [[texts[i], counts[i]] for i in order],
           "hovertemplate": "%{y}<br>%{customdata[0]}  %{customdata[1]}<extra></extra>"}
    known = [v for v in values if v is not None] + ([bound] if bound is not None else [])
    top = max(known, default=1.0) or 1.0
    low = min(known, default=0.0)
    xrange = [0, top * 1.18]
    if not worst_high and low > 50:  # rates that must be high: zoom on the interesting end
        xrange = [max(0.0, math.floor(low - (top - low) * 0.3 - 1)), top + (top - low) * 0.25 + 0.5]
    layout = {"yaxis": axis(autorange="reversed", tickfont={"size": 12}),
              "xaxis": axis(range=xrange, title={"text": axis_title}, gridcolor="#e9ecef", zeroline=False),
              "font": {"family": FONT_FAMILY}, "margin": {"l": 8, "r": 40, "t": 34, "b": 40},
              "plot_bgcolor": "white", "paper_bgcolor": "white", "height": bar_height(len(names)),
              "showlegend": False, "bargap": 0.3}
    if bound is not None:  # the target: a dashed line over the bars, labelled above the plot
        layout["shapes"] = [{"type": "line", "xref": "x", "x0": bound, "x1": bound, "yref": "paper", "y0": 0,
                             "y1": 1, "line": {"dash": "dash", "color": "#212529", "width": 1.5}}]
        layout["annotations"] = [{"text": bound_label, "showarrow": False, "xref": "x", "x": bound, "yref": "paper",
                                  "y": 1, "yanchor": "bottom", "font": {"size": 12, "color": "#212529"}}]
    return {"data": [bar], "layout": layout}
