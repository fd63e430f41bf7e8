"""Schedule shapes as pure, vectorised functions of an int64 array of event indices.

Each function here knows nothing of optimizers or scheduler objects: it maps event indices (the
``event_index`` a stepping scheduler would hold at that call, 0 for the first call) to float64
values, with the operations in the same order as the stepping code so that results agree to the
last bits (numpy's ``cos``/``pow`` may differ from libm's by an ulp). ``series`` combines them into
whole experiments; the ignite-compatible classes keep the state.

Events may come in any order (unsorted input is sorted internally and the result put back in
order) but must be non-negative. A ``range`` (step 1) is accepted too and never materialised: with
``range(n)`` and the in-place work on blocks of ``CHUNK`` events, the only large allocation of the
cyclical shapes is the output array.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence

import numpy as np

__all__ = [
    "CHUNK",
    "NoClosedForm",
    "cycle_runs",
    "cyclical",
    "cosine_cycles",
    "piecewise_linear",
    "exp_state",
    "step_state",
    "multistep_state",
    "multiplicative_chain",
    "step_lr_factors",
    "multistep_lr_factors",
    "exponential_lr_factors",
    "constant_lr_factors",
    "linear_lr_factors",
    "polynomial_lr_factors",
    "cosine_warm_restarts",
    "one_cycle",
    "cyclic_lr",
]

CHUNK = 1 << 15  # events per in-place block (fits in L2 with a few temporaries)


class NoClosedForm(Exception):
    """The configuration has no exact closed form here; callers step the schedulers instead.

    The message starts with a reason the scheduler type declares (``SchedulerType.declines``),
    or with ``"stepping raises"`` when stepping this configuration raises (then stepping gives
    the error at the right event).
    """


CYCLE_DECLINES = ("no closed form for non-integer cycle sizes", "no closed form for negative cycle sizes")
"""Why :func:`cycle_runs` declines (cyclical schedulers declare these)."""


Form = Callable[[np.ndarray, "float | np.ndarray", "float | np.ndarray"], None]


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------
Events = np.ndarray | range


def _check_events(events: Events) -> Events:
    if isinstance(events, range):
        if events.step != 1 or (len(events) and events.start < 0):
            raise ValueError("Argument events should be a non-negative range with step 1")
        return events
    events = np.asarray(events)
    if events.ndim != 1 or events.dtype.kind not in "iu":
        raise TypeError(f"Argument events should be a 1-D integer array, but given {events.dtype}")
    if events.size and int(events.min()) < 0:
        raise ValueError("Argument events should hold non-negative event indices")
    return events.astype(np.int64, copy=False)


def _arr(events: Events) -> np.ndarray:
    """``events`` as an int64 array (a range is materialised: use on blocks only)."""
    if isinstance(events, range):
        return np.arange(events.start, events.stop, dtype=np.int64)
    return events


def _search(events: Events, value: int) -> int:
    """Index of the first event >= ``value`` in sorted ``events``."""
    if isinstance(events, range):
        return min(max(value - events.start, 0), len(events))
    return int(np.searchsorted(events, value))


def _local(events: Events, first: int, out: np.ndarray) -> None:
    """``out = events - first`` as float64 (events: a block)."""
    if isinstance(events, range):
        events = np.arange(events.start - first, events.stop - first, dtype=np.int64)
        first = 0
    np.subtract(events, first, out=out)


def _sorted_call(events: Events, fill: Callable[[Events, np.ndarray], None]) -> np.ndarray:
    """Run ``fill(sorted_events, out)`` and return values in the order of ``events``."""
    events = _check_events(events)
    out = np.empty(len(events), dtype=np.float64)
    if len(events) == 0:
        return out
    if isinstance(events, range) or len(events) == 1 or bool(np.all(events[1:] >= events[:-1])):
        fill(events, out)
        return out
    order = np.argsort(events, kind="stable")
    tmp = np.empty_like(out)
    fill(events[order], tmp)
    out[order] = tmp
    return out


def _blocks(lo: int, hi: int) -> Iterator[tuple[int, int]]:
    for a in range(lo, hi, CHUNK):
        yield a, min(a + CHUNK, hi)


# ------------------------------------------------------------------------------------------------
# cyclical schedulers
# ------------------------------------------------------------------------------------------------
def _whole(v: object) -> int:
    """``v`` as an int when it is an int or an integral float (4.0 acts as 4 when stepping)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, bool) or not isinstance(v, int):
        raise NoClosedForm(f"{CYCLE_DECLINES[0]} ({v!r})")
    return v


