"""Decimation of long series for charts, keeping every peak and trough."""

from __future__ import annotations

import numpy as np

__all__ = ["decimate", "decimate_indices"]


def _bucket_extremes(values: np.ndarray, first: int, size: int, count: int) -> np.ndarray:
    """Sorted indices of the min and the max of ``count`` buckets of ``size`` from ``first``."""
    block = values[first : first + size * count].reshape(count, size)
    base = first + size * np.arange(count)
    lo = base + np.argmin(block, axis=1)
    hi = base + np.argmax(block, axis=1)
    return np.stack([np.minimum(lo, hi), np.maximum(lo, hi)], axis=1).ravel()


def decimate(events: np.ndarray, values: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_points`` points of ``(events, values)``: first, last, and per-bucket extremes.

    The interior points are split into ``(max_points - 2) // 2`` buckets of equal size (sizes
    differ by at most one); each bucket contributes its minimum and its maximum (first
    occurrences, once if they coincide), in event order. So every local peak and trough
    survives with its exact value; a NaN is picked as its bucket's extreme and survives too.
    With ``max_points >= len(values)`` the input is returned unchanged (as arrays).

    Args:
        events: 1-D event indices (or x values), same length as ``values``.
        values: 1-D values.
        max_points: upper bound on the output length, an int of at least 4.

    Raises:
        ValueError: ``max_points`` below 4 or not an int; arrays not 1-D or of different lengths.

    >>> ev = np.arange(10)
    >>> decimate(ev, np.array([0, 5, 1, 1, 1, 1, -3, 1, 1, 2.0]), 6)
    (array([0, 1, 2, 5, 6, 9]), array([ 0.,  5.,  1.,  1., -3.,  2.]))
    """
    if isinstance(max_points, bool) or not isinstance(max_points, int | np.integer):
        raise ValueError(f"Argument max_points should be an integer, but given {max_points!r}")
    if max_points < 4:
        raise ValueError(f"Argument max_points should be at least 4, but given {max_points}")
    events, values = np.asarray(events), np.asarray(values)
    if events.ndim != 1 or values.ndim != 1 or events.shape != values.shape:
        raise ValueError(
            "Arguments events and values should be 1-D arrays of the same length, "
            f"but given shapes {events.shape} and {values.shape}"
        )
    if values.size <= max_points:
        return events, values
    idx = decimate_indices(values, max_points)
    return events[idx], values[idx]


def decimate_indices(values: np.ndarray, max_points: int) -> np.ndarray:
    """The sorted int64 indices :func:`decimate` keeps (all of them when ``len(values) <= max_points``).

    For values whose events are ``0 .. n-1`` these indices are the events, with no index array
    of length ``n`` ever allocated.

    >>> decimate_indices(np.array([0, 5, 1, 1, 1, 1, -3, 1, 1, 2.0]), 6)
    array([0, 1, 2, 5, 6, 9])
    """
    n = values.size
    if n <= max_points:
        return np.arange(n, dtype=np.int64)
    buckets = (max_points - 2) // 2
    interior = n - 2
    size, extra = divmod(interior, buckets)
    parts = [np.zeros(1, dtype=np.int64)]
    if extra:
        parts.append(_bucket_extremes(values, 1, size + 1, extra))
    parts.append(_bucket_extremes(values, 1 + (size + 1) * extra, size, buckets - extra))
    parts.append(np.array([n - 1], dtype=np.int64))
    idx = np.concatenate(parts)
    keep = np.ones(idx.size, dtype=bool)
    keep[1:] = idx[1:] != idx[:-1]
    return idx[keep]
