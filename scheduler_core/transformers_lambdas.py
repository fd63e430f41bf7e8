"""The maths of transformers' schedules: each ``lr_lambda`` and its vectorised twin.

The scalar lambdas follow ``transformers.optimization``'s operation order in plain Python floats.
Each twin takes the same keywords and ``t``, float64 step values ``start, start + 1, ...``,
and overwrites ``t`` with the factors, doing the same IEEE operations in the same order (the
tests check ``np.cos`` and ``np.float_power`` against libm's ``math.cos`` and ``**``; numpy's
``np.power`` differs). :mod:`scheduler_core.transformers` builds the schedules from them.

>>> t = np.arange(6, dtype=np.float64)
>>> linear_v(t, 0, num_warmup_steps=2, num_training_steps=4)
>>> t.tolist() == [linear(i, num_warmup_steps=2, num_training_steps=4) for i in range(6)]
True
"""

from __future__ import annotations

import math

import numpy as np

from .shapes import NoClosedForm


# Step values are exact floats below 2**53: ``float(a - b)`` of ints is ``float(a) - float(b)``,
# and Python's true division of ints is the correctly rounded quotient, as IEEE's of exact floats.
def _segments(t: np.ndarray, start: int, *edges: int) -> list[np.ndarray]:
    """Views of ``t`` (steps from ``start``): steps ``< e1``, ``e1 <= step < e2``, ..., ``>= e_last``."""
    stop, lo, top, out = start + len(t), start, start, []
    for edge in edges:
        top = max(top, edge)
        hi = max(lo, min(top, stop))
        out.append(t[lo - start : hi - start])
        lo = hi
    out.append(t[lo - start :])
    return out


def _ramp(step: int, num_warmup_steps: int) -> float:
    return float(step) / float(max(1, num_warmup_steps))


def _ramp_v(t: np.ndarray, num_warmup_steps: int) -> None:
    np.divide(t, float(max(1, num_warmup_steps)), out=t)


def _positive_v(x: np.ndarray) -> None:
    """Python's ``max(0, x)`` in place: ``x`` where ``x > 0``, else +0 (adding 0.0 turns -0.0 into 0.0)."""
    np.maximum(x, 0.0, out=x)
    np.add(x, 0.0, out=x)


def _half_cosine_v(x: np.ndarray) -> None:
    """``0.5 * (1.0 + cos(x))`` in place."""
    np.cos(x, out=x)
    np.add(x, 1.0, out=x)
    np.multiply(x, 0.5, out=x)


def _floor_to_v(x: np.ndarray, floor: float, one: float = 1) -> None:
    """``x * (one - floor) + floor`` in place."""
    np.multiply(x, one - floor, out=x)
    np.add(x, floor, out=x)


def _progress(step: int, num_warmup_steps: int, num_training_steps: int) -> float:
    return float(step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))


def progress_v(x: np.ndarray, num_warmup_steps: int, num_training_steps: int) -> None:
    np.subtract(x, float(num_warmup_steps), out=x)
    np.divide(x, float(max(1, num_training_steps - num_warmup_steps)), out=x)


def constant(step: int) -> int:
    return 1


def constant_v(t: np.ndarray, start: int) -> None:
    t.fill(1.0)


def constant_warmup(step: int, *, num_warmup_steps: int) -> float:
    if step < num_warmup_steps:
        return float(step) / float(max(1.0, num_warmup_steps))
    return 1.0


def constant_warmup_v(t: np.ndarray, start: int, *, num_warmup_steps: int) -> None:
    warm, rest = _segments(t, start, num_warmup_steps)
    np.divide(warm, float(max(1.0, num_warmup_steps)), out=warm)
    rest.fill(1.0)


def linear(step: int, *, num_warmup_steps: int, num_training_steps: int) -> float:
    if step < num_warmup_steps:
        return _ramp(step, num_warmup_steps)
    return max(0.0, float(num_training_steps - step) / float(max(1, num_training_steps - num_warmup_steps)))


def linear_v(t: np.ndarray, start: int, *, num_warmup_steps: int, num_training_steps: int) -> None:
    warm, rest = _segments(t, start, num_warmup_steps)
    _ramp_v(warm, num_warmup_steps)
    np.subtract(float(num_training_steps), rest, out=rest)
    np.divide(rest, float(max(1, num_training_steps - num_warmup_steps)), out=rest)
    _positive_v(rest)


def cosine(step: int, *, num_warmup_steps: int, num_training_steps: int, num_cycles: float) -> float:
    if step < num_warmup_steps:
        return _ramp(step, num_warmup_steps)
    progress = _progress(step, num_warmup_steps, num_training_steps)
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))


def cosine_v(
    t: np.ndarray, start: int, *, num_warmup_steps: int, num_training_steps: int, num_cycles: float
) -> None:
    warm, rest = _segments(t, start, num_warmup_steps)
    _ramp_v(warm, num_warmup_steps)
    progress_v(rest, num_warmup_steps, num_training_steps)
    np.multiply(rest, math.pi * float(num_cycles) * 2.0, out=rest)
    _half_cosine_v(rest)
    _positive_v(rest)


