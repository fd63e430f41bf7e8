"""Differential tests: ``scheduler_core.optax`` against optax 0.2.8 on jax 0.10.2 (CPU).

Random configurations of every schedule (``CONFIGS_PER_TYPE`` = 200 each, 100 for the three
that need ``jax.vmap``; seeded; ``OPTAX_EXAMPLES_SCALE`` multiplies the counts for a soak run), each evaluated over a vector of counts 0..H-1:

- ``precision="float64"`` against optax with ``jax_enable_x64`` and int64 counts, run op by op
  (eager; ``jax.vmap`` for the piecewise-interpolated ones, which take one count at a time): bit
  for bit, the sign of zeros included (int64 views compared).
- the same configurations under ``jax.jit`` (what a jitted training step computes): XLA folds
  constants (``pi * t / T`` becomes ``t * (pi / T)``, ``x ** 3.0`` becomes ``x * x * x``) and fuses
  multiply-adds, so values move by a few ulps: at most ``JIT_TOLERANCE`` units of
  ``2**-52 * scale`` (``scale`` = the largest magnitude among the values and the configuration's
  numbers). Polynomials with a fractional power are left out: there jitted optax itself jumps at
  the end of the transition (see ``_fractional_power``).
- eager optax divides an array by a scalar as a product with the scalar's inverse (so do we);
  called with a 0-d count it divides, which can differ by an ulp: the reference is the array call.
- ``precision="float32"`` against optax's default (float32, int32 counts), eager: ``cos`` and
  ``pow`` differ from the C library's ``cosf``/``powf`` by a float32 ulp now and then, which the
  later operations carry: at most ``F32_TOLERANCE`` units of ``2**-23 * scale``.
- the scalar path (``schedule(i)``, what stepping uses) equals the vector path bit for bit, and an
  experiment's closed form equals stepping it.

Under ``CI=true`` a missing jax/optax is a failure, elsewhere a skip.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

if os.environ.get("CI") == "true":
    import jax
    import optax
else:
    jax = pytest.importorskip("jax")
    optax = pytest.importorskip("optax")
import jax.numpy as jnp  # noqa: E402

# optax imports absl, whose log handler keeps the sys.stderr of the moment (pytest's capture file)
# and closes it when a later test reconfigures logging (uvicorn's dictConfig): point it at the
# process's real stderr, which absl never closes.
from absl import logging as absl_logging  # noqa: E402

absl_logging.get_absl_handler().python_handler.stream = sys.__stderr__

from scheduler_core import optax as core  # noqa: E402
from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, simulate  # noqa: E402

SCALE = float(os.environ.get("OPTAX_EXAMPLES_SCALE", "1"))
CONFIGS_PER_TYPE = max(1, int(200 * SCALE))
VMAPPED_CONFIGS = max(1, int(100 * SCALE))  # the piecewise-interpolated ones: jax.vmap traces each call
JIT_CONFIGS_PER_TYPE = max(1, int(8 * SCALE))
JIT_TOLERANCE = 16  # ulps of the scale, float64 against jitted optax (largest seen: 3.7, sgdr)
F32_TOLERANCE = 4  # float32 ulps of the scale (largest seen: 1.7, sgdr and warm-up cosine)
HORIZON = 700
BOUNDARY_COUNTS = (0, 2, 5, 17, 40)  # 17 and more: XLA's blocked cumprod of 18+ values
VMAPPED = {"piecewise_interpolate_schedule", "cosine_onecycle_schedule", "linear_onecycle_schedule"}


def test_versions():
    assert optax.__version__ == "0.2.8"
    assert jax.__version__ == "0.10.2"


# ------------------------------------------------------------------------------------------------
# random configurations (optax's keyword names)
# ------------------------------------------------------------------------------------------------
def _value(rng: np.random.Generator) -> float:
    kind = rng.integers(6)
    if kind == 0:
        return 0.0
    if kind == 1:
        return float(rng.choice([1.0, 0.1, 1e-3, 3e-4, 0.5, 2.0]))
    return float(rng.uniform(-1, 1) * 10.0 ** rng.integers(-6, 3)) if kind == 2 else float(rng.uniform(0, 1))


def _pos(rng: np.random.Generator) -> float:
    return (
        float(rng.uniform(0.05, 3.0)) if rng.random() < 0.8 else float(rng.choice([0.1, 0.5, 1.0, 2.0, 10.0]))
    )


def _steps(rng: np.random.Generator, lo: int = 1) -> int:
    return int(rng.choice([rng.integers(lo, 20), rng.integers(lo, 300), rng.integers(lo, 1500)]))


def _power(rng: np.random.Generator):
    kind = rng.integers(4)
    if kind == 0:
        return int(rng.integers(0, 5))  # jnp.power: integer_pow
    if kind == 1:
        return float(rng.integers(0, 5))  # XLA pow (folded under jit)
    return float(rng.uniform(0.1, 4.0))


def _scales(rng: np.random.Generator, most: int, horizon: int) -> dict[int, float]:
    k = int(rng.choice([n for n in BOUNDARY_COUNTS if n <= most]))  # few shapes: few jax compilations
    keys = rng.choice(np.arange(0, horizon + 50), size=min(k, horizon + 50), replace=False)
    return {int(b): (float(rng.choice([0.0, 1.0, 0.1])) if rng.random() < 0.1 else _pos(rng)) for b in keys}


def _warmup_cosine(rng: np.random.Generator) -> dict:
    warm = int(rng.integers(0, 50)) if rng.random() < 0.8 else 0
    kw = {"init_value": _value(rng), "peak_value": _value(rng), "warmup_steps": warm}
    kw["decay_steps"] = warm + _steps(rng)
    if rng.random() < 0.6:
        kw["end_value"] = _value(rng)
    if rng.random() < 0.4:
        kw["exponent"] = _power(rng) or 1.0
    return kw


def _exponential(rng: np.random.Generator) -> dict:
    kw = {
        "transition_steps": _steps(rng, lo=-2),
        "decay_rate": float(rng.choice([0.0, 0.5, 0.9, 0.99, 1.05])) if rng.random() < 0.3 else _pos(rng) / 3,
    }
    if rng.random() < 0.5:
        kw["transition_begin"] = int(rng.integers(-5, 100))
    if rng.random() < 0.5:
        kw["staircase"] = bool(rng.random() < 0.5)
    if rng.random() < 0.5:
        kw["end_value"] = _value(rng)
    return kw


def _simple(rng: np.random.Generator, horizon: int) -> tuple[str, dict]:
    # the piecewise-interpolated ones (checked on their own) need jax.vmap: slow to trace
    name = str(rng.choice(sorted(set(GENERATORS) - {"join_schedules", "sgdr_schedule"} - VMAPPED)))
    return name, GENERATORS[name](rng, horizon)


GENERATORS = {
    "constant_schedule": lambda rng, h: {"value": _value(rng)},
    "linear_schedule": lambda rng, h: {
        "init_value": _value(rng),
        "end_value": _value(rng),
        "transition_steps": _steps(rng, lo=-2),
        "transition_begin": int(rng.integers(-5, 200)),
    },
    "polynomial_schedule": lambda rng, h: {
        "init_value": _value(rng),
        "end_value": _value(rng),
        "power": _power(rng),
        "transition_steps": _steps(rng, lo=-2),
        "transition_begin": int(rng.integers(-5, 200)),
    },
    "exponential_decay": lambda rng, h: {"init_value": _value(rng), **_exponential(rng)},
    "cosine_decay_schedule": lambda rng, h: {
        "init_value": _value(rng),
        "decay_steps": _steps(rng),
        "alpha": _value(rng),
        "exponent": _power(rng) if rng.random() < 0.5 else 1.0,
    },
    "warmup_cosine_decay_schedule": lambda rng, h: _warmup_cosine(rng),
    "warmup_exponential_decay_schedule": lambda rng, h: {
        "init_value": _value(rng),
        "peak_value": _value(rng),
        "warmup_steps": int(rng.integers(0, 60)),
        **_exponential(rng),
    },
    "cosine_onecycle_schedule": lambda rng, h: {
        "transition_steps": _steps(rng),
        "peak_value": _value(rng),
        "pct_start": float(rng.uniform(0, 1)),
        "div_factor": float(rng.uniform(1, 50)),
        "final_div_factor": float(rng.choice([1e4, 10.0, rng.uniform(1, 1e5)])),
    },
    "linear_onecycle_schedule": lambda rng, h: {
        "transition_steps": _steps(rng),
        "peak_value": _value(rng),
        "pct_start": float(rng.uniform(0, 0.5)),
        "pct_final": float(rng.uniform(0.5, 1)),
        "div_factor": float(rng.uniform(1, 50)),
        "final_div_factor": float(rng.choice([1e4, 10.0, rng.uniform(1, 1e5)])),
    },
    "piecewise_constant_schedule": lambda rng, h: {
        "init_value": _value(rng),
        "boundaries_and_scales": _scales(rng, 20, h),
    },
    "piecewise_interpolate_schedule": lambda rng, h: {
        "interpolate_type": str(rng.choice(["linear", "cosine"])),
        "init_value": _value(rng),
        "boundaries_and_scales": _scales(rng, 40, h),
    },
    "sgdr_schedule": lambda rng, h: {
        "cosine_kwargs": [_warmup_cosine(rng) for _ in range(rng.integers(1, 5))]
    },
    "join_schedules": lambda rng, h: _join(rng, h),
}


def _join(rng: np.random.Generator, horizon: int) -> dict:
    children = [_simple(rng, horizon) for _ in range(rng.integers(1, 5))]
    boundaries = sorted(int(b) for b in rng.integers(0, horizon, size=len(children) - 1))
    return {"schedules": children, "boundaries": boundaries}


def _configs(name: str, count: int) -> list[tuple[dict, int]]:
    """``count`` configurations of ``name``, each with its number of counts (one horizon: jax
    compiles each operation once per shape)."""
    rng = np.random.default_rng(sum(map(ord, name)))
    return [(GENERATORS[name](rng, HORIZON), HORIZON) for _ in range(count)]


def _build(lib, name: str, kwargs: dict, **extra):
    """The schedule of ``lib`` (optax or scheduler_core.optax) for one configuration."""
    if name == "join_schedules":
        children = [_build(lib, n, kw, **extra) for n, kw in kwargs["schedules"]]
        return lib.join_schedules(children, kwargs["boundaries"])
    return getattr(lib, name)(**kwargs, **extra)


def _optax_values(name: str, kwargs: dict, horizon: int, x64: bool, jit: bool = False) -> np.ndarray:
    with jax.enable_x64(x64):
        schedule = _build(optax, name, kwargs)
        counts = jnp.arange(horizon, dtype=jnp.int64 if x64 else jnp.int32)
        vmapped = name in VMAPPED or (
            name == "join_schedules" and any(n in VMAPPED for n, _ in kwargs["schedules"])
        )
        fn = jax.vmap(schedule) if vmapped else schedule
        fn = jax.jit(fn) if jit else fn
        out = np.asarray(fn(counts))
        if out.ndim == 0:  # a constant: optax returns the Python number itself
            out = np.full(horizon, out)
        return out.astype(np.float64 if x64 else np.float32)


def _scale(kwargs: dict, *values: np.ndarray) -> float:
    nums = [abs(v) for v in _numbers(kwargs)] + [float(np.max(np.abs(v), initial=0.0)) for v in values]
    return max([n for n in nums if np.isfinite(n)] + [1e-300])


def _numbers(obj) -> list[float]:
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in _numbers(v)] + [x for k in obj for x in _numbers(k)]
    if isinstance(obj, list | tuple):
        return [x for v in obj for x in _numbers(v)]
    return [float(obj)] if isinstance(obj, float) and obj != 0 else []


def _fractional_power(obj) -> bool:
    """A polynomial with a fractional power: jitted optax computes ``1 - t * (1 / T)`` with a
    fused multiply-add, which leaves +-1e-17 instead of 0 at the end of the transition; that
    to a fractional power is far from 0 (NaN when negative): 1e-4 of the scale was seen."""
    if isinstance(obj, dict):
        power = obj.get("power")
        if isinstance(power, float) and not power.is_integer():
            return True
        return any(_fractional_power(v) for v in obj.values())
    if isinstance(obj, list | tuple):
        return any(_fractional_power(v) for v in obj)
    return False


def _construct_both(name: str, kwargs: dict, precision: str):
    try:
        expected = _build(optax, name, kwargs)
    except Exception as exc:  # noqa: BLE001 - the same exception type must come out of ours
        with pytest.raises(type(exc)):
            _build(core, name, kwargs, **({} if name == "join_schedules" else {"precision": precision}))
        return None
    del expected
    return _build(core, name, kwargs, **({} if name == "join_schedules" else {"precision": precision}))


def _core_precision(name: str, kwargs: dict, precision: str):
    if name == "join_schedules":
        children = [getattr(core, n)(**kw, precision=precision) for n, kw in kwargs["schedules"]]
        return core.join_schedules(children, kwargs["boundaries"])
    return getattr(core, name)(**kwargs, precision=precision)


# ------------------------------------------------------------------------------------------------
# the tests
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_float64_equals_optax_x64_bit_for_bit(name):
    checked, count = 0, VMAPPED_CONFIGS if name in VMAPPED else CONFIGS_PER_TYPE
    for kwargs, horizon in _configs(name, count):
        if _construct_both(name, kwargs, "float64") is None:
            continue
        ours = _core_precision(name, kwargs, "float64")(np.arange(horizon))
        ref = _optax_values(name, kwargs, horizon, x64=True)
        bad = np.flatnonzero(ours.view(np.int64) != ref.view(np.int64))
        assert not len(bad), (kwargs, bad[:5], ours[bad[:5]].tolist(), ref[bad[:5]].tolist())
        checked += 1
    assert checked >= count // 2


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_float32_close_to_default_optax(name):
    worst = 0.0
    for kwargs, horizon in _configs(name, VMAPPED_CONFIGS if name in VMAPPED else CONFIGS_PER_TYPE):
        if _construct_both(name, kwargs, "float32") is None:
            continue
        ours = _core_precision(name, kwargs, "float32")(np.arange(horizon))
        assert np.array_equal(ours, ours.astype(np.float32), equal_nan=True)  # float32 values
        ref = _optax_values(name, kwargs, horizon, x64=False).astype(np.float64)
        same_nan = np.isnan(ours) == np.isnan(ref)
        assert same_nan.all(), kwargs
        diff = np.abs(np.where(np.isnan(ours), 0.0, ours - ref))
        units = float(np.max(diff, initial=0.0)) / (2.0**-23 * _scale(kwargs, ours, ref))
        assert units <= F32_TOLERANCE, (kwargs, units)
        worst = max(worst, units)
    print(f"{name}: float32 max |ours - optax| = {worst:.3g} float32 ulps of the scale")


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_float64_close_to_jitted_optax(name):
    worst = 0.0
    for kwargs, horizon in _configs(name, JIT_CONFIGS_PER_TYPE):
        if _construct_both(name, kwargs, "float64") is None:
            continue
        ours = _core_precision(name, kwargs, "float64")(np.arange(horizon))
        if _fractional_power(kwargs):
            continue  # see below
        ref = _optax_values(name, kwargs, horizon, x64=True, jit=True)
        # jitted optax can give NaN where eager optax (and ours) do not: XLA's fused multiply-add
        # makes 1 - t * (1 / T) slightly negative at t = T, and a fractional power of it is NaN
        jit_nan = np.isnan(ref) & ~np.isnan(ours)
        assert not (np.isnan(ours) & ~np.isnan(ref)).any(), kwargs
        diff = np.abs(np.where(np.isnan(ref), 0.0, ours - ref))
        if jit_nan.any():
            print(f"{name}: jitted optax NaN at {np.flatnonzero(jit_nan)[:3]}... for {kwargs}")
        units = float(np.max(diff, initial=0.0)) / (2.0**-52 * _scale(kwargs, ours, ref))
        assert units <= JIT_TOLERANCE, (kwargs, units)
        worst = max(worst, units)
    print(f"{name}: jitted float64 max |ours - optax| = {worst:.3g} ulps of the scale")


@pytest.mark.parametrize("precision", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_scalar_path_equals_vector_path(name, precision):
    for kwargs, horizon in _configs(name, 20):
        try:
            schedule = _core_precision(name, kwargs, precision)
        except (ValueError, ZeroDivisionError):
            continue
        vector = schedule(np.arange(horizon))
        scalar = np.array([schedule(i) for i in range(horizon)])
        assert np.array_equal(vector.view(np.int64), scalar.view(np.int64)), kwargs


@pytest.mark.parametrize("precision", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_long_vectors_equal_the_scalar_path(name, precision):
    """Counts beyond one block (``schedule`` works block by block; pow takes numpy's fast path
    on long vectors): unsorted, sorted with repeats; sampled against the scalar path."""
    rng = np.random.default_rng(5)
    for kwargs, horizon in _configs(name, 4):
        try:
            schedule = _core_precision(name, kwargs, precision)
        except (ValueError, ZeroDivisionError):
            continue
        for counts in (np.tile(np.arange(horizon + 50), 60), np.repeat(np.arange(horizon + 50), 60)):
            vector = schedule(counts)
            assert np.array_equal(
                vector.view(np.int64), schedule.vector(counts).astype(np.float64).view(np.int64)
            )
            at = rng.choice(len(counts), 300, replace=False)
            scalar = np.array([schedule(int(c)) for c in counts[at]])
            assert np.array_equal(vector[at].view(np.int64), scalar.view(np.int64)), kwargs


EDGE_CASES = [  # the vector paths' special branches: a flushed init value under a staircase,
    # non-finite levels after the last boundary, clipped counts repeated
    ("exponential_decay", {"init_value": 1e-310, "transition_steps": 3, "decay_rate": 0.5, "staircase": True}),
    ("exponential_decay", {"init_value": 2.0, "transition_steps": 7, "decay_rate": 1.5, "transition_begin": 40,
                           "staircase": True, "end_value": 50.0}),
    ("piecewise_interpolate_schedule", {"interpolate_type": "cosine", "init_value": 1.0,
                                        "boundaries_and_scales": {10: 2.0, 30: float("inf")}}),
    ("piecewise_interpolate_schedule", {"interpolate_type": "linear", "init_value": -1.0,
                                        "boundaries_and_scales": {10: 0.0, 30: float("inf")}}),  # 0 * inf: NaN
    ("cosine_decay_schedule", {"init_value": 1e-300, "decay_steps": 50, "exponent": 2.0}),
    ("polynomial_schedule", {"init_value": 1.0, "end_value": 0.0, "power": 0.5, "transition_steps": 5000}),
]  # fmt: skip


@pytest.mark.parametrize("precision", ["float64", "float32"])
@pytest.mark.parametrize(("name", "kwargs"), EDGE_CASES)
def test_vector_edge_cases_equal_the_scalar_path(name, kwargs, precision):
    counts = np.arange(3 * 2**15 + 11)
    at = np.r_[0:200, 4900:5100, np.random.default_rng(1).choice(len(counts), 300, replace=False)]
    with np.errstate(all="ignore"):  # 0 * inf, as in optax
        schedule = _core_precision(name, kwargs, precision)
        vector = schedule(counts)[at]
        scalar = np.array([schedule(int(c)) for c in counts[at]])
    assert np.array_equal(vector.view(np.int64), scalar.view(np.int64))


def _spec(name: str, kwargs: dict, **top) -> SchedulerSpec:
    if name == "join_schedules":
        kwargs = {**kwargs, "schedules": [_spec(n, kw) for n, kw in kwargs["schedules"]]}
    return SchedulerSpec(f"optax.{name}", {**top, **kwargs})


@pytest.mark.parametrize("precision", ["float64", "float32"])
def test_experiment_closed_form_equals_stepping(precision):
    groups = (ParamGroupSpec("a", {"lr": 0.1}), ParamGroupSpec("b", {"lr": 0.2, "momentum": 0.9}))
    for name in sorted(GENERATORS):
        for kwargs, _ in _configs(name, 6):
            spec = _spec(name, kwargs, param_name="lr", precision=precision)
            other = _spec(name, kwargs, param_name="momentum", param_group_index=1, precision=precision)
            exp = Experiment(300, groups, (spec, other))
            try:
                fast = simulate(exp, "fast")
            except (ValueError, ZeroDivisionError) as exc:
                with pytest.raises(type(exc)):
                    simulate(exp, "step")
                continue
            step = simulate(exp, "step")
            for f, s in zip(fast, step, strict=True):
                assert np.array_equal(f.values.view(np.int64), s.values.view(np.int64)), (name, kwargs)
