"""The C library's ``pow(x, y)`` over a float64 array, bit for bit, with numpy where provable.

timm (Python's ``**``) and XLA call the C library's ``pow``; numpy's ``np.power`` is its own SIMD
code and differs in the last bit now and then, so the reference is one libm call per element
(~80 ns each from Python). For ``y = 0.5`` and ``y = 2.0`` this module computes most elements with
numpy instead, exactly:

- the candidate ``r`` is the correctly rounded value (``np.sqrt(x)``; ``x * x``), and the
  remainder (``x - r*r``; ``x*x - r``) comes from Dekker's product of halves of 26 bits, right to
  ``2**-76`` relative, so we know how far the exact value lies from ``r``: ``d`` ulps of ``r``;
- glibc's ``pow`` (2.28 on, from Arm's optimized-routines; detected with ``os.confstr``) documents its
  worst-case error: ``0.511 ulp`` from its ``exp`` plus ``|y log x| * 1.5 * 2**-15 ulp`` from its
  ``log`` (without FMA; less with), at most ``0.5131 ulp`` for the ``x`` we accept here
  (``|y log x| <= 45``). If glibc returned another double than ``r`` it would be at least
  ``1 - d`` ulps from the exact value, so for ``d < MARGIN = 0.486`` it returns ``r``;
- every other element (``d >= MARGIN``, about 3 % of them; ``r`` a power of two, zero, not finite or
  outside that range) is computed by the caller's own per-element function.

Elsewhere (another C library, other exponents) every element goes to the per-element function.
``tests/scheduler_core/test_libm.py`` compares the result with ``math.pow`` over millions of values.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable

import numpy as np

__all__ = ["MARGIN", "pow_fixed_exponent"]

MARGIN = 0.486
"""Largest distance (ulps of ``r``) from the exact value at which ``r`` is taken as glibc's."""
LOG_RANGE = 45.0
"""Accepted ``|y * ln(x)|``: the log's share of glibc's error stays below 0.0021 ulp."""
BLOCK = 16384
"""Elements per step (the scratch arrays stay in the CPU's cache)."""
_HIGH_HALF = np.uint64(~(2**27 - 1) & (2**64 - 1))  # a double's bits but its lowest 27: 26 bits left
_EXPONENT = np.uint64(0x7FF0000000000000)
_ULP = 2.0**-52  # ulp(r) = 2**exponent(r) * 2**-52 for a normal r


def _glibc_with_bounded_pow() -> bool:
    try:
        name, version = os.confstr("CS_GNU_LIBC_VERSION").split()  # type: ignore[union-attr]
        return name == "glibc" and tuple(int(v) for v in version.split(".")[:2]) >= (2, 28)
    except (AttributeError, OSError, ValueError):
        return False


BOUNDED_POW = _glibc_with_bounded_pow()
"""Whether the C library's ``pow`` is glibc's bounded one (else every element goes one by one)."""


def _split(a: np.ndarray, hi: np.ndarray, lo: np.ndarray) -> None:
    """``a = hi + lo`` exactly, ``hi`` with 26 significant bits (``hi * hi``, ``hi * lo`` exact)."""
    np.bitwise_and(a.view(np.uint64), _HIGH_HALF, out=hi.view(np.uint64))
    np.subtract(a, hi, out=lo)


def _flag(
    r: np.ndarray, dist: np.ndarray, scale: float, s: list[np.ndarray], bad: np.ndarray, times_r: bool
) -> None:
    """``bad``: not ``dist < scale * 2**exponent(r)`` (times ``r`` if ``times_r``), or ``r`` a power
    of two (the ulp below it is half the ulp above), zero, subnormal or not finite."""
    bits, threshold = s[3].view(np.uint64), s[2]
    np.bitwise_and(r.view(np.uint64), _EXPONENT, out=bits)
    power = bits.view(np.float64)  # 2**exponent(r): 0 for zero and subnormals, inf for inf/NaN
    np.multiply(power, scale, out=threshold)
    if times_r:
        np.multiply(threshold, r, out=threshold)
    n = len(r)
    np.greater_equal(dist, threshold, out=bad[:n])  # (NaN: only from inputs out of range)
    np.equal(r, power, out=bad[n:])
    np.logical_or(bad[:n], bad[n:], out=bad[:n])


