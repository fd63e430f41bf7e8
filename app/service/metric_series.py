"""The metric curves read by an experiment's plateau schedulers, as the ``/series`` replies show them.

One entry per curve read (the first scheduler reading it, in list order, gives its events):
``{"name", "events", "values", "decimated"}``, value ``k`` at the first iteration processed after the
``k``-th read (see :func:`scheduler_core.metrics.metric_reads`). JSON puts them in a top-level
``"metrics"`` list; CSV in ``metric/<name>`` columns, empty where nothing was read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scheduler_core.decimate import decimate_indices
from scheduler_core.metrics import metric_reads

from ..contract.schemas import Experiment
from .convert import to_core


@dataclass(frozen=True)
class MetricSeries:
    name: str
    events: np.ndarray
    values: np.ndarray
    decimated: bool = False
    """Whether some reads in the window were left out (``max_points``)."""

    def json(self) -> dict:
        return {"name": self.name, "events": self.events, "values": self.values, "decimated": self.decimated}


def metric_series(
    exp: Experiment, window: tuple[int, int] | None = None, max_points: int | None = None
) -> list[MetricSeries]:
    """The curves read, their reads in ``window`` (events ``[start, stop)``, default all) reduced
    to about ``max_points`` as the series are (None: all)."""
    if not exp.metrics:
        return []
    out: dict[str, MetricSeries] = {}
    for read in metric_reads(to_core(exp)):
        if read.name in out:
            continue
        events, values = read.events, read.values
        if window is not None:
            keep = (events >= window[0]) & (events < window[1])
            events, values = events[keep], values[keep]
        kept = len(values)
        if max_points is not None:
            pick = decimate_indices(values, max_points)
            events, values = events[pick], values[pick]
        out[read.name] = MetricSeries(read.name, events, values, len(values) < kept)
    return list(out.values())


def csv_columns(metrics: list[MetricSeries], events: np.ndarray) -> list[np.ndarray]:
    """Per curve, its values on the CSV's rows ``events`` (sorted; they hold every read event in
    the window): NaN where nothing was read, which the CSV writes as an empty cell."""
    columns = []
    for m in metrics:
        column = np.full(len(events), np.nan)
        column[np.searchsorted(events, m.events)] = m.values
        columns.append(column)
    return columns
