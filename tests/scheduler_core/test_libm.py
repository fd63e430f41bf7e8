"""``scheduler_core.libm`` equals the C library's ``pow`` and ``tanh`` (``math.pow``, ``math.tanh``)
bit for bit over millions of inputs: uniform, log-uniform far beyond the schedules' ranges, the
grids the schedules feed it (``1 - t / T``, cosines), neighbours of powers of two and of exact
squares, subnormals, huge, negative and special values (0, -0, inf, NaN), with the exponents the
schedules use (0.5, 2.0, integers, negative, fractional) and per-element exponents. Where
``math`` raises, the IEEE value is expected (what C returns). ``LIBM_VALUES`` sets the values per
family (a soak run: ``LIBM_VALUES=3000000``)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from itertools import repeat
from pathlib import Path

import numpy as np
import pytest

from scheduler_core import libm, timm
from scheduler_core.shapes import NoClosedForm

VALUES = int(os.environ.get("LIBM_VALUES", "100000"))
EXPONENTS = [0.5, 2.0, 2, 3.0, 1.0, 0.0, -1.0, -0.5, -2.0, 0.9, 1.5, 1.7, 1e-3, 40.0]
SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, 4.0, 0.25, 3.0, -3.0, 1.5, 5e-324, -5e-324, 2.2250738585072014e-308,
           1e-300, 1e300, 1.7976931348623157e308, -1.7976931348623157e308, math.inf, -math.inf, math.nan,
           1.0000000000000002, 0.9999999999999999, 1023.0, 1024.0, -1075.0, 2.0**53, 2.0**53 + 2, -(2.0**53) - 2]  # fmt: skip


def _ieee_pow(x: float, y: float) -> float:
    """``math.pow`` with C's results where it raises."""
    try:
        return math.pow(x, y)
    except OverflowError:
        odd = y.is_integer() and math.fmod(y, 2.0) != 0.0
        return -math.inf if x < 0 and odd else math.inf
    except ValueError:
        if x == 0.0:
            odd = y.is_integer() and math.fmod(y, 2.0) != 0.0
            return math.copysign(math.inf, x) if odd else math.inf
        return math.nan


def _reference(x: np.ndarray, y: np.ndarray | float) -> np.ndarray:
    ys = y.tolist() if isinstance(y, np.ndarray) else repeat(float(y))
    return np.fromiter(map(_ieee_pow, x.tolist(), ys), np.float64, len(x))


def _assert_same(got: np.ndarray, want: np.ndarray, *context: object) -> None:
    """Equal bits, or both NaN (a NaN's sign is the CPU's; :func:`test_c_pow_...` checks it)."""
    same = (got.view(np.int64) == want.view(np.int64)) | (np.isnan(got) & np.isnan(want))
    bad = np.flatnonzero(~same)[:5]
    assert same.all(), (*context, bad.tolist(), got[bad].tolist(), want[bad].tolist())