def cycle_runs(
    stop: int, cycle_size: int, cycle_mult: float = 1.0, warmup_duration: int = 0
) -> Iterator[tuple[int, int, int, bool]]:
    """Yield ``(first_event, C, W, repeats)`` covering events ``0 .. stop-1`` cycle by cycle.

    Cycle k spans ``C_k + W_k`` events; the next sizes are ``int(C_k * cycle_mult)`` and
    ``int(W_k * cycle_mult)`` (truncated every cycle, exactly as the stepping scheduler does).
    ``repeats`` is True for the last run when the sizes stop changing: that cycle then repeats
    for ever from ``first_event``.

    Raises ZeroDivisionError when a cycle of size 0 is reached before ``stop`` (the stepping
    scheduler divides by zero there) and :class:`NoClosedForm` for non-integer or negative
    sizes.

    >>> list(cycle_runs(40, 5, 1.5, 3))
    [(0, 5, 3, False), (8, 7, 4, False), (19, 10, 6, False), (35, 15, 9, False)]
    >>> list(cycle_runs(10, 4))
    [(0, 4, 0, True)]
    >>> list(cycle_runs(3, 4, float("nan")))  # the next size is never needed
    [(0, 4, 0, False)]
    """
    size, warm = _whole(cycle_size), _whole(warmup_duration)
    first = 0
    while first < stop:
        if size == 0:
            raise ZeroDivisionError("cycle of size 0")
        if size < 0 or warm < 0:
            raise NoClosedForm(CYCLE_DECLINES[1])
        if first + size + warm >= stop:  # last cycle needed: do not compute the next sizes
            yield first, size, warm, False
            return
        nxt, nwarm = int(size * cycle_mult), int(warm * cycle_mult)
        if (nxt, nwarm) == (size, warm):
            yield first, size, warm, True
            return
        yield first, size, warm, False
        first += size + warm
        size, warm = nxt, nwarm


def _cosine_form(x: np.ndarray, start: float | np.ndarray, end: float | np.ndarray) -> None:
    # start + ((end - start) / 2) * (1 - cos(pi * p)), x holds p
    np.multiply(x, math.pi, out=x)
    np.cos(x, out=x)
    np.subtract(1.0, x, out=x)
    np.multiply(x, (end - start) / 2, out=x)
    np.add(x, start, out=x)


def _linear_form(x: np.ndarray, start: float | np.ndarray, end: float | np.ndarray) -> None:
    # end + (start - end) * abs(p - 0.5) * 2
    np.subtract(x, 0.5, out=x)
    np.abs(x, out=x)
    np.multiply(x, start - end, out=x)
    np.multiply(x, 2, out=x)
    np.add(x, end, out=x)


def _monotonic_form(x: np.ndarray, start: float | np.ndarray, end: float | np.ndarray) -> None:
    # start + (end - start) * p
    np.multiply(x, end - start, out=x)
    np.add(x, start, out=x)


FORMS: dict[str, Form] = {
    "cosine": _cosine_form,
    "linear": _linear_form,
    "monotonic": _monotonic_form,
}


def _tail(x: np.ndarray, size: int, warm: int, start: float | np.ndarray, end: float | np.ndarray):
    # end + (start - end) * ((event_index - cycle_size) / warmup_duration), x holds event_index
    np.subtract(x, size, out=x)
    np.divide(x, warm, out=x)
    np.multiply(x, start - end, out=x)
    np.add(x, end, out=x)


def _one_cycle(ev, out, first, size, warm, start, start2, end, form: Form) -> None:
    """Fill one cycle (scalars) for sorted events ``ev`` in ``[first, first + size + warm)``."""
    mid = _search(ev, first + size)
    for a, b in _blocks(0, mid):
        x = out[a:b]
        _local(ev[a:b], first, x)
        np.divide(x, size, out=x)
        form(x, start, end)
    if mid == len(ev):
        return
    at_size = _search(ev, first + size + 1)
    if at_size > mid:  # p == 1 (with warm-up), start already multiplied
        x = out[mid:at_size]
        x.fill(1.0)
        form(x, start2, end)
        mid = at_size
    for a, b in _blocks(mid, len(ev)):
        x = out[a:b]
        _local(ev[a:b], first, x)
        _tail(x, size, warm, start2, end)