def hard_restarts(step: int, *, num_warmup_steps: int, num_training_steps: int, num_cycles: int) -> float:
    if step < num_warmup_steps:
        return _ramp(step, num_warmup_steps)
    progress = _progress(step, num_warmup_steps, num_training_steps)
    if progress >= 1.0:
        return 0.0
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))


def hard_restarts_v(
    t: np.ndarray, start: int, *, num_warmup_steps: int, num_training_steps: int, num_cycles: int
) -> None:
    # progress >= 1.0 exactly from step w + max(1, T - w) on (a correctly rounded quotient of ints
    # below 2**53 reaches 1.0 only when the numerator reaches the denominator)
    done_at = num_warmup_steps + max(1, num_training_steps - num_warmup_steps)
    warm, rest, done = _segments(t, start, num_warmup_steps, done_at)
    _ramp_v(warm, num_warmup_steps)
    progress_v(rest, num_warmup_steps, num_training_steps)
    np.multiply(rest, float(num_cycles), out=rest)
    mod1_v(rest)
    np.multiply(rest, math.pi, out=rest)
    _half_cosine_v(rest)
    _positive_v(rest)
    done.fill(0.0)


def mod1_v(x: np.ndarray) -> None:
    """Python's ``x % 1.0`` in place, as ``x - floor(x)``: the exact fraction, rounded once as
    Python's ``fmod(x, 1.0) (+ 1.0 when negative)`` is (and +0.0 for whole numbers)."""
    np.subtract(x, np.floor(x), out=x)


def polynomial(
    step: int,
    *,
    num_warmup_steps: int,
    num_training_steps: int,
    lr_end: float,
    power: float,
    lr_init: float,
) -> float:
    if step < num_warmup_steps:
        return _ramp(step, num_warmup_steps)
    if step > num_training_steps:
        return lr_end / lr_init  # LambdaLR multiplies by the group's lr
    remaining = 1 - (step - num_warmup_steps) / (num_training_steps - num_warmup_steps)
    return ((lr_init - lr_end) * remaining**power + lr_end) / lr_init


def polynomial_v(
    t: np.ndarray,
    start: int,
    *,
    num_warmup_steps: int,
    num_training_steps: int,
    lr_end: float,
    power: float,
    lr_init: float,
) -> None:
    warm, decay, after = _segments(t, start, num_warmup_steps, num_training_steps + 1)
    _ramp_v(warm, num_warmup_steps)
    if len(decay):
        span = num_training_steps - num_warmup_steps
        if span == 0:
            raise ZeroDivisionError("division by zero")  # as the scalar lambda at that step
        np.subtract(decay, float(num_warmup_steps), out=decay)
        np.divide(decay, float(span), out=decay)
        np.subtract(1.0, decay, out=decay)
        if power < 0 and not decay.all():
            raise ZeroDivisionError("0.0 cannot be raised to a negative power")
        if power != 1.0:  # x ** 1.0 is x (the tests check it)
            np.float_power(decay, float(power), out=decay)  # libm's pow, unlike np.power's SIMD loop
        np.multiply(decay, lr_init - lr_end, out=decay)
        np.add(decay, lr_end, out=decay)
        np.divide(decay, lr_init, out=decay)
    after.fill(lr_end / lr_init)


def inverse_sqrt(step: int, *, num_warmup_steps: int, timescale: int) -> float:
    if step < num_warmup_steps:
        return _ramp(step, num_warmup_steps)
    return 1.0 / math.sqrt((step + (timescale - num_warmup_steps)) / timescale)


def inverse_sqrt_v(t: np.ndarray, start: int, *, num_warmup_steps: int, timescale: int) -> None:
    warm, rest = _segments(t, start, num_warmup_steps)
    _ramp_v(warm, num_warmup_steps)
    if len(rest) and timescale == 0:
        raise ZeroDivisionError("division by zero")  # as the scalar lambda
    np.add(rest, float(timescale - num_warmup_steps), out=rest)
    np.divide(rest, float(timescale), out=rest)
    if len(rest) and rest.min() < 0:
        raise NoClosedForm("stepping raises: math domain error (a negative timescale)")
    np.sqrt(rest, out=rest)
    np.divide(1.0, rest, out=rest)


def cosine_min_lr(
    step: int, *, num_warmup_steps: int, num_training_steps: int, num_cycles: float, min_lr_rate: float
) -> float:
    if step < num_warmup_steps:
        return _ramp(step, num_warmup_steps)
    progress = _progress(step, num_warmup_steps, num_training_steps)
    factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    return max(0, factor * (1 - min_lr_rate) + min_lr_rate)


