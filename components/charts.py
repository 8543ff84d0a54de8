"""Plotly figure builders (pure)."""
from __future__ import annotations

import plotly.graph_objects as go

FONT_FAMILY = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Source Han Sans SC", sans-serif'


def graph_config(language: str) -> dict:
    """dcc.Graph config: Plotly's zh-CN locale, local topojson, no logo or cloud links."""
    return {"locale": "zh-CN" if language == "zh" else "en", "displaylogo": False,
            "modeBarButtonsToRemove": ["sendChartToCloud"],  # "Share chart...": English, and a cloud link
            "topojsonURL": "/assets/vendor/topojson/", "responsive": True}


def base_layout(title: str) -> dict:
    """The house layout of a chart (font, margins, white background, 360 px; axes make room for their labels)."""
    return {"title": {"text": title}, "font": {"family": FONT_FAMILY}, "margin": {"l": 40, "r": 20, "t": 50, "b": 40},
            "plot_bgcolor": "white", "paper_bgcolor": "white", "height": 360, "xaxis": axis(), "yaxis": axis()}


def axis(**props: object) -> dict:
    """An axis that grows the margin to fit its tick labels and title (plotly's default template did that)."""
    return {"automargin": True, **props}


def _base_layout(fig: go.Figure, title: str) -> go.Figure:
    """The house layout applied to a plotly Figure (for charts still built with graph objects)."""
    fig.update_layout(base_layout(title))
    return fig


def empty_figure(message: str) -> dict:
    """A blank figure with a centred message (a plain dict: plotly objects cost more than they give here)."""
    layout = {**base_layout(""), "xaxis": axis(visible=False), "yaxis": axis(visible=False)}
    if message:
        layout["annotations"] = [{"text": message, "showarrow": False, "font": {"size": 14}, "x": 0.5, "y": 0.5,
                                  "xref": "paper", "yref": "paper"}]
    return {"data": [], "layout": layout}


def bar_enrolled_dropouts(rows: list[tuple[str, str, int, int]], title: str, dropouts_label: str,
                          share_label: str) -> dict:
    """Bars of dropouts per area with the dropout rate (% of enrolled + dropped, as everywhere) as markers."""
    names = [r[0] for r in rows]
    dropouts = [r[3] for r in rows]
    share = [round(100 * r[3] / (r[2] + r[3]), 2) if (r[2] + r[3]) else None for r in rows]
    data = [{"type": "bar", "x": names, "y": dropouts, "name": dropouts_label, "marker": {"color": "#dc3545"},
             "hovertemplate": "%{x}<br>" + dropouts_label + ": %{y}<extra></extra>"},
            {"type": "scatter", "x": names, "y": share, "name": share_label, "yaxis": "y2", "mode": "markers",
             "marker": {"color": "#0d6efd", "size": 10, "symbol": "diamond"},
             "hovertemplate": "%{x}<br>" + share_label + ": %{y:.2f}%<extra></extra>"}]
    layout = {**base_layout(title), "yaxis": axis(title={"text": dropouts_label}, rangemode="tozero"),
              "yaxis2": axis(title={"text": share_label}, overlaying="y", side="right", rangemode="tozero",
                             ticksuffix="%", tickmode="auto", showgrid=False),  # its own round ticks
              "legend": {"orientation": "h", "y": -0.2}}
    return {"data": data, "layout": layout}


TREND_HEIGHT = 320  # under its indicator picker, as tall as the chart beside it


def trend_figure(terms: list[str], values: list[float | None], title: str, target: float | None,
                 target_label: str, is_rate: bool) -> dict:
    """One indicator over the terms, with its target as a dashed line."""
    line = {"type": "scatter", "x": terms, "y": values, "mode": "lines+markers+text", "line": {"color": "#0d6efd"},
            "text": [("—" if v is None else f"{v:.2f}" if is_rate else f"{v:.0f}") for v in values],
            "textposition": "top center", "connectgaps": False, "name": title, "cliponaxis": False,
            "hovertemplate": "%{x}: %{y:.2f}<extra></extra>"}
    known = [v for v in values if v is not None] + ([target] if target is not None else [])
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    pad = max((high - low) * 0.25, abs(high) * 0.02, 0.5)  # room above for the labels, so they stay in the card
    layout = {**base_layout(title), "showlegend": False, "height": TREND_HEIGHT,
              "yaxis": axis(ticksuffix="%" if is_rate else "", range=[low - pad, high + pad]),
              "xaxis": axis(range=[-0.5, len(terms) - 0.5])}
    if target is not None:  # a dashed line across the plot with its label under its right end
        layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": target,
                             "y1": target, "line": {"dash": "dash", "color": "#dc3545"}}]
        layout["annotations"] = [{"text": target_label, "showarrow": False, "xref": "paper", "x": 1,
                                  "xanchor": "right", "yref": "y", "y": target, "yanchor": "top"}]
    return {"data": [line], "layout": layout}
