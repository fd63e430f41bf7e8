"""optax's schedules (optax 0.2.8), exact: swap ``optax`` for ``scheduler_core.optax``.

Same names, keyword arguments, defaults and construction errors as optax; each function returns a
:class:`Schedule`, a callable ``count -> value`` where ``count`` is the number of updates done
(an int gives a float, an int array a float64 array). No jax is needed.

Two precisions (the keyword-only ``precision`` every function takes besides optax's own):

- ``"float64"`` (default): what optax computes with ``jax_enable_x64`` on an array of int64
  counts (``schedule(jnp.arange(n))``, eager): bit for bit, zeros' signs included. That is
  optax's operation order with XLA's own choices: a division by a scalar is a product with its
  inverse, ``pow`` is the C library's, subnormal results are flushed to zero, ``cumprod`` of more
  than 16 values goes by blocks of 16. Measured: 200 random configurations per type, 700 counts
  each, no difference (``tests/ecosystem/test_optax.py``).
- ``"float32"``: what optax users get by default (float32 values, int32 counts, Python numbers
  rounded to float32 where jax's weak types round them). ``cos`` and ``pow`` are taken in float64
  and rounded to float32, where XLA calls the C library's ``cosf``/``powf``: they differ by one
  float32 ulp now and then. Measured against default optax: at most 1.7 float32 ulps of the
  schedule's scale (largest magnitude of its values and arguments); the tests allow 4.

Under ``jax.jit`` (a jitted training step) XLA also folds constants (``pi * t / T`` becomes
``t * (pi / T)``) and fuses multiply-adds: float64 values then differ from the eager ones by at
most 3.7 ulps of the scale (the tests allow 16), except at the end of a ``polynomial_schedule``
with a fractional ``power``, where jitted optax's ``1 - t * (1 / T)`` is +-1e-17 instead of 0 and
its power is far from 0 (or NaN): there the eager value, ``end_value``, is the one given here.

>>> s = warmup_cosine_decay_schedule(0.0, 1.0, 10, 100)
>>> s(3), s(10), s(100)
(0.30000000000000004, 1.0, 0.0)
>>> warmup_cosine_decay_schedule(0.0, 1.0, 10, 100, precision="float32")(3)
0.30000001192092896
>>> s([0, 5, 55]).tolist()
[0.0, 0.5, 0.5]
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from . import libm
from .base import ParamScheduler
from .registry import Context, SchedulerType, register
from .shapes import CHUNK
from .spec import SchedulerSpec

__all__ = [
    "PRECISIONS",
    "OptaxScheduler",
    "Schedule",
    "constant_schedule",
    "cosine_decay_schedule",
    "cosine_onecycle_schedule",
    "exponential_decay",
    "join_schedules",
    "linear_onecycle_schedule",
    "linear_schedule",
    "piecewise_constant_schedule",
    "piecewise_interpolate_schedule",
    "polynomial_schedule",
    "sgdr_schedule",
    "warmup_cosine_decay_schedule",
    "warmup_exponential_decay_schedule",
]

PRECISIONS = ("float64", "float32")
XLA_SCAN_BLOCK = 16
"""XLA (jaxlib 0.10) computes a cumulative product of more than 16 values in blocks of 16."""


# ------------------------------------------------------------------------------------------------
# number types and the operations whose implementation matters
# ------------------------------------------------------------------------------------------------
class _Num:
    """The float type of one precision: ``s`` for scalars (Python float or np.float32), ``d``
    the numpy dtype; ``cos``/``pow`` in that precision (scalar and vector forms agree bit for bit)."""

    def __init__(self, precision: str):
        if precision not in PRECISIONS:
            raise ValueError(f"Argument precision should be 'float64' or 'float32', but given {precision!r}")
        self.precision = precision
        self.f32 = precision == "float32"
        self.s: Callable[[Any], Any] = np.float32 if self.f32 else float
        self.d = np.float32 if self.f32 else np.float64

    def flush(self, x: Any) -> Any:
        """Subnormal results as zeros (of their sign): XLA on CPU flushes them."""
        tiny = np.finfo(self.d).tiny
        if isinstance(x, np.ndarray):
            if len(x) and not x.min() >= tiny and _any_subnormal(x):
                x = np.where(np.abs(x) < tiny, np.copysign(self.d(0.0), x), x).astype(self.d)
            return x
        return self.s(math.copysign(0.0, x)) if abs(x) < tiny else x

    def inverse(self, x: Any) -> Any:
        """``1 / x``: XLA divides by a scalar (broadcast) divisor as a product with its inverse."""
        return self.s(1) / self.s(x)

    def cos(self, x: Any, out: np.ndarray | None = None) -> Any:
        if isinstance(x, np.ndarray):
            if not self.f32:
                return np.cos(x, out=out)
            out = np.empty(x.shape, np.float32) if out is None else out  # rounded to float32:
            return np.cos(x, out=out, dtype=np.float64, casting="same_kind")  # chunk by chunk
        return np.float32(math.cos(float(x))) if self.f32 else math.cos(x)

    def pow(self, base: Any, exponent: Any) -> Any:
        """``base ** exponent`` as XLA's ``pow`` (the C library's); one side may be an array."""
        if isinstance(base, np.ndarray) or isinstance(exponent, np.ndarray):
            return self._pow_array(base, exponent)
        out = libm.c_pow(float(self.s(base)), float(self.s(exponent)))  # float32: the operands rounded first
        return self.flush(np.float32(out) if self.f32 else out)

    def _pow_array(self, base: Any, exponent: Any) -> np.ndarray:
        arr, fixed, base_is_array = (
            (base, exponent, True) if isinstance(base, np.ndarray) else (exponent, base, False)
        )
        fixed = float(self.s(fixed))
        uniq, inverse = _runs(arr)
        xs = uniq.astype(np.float64, copy=False)
        vals = libm.power(xs, fixed) if base_is_array else libm.power(fixed, xs)
        vals = self.flush(vals.astype(self.d, copy=False))
        return vals if inverse is None else vals[inverse]


def _any_subnormal(x: np.ndarray) -> bool:
    """Whether the float64 or float32 array ``x`` holds a subnormal number (zeros are not):
    its bits without the sign, less one, are below the smallest normal's (zero wraps around)."""
    kind = np.uint64 if x.dtype == np.float64 else np.uint32 if x.dtype == np.float32 else None
    if kind is None:
        tiny = np.finfo(x.dtype).tiny
        return bool(np.any((x != 0) & (np.abs(x) < tiny)))
    bits = np.left_shift(x.view(kind), 1)  # drops the sign
    bits -= 2
    return bool(bits.min() < kind(2) * kind(np.finfo(x.dtype).smallest_normal.view(kind)) - kind(2))