def _bases(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    t = np.arange(n, dtype=np.float64)
    powers = np.ldexp(1.0, rng.integers(-1074, 1024, n))
    return {
        "uniform": rng.random(n),
        "log-uniform": np.exp(rng.uniform(-745.0, 709.0, n)),
        "1 - t/T": 1 - t / n,
        "1 - t**k/T**k": 1 - t**1.7 / float(n) ** 1.7,
        "cosine": 0.5 * (1 + np.cos(np.pi * t / n)),
        "near powers of two": np.nextafter(powers, rng.choice([0.0, np.inf], n)),
        "near squares": np.square(rng.integers(1, 2**26, n).astype(np.float64)) * rng.choice([1.0, 1 + 2**-52, 1 - 2**-53], n),
        "subnormal": rng.integers(1, 2**52, n).view(np.float64) * rng.choice([1.0, -1.0], n),
        "negative": -rng.random(n) * 4,
        "negative integers": -rng.integers(1, 2**20, n).astype(np.float64),
        "special": np.resize(np.array(SPECIAL), n),
    }  # fmt: skip


@pytest.mark.parametrize("y", EXPONENTS)
def test_power_fixed_exponent_equals_math_pow(y):
    rng = np.random.default_rng(20261130)
    with np.errstate(all="ignore"):
        for family, x in _bases(rng, VALUES).items():
            _assert_same(libm.power(x, y), _reference(x, y), family, y)


def test_power_per_element_exponents_equals_math_pow():
    """Both sides arrays, and a fixed base to an array of exponents (optax's ``decay_rate ** p``)."""
    rng = np.random.default_rng(11)
    n = VALUES
    y = np.concatenate(
        [rng.uniform(-50, 50, n), rng.integers(-60, 60, n).astype(np.float64), np.resize(SPECIAL, n)]
    )
    with np.errstate(all="ignore"):
        for family, x in _bases(rng, len(y)).items():
            _assert_same(libm.power(x, y), _reference(x, y), family)
        for base in [0.5, 0.96, 1.5, 1e-5, 0.0, -0.0, -2.0, math.inf, math.nan, 1.0]:
            _assert_same(libm.power(base, y), _reference(np.full(len(y), base), y), base)


def test_c_pow_equals_power_bit_for_bit_nans_included():
    """The scalar form (optax's scalar path) and the array form give the same bits, NaNs too."""
    pairs = [(x, y) for x in SPECIAL + [-0.5, 0.9] for y in SPECIAL + [0.9, -0.9, 2.5]]
    x, y = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    scalar = np.array([libm.c_pow(a, b) for a, b in pairs])
    assert np.array_equal(libm.power(x, y).view(np.int64), scalar.view(np.int64))


def test_tanh_equals_math_tanh():
    rng = np.random.default_rng(3)
    n = VALUES
    families = {
        "schedule range": rng.uniform(-8.0, 8.0, n),
        "small": rng.uniform(-1e-3, 1e-3, n),
        "log-uniform": np.exp(rng.uniform(-745.0, 709.0, n)) * rng.choice([1.0, -1.0], n),
        "subnormal": rng.integers(1, 2**52, n).view(np.float64),
        "thresholds": np.nextafter(np.resize([2.0**-28, 22.0, 0.5493061443340549, 1.0], n), rng.choice([0.0, 30.0], n)),
        "special": np.resize(np.array(SPECIAL), n),
    }  # fmt: skip
    for family, x in families.items():
        want = np.fromiter(map(math.tanh, x.tolist()), np.float64, n)
        got = libm.tanh(x)
        _assert_same(got, want, family)
        assert np.array_equal(np.isnan(got), np.isnan(x)), family


def test_values_do_not_depend_on_the_number_of_threads():
    ne = pytest.importorskip("numexpr")
    x = np.random.default_rng(5).random(300_000)
    before = ne.get_num_threads()
    try:
        results = []
        for threads in (1, 2, 4):
            ne.set_num_threads(threads)
            results.append((libm.power(x, 0.9).tobytes(), libm.tanh(x).tobytes()))
    finally:
        ne.set_num_threads(before)
    assert results[0] == results[1] == results[2]


def test_concurrent_calls_from_python_threads():
    """The server may evaluate series in several threads at once (numexpr's caches are per thread)."""
    rng = np.random.default_rng(6)
    inputs = [rng.random(100_000) for _ in range(8)]
    want = [(libm.power(x, 0.9).tobytes(), libm.tanh(x).tobytes()) for x in inputs]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda x: (libm.power(x, 0.9).tobytes(), libm.tanh(x).tobytes()), inputs))
    assert got == want


def test_without_numexpr_every_element_goes_through_math(monkeypatch):
    """A VML build of numexpr would not call the C library: the module falls back to ``math``."""
    x = np.concatenate([np.random.default_rng(9).random(1000), SPECIAL])
    fast = libm.power(x, 0.9), libm.power(0.9, x), libm.tanh(x)
    monkeypatch.setattr(libm, "_numexpr", lambda: None)
    slow = libm.power(x, 0.9), libm.power(0.9, x), libm.tanh(x)
    for a, b in zip(fast, slow, strict=True):
        assert np.array_equal(a.view(np.int64), b.view(np.int64))


def _python_pow(a: np.ndarray, k: float) -> np.ndarray | type[BaseException]:
    try:
        out = [v**k for v in a.tolist()]
    except (ZeroDivisionError, OverflowError) as exc:
        return type(exc)
    if any(isinstance(v, complex) for v in out):
        return NoClosedForm
    return np.array(out, dtype=np.float64)


@pytest.mark.parametrize(
    ("a", "k"),
    [
        (np.linspace(0.0, 1.0, 5001), 0.9),
        (np.linspace(1e-320, 1e-300, 1000), 0.5),  # subnormal and tiny bases
        (np.linspace(1e-170, 1e-150, 1000), 2.0),  # subnormal and zero results
        (np.linspace(0.0, 1.0, 1000), -1.0),  # 0 ** -1 raises ZeroDivisionError
        (np.array([1e200, 2.0, 3.0]), 2.0),  # overflow raises OverflowError
        (np.array([0.5, -0.25, 0.75]), 0.5),  # a complex result: no closed form
        (np.array([0.5, -0.25, 0.75]), 2.0),  # a negative base to an integer power is real
        (np.array([np.inf, np.nan, 0.5, 0.0]), 2.0),
        (np.array([np.inf, 0.5, 1.0]), 0.0),
        (np.array([]), 0.9),
    ],
)
def test_timm_pow_keeps_pythons_semantics(a, k):
    """timm's ``t ** k``: Python's ``**`` element by element, its exceptions included."""
    want = _python_pow(a, k)
    if isinstance(want, type):
        with pytest.raises(want):
            timm._pow(a.copy(), k)
    else:
        _assert_same(timm._pow(a.copy(), k), want, k)


def test_import_scheduler_core_does_not_import_numexpr():
    """numexpr (and its thread pool) loads on the first array ``pow``/``tanh``, not at import."""
    code = "import sys, scheduler_core; assert 'numexpr' not in sys.modules, 'numexpr imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
