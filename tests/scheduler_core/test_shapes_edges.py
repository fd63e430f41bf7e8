"""The closed forms of scheduler_core.shapes at their edges (mutation-testing kills).

Each test pins a case the parity tests (closed form == stepping) reach rarely or never, with
values worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from scheduler_core import shapes


def test_cosine_cycles_passes_every_argument_on() -> None:
    ev = np.arange(40)
    args = (2.0, 0.5, 4, 1.5, 0.9, 0.8, 2)
    np.testing.assert_array_equal(shapes.cosine_cycles(ev, *args), shapes.cyclical(ev, "cosine", *args))
    kw = dict(cycle_mult=1.5, start_value_mult=0.9, end_value_mult=0.8, warmup_duration=2)
    np.testing.assert_array_equal(
        shapes.cosine_cycles(ev, 2.0, 0.5, 4, **kw), shapes.cyclical(ev, "cosine", 2.0, 0.5, 4, **kw)
    )


def test_cyclical_defaults_repeat_the_first_cycle() -> None:
    ev = np.arange(20)
    for form in ("cosine", "linear", "monotonic"):
        plain = shapes.cyclical(ev, form, 1.0, 0.25, 4)
        np.testing.assert_array_equal(plain, shapes.cyclical(ev, form, 1.0, 0.25, 4, 1.0, 1.0, 1.0, 0))
        np.testing.assert_array_equal(plain, np.tile(plain[:4], 5))


def test_cosine_cycles_defaults_keep_the_values() -> None:
    # no multipliers, no warm-up: every cycle is the first one
    v = shapes.cosine_cycles(np.arange(12), 2.0, 0.5, 4)
    np.testing.assert_array_equal(v, np.tile(v[:4], 3))
    assert v[0] == 2.0


# ------------------------------------------------------------------------------------------------
# cosine_warm_restarts
# ------------------------------------------------------------------------------------------------
def test_warm_restarts_last_event_opens_a_grown_cycle() -> None:
    # T_0=3, T_mult=2: call k sees T_cur after k+1 steps; cycles of 3, then 6, restart at step 9
    v = shapes.cosine_warm_restarts(np.arange(9), 1.0, 3, 2, 0.0)
    assert v[2] == 1.0 and v[8] == 1.0  # restarts: steps 3 and 9
    np.testing.assert_allclose(v[:2], [0.75, 0.25], rtol=1e-12)
    np.testing.assert_allclose(v[3:8], [(1 + np.cos(np.pi * t / 6)) / 2 for t in range(1, 6)], rtol=1e-12)
    np.testing.assert_array_equal(v[[8]], shapes.cosine_warm_restarts(np.array([8]), 1.0, 3, 2, 0.0))


# ------------------------------------------------------------------------------------------------
# cyclic_lr (torch's CyclicLR, built-in modes)
# ------------------------------------------------------------------------------------------------
def test_cyclic_lr_triangular_by_hand() -> None:
    v = shapes.cyclic_lr(np.arange(6), 0.1, 1.0, step_size_up=2, step_size_down=2, mode="triangular")
    np.testing.assert_allclose(v, [0.1, 0.55, 1.0, 0.55, 0.1, 0.55], rtol=1e-12)


def test_cyclic_lr_uneven_sides_by_hand() -> None:
    v = shapes.cyclic_lr(np.arange(5), 0.1, 1.0, step_size_up=1, step_size_down=3)
    np.testing.assert_allclose(v, [0.1, 1.0, 0.1 + 0.9 * 2 / 3, 0.1 + 0.9 / 3, 0.1], rtol=1e-12)


def test_cyclic_lr_triangular2_halves_each_cycle() -> None:
    v = shapes.cyclic_lr(np.arange(10), 0.1, 1.0, 2, 2, mode="triangular2")
    np.testing.assert_allclose(v[[2, 6, 5, 9]], [1.0, 0.55, 0.325, 0.2125], rtol=1e-12)


def test_cyclic_lr_exp_range_scales_by_gamma_per_event() -> None:
    v = shapes.cyclic_lr(np.arange(4), 0.1, 1.0, 2, 2, mode="exp_range", gamma=0.5)
    np.testing.assert_allclose(v, [0.1, 0.1 + 0.45 * 0.5, 0.1 + 0.9 * 0.25, 0.1 + 0.45 * 0.125], rtol=1e-12)


def test_cyclic_lr_defaults_are_torchs() -> None:
    le = np.array([0, 1000, 2000, 3000, 4000, 5000])
    np.testing.assert_array_equal(
        shapes.cyclic_lr(le, 0.1, 1.0), shapes.cyclic_lr(le, 0.1, 1.0, 2000, 2000, "triangular", 1.0)
    )
    np.testing.assert_allclose(shapes.cyclic_lr(le, 0.1, 1.0), [0.1, 0.55, 1.0, 0.55, 0.1, 0.55], rtol=1e-12)


def test_cyclic_lr_exp_range_default_gamma_is_1() -> None:
    le = np.arange(8)
    np.testing.assert_array_equal(
        shapes.cyclic_lr(le, 0.1, 1.0, 2, 2, mode="exp_range"), shapes.cyclic_lr(le, 0.1, 1.0, 2, 2)
    )


def test_cyclic_lr_other_modes_decline() -> None:
    with pytest.raises(shapes.NoClosedForm) as err:
        shapes.cyclic_lr(np.arange(3), 0.1, 1.0, 2, 2, mode="custom")
    assert str(err.value) == "no closed form for CyclicLR mode 'custom'"


# ------------------------------------------------------------------------------------------------
# torch's chainable factors evaluated in Python (LinearLR, PolynomialLR)
# ------------------------------------------------------------------------------------------------
def test_python_factors_of_the_first_call_alone() -> None:
    # only last_epoch 0 (the constructor's own step): LinearLR's factor is start_factor
    assert shapes.linear_lr_factors(np.array([0]), 0.5, 1.0, 4).tolist() == [0.5]
    # total_iters=0: the start factor at 0 and nothing after it
    assert shapes.linear_lr_factors(np.arange(3), 0.5, 1.0, 0).tolist() == [0.5, 1.0, 1.0]


def test_python_factors_of_no_event() -> None:
    assert shapes.linear_lr_factors(np.arange(0), 0.5, 1.0, 4).tolist() == []
    assert shapes.polynomial_lr_factors(np.arange(0), 4, 2.0).tolist() == []


def test_python_factors_from_a_later_start() -> None:
    le = np.arange(2, 7)  # past total_iters=4 the factor is 1
    expected = [1.0 + 0.5 / (4 * 0.5 + (k - 1) * 0.5) for k in (2, 3, 4)] + [1.0, 1.0]
    assert shapes.linear_lr_factors(le, 0.5, 1.0, 4).tolist() == expected
    poly = [((1.0 - k / 4) / (1.0 - (k - 1) / 4)) ** 2.0 for k in (2, 3, 4)] + [1.0, 1.0]
    assert shapes.polynomial_lr_factors(le, 4, 2.0).tolist() == poly


# ------------------------------------------------------------------------------------------------
# one_cycle (torch's OneCycleLR)
# ------------------------------------------------------------------------------------------------
def test_one_cycle_phase_end_belongs_to_the_phase() -> None:
    # total_steps=10, pct_start=0.3: the warm-up ends at step 2.0, which is still warm-up (pct=1,
    # torch's `step_num <= end_step`); the next phase's pct=0 would round differently here.
    at_end = np.array([2])
    cos = shapes.one_cycle(at_end, 0.04, 0.013, 0.003, 10, 0.3, "cos")
    assert cos.tolist() == [0.013]  # end + (start - end) / 2 * (cos(pi) + 1) == end
    lin = shapes.one_cycle(at_end, 0.04, 0.013, 0.003, 10, 0.3, "linear")
    assert lin.tolist() == [(0.013 - 0.04) * 1.0 + 0.04] != [0.013]
    three = shapes.one_cycle(np.array([2, 4]), 0.04, 0.013, 0.003, 10, 0.3, "linear", True)
    assert three.tolist() == [(0.013 - 0.04) * 1.0 + 0.04, (0.04 - 0.013) * 1.0 + 0.013]


def test_one_cycle_defaults_are_torchs() -> None:
    le = np.arange(11)
    default = shapes.one_cycle(le, 0.04, 1.0, 0.001, 10)
    np.testing.assert_array_equal(default, shapes.one_cycle(le, 0.04, 1.0, 0.001, 10, 0.3, "cos", False))
    assert not np.array_equal(default, shapes.one_cycle(le, 0.04, 1.0, 0.001, 10, 0.3, "linear"))
    assert not np.array_equal(default, shapes.one_cycle(le, 0.04, 1.0, 0.001, 10, 0.3, "cos", True))


def test_one_cycle_empty_last_phase_divides_by_zero_like_torch() -> None:
    # pct_start=1: the anneal phase starts and ends at step 9; step 10 is in it
    ok = shapes.one_cycle(np.arange(10), 0.04, 1.0, 0.001, 10, 1.0)
    assert ok[-1] == 1.0
    with pytest.raises(ZeroDivisionError) as err:
        shapes.one_cycle(np.arange(11), 0.04, 1.0, 0.001, 10, 1.0)
    assert str(err.value) == "float division by zero"


def test_one_cycle_past_total_steps_declines_as_stepping_raises() -> None:
    with pytest.raises(shapes.NoClosedForm) as err:
        shapes.one_cycle(np.arange(12), 0.04, 1.0, 0.001, 10)
    assert str(err.value) == "stepping raises: tried to step 11 times past total steps 10"


# ------------------------------------------------------------------------------------------------
# events: a range (step 1, from 0 up) or a 1-D integer array of non-negative indices
# ------------------------------------------------------------------------------------------------
def test_events_ranges_must_be_non_negative_with_step_1() -> None:
    for bad in (range(0, 10, 2), range(-1, 3)):
        with pytest.raises(ValueError) as err:
            shapes.cosine_cycles(bad, 1.0, 0.0, 4)
        assert str(err.value) == "Argument events should be a non-negative range with step 1"
    assert shapes.cosine_cycles(range(-1, -1), 1.0, 0.0, 4).tolist() == []  # empty: any start


def test_events_arrays_must_be_1d_integers() -> None:
    with pytest.raises(TypeError) as err:
        shapes.cosine_cycles(np.zeros((2, 3), dtype=np.int64), 1.0, 0.0, 4)
    assert str(err.value) == "Argument events should be a 1-D integer array, but given int64"
    with pytest.raises(TypeError) as err:
        shapes.cosine_cycles(np.arange(3.0), 1.0, 0.0, 4)
    assert str(err.value) == "Argument events should be a 1-D integer array, but given float64"
    with pytest.raises(ValueError) as err:
        shapes.piecewise_linear(np.array([3, -1]), [0, 4], [1.0, 0.0])
    assert str(err.value) == "Argument events should hold non-negative event indices"
    np.testing.assert_array_equal(  # unsigned indices are indices too
        shapes.cosine_cycles(np.arange(6, dtype=np.uint8), 1.0, 0.0, 4),
        shapes.cosine_cycles(range(6), 1.0, 0.0, 4),
    )


# ------------------------------------------------------------------------------------------------
# cycle_runs: the cycle layout, computed no further than needed
# ------------------------------------------------------------------------------------------------
def test_cycle_runs_stops_at_the_last_needed_cycle() -> None:
    assert list(shapes.cycle_runs(0, 4)) == []
    assert list(shapes.cycle_runs(4, 4)) == [(0, 4, 0, False)]  # ends exactly at stop
    assert list(shapes.cycle_runs(5, 4)) == [(0, 4, 0, True)]
    assert list(shapes.cycle_runs(6, 4, 1.0, 2)) == [(0, 4, 2, False)]
    assert list(shapes.cycle_runs(5, 4, 1.0, 2)) == [(0, 4, 2, False)]  # the warm-up reaches stop
    nan = float("nan")  # int(nan) raises: the next sizes must not be computed
    assert list(shapes.cycle_runs(6, 4, nan, 2)) == [(0, 4, 2, False)]
    assert list(shapes.cycle_runs(5, 4, nan, 2)) == [(0, 4, 2, False)]


def test_cycle_runs_declines_with_the_reason() -> None:
    with pytest.raises(shapes.NoClosedForm) as err:
        list(shapes.cycle_runs(10, 2.5))
    assert str(err.value) == "no closed form for non-integer cycle sizes (2.5)"
    with pytest.raises(shapes.NoClosedForm) as err:
        list(shapes.cycle_runs(10, 4, 1.0, True))
    assert str(err.value) == "no closed form for non-integer cycle sizes (True)"
    with pytest.raises(shapes.NoClosedForm) as err:
        list(shapes.cycle_runs(10, -4))
    assert str(err.value) == "no closed form for negative cycle sizes"
    with pytest.raises(ZeroDivisionError) as err:
        list(shapes.cycle_runs(10, 2, 0.4))
    assert str(err.value) == "cycle of size 0"
    assert list(shapes.cycle_runs(2, 2, 0.4)) == [(0, 2, 0, False)]  # size 0 never reached
