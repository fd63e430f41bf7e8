"""scheduler_core.summary: the summary numbers of one series."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scheduler_core.summary import summarize


def test_a_warm_up_then_cosine_decay() -> None:
    warm = np.linspace(0.0, 1.0, 11)  # events 0..10 rise to 1.0
    decay = 0.5 * (1 + np.cos(np.pi * np.arange(1, 90) / 90))
    values = np.concatenate([warm, decay])
    s = summarize(values, restarts=1)
    assert (s["initial"], s["final"], s["min"], s["max"]) == (0.0, values[-1], 0.0, 1.0)
    assert s["peak_event"] == 10 and s["warmup_end"] == 10 and s["restarts"] == 1
    assert s["area"] == math.fsum(values) or math.isclose(s["area"], math.fsum(values), rel_tol=1e-15)
    assert math.isclose(s["mean"], math.fsum(values) / len(values), rel_tol=1e-15)


@pytest.mark.parametrize(
    ("values", "warmup_end"),
    [
        ([1.0, 0.5, 0.2], None),
        ([0.5, 0.5, 1.0], None),
        ([0.1, 0.2, 0.3], 2),
        ([0.1, 0.2, 0.2, 0.3], 1),
        ([7.0], None),
    ],
)
def test_warm_up_end_is_the_end_of_the_initial_rise(values, warmup_end) -> None:
    assert summarize(np.array(values))["warmup_end"] == warmup_end


def test_peak_event_is_the_first_maximum_and_empty_is_refused() -> None:
    assert summarize(np.array([0.0, 2.0, 1.0, 2.0]))["peak_event"] == 1
    with pytest.raises(ValueError, match="values"):
        summarize(np.array([]))
