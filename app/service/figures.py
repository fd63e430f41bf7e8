"""Plotly figures of computed series (plotly is imported lazily: only figure routes need it).

The figure's structure (subplots, axes, titles, trace styles) is built and validated with the
plotly package once per shape and cached; each request only drops its decimated arrays into a
fresh copy of the trace dicts. Building every figure through ``plotly.graph_objects`` would
validate and deep-copy every point (about 15 ms per 2,000-point trace pair).
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from .compute import SeriesData

Layout = Literal["subplots", "overlay"]
Labels = tuple[tuple[int, str, str], ...]  # (param_group, group_name, param_name) per trace


def _text(s: str) -> str:
    """User text for Plotly labels: escaped, since Plotly interprets a subset of HTML."""
    return html.escape(s, quote=True)


@lru_cache(maxsize=256)
def _skeleton(labels: Labels, layout: Layout, log_y: bool, title: str | None) -> dict[str, Any]:
    """The validated figure (as plotly JSON) with empty traces, for one shape of figure."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    groups = list(dict.fromkeys((g, name) for g, name, _ in labels))
    if layout == "subplots" and len(groups) > 1:
        fig = make_subplots(
            rows=1,
            cols=len(groups),
            shared_xaxes="all",
            subplot_titles=[_text(name) for _, name in groups],
            horizontal_spacing=min(0.08, 0.5 / len(groups)),
        )
        col_of = {group: i + 1 for i, group in enumerate(groups)}  # state series: (-1, holder)
    else:
        fig = go.Figure()
        col_of = None
    for group, group_name, param_name in labels:
        name = f"{_text(group_name)} · {_text(param_name)}" if col_of is None else _text(param_name)
        trace = go.Scatter(
            x=[],
            y=[],
            mode="lines",
            name=name,
            legendgroup=f"g{group}{group_name if group < 0 else ''}",
            hovertemplate="event %{x}<br>%{y:.6g}<extra>" + name + "</extra>",
        )
        fig.add_trace(trace, **({} if col_of is None else {"row": 1, "col": col_of[(group, group_name)]}))
    fig.update_xaxes(title_text="event")
    if log_y:
        fig.update_yaxes(type="log", exponentformat="e")
    fig.update_layout(
        template="plotly_white",
        title=None if title is None else _text(title),
        hovermode="x unified",
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
    )
    return fig.to_plotly_json()


def build_figure(
    series: list[SeriesData],
    points: list[tuple[np.ndarray, np.ndarray]],
    *,
    layout: Layout = "subplots",
    log_y: bool = False,
    title: str | None = None,
) -> dict[str, Any]:
    """A JSON-able Plotly figure dict ``{"data", "layout"}`` (numpy arrays inside: encode with
    orjson's ``OPT_SERIALIZE_NUMPY``): one subplot per param group side by side with
    a shared event axis (``layout="subplots"``), or every series on one axis (``"overlay"``).

    The ``layout`` dict is shared with the cache: treat the result as read-only.
    """
    labels = tuple((s.param_group, s.group_name, s.param_name) for s in series)
    skeleton = _skeleton(labels, layout, log_y, title)
    data = [{**trace, "x": ev, "y": va} for trace, (ev, va) in zip(skeleton["data"], points, strict=True)]
    return {"data": data, "layout": skeleton["layout"]}


def figure_html(fig: dict[str, Any]) -> str:
    """A standalone page with plotly.js inlined (works offline)."""
    import plotly.io as pio

    plain = {
        "data": [{**t, "x": t["x"].tolist(), "y": t["y"].tolist()} for t in fig["data"]],
        "layout": fig["layout"],
    }
    return pio.to_html(
        plain, include_plotlyjs=True, full_html=True, validate=False, config={"displaylogo": False}
    )
