"""The closed forms of scheduler_core.shapes at their edges (mutation-testing kills).

Each test pins a case the parity tests (closed form == stepping) reach rarely or never, with
values worked out by hand.
"""

from __future__ import annotations

import numpy as np

from scheduler_core import shapes


def test_cosine_cycles_passes_every_argument_on() -> None:
    ev = np.arange(40)
    args = (2.0, 0.5, 4, 1.5, 0.9, 0.8, 2)
    np.testing.assert_array_equal(shapes.cosine_cycles(ev, *args), shapes.cyclical(ev, "cosine", *args))
    kw = dict(cycle_mult=1.5, start_value_mult=0.9, end_value_mult=0.8, warmup_duration=2)
    np.testing.assert_array_equal(
        shapes.cosine_cycles(ev, 2.0, 0.5, 4, **kw), shapes.cyclical(ev, "cosine", 2.0, 0.5, 4, **kw)
    )


def test_cosine_cycles_defaults_keep_the_values() -> None:
    # no multipliers, no warm-up: every cycle is the first one
    v = shapes.cosine_cycles(np.arange(12), 2.0, 0.5, 4)
    np.testing.assert_array_equal(v, np.tile(v[:4], 3))
    assert v[0] == 2.0
