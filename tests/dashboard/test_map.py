"""Map page: the choropleth's locations and colours, values-only updates, the drill-down and its
scope check, by raw requests to the callback route; and the pure figure helpers."""
from __future__ import annotations

import json

import pytest

from components.dashboard.map_figure import BANDS, band_colorscale, d3_winding, feature_collection, label_point, worst_first
from components.status import STATUS_COLORS
from data_access.analytics.aggregates import refresh_roster_aggregates
from data_access.models import Area, Boundary, Target, TargetPolicy
from data_access.analytics.unit_counts import refresh_terms
from domain.dashboard.geometry import point_in_polygon, signed_area
from tests import factories as f

TERM = "2024-1"
MAP_OUT = [("map-graph", "figure"), ("map-graph-box", "style"), ("map-legend", "children"),
           ("map-table", "children"), ("map-message", "children"), ("map-shown", "data")]
DETAIL_OUT = [("map-detail", "style"), ("map-detail-title", "children"), ("map-schools", "children"),
              ("map-school-chart", "figure"), ("map-school-chart", "style"), ("map-villages", "children"),
              ("map-back", "style"), ("map-back", "children")]


def square(x: float, y: float, size: float = 0.1) -> str:
    """A counter-clockwise square (RFC 7946 winding) as GeoJSON text."""
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


@pytest.fixture
def county_map(session_factory):  # noqa: ANN001, ANN201
    """Five townships judged on junior_dropout_rate ≤ 20% (warning margin 10 points):
    T1 0% pass, T2 1/6 warning, T3 1/2 fail, T4 no junior pupils (no data), T5 no boundary."""
    with session_factory() as s, s.begin():
        county, towns = f.county_with_townships(s, 5)
        schools = [f.school.create(s, township_code=t.code, code=f"53282200{i:02d}", name=f"学校{i}")
                   for i, t in enumerate(towns, start=1)]
        s.add(Area(code=towns[0].code[:9] + "201", name="村一", level="village", parent_code=towns[0].code))
        junior = {0: (4, 0), 1: (5, 1), 2: (1, 1), 3: (0, 0), 4: (3, 0)}  # enrolled, dropped (grade 8)
        for i, (enrolled, dropped) in junior.items():
            for _ in range(enrolled):
                f.roster(s, TERM, schools[i], grade=8)
            for _ in range(dropped):
                f.roster(s, TERM, schools[i], grade=8, status="辍学")
            f.roster(s, TERM, schools[i], grade=2)
        refresh_roster_aggregates(s, TERM)
        s.add_all([Boundary(area_code=t.code, geometry=square(100 + 0.1 * i, 22), schematic=False)
                   for i, t in enumerate(towns[:4])])
        s.add(TargetPolicy(name="测试目标", area_code=county.code, active=True, targets=[
            Target(indicator="junior_dropout_rate", op="<=", bound=20.0, margin=10.0)]))
        s.flush()
        refresh_terms(s, [TERM])
        f.user.create(s, username="leader", role="county_leader", area_code=county.code)
        f.user.create(s, username="officer1", role="township_officer", area_code=towns[0].code)
        f.user.create(s, username="staff1", role="school_staff", area_code=towns[0].code, school_id=schools[0].id)
    return {"county": county.code, "towns": [t.code for t in towns]}


def show_map(user, selection: str, key: str = "junior_dropout_rate", drill: str | None = None,  # noqa: ANN001
             shown: dict | None = None, changed: str | None = None):  # noqa: ANN201
    return user.callback(MAP_OUT, [("shell-selection", "value", selection), ("shell-term", "value", TERM),
                                   ("map-indicator", "value", key), ("map-drill", "data", drill)],
                         state=[("map-shown", "data", shown)], changed=changed)


def show_township(user, township: str, selection: str, key: str = "junior_dropout_rate"):  # noqa: ANN001, ANN201
    return user.callback(DETAIL_OUT, [("map-drill", "data", township), ("shell-term", "value", TERM),
                                      ("map-indicator", "value", key)],
                         state=[("shell-selection", "value", selection)])


def choose_township(user, selection: str, click: dict | None = None, link: str | None = None):  # noqa: ANN001, ANN201
    """POST the drill-down callback (its pattern-matching input needs a hand-made body)."""
    links = [{"id": {"type": "map-unit-link", "code": link}, "property": "n_clicks", "value": 1}] if link else []
    changed = ("map-graph.clickData" if click else
               json.dumps({"code": link, "type": "map-unit-link"}, separators=(",", ":")) + ".n_clicks" if link
               else "shell-selection.value")
    body = {"output": "map-drill.data", "outputs": {"id": "map-drill", "property": "data"},
            "inputs": [{"id": "shell-selection", "property": "value", "value": selection},
                       {"id": "map-graph", "property": "clickData", "value": click},
                       links, {"id": "map-back", "property": "n_clicks", "value": None}],
            "state": [], "changedPropIds": [changed]}
    return user.client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": user.csrf()})