def cosine_min_lr_v(
    t: np.ndarray,
    start: int,
    *,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float,
    min_lr_rate: float,
) -> None:
    warm, rest = _segments(t, start, num_warmup_steps)
    _ramp_v(warm, num_warmup_steps)
    progress_v(rest, num_warmup_steps, num_training_steps)
    np.multiply(rest, math.pi * float(num_cycles) * 2.0, out=rest)
    _half_cosine_v(rest)
    _floor_to_v(rest, min_lr_rate)
    _positive_v(rest)


def cosine_min_lr_rate(
    step: int,
    *,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float,
    min_lr_rate: float,
    warmup_lr_rate: float | None,
) -> float:
    t, warmup, total = float(step), float(num_warmup_steps), float(num_training_steps)
    if t < warmup:
        if warmup_lr_rate is None:
            return (t + 1.0) / max(1.0, warmup)
        first = float(warmup_lr_rate)
        return first + (1.0 - first) * t / max(1, warmup - 1)
    progress = (t - warmup + 1.0) / max(1.0, total - warmup)
    factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
    return max(0, factor * (1 - min_lr_rate) + min_lr_rate)


def cosine_min_lr_rate_v(
    t: np.ndarray,
    start: int,
    *,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float,
    min_lr_rate: float,
    warmup_lr_rate: float | None,
) -> None:
    warmup, total = float(num_warmup_steps), float(num_training_steps)
    warm, rest = _segments(t, start, num_warmup_steps)
    if warmup_lr_rate is None:
        np.add(warm, 1.0, out=warm)
        np.divide(warm, max(1.0, warmup), out=warm)
    else:
        first = float(warmup_lr_rate)
        np.multiply(warm, 1.0 - first, out=warm)
        np.divide(warm, float(max(1, warmup - 1)), out=warm)
        np.add(warm, first, out=warm)
    np.subtract(rest, warmup, out=rest)
    np.add(rest, 1.0, out=rest)
    np.divide(rest, max(1.0, total - warmup), out=rest)
    np.multiply(rest, math.pi * num_cycles * 2.0, out=rest)
    _half_cosine_v(rest)
    _floor_to_v(rest, min_lr_rate)
    _positive_v(rest)


def wsd(
    step: int,
    *,
    num_warmup_steps: int,
    num_stable_steps: int,
    num_decay_steps: int,
    warmup_type: str,
    decay_type: str,
    min_lr_ratio: float,
    num_cycles: float,
) -> float:
    if step < num_warmup_steps:
        progress = _ramp(step, num_warmup_steps)
        if warmup_type == "linear":
            factor = progress
        elif warmup_type == "cosine":
            factor = 0.5 * (1.0 - math.cos(math.pi * progress))
        else:  # "1-sqrt"
            factor = 1.0 - math.sqrt(1.0 - progress)
        return max(0.0, factor * (1.0 - min_lr_ratio) + min_lr_ratio)
    if step < num_warmup_steps + num_stable_steps:
        return 1.0
    if step < num_warmup_steps + num_stable_steps + num_decay_steps:
        progress = float(step - num_warmup_steps - num_stable_steps) / float(max(1, num_decay_steps))
        if decay_type == "linear":
            factor = 1.0 - progress
        elif decay_type == "cosine":
            factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
        else:  # "1-sqrt"
            factor = 1.0 - math.sqrt(progress)
        return max(0.0, factor * (1.0 - min_lr_ratio) + min_lr_ratio)
    return min_lr_ratio


def wsd_v(
    t: np.ndarray,
    start: int,
    *,
    num_warmup_steps: int,
    num_stable_steps: int,
    num_decay_steps: int,
    warmup_type: str,
    decay_type: str,
    min_lr_ratio: float,
    num_cycles: float,
) -> None:
    w, s, d = num_warmup_steps, num_stable_steps, num_decay_steps
    warm, stable, decay, after = _segments(t, start, w, w + s, w + s + d)
    _ramp_v(warm, w)
    if warmup_type == "cosine":
        np.multiply(warm, math.pi, out=warm)
        np.cos(warm, out=warm)
        np.subtract(1.0, warm, out=warm)
        np.multiply(warm, 0.5, out=warm)
    elif warmup_type == "1-sqrt":
        np.subtract(1.0, warm, out=warm)
        np.sqrt(warm, out=warm)
        np.subtract(1.0, warm, out=warm)
    stable.fill(1.0)
    np.subtract(decay, float(w + s), out=decay)
    np.divide(decay, float(max(1, d)), out=decay)
    if decay_type == "linear":
        np.subtract(1.0, decay, out=decay)
    elif decay_type == "cosine":
        np.multiply(decay, math.pi * float(num_cycles) * 2.0, out=decay)
        _half_cosine_v(decay)
    else:  # "1-sqrt"
        np.sqrt(decay, out=decay)
        np.subtract(1.0, decay, out=decay)
    for part in (warm, decay):
        _floor_to_v(part, min_lr_ratio, 1.0)
        _positive_v(part)
    after.fill(min_lr_ratio)
