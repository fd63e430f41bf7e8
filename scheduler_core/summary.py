"""Summary numbers of one value series: where it starts and ends, its range, mean and area."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["AREA_RULE", "summarize"]

AREA_RULE = "sum"
"""The area under the curve is the sum of the values, one per event (each event's value held for
one event: the total a parameter contributes over the run, e.g. the summed learning rate)."""


def summarize(values: np.ndarray, restarts: int = 0) -> dict[str, Any]:
    """Summary numbers of the series ``values`` (value at events ``0 .. n-1``).

    Keys: ``initial`` and ``final`` (first and last value), ``min``, ``max``, ``peak_event``
    (first event holding the max), ``mean``, ``area`` (see :data:`AREA_RULE`), ``restarts``
    (the count given), ``warmup_end``: the last event of the initial rise (the first event not
    followed by a higher value) when the series starts by rising, else ``None``.

    Args:
        values: 1-D float array of at least one value.
        restarts: number of restart events of the series' schedule.

    Raises:
        ValueError: ``values`` empty or not 1-D.

    >>> summarize(np.array([0.0, 0.5, 1.0, 1.0, 0.25]), restarts=1)["warmup_end"]
    2
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"Argument values should be a non-empty 1-D array, but given shape {values.shape}")
    warmup_end = None
    if values.size > 1 and values[1] > values[0]:
        not_rising = np.flatnonzero(values[1:] <= values[:-1])
        warmup_end = int(not_rising[0]) if not_rising.size else values.size - 1
    return {
        "initial": float(values[0]),
        "final": float(values[-1]),
        "min": float(values.min()),
        "max": float(values.max()),
        "peak_event": int(np.argmax(values)),
        "mean": float(values.mean()),
        "area": float(values.sum()),
        "restarts": int(restarts),
        "warmup_end": warmup_end,
    }