def response(resp) -> dict:  # noqa: ANN001
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_json()["response"]


def colour_of(z: int) -> str:
    """The colour the stepped colorscale gives band index z (zmin −0.5, zmax n − 0.5)."""
    scale = band_colorscale()
    pos = (z + 0.5) / len(BANDS)
    return next(c for (lo, c), (hi, _c) in zip(scale[::2], scale[1::2]) if lo <= pos <= hi)


def test_map_has_one_location_per_township_with_status_colours(web_user, county_map) -> None:  # noqa: ANN001
    out = response(show_map(web_user("leader"), county_map["county"]))
    fig = out["map-graph"]["figure"]
    choropleth = fig["data"][0]
    t1, t2, t3, t4, t5 = county_map["towns"]
    assert choropleth["type"] == "choropleth" and choropleth["locations"] == [t1, t2, t3, t4]
    assert {feat["id"] for feat in choropleth["geojson"]["features"]} == {t1, t2, t3, t4}
    colours = dict(zip(choropleth["locations"], (colour_of(z) for z in choropleth["z"])))
    assert colours == {t1: STATUS_COLORS["pass"], t2: STATUS_COLORS["warning"], t3: STATUS_COLORS["fail"],
                       t4: STATUS_COLORS["no_data"]}
    assert choropleth["customdata"][1][2] == "1 / 6" and choropleth["customdata"][1][3] == "≤ 20%"
    assert fig["layout"]["geo"]["fitbounds"] == "locations" and fig["layout"]["geo"]["visible"] is False
    assert "mapbox" not in json.dumps(fig) and "map" not in fig["layout"]
    assert [d["type"] for d in fig["data"]] == ["choropleth", "scattergeo"]  # names as labels
    assert t5 in json.dumps(out["map-table"])  # no boundary: in the table, with a warning above the map
    assert [m["props"].get("color") for m in out["map-message"]["children"]] == ["warning"]
    assert out["map-shown"]["data"] == {"area": county_map["county"], "codes": [t1, t2, t3, t4]}


def test_geometry_sent_once_then_values_only(web_user, county_map) -> None:  # noqa: ANN001
    leader = web_user("leader")
    shown = response(show_map(leader, county_map["county"]))["map-shown"]["data"]
    out = response(show_map(leader, county_map["county"], key="primary_dropout_rate", shown=shown,
                            changed="map-indicator.value"))
    patch = out["map-graph"]["figure"]
    assert patch.get("__dash_patch_update") and "geojson" not in json.dumps(patch)
    z = next(op for op in patch["operations"] if op["location"] == ["data", 0, "z"])["params"]["value"]
    assert z == [BANDS.index("no_target")] * 4  # every township has pupils in grade 2, no target is set
    drilled = response(show_map(leader, county_map["county"], drill=county_map["towns"][1], shown=shown,
                                changed="map-drill.data"))
    widths = drilled["map-graph"]["figure"]["operations"][0]["params"]["value"]["width"]
    assert widths[1] > widths[0]  # the drilled township is outlined


def test_area_without_boundaries_still_gets_the_table(web_user, county_map, session_factory) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        s.query(Boundary).delete()
    out = response(show_map(web_user("leader"), county_map["county"]))
    assert out["map-graph-box"]["style"] == {"display": "none"}
    assert "GeoJSON" in json.dumps(out["map-message"], ensure_ascii=False)  # says what to do in the app
    table = json.dumps(out["map-table"], ensure_ascii=False)
    assert all(code in table for code in county_map["towns"])


def test_drill_down_lists_schools_and_villages(web_user, county_map) -> None:  # noqa: ANN001
    leader = web_user("leader")
    t1, t2 = county_map["towns"][:2]
    click = {"points": [{"curveNumber": 0, "pointNumber": 1, "location": t2}]}
    assert response(choose_township(leader, county_map["county"], click=click))["map-drill"]["data"] == t2
    assert response(choose_township(leader, county_map["county"], link=t1))["map-drill"]["data"] == t1
    assert response(choose_township(leader, county_map["county"]))["map-drill"]["data"] is None
    out = response(show_township(leader, t2, county_map["county"]))
    schools = json.dumps(out["map-schools"], ensure_ascii=False)
    assert "学校2" in schools and "1 / 6" in schools and "学校1" not in schools
    bars = out["map-school-chart"]["figure"]
    assert bars["data"][0]["orientation"] == "h" and bars["layout"]["shapes"][0]["x0"] == 20.0
    assert out["map-back"]["style"] == {}
    villages = json.dumps(response(show_township(leader, t1, county_map["county"]))["map-villages"],
                          ensure_ascii=False)
    assert "村一" in villages


