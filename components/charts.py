"""Plotly figure builders (pure)."""
from __future__ import annotations

import plotly.graph_objects as go

FONT_FAMILY = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Source Han Sans SC", sans-serif'


def graph_config(language: str) -> dict:
    """dcc.Graph config: Plotly's zh-CN locale, local topojson, no logo or cloud links."""
    return {"locale": "zh-CN" if language == "zh" else "en", "displaylogo": False,
            "modeBarButtonsToRemove": ["sendChartToCloud"],  # "Share chart...": English, and a cloud link
            "topojsonURL": "/assets/vendor/topojson/", "responsive": True}


def _base_layout(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(title=title, font_family=FONT_FAMILY, margin=dict(l=40, r=20, t=50, b=40),
                      plot_bgcolor="white", paper_bgcolor="white", height=360)
    return fig


def empty_figure(message: str) -> go.Figure:
    """A blank figure with a centred message."""
    fig = go.Figure()
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    if message:
        fig.add_annotation(text=message, showarrow=False, font_size=14, x=0.5, y=0.5, xref="paper", yref="paper")
    return _base_layout(fig, "")


def bar_enrolled_dropouts(rows: list[tuple[str, str, int, int]], title: str, dropouts_label: str,
                          share_label: str) -> go.Figure:
    """Bars of dropouts per area with the dropout rate (% of enrolled + dropped, as everywhere) as markers."""
    names = [r[0] for r in rows]
    dropouts = [r[3] for r in rows]
    share = [round(100 * r[3] / (r[2] + r[3]), 2) if (r[2] + r[3]) else None for r in rows]
    fig = go.Figure([
        go.Bar(x=names, y=dropouts, name=dropouts_label, marker_color="#dc3545",
               hovertemplate="%{x}<br>" + dropouts_label + ": %{y}<extra></extra>"),
        go.Scatter(x=names, y=share, name=share_label, yaxis="y2", mode="markers", marker=dict(color="#0d6efd", size=10, symbol="diamond"),
                   hovertemplate="%{x}<br>" + share_label + ": %{y:.2f}%<extra></extra>"),
    ])
    fig.update_layout(yaxis=dict(title=dropouts_label, rangemode="tozero"),
                      yaxis2=dict(title=share_label, overlaying="y", side="right", rangemode="tozero",
                                  ticksuffix="%"),
                      legend=dict(orientation="h", y=-0.2))
    return _base_layout(fig, title)



def trend_figure(terms: list[str], values: list[float | None], title: str, target: float | None,
                 target_label: str, is_rate: bool) -> go.Figure:
    """One indicator over the terms, with its target as a dashed line."""
    fig = go.Figure(go.Scatter(x=terms, y=values, mode="lines+markers+text", line_color="#0d6efd",
                               text=[("—" if v is None else f"{v:.2f}" if is_rate else f"{v:.0f}") for v in values],
                               textposition="top center", connectgaps=False, name=title,
                               hovertemplate="%{x}: %{y:.2f}<extra></extra>"))
    if target is not None:
        fig.add_hline(y=target, line_dash="dash", line_color="#dc3545", annotation_text=target_label,
                      annotation_position="bottom right")
    known = [v for v in values if v is not None] + ([target] if target is not None else [])
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    pad = max((high - low) * 0.25, abs(high) * 0.02, 0.5)  # room above for the labels, so they stay in the card
    fig.update_layout(showlegend=False, yaxis=dict(ticksuffix="%" if is_rate else "", range=[low - pad, high + pad]),
                      xaxis=dict(range=[-0.5, len(terms) - 0.5]))
    fig.update_traces(cliponaxis=False, selector=dict(type="scatter"))
    return _base_layout(fig, title)