def _runs(x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The first value of each run of equal neighbours in ``x`` and the run index of each
    element (None: no two neighbours equal)."""
    if len(x) < 2:
        return x, None
    new = np.empty(len(x), dtype=bool)
    new[0] = True
    np.not_equal(x[1:], x[:-1], out=new[1:])
    if new.all():
        return x, None
    return x[new], np.cumsum(new) - 1


def _int_pow(x: Any, y: int) -> Any:
    """``lax.integer_pow``: binary exponentiation, the products rounded as XLA's."""
    if y == 0:
        return x * 0 + 1
    recip, y = y < 0, abs(y)
    acc = None
    while y > 0:
        if y & 1:
            acc = x if acc is None else acc * x
        y >>= 1
        if y > 0:
            x = x * x
    return 1 / acc if recip else acc


def _power(num: _Num, x: Any, exponent: Any) -> Any:
    """``x ** exponent`` as ``jnp.power`` with a Python exponent: an int (bool too) is
    ``integer_pow``, anything else XLA's ``pow``."""
    try:
        y = operator.index(exponent)
    except TypeError:
        if exponent == 1.0:  # pow(x, 1.0) is x in the C library
            return x
        return num.pow(x, exponent)
    return num.flush(_int_pow(x, y))


def _xla_cumprod(values: Sequence[Any], dtype: Any) -> np.ndarray:
    """``jnp.cumprod`` in XLA's order: sequential up to 16 values, else each block of 16
    sequential times the exclusive product of the earlier blocks' totals (itself so computed)."""
    x = np.asarray(values, dtype=dtype)
    n = len(x)
    if n <= XLA_SCAN_BLOCK:
        return np.cumprod(x)
    rows = -(-n // XLA_SCAN_BLOCK)
    padded = np.ones(rows * XLA_SCAN_BLOCK, dtype=dtype)
    padded[:n] = x
    blocks = np.cumprod(padded.reshape(rows, XLA_SCAN_BLOCK), axis=1)
    before = np.ones(rows, dtype=dtype)
    before[1:] = _xla_cumprod(blocks[:-1, -1], dtype)
    return (blocks * before[:, None]).reshape(-1)[:n]


def _fused_pow(num: _Num, exponent: Any) -> bool:
    """Whether ``_power(num, x, exponent)`` is the C library's ``pow`` in float64 (not an
    ``integer_pow``, not ``x`` itself): the case :func:`libm.fused` takes."""
    try:
        operator.index(exponent)
    except TypeError:
        return not num.f32 and exponent != 1.0
    return False


def _within(counts: np.ndarray, low: int | None, high: int) -> bool:
    """Whether clipping ``counts`` to ``[low, high]`` leaves them as they are."""
    return (low is None or int(counts.min()) >= low) and int(counts.max()) <= high


def _int_counts(count: Any) -> np.ndarray:
    counts = np.asarray(count)
    if counts.dtype.kind not in "iu":
        raise TypeError(
            f"Argument count should be an int or an array of ints, but given dtype {counts.dtype}"
        )
    return counts.astype(np.int64, copy=False)


# ------------------------------------------------------------------------------------------------
# the schedule object
# ------------------------------------------------------------------------------------------------
class Schedule:
    """A schedule ``count -> value`` like optax's.

    ``schedule(3)`` returns a Python float; ``schedule(array_of_counts)`` a float64 array of the
    same shape (float32 values when ``precision="float32"``). ``scalar`` and ``vector`` are the two
    implementations (plain Python numbers, numpy); they agree bit for bit. ``fused`` (optional):
    ``vector`` over a long array with its elementwise arithmetic in numexpr expressions
    (:func:`libm.fused`, the same operations in the same order), or None where it does not apply.
    """

    __slots__ = ("fused", "precision", "scalar", "vector")

    def __init__(
        self,
        scalar: Callable[[int], Any],
        vector: Callable[[np.ndarray], np.ndarray],
        precision: str,
        fused: Callable[[np.ndarray], np.ndarray | None] | None = None,
    ):
        self.scalar, self.vector, self.precision, self.fused = scalar, vector, precision, fused

    def __call__(self, count: Any) -> Any:
        if isinstance(count, int | np.integer):
            return float(self.scalar(int(count)))
        counts = _int_counts(count)
        if counts.ndim == 0:
            return float(self.scalar(int(counts)))
        flat = counts.reshape(-1)
        if len(flat) <= CHUNK:
            return np.asarray(self.vector(flat), dtype=np.float64).reshape(counts.shape)
        out = self.fused(flat) if self.fused is not None else None
        if out is not None:
            return out.reshape(counts.shape)
        out = np.empty(len(flat), dtype=np.float64)  # block by block: the temporaries stay in
        for a in range(0, len(flat), CHUNK):  # the CPU's cache (the values are elementwise)
            out[a : a + CHUNK] = self.vector(flat[a : a + CHUNK])
        return out.reshape(counts.shape)

    def __repr__(self) -> str:
        return f"<optax-style schedule, {self.precision}>"


def _constant(value: Any, num: _Num) -> Schedule:
    v = float(num.s(value))
    return Schedule(lambda count: v, lambda counts: np.full(len(counts), v), num.precision)


def _on_domain(
    c: np.ndarray, low: int | None, high: int, dtype: Any, fn: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """``fn(clip(c, low, high).astype(dtype))`` for an int array ``c``; ``fn`` may work in place
    on its fresh argument. When the clipped counts repeat (their range is shorter than ``c``),
    ``fn`` runs once per value of that range."""
    if len(c) == 0:
        return fn(c.astype(dtype))
    lo, hi = (
        min(max(int(v), low), high) if low is not None else min(int(v), high) for v in (c.min(), c.max())
    )
    if hi - lo + 1 < len(c):
        clipped = np.clip(c, low, high) if low is not None else np.minimum(c, high)
        return fn(np.arange(lo, hi + 1, dtype=np.int64).astype(dtype))[clipped - lo]
    out = np.empty(len(c), dtype)  # clipped and converted in one pass
    return fn(np.clip(c, low, high, out=out, casting="same_kind") if low is not None
              else np.minimum(c, high, out=out, casting="same_kind"))  # fmt: skip


# ------------------------------------------------------------------------------------------------
# optax's schedules
# ------------------------------------------------------------------------------------------------
def constant_schedule(value: float, *, precision: str = "float64") -> Schedule:
    """``value`` at every count.

    >>> constant_schedule(5)(100)
    5.0
    """
    return _constant(value, _Num(precision))


def polynomial_schedule(
    init_value: float,
    end_value: float,
    power: float,
    transition_steps: int,
    transition_begin: int = 0,
    *,
    precision: str = "float64",
) -> Schedule:
    """``(init - end) * (1 - t / T) ** power + end`` with ``t = clip(count - begin, 0, T)``.

    ``transition_steps <= 0``: constant ``init_value``; a negative ``transition_begin`` counts as 0.
    An int ``power`` is exponentiation by squaring (as ``jnp.power``), a float one is ``pow``.

    >>> polynomial_schedule(1.0, 0.01, 2, 100)([0, 50, 100, 200]).tolist()
    [1.0, 0.2575, 0.01, 0.01]
    """
    num = _Num(precision)
    if transition_steps <= 0:
        return _constant(init_value, num)
    begin = max(transition_begin, 0)
    span = init_value - end_value  # Python arithmetic, as in optax
    inv = num.inverse(transition_steps)

    def scalar(count: int) -> Any:
        c = min(max(count - begin, 0), transition_steps)
        frac = 1 - num.s(c) * inv
        return num.flush(span * _power(num, frac, power) + end_value)

    def shape(c: np.ndarray) -> np.ndarray:  # c: clipped counts as floats, worked on in place
        np.multiply(c, inv, out=c)
        frac = np.subtract(1, c, out=c)
        x = _power(num, frac, power)
        np.multiply(x, span, out=x)
        np.add(x, end_value, out=x)
        return num.flush(x)

    def vector(counts: np.ndarray) -> np.ndarray:
        return _on_domain(counts - begin if begin else counts, 0, transition_steps, num.d, shape)

    def fused(counts: np.ndarray) -> np.ndarray | None:
        if begin or not _fused_pow(num, power) or not _within(counts, 0, transition_steps):
            return None
        x = libm.fused("(one - c * inv) ** power", c=counts, one=1.0, inv=inv, power=float(power))
        if x is None:
            return None
        x = num.flush(x)
        x = libm.fused("x * span + end_value", out=x, x=x, span=span, end_value=end_value)
        return None if x is None else num.flush(x)

    return Schedule(scalar, vector, num.precision, fused)


def linear_schedule(
    init_value: float,
    end_value: float,
    transition_steps: int,
    transition_begin: int = 0,
    *,
    precision: str = "float64",
) -> Schedule:
    """:func:`polynomial_schedule` with ``power=1``.

    >>> linear_schedule(1.0, 0.0, 4)([0, 1, 4, 9]).tolist()
    [1.0, 0.75, 0.0, 0.0]
    """
    return polynomial_schedule(
        init_value=init_value,
        end_value=end_value,
        power=1,
        transition_steps=transition_steps,
        transition_begin=transition_begin,
        precision=precision,
    )


def _scaled_levels(init_value: float, pairs: list[tuple[int, float]], num: _Num) -> list[Any]:
    """Value of :func:`piecewise_constant_schedule` once ``k`` boundaries are passed, for each k."""

    def literal(k: int) -> Any:  # optax's loop with the first k indicators 0, the others 1
        v = init_value
        for j, (_, scale) in enumerate(pairs):
            ind = num.s(0.0 if j < k else 1.0)
            v = v * ind + (1 - ind) * scale * v
        return v

    levels = [num.s(init_value)]
    for _, scale in pairs:
        prev = levels[-1]
        levels.append(prev * num.s(0.0) + (1 - num.s(0.0)) * scale * prev)
    if all(math.isfinite(v) and v != 0 for v in levels):  # later indicators of 1 keep them as they are
        return levels
    return [literal(k) for k in range(len(pairs) + 1)]


def piecewise_constant_schedule(
    init_value: float,
    boundaries_and_scales: Mapping[int, float] | None = None,
    *,
    precision: str = "float64",
) -> Schedule:
    """``init_value`` times every scale whose boundary the count has reached (``count >= b``).

    Raises:
        ValueError: a negative scale.

    >>> piecewise_constant_schedule(1.0, {100: 0.1, 200: 0.01})([50, 100, 250]).tolist()
    [1.0, 0.1, 0.001]
    """
    num = _Num(precision)
    if boundaries_and_scales is not None:
        if not all(scale >= 0.0 for scale in boundaries_and_scales.values()):
            raise ValueError("`piecewise_constant_schedule` expects non-negative scale factors")
        pairs = sorted(boundaries_and_scales.items())
    else:
        pairs = []
    if not pairs:
        return _constant(init_value, num)
    thresholds = np.asarray([b for b, _ in pairs], dtype=np.int64)
    levels = np.asarray(_scaled_levels(init_value, pairs, num), dtype=num.d)

    def scalar(count: int) -> Any:
        v = init_value
        for threshold, scale in pairs:
            ind = num.s(1.0 if threshold - count > 0 else 0.0)  # max(0, sign(threshold - count))
            v = v * ind + (1 - ind) * scale * v
        return v

    def vector(counts: np.ndarray) -> np.ndarray:
        return levels[np.searchsorted(thresholds, counts, side="right")]

    return Schedule(scalar, vector, num.precision)


def exponential_decay(
    init_value: float,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
    *,
    precision: str = "float64",
) -> Schedule:
    """``init_value * decay_rate ** ((count - begin) / T)`` once ``count > begin`` (the exponent
    floored when ``staircase``), clipped at ``end_value`` (a lower bound when ``decay_rate < 1``,
    else an upper bound).

    ``transition_steps <= 0`` or ``decay_rate == 0``: constant ``init_value``; a negative
    ``transition_begin`` counts as 0.

    >>> exponential_decay(1.0, 10, 0.5, staircase=True)([0, 9, 10, 25]).tolist()
    [1.0, 1.0, 0.5, 0.25]
    """
    num = _Num(precision)
    if transition_steps <= 0 or decay_rate == 0:
        return _constant(init_value, num)
    begin = max(transition_begin, 0)
    clip = None if end_value is None else (np.maximum if decay_rate < 1.0 else np.minimum)
    inv = num.inverse(transition_steps)
    init_s = num.s(init_value)

    def scalar(count: int) -> Any:
        d = count - begin
        if d <= 0:
            v = init_s
        else:
            p = num.s(d) * inv
            if staircase:
                p = num.s(math.floor(p))
            v = num.flush(init_value * num.pow(decay_rate, p))
        if clip is not None:
            v = num.s(clip(v, end_value))
        return v

    def decayed(p: np.ndarray) -> np.ndarray:
        return num.flush(init_value * num.pow(decay_rate, p))

    def vector(counts: np.ndarray) -> np.ndarray:
        d = counts - begin if begin else counts
        if staircase and len(d):  # few distinct exponents: one value per stair, then looked up
            p = np.maximum(d, 0).astype(num.d)
            np.multiply(p, inv, out=p)
            np.floor(p, out=p)
            top = int(p.max())
            if top < min(len(d) // 2, 2**24):  # (2**24: every stair exact in float32)
                levels = decayed(np.arange(top + 1, dtype=num.d))
                out = levels.take(p.astype(np.intp))
                if levels[:1].tobytes() != np.asarray([init_s], dtype=num.d).tobytes():  # an init
                    out = np.where(d > 0, out, init_s).astype(num.d, copy=False)  # value flushed
                return out if clip is None else clip(out, num.d(end_value), out=out)
        out = np.full(len(d), init_s, dtype=num.d)
        later = d > 0
        p = d[later].astype(num.d) * inv
        if staircase:
            p = np.floor(p)
        out[later] = decayed(p)
        return out if clip is None else clip(out, num.d(end_value))

    def fused(counts: np.ndarray) -> np.ndarray | None:
        # the whole array flushed as decayed() flushes the decayed values: init_s is no subnormal
        if begin or staircase or num.f32 or not (init_s == 0 or abs(init_s) >= np.finfo(np.float64).tiny):
            return None
        x = libm.fused("rate ** (c * inv)", c=counts, rate=float(decay_rate), inv=inv)
        if x is None:
            return None
        x = num.flush(x)
        x = libm.fused("where(c > zero, init_value * x, init_s)", out=x, c=counts, x=x, zero=0.0,
                       init_value=init_value, init_s=init_s)  # fmt: skip
        if x is None:
            return None
        x = num.flush(x)
        return x if clip is None else clip(x, num.d(end_value), out=x)

    return Schedule(scalar, vector, num.precision, fused)


def cosine_decay_schedule(
    init_value: float,
    decay_steps: int,
    alpha: float = 0.0,
    exponent: float = 1.0,
    *,
    precision: str = "float64",
) -> Schedule:
    """``init_value * ((1 - alpha) * c ** exponent + alpha)``, ``c = (1 + cos(pi * t / T)) / 2``,
    ``t = min(count, T)`` (``T = decay_steps``).

    Raises:
        ValueError: ``decay_steps`` is not positive.

    >>> cosine_decay_schedule(1.0, 4)([0, 2, 4, 8]).tolist()
    [1.0, 0.5, 0.0, 0.0]
    """
    if not decay_steps > 0:
        raise ValueError(f"The cosine_decay_schedule requires positive decay_steps, got {decay_steps=}.")
    num = _Num(precision)
    steps_s, steps_d = num.s(float(decay_steps)), num.d(float(decay_steps))
    inv = num.inverse(float(decay_steps))
    keep = 1 - alpha
    pi = num.s(math.pi)

    def scalar(count: int) -> Any:
        t = min(num.s(float(count)), steps_s)
        c = 0.5 * (1 + num.cos(pi * t * inv))
        return num.flush(init_value * (keep * _power(num, c, exponent) + alpha))

    def shape(t: np.ndarray) -> np.ndarray:  # t: a fresh array, worked on in place
        np.multiply(t, pi, out=t)
        np.multiply(t, inv, out=t)
        c = num.cos(t, out=t)
        np.add(c, 1, out=c)
        np.multiply(c, 0.5, out=c)  # 0.5 * (1 + cos)
        c = _power(num, c, exponent)
        if keep != 1.0:  # x * 1.0 is x
            np.multiply(c, keep, out=c)
        if alpha != 0.0:  # x + 0.0 is x here: c holds no -0.0 (0.5 * (1 + cos) and its powers)
            np.add(c, alpha, out=c)
        np.multiply(c, init_value, out=c)
        return num.flush(c)

    def vector(counts: np.ndarray) -> np.ndarray:
        if isinstance(decay_steps, int):  # min(float(c), float(T)) == float(min(c, T))
            return _on_domain(counts, None, decay_steps, num.d, shape)
        return shape(np.minimum(counts.astype(num.d), steps_d))

    def fused(counts: np.ndarray) -> np.ndarray | None:
        if (
            not isinstance(decay_steps, int)
            or not _fused_pow(num, exponent)
            or not _within(counts, None, decay_steps)
        ):
            return None
        c = libm.fused("((cos(t * pi * inv) + one) * half) ** exponent", t=counts, pi=pi, inv=inv, one=1.0,
                       half=0.5, exponent=float(exponent))  # fmt: skip
        if c is None:
            return None
        c = num.flush(c)
        expression = "c * keep" if keep != 1.0 else "c"  # as shape(): x * 1.0 is x, c + 0.0 is c
        expression = f"({expression}) + alpha" if alpha != 0.0 else expression
        c = libm.fused(
            f"({expression}) * init_value", out=c, c=c, keep=keep, alpha=alpha, init_value=init_value
        )
        return None if c is None else num.flush(c)

    return Schedule(scalar, vector, num.precision, fused)


def _linear_interpolate(start: Any, end: Any, pct: Any, num: _Num, out: np.ndarray | None = None) -> Any:
    """``(end - start) * pct + start``; ``out``: the array ``pct`` itself, worked on in place."""
    x = np.multiply(end - start, pct, out=out)
    return np.add(x, start, out=out)


def _cosine_interpolate(start: Any, end: Any, pct: Any, num: _Num, out: np.ndarray | None = None) -> Any:
    """``end + (start - end) / 2.0 * (cos(pi * pct) + 1)``; ``out`` as for the linear one."""
    x = np.multiply(num.s(math.pi), pct, out=out)
    x = num.cos(x, out=out)
    x = np.add(x, 1, out=out)
    x = np.multiply((start - end) / 2.0, x, out=out)
    return np.add(end, x, out=out)


_INTERPOLATE = {"linear": _linear_interpolate, "cosine": _cosine_interpolate}


def piecewise_interpolate_schedule(
    interpolate_type: str,
    init_value: float,
    boundaries_and_scales: Mapping[int, float] | None = None,
    *,
    precision: str = "float64",
) -> Schedule:
    """Linear or cosine interpolation between the running products of the scales, boundary to
    boundary: ``v_0 = init_value`` at count 0, ``v_k = v_{k-1} * s_k`` at boundary ``b_k``.

    Raises:
        ValueError: ``interpolate_type`` is not "linear" or "cosine"; a negative scale.

    >>> piecewise_interpolate_schedule("linear", 1.0, {4: 0.1, 8: 0.01})([0, 2, 4, 6, 10]).tolist()
    [1.0, 0.55, 0.1, 0.0505, 0.001]
    """
    if interpolate_type not in _INTERPOLATE:
        raise ValueError("`interpolate_type` must be either 'cosine' or 'linear'")
    interpolate = _INTERPOLATE[interpolate_type]
    num = _Num(precision)
    if boundaries_and_scales:
        boundaries, scales = zip(*sorted(boundaries_and_scales.items()), strict=True)
        if not all(scale >= 0.0 for scale in scales):
            raise ValueError("`piecewise_interpolate_schedule` expects non-negative scale factors")
    else:
        boundaries, scales = (), ()
    bounds = np.asarray((0, *boundaries), dtype=np.int64)
    values = _xla_cumprod((init_value, *scales), num.d)
    sizes = np.maximum(bounds[1:] - bounds[:-1], 1)
    inverses = np.asarray([num.inverse(int(z)) for z in sizes], dtype=num.d)
    last = bounds[-1]
    one, zero = num.s(1.0), num.s(0.0)

    def scalar(count: int) -> Any:
        dot = zero  # indicator.dot(interp): the one selected term, added to a zero
        for i in range(len(boundaries)):
            if bounds[i] <= count < bounds[i + 1]:
                pct = num.s(count - int(bounds[i])) * inverses[i]
                dot = dot + interpolate(values[i], values[i + 1], pct, num)
        return dot + (one if last <= count else zero) * values[-1]

    def segment(counts: np.ndarray, i: int, out: np.ndarray) -> np.ndarray:
        pct = np.subtract(counts, bounds[i], out=out, casting="same_kind")  # in int64, converted
        np.multiply(pct, inverses[i], out=pct)
        interpolate(values[i], values[i + 1], pct, num, out=pct)
        return np.add(zero, pct, out=pct)

    def vector(counts: np.ndarray) -> np.ndarray:
        dot = np.full(len(counts), zero, dtype=num.d)
        if len(counts) < 2 or bool(np.all(counts[1:] >= counts[:-1])):  # each segment a slice
            at = np.searchsorted(counts, bounds).tolist()  # where each segment starts
            for i in range(len(boundaries)):
                if at[i + 1] > at[i]:
                    segment(counts[at[i] : at[i + 1]], i, dot[at[i] : at[i + 1]])
            after = at[-1]
            if not np.isfinite(values[-1]):  # else it adds a zero to values that hold no -0.0
                dot[:after] += zero * values[-1]
            dot[after:] += one * values[-1]
            return dot
        for i in range(len(boundaries)):
            sel = (bounds[i] <= counts) & (counts < bounds[i + 1])
            if sel.any():
                dot[sel] = segment(counts[sel], i, np.empty(int(sel.sum()), num.d))
        return dot + np.where(last <= counts, one, zero) * values[-1]

    return Schedule(scalar, vector, num.precision)


def _onecycle_check(transition_steps: int) -> None:
    if transition_steps <= 0:
        raise ValueError("A linear onecycle schedule was set with a non-positive `transition_steps`")


def linear_onecycle_schedule(
    transition_steps: int,
    peak_value: float,
    pct_start: float = 0.3,
    pct_final: float = 0.85,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    *,
    precision: str = "float64",
) -> Schedule:
    """Three linear phases: ``peak / div_factor`` up to ``peak`` (until ``pct_start * T``), back
    down (until ``pct_final * T``), then to ``peak / div_factor / final_div_factor`` at ``T``.

    Raises:
        ValueError: ``transition_steps`` is not positive; a negative factor.

    >>> linear_onecycle_schedule(10, 1.0, div_factor=2.0)([0, 3, 8, 10]).tolist()
    [0.5, 1.0, 0.5, 5e-05]
    """
    _onecycle_check(transition_steps)
    return piecewise_interpolate_schedule(
        "linear",
        peak_value / div_factor,
        {
            int(pct_start * transition_steps): div_factor,
            int(pct_final * transition_steps): 1.0 / div_factor,
            transition_steps: 1.0 / final_div_factor,
        },
        precision=precision,
    )


def cosine_onecycle_schedule(
    transition_steps: int,
    peak_value: float,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    *,
    precision: str = "float64",
) -> Schedule:
    """Cosine from ``peak / div_factor`` up to ``peak`` (until ``pct_start * T``), then down to
    ``peak / div_factor / final_div_factor`` at ``T``.

    Raises:
        ValueError: ``transition_steps`` is not positive; a negative factor.

    >>> cosine_onecycle_schedule(10, 1.0, div_factor=2.0)([0, 3, 10]).tolist()
    [0.5, 1.0, 5e-05]
    """
    _onecycle_check(transition_steps)
    return piecewise_interpolate_schedule(
        "cosine",
        peak_value / div_factor,
        {
            int(pct_start * transition_steps): div_factor,
            int(transition_steps): 1.0 / (div_factor * final_div_factor),
        },
        precision=precision,
    )


def join_schedules(schedules: Sequence[Callable[[Any], Any]], boundaries: Sequence[int]) -> Schedule:
    """``schedules[0]`` until ``boundaries[0]``, then ``schedules[1](count - boundaries[0])``, ...

    >>> join_schedules([constant_schedule(1.0), linear_schedule(1.0, 0.0, 2)], [3])(np.arange(6)).tolist()
    [1.0, 1.0, 1.0, 1.0, 0.5, 0.0]
    """
    schedules = list(schedules)
    pairs = list(zip(boundaries, schedules[1:]))  # noqa: B905 (zip stops at the shorter, as optax's)
    precision = next((s.precision for s in schedules if isinstance(s, Schedule)), "float64")

    def scalar(count: int) -> Any:
        chosen, shift = schedules[0], 0
        for boundary, schedule in pairs:
            if not count < boundary:
                chosen, shift = schedule, boundary
        return chosen(count - shift)

    chosen = [(0, schedules[0]), *pairs]
    edges = [boundary for boundary, _ in pairs]

    def vector(counts: np.ndarray) -> np.ndarray:
        out = np.empty(len(counts), dtype=np.float64)
        if len(counts) > 1 and not bool(np.all(counts[1:] >= counts[:-1])):
            which = np.zeros(len(counts), dtype=np.int64)  # the last pair whose boundary is reached
            for j, (boundary, _) in enumerate(pairs, start=1):
                which[counts >= boundary] = j
            for j, (shift, schedule) in enumerate(chosen):
                if (mask := which == j).any():
                    out[mask] = _evaluate(schedule, counts[mask] - shift)
            return out
        # ascending counts: pair j owns [start_j, n) unless a later pair starts before it
        starts = [0, *np.searchsorted(counts, edges).tolist()] if edges else [0]
        cuts = sorted(set(starts) | {len(counts)})
        for lo, hi in itertools.pairwise(cuts):
            j = max(k for k, start in enumerate(starts) if start <= lo)
            shift, schedule = chosen[j]
            out[lo:hi] = _evaluate(schedule, counts[lo:hi] - shift if shift else counts[lo:hi])
        return out

    return Schedule(scalar, vector, precision)


def _evaluate(schedule: Callable[[Any], Any], counts: np.ndarray) -> np.ndarray:
    """``schedule`` at the int64 ``counts`` (float32 values too: the caller stores them in float64)."""
    if isinstance(schedule, Schedule):
        return schedule.vector(counts) if len(counts) <= CHUNK else schedule(counts)
    return np.asarray([float(schedule(int(c))) for c in counts], dtype=np.float64)  # any callable


def warmup_cosine_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    decay_steps: int,
    end_value: float = 0.0,
    exponent: float = 1.0,
    *,
    precision: str = "float64",
) -> Schedule:
    """Linear warm-up from ``init_value`` to ``peak_value`` over ``warmup_steps``, then a cosine
    decay to ``end_value``; ``decay_steps`` includes the warm-up.

    Raises:
        ValueError: ``decay_steps <= warmup_steps``.

    >>> warmup_cosine_decay_schedule(0.0, 1.0, 2, 6)([0, 1, 2, 4, 6]).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    alpha = 0.0 if peak_value == 0.0 else end_value / peak_value
    return join_schedules(
        [
            linear_schedule(init_value, peak_value, warmup_steps, precision=precision),
            cosine_decay_schedule(
                peak_value, decay_steps - warmup_steps, alpha, exponent, precision=precision
            ),
        ],
        [warmup_steps],
    )


def warmup_exponential_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
    *,
    precision: str = "float64",
) -> Schedule:
    """Linear warm-up from ``init_value`` to ``peak_value`` over ``warmup_steps``, then
    :func:`exponential_decay` from ``peak_value``.

    >>> warmup_exponential_decay_schedule(0.0, 1.0, 2, 1, 0.5)([0, 1, 2, 3, 4]).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.25]
    """
    return join_schedules(
        [
            linear_schedule(init_value, peak_value, warmup_steps, precision=precision),
            exponential_decay(
                peak_value,
                transition_steps,
                decay_rate,
                transition_begin,
                staircase,
                end_value,
                precision=precision,
            ),
        ],
        [warmup_steps],
    )


def sgdr_schedule(cosine_kwargs: Iterable[Mapping[str, Any]], *, precision: str = "float64") -> Schedule:
    """Warm restarts: one :func:`warmup_cosine_decay_schedule` per item of ``cosine_kwargs``, each
    running for its ``decay_steps``.

    >>> sgdr_schedule([dict(init_value=0.0, peak_value=1.0, warmup_steps=1, decay_steps=3)] * 2)(
    ...     np.arange(6)).tolist()
    [0.0, 1.0, 0.5, 0.0, 1.0, 0.5]
    """
    boundaries, schedules, step = [], [], 0
    for kwargs in cosine_kwargs:
        schedules.append(warmup_cosine_decay_schedule(**kwargs, precision=precision))
        boundaries.append(step + kwargs["decay_steps"])
        step += kwargs["decay_steps"]
    return join_schedules(schedules, boundaries[:-1])


# ------------------------------------------------------------------------------------------------
# as a param scheduler, and the registered types
# ------------------------------------------------------------------------------------------------
class OptaxScheduler(ParamScheduler):
    """Write ``schedule(event_index)`` into the param groups at each call: an optax-style schedule
    as an ignite-style param scheduler (event i = update i, the value the optimizer uses).

    >>> from scheduler_core.base import GroupsOptimizer
    >>> opt = GroupsOptimizer([{"lr": 0.0}])
    >>> s = OptaxScheduler(opt, "lr", linear_schedule(1.0, 0.0, 2))
    >>> for _ in range(3):
    ...     s(None)
    ...     print(opt.param_groups[0]["lr"])
    1.0
    0.5
    0.0
    """

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        schedule: Callable[[int], Any],
        save_history: bool = False,
        param_group_index: int | None = None,
    ):
        super().__init__(optimizer, param_name, save_history, param_group_index=param_group_index)
        if not callable(schedule):
            raise TypeError(f"Argument schedule should be callable, but given {type(schedule)}")
        self.schedule = schedule

    def get_param(self) -> float:
        return float(self.schedule(self.event_index))


FUNCTIONS: dict[str, Callable[..., Schedule]] = {
    f.__name__: f
    for f in (
        constant_schedule,
        linear_schedule,
        polynomial_schedule,
        exponential_decay,
        cosine_decay_schedule,
        warmup_cosine_decay_schedule,
        warmup_exponential_decay_schedule,
        cosine_onecycle_schedule,
        linear_onecycle_schedule,
        piecewise_constant_schedule,
        piecewise_interpolate_schedule,
        sgdr_schedule,
        join_schedules,
    )
}
"""Each schedule function by its name; the registered type is ``"optax." + name``."""
_TARGETING = ("param_name", "param_group_index", "precision")


def schedule_of(spec: SchedulerSpec, precision: str | None = None) -> Schedule:
    """The :class:`Schedule` of an ``optax.*`` spec (``precision``: the parent's, for children)."""
    name = spec.type.removeprefix("optax.")
    kwargs = {k: v for k, v in spec.kwargs.items() if k not in _TARGETING}
    precision = spec.kwargs.get("precision", precision or "float64")
    if name == "join_schedules":
        kwargs["schedules"] = [schedule_of(child, precision) for child in kwargs.get("schedules", ())]
        return join_schedules(**kwargs)
    if name not in FUNCTIONS or not spec.type.startswith("optax."):
        raise ValueError(f"Argument type should name an optax schedule, but given {spec.type!r}")
    return FUNCTIONS[name](**kwargs, precision=precision)


def _build(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> OptaxScheduler:
    return OptaxScheduler(
        optimizer,
        spec.kwargs.get("param_name", "lr"),
        schedule_of(spec),
        param_group_index=spec.kwargs.get("param_group_index"),
    )


def _closed_form(name: str) -> Callable[[Mapping[str, Any], range, Context], np.ndarray]:
    def closed_form(kwargs: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
        schedule = schedule_of(SchedulerSpec(name, kwargs))
        return schedule(np.arange(events.start, events.stop, dtype=np.int64))

    return closed_form


def _join_restarts(kwargs: Mapping[str, Any], offset: int, stop: int, out: set, limit: int) -> None:
    for boundary in kwargs.get("boundaries", ())[: len(kwargs.get("schedules", ())) - 1]:
        if offset < offset + boundary < stop and len(out) < limit:
            out.add(offset + boundary)


def _sgdr_restarts(kwargs: Mapping[str, Any], offset: int, stop: int, out: set, limit: int) -> None:
    event = offset
    for cycle in list(kwargs.get("cosine_kwargs", ()))[:-1]:
        event += cycle["decay_steps"]
        if event >= stop or len(out) >= limit:
            return
        if event > offset:
            out.add(event)


_EXTRAS: dict[str, dict[str, Any]] = {
    "join_schedules": {"restarts": _join_restarts, "children": lambda kw: list(kw.get("schedules", ()))},
    "sgdr_schedule": {"restarts": _sgdr_restarts},
}
for _name in FUNCTIONS:
    register(
        SchedulerType(
            name=f"optax.{_name}",
            kind="param",
            family="optax",
            build=_build,
            closed_form=_closed_form(f"optax.{_name}"),
            **_EXTRAS.get(_name, {}),
        )
    )
