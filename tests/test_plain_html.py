"""components.plain: a plain element is sent exactly as the dash.html component it stands for."""
from __future__ import annotations

import json

import pytest
import dash_bootstrap_components as dbc
from dash import dcc, html
from plotly.io.json import to_json_plotly

from components.plain import el


def _sent(value: object) -> object:
    """What Dash writes into a callback's answer for this value."""
    return json.loads(to_json_plotly(value))


@pytest.mark.parametrize(("plain", "component"), [
    (el("Td", "98.50%"), html.Td("98.50%")),
    (el("Td", [el("Div", "1", className="fw-semibold"), None], title="达标", className="text-end",
        style={"backgroundColor": "#eef"}, **{"data-status": "pass"}),
     html.Td([html.Div("1", className="fw-semibold"), None], title="达标", className="text-end",
             style={"backgroundColor": "#eef"}, **{"data-status": "pass"})),
    (el("Th", "某镇", scope="row", rowSpan=2, colSpan=3), html.Th("某镇", scope="row", rowSpan=2, colSpan=3)),
    (el("Span", className="bx-hist", title=None), html.Span(className="bx-hist", title=None)),
    (el("Button", "某镇", id={"type": "map-unit-link", "code": "532822101000"}, className="btn"),
     html.Button("某镇", id={"type": "map-unit-link", "code": "532822101000"}, className="btn")),
    (el("Tr", [el("Td", 3), el("Td", 0)], **{"data-code": "5328220001"}),
     html.Tr([html.Td(3), html.Td(0)], **{"data-code": "5328220001"})),
    (el("dcc.Link", ["打开", el("I", className="bi bi-chevron-right")], href="/inspection/visit?id=3",
        className="btn btn-sm"),
     dcc.Link(["打开", html.I(className="bi bi-chevron-right")], href="/inspection/visit?id=3", className="btn btn-sm")),
    (el("dbc.Textarea", value='{"name": "甲"}', readOnly=True, rows=4, size="sm", className="font-monospace"),
     dbc.Textarea(value='{"name": "甲"}', readOnly=True, rows=4, size="sm", className="font-monospace")),
    (el("dcc.Link", el("dbc.ListGroupItem", [el("Div", "待办")], action=True, className="bx-inbox-item"),
        href="/inbox", className="text-decoration-none"),
     dcc.Link(dbc.ListGroupItem([html.Div("待办")], action=True, className="bx-inbox-item"), href="/inbox",
              className="text-decoration-none")),
    (el("dbc.ListGroupItem", [el("dbc.Badge", "逾期", color="danger", className="float-end"), "整改单\n勐海镇 · 今天"],
        href="/rectification/order?id=1", action=True, className="py-2"),
     dbc.ListGroupItem([dbc.Badge("逾期", color="danger", className="float-end"), "整改单\n勐海镇 · 今天"],
                       href="/rectification/order?id=1", action=True, className="py-2")),
])
def test_a_plain_element_is_sent_as_its_component(plain: dict, component: object) -> None:
    assert _sent(plain) == _sent(component)


def test_a_component_holds_plain_children() -> None:
    """A dash.html parent of plain children (a Tbody of plain rows) is sent as if every child were a component."""
    assert _sent(html.Tbody([el("Tr", el("Td", "x"))])) == _sent(html.Tbody([html.Tr(html.Td("x"))]))


@pytest.mark.parametrize(("tag", "props", "message"), [
    ("Td", {"classname": "x"}, "dash.html.Td has no prop classname"),
    ("Tdd", {}, "no dash.html element 'Tdd'"),
    ("component", {}, "no dash.html element 'component'"),
    ("dcc.Link", {"hre": "/"}, "dash.dcc.Link has no prop hre"),
    ("dbc.Badgee", {}, "no dbc element 'Badgee'"),
    ("dbx.Badge", {}, "no dbx element 'Badge'"),
])
def test_an_unknown_tag_or_prop_is_refused(tag: str, props: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        el(tag, "x", **props)


def test_children_of_a_component_that_takes_none_are_refused() -> None:
    with pytest.raises(ValueError, match="dbc.Textarea takes no children"):
        el("dbc.Textarea", "x", value="y")
