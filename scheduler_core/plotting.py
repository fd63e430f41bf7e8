"""Figures of simulated values: a Plotly figure, or lines drawn into a matplotlib ``Axes``.

ignite's ``plot_values`` draws with matplotlib's pyplot; here it returns a Plotly figure, or
draws into the ``Axes`` it is given. Neither plotting library is a dependency of the library:
each is imported when first used, with an error that says what to install.
"""

from __future__ import annotations

from typing import Any

from ._optional import import_optional

__all__ = ["figure_of_rows", "lines_of_rows", "plot_rows"]


def _columns(rows: list[list[Any]], label: str) -> tuple[list[Any], list[tuple[str, list[Any]]]]:
    """The events and ``(name, values)`` per value column of ``[[event, v1, v2, ...], ...]``."""
    events = [row[0] for row in rows]
    width = max((len(row) for row in rows), default=2)
    names = [label if width == 2 else f"{label} [{column - 1}]" for column in range(1, width)]
    return events, [(name, [row[c] for row in rows]) for c, name in enumerate(names, start=1)]


def figure_of_rows(rows: list[list[Any]], label: str) -> Any:
    """A Plotly figure with one line per value column of ``[[event, v1, v2, ...], ...]`` rows.

    Raises:
        ModuleNotFoundError: plotly is not installed (``pip install plotly``, or the
            ``[plot]`` extra of schedule-explorer).
    """
    go = import_optional("plotly.graph_objects", "plot_values needs plotly (the [plot] extra)", "plotly")
    events, columns = _columns(rows, label)
    figure = go.Figure()
    for name, values in columns:
        figure.add_trace(go.Scatter(x=events, y=values, mode="lines", name=name))
    figure.update_layout(xaxis_title="events", yaxis_title="values", showlegend=True)
    figure.update_xaxes(showgrid=True)
    figure.update_yaxes(showgrid=True)
    return figure


def lines_of_rows(rows: list[list[Any]], label: str, ax: Any) -> list[Any]:
    """Draw one line per value column of ``rows`` into the matplotlib ``ax``; return the lines.

    Adds a legend and a grid, as ignite's ``plot_values`` does.

    Raises:
        ModuleNotFoundError: matplotlib is not installed (``pip install matplotlib``).
        TypeError: ``ax`` is not a ``matplotlib.axes.Axes``.
    """
    axes = import_optional("matplotlib.axes", "plot_values(ax=...) needs matplotlib", "matplotlib")
    if not isinstance(ax, axes.Axes):
        raise TypeError(f"Argument ax should be a matplotlib.axes.Axes, but given {type(ax)}")
    events, columns = _columns(rows, label)
    lines = [line for name, values in columns for line in ax.plot(events, values, label=name)]
    ax.legend()
    ax.grid(which="both")
    return lines


def plot_rows(rows: list[list[Any]], label: str, ax: Any = None) -> Any:
    """``lines_of_rows(rows, label, ax)`` when ``ax`` is given, else ``figure_of_rows(rows, label)``."""
    return figure_of_rows(rows, label) if ax is None else lines_of_rows(rows, label, ax)