def _repeating(ev, out, first, size, warm, start, end, smult, emult, form: Form) -> None:
    """Fill sorted events ``ev >= first`` of a cycle (C, W) repeated for ever from ``first``."""
    period = size + warm
    q0, s0, e0 = 0, start, end  # cycle index and its start/end values
    for a, b in _blocks(0, len(ev)):
        rel = _arr(ev[a:b]) - first
        q = rel // period
        local = rel - q * period
        q_hi = int(q[-1])
        # start/end of cycles q0 .. q_hi + 1 by repeated multiplication (as stepping does)
        s = np.full(q_hi - q0 + 2, smult, dtype=np.float64)
        s[0] = s0
        np.multiply.accumulate(s, out=s)
        e = np.full(q_hi - q0 + 1, emult, dtype=np.float64)
        e[0] = e0
        np.multiply.accumulate(e, out=e)
        q -= q0
        qs, qe = s[q], e[q]
        late = local >= size
        if warm > 0 and late.any():
            qs[late] = s[q[late] + 1]
        x = out[a:b]
        np.divide(local, size, out=x)
        form(x, qs, qe)
        if warm > 0:
            tail = local > size
            if tail.any():
                t = local[tail].astype(np.float64)
                _tail(t, size, warm, qs[tail], qe[tail])
                x[tail] = t
        q0, s0, e0 = q_hi, float(s[-2]), float(e[-1])


def cyclical(
    events: Events,
    form: str,
    start_value: float,
    end_value: float,
    cycle_size: int,
    cycle_mult: float = 1.0,
    start_value_mult: float = 1.0,
    end_value_mult: float = 1.0,
    warmup_duration: int = 0,
) -> np.ndarray:
    """Values of a cyclical scheduler (``form`` "cosine", "linear" or "monotonic") at ``events``.

    Inside cycle k (sizes from :func:`cycle_runs`), with local index ``i`` and ``p = i / C_k``:
    ``i < C_k`` uses ``form(p)`` between ``s_k`` and ``e_k``; ``i == C_k`` (only with warm-up)
    uses ``form(1)`` with the already multiplied start ``s_{k+1} = s_k * start_value_mult``;
    ``i > C_k`` is the linear warm-up tail ``e_k + (s_{k+1} - e_k) * ((i - C_k) / W_k)``.
    ``e_{k+1} = e_k * end_value_mult``. Multipliers compound by repeated multiplication.

    Raises like :func:`cycle_runs` for configurations without a closed form.
    """
    fn = FORMS[form]
    s_mult, e_mult = float(start_value_mult), float(end_value_mult)

    def fill(ev: np.ndarray, out: np.ndarray) -> None:
        start, end = float(start_value), float(end_value)
        stop = int(ev[-1]) + 1
        for first, size, warm, repeats in cycle_runs(stop, cycle_size, cycle_mult, warmup_duration):
            lo = _search(ev, first)
            if repeats:
                _repeating(ev[lo:], out[lo:], first, size, warm, start, end, s_mult, e_mult, fn)
                return
            hi = _search(ev, first + size + warm)
            start2 = start * s_mult
            if hi > lo:
                _one_cycle(ev[lo:hi], out[lo:hi], first, size, warm, start, start2, end, fn)
            start, end = start2, end * e_mult

    return _sorted_call(events, fill)


def cosine_cycles(events: Events, start_value: float, end_value: float, cycle_size: int,
                  cycle_mult: float = 1.0, start_value_mult: float = 1.0,
                  end_value_mult: float = 1.0, warmup_duration: int = 0) -> np.ndarray:  # fmt: skip
    """CosineAnnealingScheduler: ``s + ((e - s) / 2) * (1 - cos(pi * i / C))`` per cycle.

    See :func:`cyclical` for the cycle layout, multipliers and warm-up tail.

    >>> cosine_cycles(np.arange(6), 1.0, 0.0, 4).round(4).tolist()
    [1.0, 0.8536, 0.5, 0.1464, 1.0, 0.8536]
    """
    return cyclical(events, "cosine", start_value, end_value, cycle_size, cycle_mult,
                    start_value_mult, end_value_mult, warmup_duration)  # fmt: skip