def test_officer_drills_into_own_township_only(web_user, county_map) -> None:  # noqa: ANN001
    officer = web_user("officer1")
    t1, t2 = county_map["towns"][:2]
    assert response(choose_township(officer, t1))["map-drill"]["data"] == t1  # a township selection drills itself
    own = response(show_township(officer, t1, t1))
    assert "学校1" in json.dumps(own["map-schools"], ensure_ascii=False)
    assert own["map-back"]["style"] == {"display": "none"}
    refused = show_township(officer, t2, t1)
    assert refused.status_code == 403 and "学校2" not in refused.get_data(as_text=True)
    click = {"points": [{"curveNumber": 0, "pointNumber": 0, "location": t2}]}
    assert choose_township(officer, t1, click=click).status_code == 403
    assert choose_township(officer, t1, link=t2).status_code == 403
    assert show_map(officer, county_map["county"]).status_code == 403


def test_officer_map_shows_only_own_township(web_user, county_map) -> None:  # noqa: ANN001
    out = response(show_map(web_user("officer1"), county_map["towns"][0]))
    assert out["map-graph"]["figure"]["data"][0]["locations"] == [county_map["towns"][0]]
    assert county_map["towns"][1] not in json.dumps(out)


def test_school_staff_refused(web_user, county_map) -> None:  # noqa: ANN001
    staff = web_user("staff1")
    assert show_map(staff, "5328220001").status_code == 403  # not a map role, even for the own school
    assert show_township(staff, county_map["towns"][0], "5328220001").status_code == 403


def test_anonymous_refused(web_user, county_map) -> None:  # noqa: ANN001
    anon = web_user(None)
    assert show_map(anon, county_map["county"]).status_code == 401
    assert show_township(anon, county_map["towns"][0], county_map["county"]).status_code == 401


def test_d3_winding_and_label_points() -> None:
    ccw = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    hole = [[0.2, 0.2], [0.2, 0.4], [0.4, 0.4], [0.4, 0.2], [0.2, 0.2]]
    wound = d3_winding({"type": "Polygon", "coordinates": [ccw, hole]})["coordinates"]
    assert signed_area([tuple(p) for p in wound[0]]) < 0 < signed_area([tuple(p) for p in wound[1]])
    multi = d3_winding({"type": "MultiPolygon", "coordinates": [[ccw]]})
    assert signed_area([tuple(p) for p in multi["coordinates"][0][0]]) < 0
    assert feature_collection([("1", "a", {"type": "Polygon", "coordinates": [ccw]})])["features"][0]["id"] == "1"
    # a U shape: its centroid lies in the gap, the label must not
    u_shape = [(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)]
    point = label_point({"type": "Polygon", "coordinates": [[list(p) for p in u_shape]]})
    assert point_in_polygon(point, u_shape)
    assert worst_first([1.0, None, 3.0], worst_high=True) == [2, 0, 1]
    assert worst_first([1.0, None, 3.0], worst_high=False) == [0, 2, 1]


def test_the_per_area_chart_shows_dropout_rates_in_percent() -> None:
    from components.charts import bar_enrolled_dropouts, trend_figure
    fig = bar_enrolled_dropouts([("甲镇", "1", 994, 6), ("乙镇", "2", 0, 0)], "t", "辍学人数", "辍学率（%）")
    assert fig["data"][1]["y"] == [0.6, None] and fig["layout"]["yaxis2"]["ticksuffix"] == "%"  # 6 of 1,000 = 0.60%
    trend = trend_figure(["2024-1", "2024-2"], [99.1, 99.8], "t", 99.5, "≥ 99.5%", True)
    low, high = trend["layout"]["yaxis"]["range"]
    assert trend["layout"]["shapes"][0]["y0"] == 99.5  # the target's dashed line
    import plotly.graph_objects as go
    go.Figure(fig), go.Figure(trend)  # both are valid plotly figures
    assert low < 99.1 and high > 99.8  # the labels above the points stay inside the chart
