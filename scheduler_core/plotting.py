"""Plotly figures of simulated values (ignite draws with matplotlib; here Plotly)."""

from __future__ import annotations

from typing import Any

__all__ = ["figure_of_rows"]


def figure_of_rows(rows: list[list[Any]], label: str) -> Any:
    """A Plotly figure with one line per value column of ``[[event, v1, v2, ...], ...]`` rows.

    Raises:
        ModuleNotFoundError: plotly is not installed.
    """
    try:
        import plotly.graph_objects as go
    except ImportError as error:  # pragma: no cover - plotly is a dependency
        raise ModuleNotFoundError(
            "This method requires plotly to be installed. Please install it with `pip install plotly`"
        ) from error
    events = [row[0] for row in rows]
    width = max((len(row) for row in rows), default=2)
    figure = go.Figure()
    for column in range(1, width):
        name = label if width == 2 else f"{label} [{column - 1}]"
        figure.add_trace(go.Scatter(x=events, y=[row[column] for row in rows], mode="lines", name=name))
    figure.update_layout(xaxis_title="events", yaxis_title="values", showlegend=True)
    figure.update_xaxes(showgrid=True)
    figure.update_yaxes(showgrid=True)
    return figure
