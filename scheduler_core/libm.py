"""The C library's ``pow`` and ``tanh`` over float64 arrays, bit for bit.

timm (Python's ``**``, ``math.tanh``) and XLA (optax under jax) call the C library's ``pow`` and
``tanh``; numpy's ``np.power`` and ``np.tanh`` are its own SIMD code (SVML on AVX-512) and differ
in the last bit now and then. numexpr's interpreter calls the C library once per element, in C
(``pow(d1, d2)``, ``tanh(d1)`` in its loops), at about numpy's speed: that is what this module
uses. Two conditions keep it exact:

- the exponent is a *variable* of the expression, never a literal: numexpr rewrites constant
  exponents (``x**2`` into ``x*x``, ``x**0.5`` into ``sqrt(x)``, ...);
- numexpr without Intel's VML (PyPI's wheels; ``numexpr.use_vml`` is False): a VML build calls
  ``vdPow``/``vdTanh`` instead, so there every element goes through Python's ``math`` one by one.

numexpr evaluates in its own thread pool (``NUMEXPR_NUM_THREADS``, ``numexpr.set_num_threads``);
each element is still one C call, so the values do not depend on the number of threads.
``tests/scheduler_core/test_libm.py`` compares with ``math.pow``/``math.tanh`` over millions of
values. numexpr is imported on first use (``import scheduler_core`` stays light).

:func:`fused` evaluates a whole elementwise expression in one numexpr call (no numpy passes and
temporaries around the ``pow``/``tanh``): numexpr runs each operation of the expression over a
block of elements as numpy would, one IEEE operation per element and in the written order (no
FMA contraction), so an expression written in the order of the numpy code gives the same bits.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np

__all__ = ["c_pow", "fused", "power", "tanh"]


def c_pow(base: float, exponent: float) -> float:
    """C's ``pow`` of two floats: ``math.pow`` with the IEEE results instead of its exceptions."""
    try:
        return math.pow(base, exponent)
    except OverflowError:
        odd = exponent.is_integer() and math.fmod(exponent, 2.0) != 0.0
        return -math.inf if base < 0 and odd else math.inf
    except ValueError:
        if base == 0.0:  # zero to a negative power
            odd = exponent.is_integer() and math.fmod(exponent, 2.0) != 0.0
            return math.copysign(math.inf, base) if odd else math.inf
        return _invalid()  # a negative base to a non-integer power


@cache
def _invalid() -> float:
    """The NaN C's ``pow`` gives a negative base to a non-integer power, so that :func:`c_pow` and
    :func:`power` agree bit for bit: the processor's default NaN of an invalid operation (glibc
    returns ``(x - x) / (x - x)``; on x86 its sign bit is set), whether numexpr is used or not."""
    with np.errstate(invalid="ignore"):
        return float(np.float64(0.0) / np.float64(0.0))


@cache
def _numexpr() -> Any:
    """The numexpr module, or None where it would not call the C library (a VML build)."""
    import numexpr  # noqa: PLC0415  (lazy: a dependency of the vector paths only)

    return None if numexpr.use_vml else numexpr


def fused(expression: str, out: np.ndarray | None = None, **variables: Any) -> np.ndarray | None:
    """``expression`` (numexpr's syntax) over ``variables``, written into ``out`` if given; None
    where numexpr would not call the C library or a number is no float64 (the caller then
    runs its numpy code).

    Every number is a variable (a Python number becomes a float64 scalar), never a literal, and
    numexpr's optimizer is off: it would otherwise fold constants, turn ``x / c`` into
    ``x * (1 / c)`` and constant powers into products, changing the last bit.
    """
    ne = _numexpr()
    if ne is None:
        return None
    try:
        local = {
            name: value if isinstance(value, np.ndarray) else np.float64(value)
            for name, value in variables.items()
        }
    except (OverflowError, TypeError):  # an int beyond float64: the numpy code says how it fails
        return None
    return ne.evaluate(expression, local_dict=local, out=out, optimization="none")


def _float64(x: Any) -> Any:
    return np.asarray(x, dtype=np.float64) if isinstance(x, np.ndarray) else float(x)


def power(x: Any, y: Any) -> np.ndarray:
    """C's ``pow(x, y)`` elementwise as a float64 array; ``x`` or ``y`` an array (cast to float64),
    the other an array of the same shape or a number. IEEE results (inf, NaN), never an error."""
    x, y = _float64(x), _float64(y)
    ne = _numexpr()
    if ne is None:
        xs, ys = np.broadcast_arrays(x, y)
        return np.fromiter(map(c_pow, xs.ravel().tolist(), ys.ravel().tolist()), np.float64, xs.size).reshape(
            xs.shape
        )
    return ne.evaluate("x ** y", local_dict={"x": x, "y": y})


def tanh(x: np.ndarray) -> np.ndarray:
    """C's ``tanh`` of each element, as a float64 array (``math.tanh`` never raises)."""
    x = np.asarray(x, dtype=np.float64)
    ne = _numexpr()
    if ne is None:
        return np.fromiter(map(math.tanh, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)
    return ne.evaluate("tanh(x)", local_dict={"x": x})
