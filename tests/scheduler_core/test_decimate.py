"""decimate keeps first/last and every bucket's extremes, exactly, within max_points."""

from __future__ import annotations

import numpy as np
import pytest
import scheduler_testkit as kit
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scheduler_core.decimate import decimate

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@given(
    hnp.arrays(np.float64, st.integers(1, 3000), elements=finite),
    st.integers(4, 300),
)
@kit.profile(200)
def test_bounds_endpoints_and_extremes(values: np.ndarray, max_points: int) -> None:
    events = np.arange(values.size) * 3 + 7
    ev, va = decimate(events, values, max_points)
    assert ev.size == va.size
    assert ev.size <= max_points
    assert ev[0] == events[0] and ev[-1] == events[-1]
    assert np.all(np.diff(ev) > 0)  # a subset, in event order
    idx = (ev - 7) // 3
    np.testing.assert_array_equal(va, values[idx])  # exact values
    assert va.max() == values.max() and va.min() == values.min()
    if values.size > max_points:
        buckets = np.array_split(np.arange(1, values.size - 1), (max_points - 2) // 2)
        kept = set(idx.tolist())
        for b in buckets:
            assert b[np.argmin(values[b])] in kept and b[np.argmax(values[b])] in kept


def test_every_peak_of_a_long_schedule_survives() -> None:
    from scheduler_core import shapes

    n = 1_000_000
    values = shapes.cosine_cycles(np.arange(n), 1.0, 0.0, 1000, 1.0, 0.999)
    ev, va = decimate(np.arange(n), values, 4000)
    assert ev.size <= 4000
    starts = np.arange(0, n, 1000)  # every cycle's peak (its first event) is kept exactly
    assert set(starts.tolist()) <= set(ev.tolist())
    np.testing.assert_array_equal(va[np.isin(ev, starts)], values[starts])


def test_short_input_is_returned_unchanged() -> None:
    ev, va = np.arange(5), np.linspace(0, 1, 5)
    out_ev, out_va = decimate(ev, va, 5)
    np.testing.assert_array_equal(out_ev, ev)
    np.testing.assert_array_equal(out_va, va)
    assert decimate(ev[:1], va[:1], 4)[1].tolist() == [0.0]


def test_constant_series_keeps_one_point_per_bucket() -> None:
    ev, va = decimate(np.arange(100), np.ones(100), 10)
    assert ev[0] == 0 and ev[-1] == 99 and ev.size <= 10


@pytest.mark.parametrize("max_points", [3, 0, -1, 2.5, True, "10"])
def test_bad_max_points(max_points) -> None:
    with pytest.raises(ValueError, match="max_points"):
        decimate(np.arange(10), np.zeros(10), max_points)


def test_mismatched_arrays() -> None:
    with pytest.raises(ValueError, match="same length"):
        decimate(np.arange(10), np.zeros(9), 4)
    with pytest.raises(ValueError, match="1-D"):
        decimate(np.zeros((2, 5)), np.zeros((2, 5)), 4)