def _sqrt_block(x: np.ndarray, r: np.ndarray, s: list[np.ndarray], bad: np.ndarray) -> None:
    """``r = sqrt(x)``, ``bad`` unless ``|sqrt(x) - r| < MARGIN`` ulps of ``r``, that is
    ``|x - r*r| < 2 * MARGIN * r * ulp(r)`` (as ``x - r*r = (sqrt(x) - r) * (sqrt(x) + r)``)."""
    np.sqrt(x, out=r)
    res, t, hi, lo = s
    _split(r, hi, lo)
    np.multiply(hi, hi, out=res)  # exact
    np.subtract(x, res, out=res)  # exact: hi*hi is within a factor 2 of x
    np.multiply(hi, lo, out=t)  # exact
    np.subtract(res, t, out=res)  # roundings of values below 2**-24 * x: x - r*r is right to
    np.subtract(res, t, out=res)  # 2**-76 * x, where the test's scale is 2**-52 * x
    np.multiply(lo, lo, out=lo)
    np.subtract(res, lo, out=res)
    np.abs(res, out=res)
    _flag(r, res, 2 * MARGIN * _ULP, s, bad, times_r=True)


def _square_block(x: np.ndarray, r: np.ndarray, s: list[np.ndarray], bad: np.ndarray) -> None:
    """``r = x * x``, ``bad`` unless ``|x*x - r| < MARGIN`` ulps of ``r``."""
    err, t, hi, lo = s
    _split(x, hi, lo)
    np.multiply(x, x, out=r)
    np.multiply(hi, hi, out=err)
    np.subtract(err, r, out=err)  # exact
    np.multiply(hi, lo, out=t)  # exact
    np.add(err, t, out=err)  # roundings of values below 2**-24 * x*x: x*x - r is right to
    np.add(err, t, out=err)  # 2**-76 * x*x, where the test's scale is 2**-52 * x*x
    np.multiply(lo, lo, out=lo)
    np.add(err, lo, out=err)
    np.abs(err, out=err)
    _flag(r, err, MARGIN * _ULP, s, bad, times_r=False)


_KERNELS = {0.5: _sqrt_block, 2.0: _square_block}


def pow_fixed_exponent(x: np.ndarray, y: float, each: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """The C library's ``pow(v, y)`` for each ``v`` of the float64 array ``x``.

    ``each(values)`` is the caller's per-element computation (its own handling of errors and
    special values); it gets the elements this module cannot vouch for, or all of them.
    """
    kernel = (
        _KERNELS.get(y) if BOUNDED_POW and isinstance(y, float | int) and not isinstance(y, bool) else None
    )
    if kernel is None or x.dtype != np.float64 or x.ndim != 1 or len(x) < 64:
        return each(x)
    low, high = math.exp(-LOG_RANGE / abs(y)), math.exp(LOG_RANGE / abs(y))
    n = len(x)
    out = np.empty(n, dtype=np.float64)
    scratch = [np.empty(min(n, BLOCK)) for _ in range(4)]
    bad = np.empty(2 * min(n, BLOCK), dtype=bool)
    with np.errstate(all="ignore"):  # values out of range are discarded below
        for a in range(0, n, BLOCK):
            b = min(n, a + BLOCK)
            xb, rb, badb = x[a:b], out[a:b], bad[: b - a]
            kernel(xb, rb, [s[: b - a] for s in scratch], bad[: 2 * (b - a)])
            if not (xb.min() >= low and xb.max() <= high):  # (NaN is not >=) out of range or negative
                magnitude = np.abs(xb)
                badb |= ~((magnitude >= low) & (magnitude <= high))
            redo = np.flatnonzero(badb)
            if len(redo):
                rb[redo] = each(xb[redo])
    return out
