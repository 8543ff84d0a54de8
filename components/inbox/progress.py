"""Builders of the To-do & progress page (pure): the two work lists and the case charts (the order
progress bars are the rectification board's, components.rectification.board.progress_bars)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.charts import FONT_FAMILY, empty_figure
from components.plain import el

TONES = {"overdue": "danger", "due": "warning"}


@dataclass(frozen=True)
class WorkItem:
    """One line of a work list: what, where, when, its state and the page that handles it."""

    href: str
    title: str
    where: str
    when: str
    state: str  # overdue | due
    state_text: str


def work_list(list_id: str, title: str, icon: str, items: Sequence[WorkItem], empty: str, more_href: str,
              more_text: str, total: int | None = None) -> dbc.Card:
    """A card listing work to do, overdue first, each line linking to its page; its badge counts `total` when the
    items are the first ones of more."""
    body = [html.P([html.I(className="bi bi-check2-circle text-success me-1"), empty], className="text-muted mb-0")] \
        if not items else [dbc.ListGroup([    # an item is a link holding its badge and one text of two lines (the
            el("dbc.ListGroupItem", [           # title, then where and when: assets/baoxue.css), not a component per
                el("dbc.Badge", item.state_text, color=TONES.get(item.state, "secondary"), className="float-end ms-2"),
                f"{item.title}\n{item.where} · {item.when}",     # part: 100 items were ~700 of the page's ~1,750
            ], href=item.href, action=True, className="py-2 bx-work-item")   # components (plotly/dash#3846); plain
            for item in items], flush=True, id=list_id)]                     # elements: components.plain
    return dbc.Card([
        dbc.CardHeader(html.Div([html.I(className=f"bi bi-{icon} me-2"), html.Span(title, className="fw-semibold"),
                                 dbc.Badge(f"{len(items) if total is None else total:,}",
                                           color="danger" if any(i.state == "overdue" for i in items)
                                           else "secondary", pill=True, className="ms-2"),
                                 dcc.Link(more_text, href=more_href, className="ms-auto small")],
                                className="d-flex align-items-center")),
        dbc.CardBody(body, className="p-0 bx-worklist" if items else ""),
    ], className="shadow-sm h-100")


def _layout(title: str, height: int, legend: bool = False) -> dict:
    """The charts' layout as a plain dict: plotly's Figure objects validate every property on every update,
    which cost ~25 ms a chart and most of this page's time at province scope (issue 19)."""
    layout = {"title": {"text": title}, "font": {"family": FONT_FAMILY}, "height": height,
              "margin": {"l": 10, "r": 10, "t": 72 if legend else 44, "b": 10}, "plot_bgcolor": "white",
              "paper_bgcolor": "white", "showlegend": legend, "yaxis": {"automargin": True},
              "xaxis": {"automargin": True, "rangemode": "tozero"}}
    if legend:
        layout["legend"] = {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"}
    return layout


def figure_height(fig: dict) -> int:
    """A figure's height in pixels (300 when unset)."""
    return int(fig.get("layout", {}).get("height") or 300)


def count_bars(counts: Mapping[str, int], title: str, empty: str, color: str = "#0d6efd",
               highlight: Mapping[str, str] | None = None) -> dict:
    """Horizontal bars of counts by label (largest on top); `highlight` colours some labels."""
    items = [(k, v) for k, v in counts.items() if v]
    if not items:
        return empty_figure(empty)
    items.sort(key=lambda kv: kv[1])
    colors = [(highlight or {}).get(k, color) for k, _v in items]
    bar = {"type": "bar", "x": [v for _k, v in items], "y": [k for k, _v in items], "orientation": "h",
           "marker": {"color": colors}, "text": [v for _k, v in items], "textposition": "auto",
           "hovertemplate": "%{y}: %{x}<extra></extra>"}
    return {"data": [bar], "layout": _layout(title, 80 + 28 * len(items))}


def split_bars(labels: Sequence[str], parts: Sequence[tuple[str, str, Sequence[int]]], title: str, empty: str,
               horizontal: bool = False) -> dict:
    """Stacked bars, one per label, split into parts (name, colour, a value per label)."""
    if not any(v for _n, _c, values in parts for v in values):
        return empty_figure(empty)
    bars = [{"type": "bar", **({"y": list(labels), "x": list(values), "orientation": "h"} if horizontal
                               else {"x": list(labels), "y": list(values)}),
             "name": name, "marker": {"color": color},
             "hovertemplate": ("%{y}" if horizontal else "%{x}") + "<br>" + name + ": "
             + ("%{x}" if horizontal else "%{y}") + "<extra></extra>"}
            for name, color, values in parts]
    layout = _layout(title, (90 + 30 * len(labels) if horizontal else 320) + 28, legend=True)
    layout["barmode"] = "stack"
    if horizontal:
        layout["yaxis"]["autorange"] = "reversed"
    return {"data": bars, "layout": layout}