# ------------------------------------------------------------------------------------------------
# piecewise linear and state schedulers
# ------------------------------------------------------------------------------------------------
def piecewise_linear(events: Events, milestones: Sequence[int], values: Sequence[float]) -> np.ndarray:
    """Linear interpolation between ``(milestone, value)`` pairs, constant outside them.

    Segment j is the last one with ``m[j] <= e`` (so a repeated milestone is a jump: the later
    pair wins); value ``v[j] + (v[j+1] - v[j]) * (e - m[j]) / (m[j+1] - m[j])``. Before the first
    milestone ``v[0]``, from the last one on ``v[-1]`` (both as ``v + (v - v) * 1 / 1``).

    >>> piecewise_linear(np.arange(7), [1, 3, 5], [1.0, 0.8, 0.2]).round(6).tolist()
    [1.0, 1.0, 0.9, 0.8, 0.5, 0.2, 0.2]
    """
    events = _check_events(events)
    m = np.asarray(milestones, dtype=np.int64)
    v = np.asarray(values, dtype=np.float64)
    out = np.empty(len(events), dtype=np.float64)
    for a, b in _blocks(0, len(events)):
        ev = _arr(events[a:b])
        j = np.searchsorted(m, ev, side="right") - 1
        inside = (j >= 0) & (j < m.size - 1)
        j0 = np.clip(j, 0, max(m.size - 2, 0))
        j1 = np.minimum(j0 + 1, m.size - 1)
        lo_e = np.where(inside, m[j0], ev - 1)
        hi_e = np.where(inside, m[j1], ev)
        edge = np.where(j < 0, v[0], v[-1])
        lo_v = np.where(inside, v[j0], edge)
        hi_v = np.where(inside, v[j1], edge)
        x = out[a:b]
        np.subtract(ev, lo_e, out=x)
        np.multiply(hi_v - lo_v, x, out=x)
        np.divide(x, hi_e - lo_e, out=x)
        np.add(lo_v, x, out=x)
    return out


def exp_state(events: Events, initial_value: float, gamma: float) -> np.ndarray:
    """ExpStateScheduler at event index e: ``initial_value * gamma ** e``.

    A state scheduler increments first, so its k-th call (from 0) evaluates ``e = k + 1``.

    >>> exp_state(np.arange(1, 4), 2.0, 0.5).tolist()
    [1.0, 0.5, 0.25]
    """
    e = _arr(_check_events(events))
    return float(initial_value) * np.power(float(gamma), e.astype(np.float64))


