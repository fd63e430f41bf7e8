"""``scheduler_core.libm.pow_fixed_exponent`` equals the C library's ``pow`` (``math.pow``), bit for
bit, over many inputs: uniform, log-uniform over the accepted range and beyond, the grids the
schedules feed it (``1 - t / T``, cosines), neighbours of powers of two and of exact squares,
negative and special values. ``LIBM_POW_VALUES`` sets the values per family (a soak run:
``LIBM_POW_VALUES=5000000``)."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from scheduler_core import libm

VALUES = int(os.environ.get("LIBM_POW_VALUES", "100000"))


def _pow_or_nan(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except ValueError:  # a negative base to the power 0.5
        return math.nan
    except OverflowError:
        return math.inf


def _reference(x: np.ndarray, y: float) -> np.ndarray:
    return np.fromiter((_pow_or_nan(v, y) for v in x.tolist()), np.float64, len(x))


def _families(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    t = np.arange(n, dtype=np.float64)
    powers = np.ldexp(1.0, rng.integers(-80, 80, n))
    return {
        "uniform": rng.random(n),
        "log-uniform": np.exp(rng.uniform(-110.0, 110.0, n)),
        "1 - t/T": 1 - t / n,
        "1 - t**k/T**k": 1 - t**1.7 / float(n) ** 1.7,
        "cosine": 0.5 * (1 + np.cos(np.pi * t / n)),
        "near powers of two": np.nextafter(powers, rng.choice([0.0, np.inf], n)) * rng.choice([1.0, 1.0 + 2**-52], n),
        "near squares": np.square(rng.integers(1, 2**26, n).astype(np.float64)) * rng.choice([1.0, 1 + 2**-52, 1 - 2**-53], n),
        "negative": -rng.random(n) * 4,
        "special": np.array([0.0, -0.0, 1.0, 4.0, 0.25, 2.0, 0.5, np.inf, -np.inf, np.nan, 5e-324, 2.2e-308, 1.7e308] * (n // 13 + 1))[:n],
    }  # fmt: skip


@pytest.mark.parametrize("y", [0.5, 2.0, 2])
def test_equals_math_pow_bit_for_bit(y):
    rng = np.random.default_rng(20261130)
    for family, x in _families(rng, VALUES).items():
        got = libm.pow_fixed_exponent(x, y, lambda v: _reference(v, y))
        want = _reference(x, y)
        same = (got.view(np.int64) == want.view(np.int64)) | (np.isnan(got) & np.isnan(want))
        assert same.all(), (family, x[~same][:5].tolist(), got[~same][:5].tolist(), want[~same][:5].tolist())


@pytest.mark.parametrize("y", [0.5, 2.0])
def test_most_elements_computed_by_numpy(y):
    """With glibc's bounded pow, about 3 % of the elements (within 0.014 ulp of a midpoint, and
    the special ones) go to the per-element function; elsewhere all of them."""
    x = np.random.default_rng(7).random(VALUES)
    sent: list[int] = []

    def each(values: np.ndarray) -> np.ndarray:
        sent.append(len(values))
        return _reference(values, y)

    libm.pow_fixed_exponent(x, y, each)
    if libm.BOUNDED_POW:
        assert 0 < sum(sent) < 0.05 * VALUES
    else:
        assert sent == [VALUES]


def test_other_exponents_and_other_libraries_go_element_by_element(monkeypatch):
    x = np.linspace(0.0, 1.0, 1000)
    calls: list[int] = []

    def each(values: np.ndarray) -> np.ndarray:
        calls.append(len(values))
        return _reference(values, 0.5)

    libm.pow_fixed_exponent(x, 1.5, each)
    monkeypatch.setattr(libm, "BOUNDED_POW", False)
    libm.pow_fixed_exponent(x, 0.5, each)
    assert calls == [1000, 1000]
