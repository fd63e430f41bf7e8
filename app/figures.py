"""Plotly figures of computed series (plotly is imported lazily: only figure routes need it)."""

from __future__ import annotations

import html
from typing import Any, Literal

import numpy as np

from app.compute import SeriesData

Layout = Literal["subplots", "overlay"]


def _text(s: str) -> str:
    """User text for Plotly labels: escaped, since Plotly interprets a subset of HTML."""
    return html.escape(s, quote=True)


def build_figure(
    series: list[SeriesData],
    points: list[tuple[np.ndarray, np.ndarray]],
    *,
    layout: Layout = "subplots",
    log_y: bool = False,
    title: str | None = None,
) -> Any:
    """A ``plotly.graph_objects.Figure``: one subplot per param group side by side with a shared
    event axis (``layout="subplots"``), or every series on one axis (``"overlay"``)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    groups = list(dict.fromkeys((s.param_group, s.group_name) for s in series))
    if layout == "subplots" and len(groups) > 1:
        fig = make_subplots(
            rows=1,
            cols=len(groups),
            shared_xaxes="all",
            subplot_titles=[f"{_text(name)}" for _, name in groups],
            horizontal_spacing=min(0.08, 0.5 / len(groups)),
        )
        col_of = {g: i + 1 for i, (g, _) in enumerate(groups)}
    else:
        fig = go.Figure()
        col_of = None
    for s, (ev, va) in zip(series, points, strict=True):
        name = f"{_text(s.group_name)} · {_text(s.param_name)}" if col_of is None else _text(s.param_name)
        trace = go.Scatter(
            x=ev.tolist(),
            y=va.tolist(),
            mode="lines",
            name=name,
            legendgroup=f"g{s.param_group}",
            hovertemplate="event %{x}<br>%{y:.6g}<extra>" + name + "</extra>",
        )
        if col_of is None:
            fig.add_trace(trace)
        else:
            fig.add_trace(trace, row=1, col=col_of[s.param_group])
    fig.update_xaxes(title_text="event")
    if log_y:
        fig.update_yaxes(type="log", exponentformat="e")
    fig.update_layout(
        template="plotly_white",
        title=None if title is None else _text(title),
        hovermode="x unified",
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
    )
    return fig


def figure_json(fig: Any) -> dict[str, Any]:
    """The figure as a plain JSON-able dict ({"data", "layout"})."""
    return fig.to_plotly_json()


def figure_html(fig: Any) -> str:
    """A standalone page with plotly.js inlined (works offline)."""
    return fig.to_html(include_plotlyjs=True, full_html=True, config={"displaylogo": False})