def step_state(events: Events, initial_value: float, gamma: float, step_size: int) -> np.ndarray:
    """StepStateScheduler: ``initial_value * gamma ** (e // step_size)``.

    >>> step_state(np.arange(1, 6), 1.0, 0.5, 2).tolist()
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """
    e = _arr(_check_events(events))
    return float(initial_value) * np.power(float(gamma), (e // step_size).astype(np.float64))


def multistep_state(
    events: Events, initial_value: float, gamma: float, milestones: Sequence[int]
) -> np.ndarray:
    """MultiStepStateScheduler: ``initial_value * gamma ** bisect_right(milestones, e)``.

    >>> multistep_state(np.arange(1, 6), 1.0, 0.5, [2, 4]).tolist()
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """
    e = _arr(_check_events(events))
    k = np.searchsorted(np.asarray(milestones, dtype=np.int64), e, side="right")
    return float(initial_value) * np.power(float(gamma), k.astype(np.float64))


# ------------------------------------------------------------------------------------------------
# torch.optim.lr_scheduler as ignite's LRScheduler drives it (torch 2.13 chainable get_lr)
# ------------------------------------------------------------------------------------------------
def multiplicative_chain(initial: float, factors: np.ndarray) -> np.ndarray:
    """``v_k = v_{k-1} * factors[k]`` with ``v_{-1} = initial``, by sequential multiplication.

    This is how torch's chainable ``get_lr`` evolves ``group["lr"]`` when ignite's LRScheduler
    writes each value back (``np.multiply.accumulate`` multiplies in order, so the result is
    bit-identical to the stepping loop).

    >>> multiplicative_chain(1.0, np.array([1.0, 0.5, 0.5])).tolist()
    [1.0, 0.5, 0.25]
    """
    out = np.empty(len(factors) + 1, dtype=np.float64)
    out[0] = initial
    out[1:] = factors
    np.multiply.accumulate(out, out=out)
    return out[1:]


def step_lr_factors(last_epochs: np.ndarray, step_size: int, gamma: float) -> np.ndarray:
    """StepLR: factor ``gamma`` when ``last_epoch > 0`` and ``last_epoch % step_size == 0``, else 1.

    >>> step_lr_factors(np.arange(5), 2, 0.1).tolist()
    [1.0, 1.0, 0.1, 1.0, 0.1]
    """
    le = np.asarray(last_epochs, dtype=np.int64)
    return np.where((le != 0) & (le % step_size == 0), float(gamma), 1.0)


def multistep_lr_factors(last_epochs: np.ndarray, milestones: Sequence[int], gamma: float):
    """MultiStepLR: factor ``gamma ** count(last_epoch in milestones)`` at milestones, else 1.

    >>> multistep_lr_factors(np.arange(4), [1, 3, 3], 0.5).tolist()
    [1.0, 0.5, 1.0, 0.25]
    """
    le = np.asarray(last_epochs, dtype=np.int64)
    out = np.ones(le.shape, dtype=np.float64)
    for m, count in Counter(milestones).items():
        out[le == m] = gamma**count
    return out


def exponential_lr_factors(last_epochs: np.ndarray, gamma: float) -> np.ndarray:
    """ExponentialLR (not in its initial step): factor ``gamma`` at every call."""
    return np.full(np.shape(last_epochs), float(gamma), dtype=np.float64)


def constant_lr_factors(last_epochs: np.ndarray, factor: float, total_iters: int) -> np.ndarray:
    """ConstantLR: ``factor`` at ``last_epoch == 0``, ``1.0 / factor`` at ``total_iters``, else 1.

    >>> constant_lr_factors(np.arange(4), 0.5, 2).tolist()
    [0.5, 1.0, 2.0, 1.0]
    """
    le = np.asarray(last_epochs, dtype=np.int64)
    out = np.where(le == total_iters, 1.0 / factor, 1.0)
    out[le == 0] = factor
    return out


def _python_factors(le: np.ndarray, limit: int, fn: Callable[[int], float]) -> np.ndarray:
    """Factors ``fn(last_epoch)`` for ``0 <= last_epoch <= limit`` in Python floats, else 1."""
    out = np.ones(le.shape, dtype=np.float64)
    lo, hi = int(le.min(initial=0)), min(int(le.max(initial=0)), limit)
    if hi >= max(lo, 0):
        table = np.array([fn(k) for k in range(max(lo, 0), hi + 1)], dtype=np.float64)
        sel = (le >= max(lo, 0)) & (le <= hi)
        out[sel] = table[le[sel] - max(lo, 0)]
    return out


def linear_lr_factors(last_epochs, start_factor: float, end_factor: float, total_iters: int):
    """LinearLR: ``start_factor`` at 0; ``1 + (e - s) / (T * s + (le - 1) * (e - s))`` up to T.

    >>> linear_lr_factors(np.arange(4), 0.5, 1.0, 2).tolist()
    [0.5, 1.5, 1.3333333333333333, 1.0]
    """
    s, e, t = start_factor, end_factor, total_iters

    def fn(k: int) -> float:
        return s if k == 0 else 1.0 + (e - s) / (t * s + (k - 1) * (e - s))

    return _python_factors(np.asarray(last_epochs, dtype=np.int64), t, fn)


def polynomial_lr_factors(last_epochs, total_iters: int, power: float) -> np.ndarray:
    """PolynomialLR: ``((1 - le / T) / (1 - (le - 1) / T)) ** power`` for ``le <= T``, else 1."""
    t = total_iters

    def fn(k: int) -> float:
        return ((1.0 - k / t) / (1.0 - (k - 1) / t)) ** power

    return _python_factors(np.asarray(last_epochs, dtype=np.int64), t, fn)


def cosine_warm_restarts(
    events: Events, base_lr: float, T_0: int, T_mult: int = 1, eta_min: float = 0.0
) -> np.ndarray:
    """CosineAnnealingWarmRestarts through ignite's adapter: call k sees ``T_cur`` after k+1 steps.

    ``T_cur`` counts up and wraps by ``T_i`` (``T_i *= T_mult`` at each wrap); value
    ``eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``.

    >>> cosine_warm_restarts(np.arange(4), 0.1, 3).round(4).tolist()
    [0.075, 0.025, 0.1, 0.075]
    """
    events = _check_events(events)
    pos = range(events.start + 1, events.stop + 1) if isinstance(events, range) else events + 1

    def fill(ev: np.ndarray, out: np.ndarray) -> None:
        for first, size, _, repeats in cycle_runs(int(ev[-1]) + 1, T_0, T_mult):
            lo = _search(ev, first)
            hi = len(ev) if repeats else _search(ev, first + size)
            for a, b in _blocks(lo, hi):
                x = out[a:b]
                _local(ev[a:b], first, x)
                if repeats:
                    np.remainder(x, size, out=x)
                np.multiply(x, math.pi, out=x)
                np.divide(x, size, out=x)
                np.cos(x, out=x)
                np.add(x, 1, out=x)
                np.multiply(x, base_lr - eta_min, out=x)
                np.divide(x, 2, out=x)
                np.add(x, eta_min, out=x)
            if repeats:
                return

    return _sorted_call(pos, fill)


def _anneal(pct: np.ndarray, start, end, strategy: str) -> np.ndarray:
    if strategy == "cos":  # end + (start - end) / 2.0 * (cos(pi * pct) + 1)
        x = np.cos(np.multiply(pct, math.pi))
        x += 1
        return (start - end) / 2.0 * x + end
    return (end - start) * pct + start  # linear


def one_cycle(
    last_epochs: np.ndarray,
    initial_lr: float,
    max_lr: float,
    min_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    three_phase: bool = False,
) -> np.ndarray:
    """OneCycleLR's lr at each ``last_epoch`` (torch's phases: warm-up, anneal, optional 3rd).

    Phase i ends at ``end_step_i``; ``pct = (step - start_step) / (end_step - start_step)``;
    cos anneal ``end + (start - end) / 2 * (cos(pi * pct) + 1)``, linear ``(end - start) * pct +
    start``. Raises :class:`NoClosedForm` past ``total_steps`` (torch raises ValueError there) and
    ZeroDivisionError for an empty phase that is used, as torch does.
    """
    le = np.asarray(last_epochs, dtype=np.int64)
    if le.size and int(le.max()) > total_steps:
        raise NoClosedForm(
            f"stepping raises: tried to step {int(le.max())} times past total steps {total_steps}"
        )
    if three_phase:
        phases = [
            (float(pct_start * total_steps) - 1, initial_lr, max_lr),
            (float(2 * pct_start * total_steps) - 2, max_lr, initial_lr),
            (total_steps - 1, initial_lr, min_lr),
        ]
    else:
        phases = [
            (float(pct_start * total_steps) - 1, initial_lr, max_lr),
            (total_steps - 1, max_lr, min_lr),
        ]
    out = np.empty(le.shape, dtype=np.float64)
    todo = np.ones(le.shape, dtype=bool)
    start_step = 0.0
    for i, (end_step, lo, hi) in enumerate(phases):
        sel = todo if i == len(phases) - 1 else todo & (le <= end_step)
        if sel.any():
            if end_step - start_step == 0:
                raise ZeroDivisionError("float division by zero")
            pct = (le[sel] - start_step) / (end_step - start_step)
            out[sel] = _anneal(pct, lo, hi, anneal_strategy)
        todo &= ~sel
        start_step = end_step
    return out


def cyclic_lr(
    last_epochs: np.ndarray,
    base_lr: float,
    max_lr: float,
    step_size_up: float = 2000,
    step_size_down: float | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
    from_top: bool = False,
) -> np.ndarray:
    """CyclicLR's lr at each ``last_epoch`` for the built-in modes.

    ``cycle = floor(1 + le / total)``, ``x = 1 + le / total - cycle``; scale ``x / ratio`` on the
    way up, ``(x - 1) / (ratio - 1)`` down; ``base + (max - base) * scale * f`` with
    ``f = 1`` (triangular), ``1 / 2 ** (cycle - 1)`` (triangular2) or ``gamma ** le``
    (exp_range). ``from_top``: its momentum instead, ``max - (max - base) * scale * f``.
    """
    le = np.asarray(last_epochs, dtype=np.int64)
    up = float(step_size_up)
    down = float(step_size_down) if step_size_down is not None else up
    total = up + down
    ratio = up / total
    q = le / total
    cycle = np.floor(1 + q)
    x = 1.0 + q - cycle
    up_side = x <= ratio
    scale = np.empty_like(x)
    scale[up_side] = x[up_side] / ratio
    if not up_side.all():
        scale[~up_side] = (x[~up_side] - 1) / (ratio - 1)
    height = (max_lr - base_lr) * scale
    if mode == "triangular":
        f = 1.0
    elif mode == "triangular2":
        f = 1 / (2.0 ** (cycle - 1))
    elif mode == "exp_range":
        f = np.array([gamma ** int(k) for k in le], dtype=np.float64)
    else:
        raise NoClosedForm(f"no closed form for CyclicLR mode {mode!r}")
    return max_lr - height * f if from_top else base_lr + height * f
