"""decimate at its edges: exactly max_points values, the error wording (mutation-testing kills)."""

from __future__ import annotations

import numpy as np
import pytest

from scheduler_core.decimate import decimate, decimate_indices


@pytest.mark.parametrize("n", [4, 5, 6, 7, 50])
def test_exactly_max_points_keeps_every_point(n: int) -> None:
    # A constant series is the case where decimating would drop points (each bucket's min and
    # max coincide), so "n == max_points" must not decimate at all.
    values = np.ones(n)
    np.testing.assert_array_equal(decimate_indices(values, n), np.arange(n))
    events = np.arange(n) * 10
    ev, va = decimate(events, values, n)
    assert ev is events and va is values  # returned unchanged, not copied


def test_one_more_than_max_points_decimates() -> None:
    idx = decimate_indices(np.ones(7), 6)
    assert idx.tolist() == [0, 1, 4, 6]  # first, one per constant bucket (1-3 and 4-5), last
    assert idx.dtype == np.int64


def test_shape_error_is_worded_exactly() -> None:
    with pytest.raises(ValueError) as err:
        decimate(np.arange(10), np.zeros(9), 4)
    assert str(err.value) == (
        "Arguments events and values should be 1-D arrays of the same length, but given shapes (10,) and (9,)"
    )
