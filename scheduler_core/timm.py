"""timm's learning-rate schedulers (``timm.scheduler``, checked against timm 1.0.31), exact.

Swap ``from timm.scheduler import CosineLRScheduler`` for
``from scheduler_core.timm import CosineLRScheduler``: the same constructor arguments and
defaults, the same ``step(epoch)`` / ``step_update(num_updates)`` writing the group's value,
the same ``_get_lr(t)`` values bit for bit, and the same noise. torch is imported only to draw
noise (timm draws it from a ``torch.Generator`` seeded with ``noise_seed + t``); without noise
no torch is needed and any object with ``param_groups`` will do as the optimizer.

Where timm ``assert``s an argument, these classes raise :class:`TimmArgumentError` (both an
``AssertionError``, like timm's, and a ``ValueError``). One more check than timm: noise with
``noise_pct <= 0`` is refused, where timm would resample forever.

In an experiment (:mod:`scheduler_core.experiment`), event ``i`` is update ``i``: the value the
optimizer uses at update ``i`` in timm's usual loop. The constructor writes update 0's value;
with ``t_in_epochs=False`` the loop calls ``step_update(num_updates=i + 1)`` after update ``i``;
with ``t_in_epochs=True`` (timm's default) it calls ``step(epoch + 1)`` after each epoch's last
update, so the value changes only at epoch starts (the experiment's ``iterations_per_epoch``).

>>> from scheduler_core.base import GroupsOptimizer
>>> opt = GroupsOptimizer([{"lr": 0.1}])
>>> s = CosineLRScheduler(opt, t_initial=4, t_in_epochs=False)
>>> lrs = [opt.param_groups[0]["lr"]]
>>> for i in range(5):
...     s.step_update(num_updates=i + 1)
...     lrs.append(round(opt.param_groups[0]["lr"], 6))
>>> lrs
[0.1, 0.085355, 0.05, 0.014645, 0.0, 0.0]
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import repeat
from typing import Any

import numpy as np

from . import libm
from ._optional import import_torch
from .base import GroupsOptimizer
from .registry import Context, SchedulerType, register
from .shapes import CHUNK, NoClosedForm
from .spec import SchedulerSpec
from .torch_wrappers import PLATEAU_STEPPING

__all__ = [
    "CosineLRScheduler",
    "MultiStepLRScheduler",
    "PlateauLRScheduler",
    "PolyLRScheduler",
    "Scheduler",
    "StepLRScheduler",
    "TanhLRScheduler",
    "TimmArgumentError",
    "UpdateDriver",
]

CYCLES_MAX = 20_000
"""Most cycles (within ``cycle_limit``) a closed form evaluates; more are stepped."""
NOISE_DRAWS_MAX = 20_000
"""Noise draws (one per noisy update or epoch, ~10 µs each with torch) above which the closed
form declines: the series are then stepped, under the stepping budget of the caller."""
DECLINES = (
    "a param group has lr_scale",
    f"noise drawn at more than {NOISE_DRAWS_MAX} updates or epochs",
    "decay_t not sorted",
    f"more than {CYCLES_MAX} cycles",
)
"""Why a timm closed form declines (else "stepping raises": a math domain error, a division by
zero, an overflow or complex values at some update, exactly as stepping meets them)."""


class TimmArgumentError(ValueError, AssertionError):
    """An argument timm checks with ``assert`` (so ``except AssertionError`` still works)."""


def _check(ok: bool, name: str, should: str, given: Any) -> None:
    if not ok:
        raise TimmArgumentError(f"Argument {name} should be {should}, but given {given!r}")


# ------------------------------------------------------------------------------------------------
# the base class
# ------------------------------------------------------------------------------------------------
def draw_noise(seed: int, noise_type: str, noise_pct: float, noise_std: float) -> float:
    """timm's noise for one step: a ``torch.Generator`` seeded with ``seed`` (``noise_seed + t``);
    ``"normal"``: ``randn * noise_std`` redrawn until ``abs(noise) < noise_pct``; otherwise
    uniform in ``(-noise_pct, noise_pct)``."""
    torch = import_torch()
    g = torch.Generator()
    g.manual_seed(seed)
    if noise_type == "normal":
        while True:
            noise = torch.randn(1, generator=g).item() * noise_std
            if abs(noise) < noise_pct:
                return noise
    return 2 * (torch.rand(1, generator=g).item() - 0.5) * noise_pct


def in_noise_range(noise_range_t: Any, t: Any) -> Any:
    """Whether step ``t`` (an int or an int array) is noisy: ``lo <= t < hi`` or ``t >= start``."""
    if noise_range_t is None:
        return t != t  # False (or an all-False array)
    if isinstance(noise_range_t, (list, tuple)):
        return (noise_range_t[0] <= t) & (t < noise_range_t[1])
    return t >= noise_range_t


class Scheduler:
    """timm's ``Scheduler``: writes ``param_group_field`` of every param group.

    Args:
        optimizer: a torch optimizer or any object whose ``param_groups`` is a list of dicts.
        param_group_field: the key written (timm's subclasses use ``"lr"``).
        t_in_epochs: ``step(epoch)`` changes the value (True) or ``step_update(num_updates)``.
        noise_range_t: noisy steps: ``t >= noise_range_t``, or ``lo <= t < hi`` for a pair.
        noise_type / noise_pct / noise_std / noise_seed: see :func:`draw_noise` (seed
            ``noise_seed + t``, default seed 42).
        initialize: set ``initial_<field>`` of each group from its value when missing (else it
            must be there already). Base values are ``initial_<field>``.

    Raises:
        KeyError: a group lacks the field (or ``initial_<field>`` with ``initialize=False``).
        TimmArgumentError: noise with ``noise_pct <= 0`` (timm would loop forever).
    """

    def __init__(
        self,
        optimizer: Any,
        param_group_field: str,
        t_in_epochs: bool = True,
        noise_range_t: int | Sequence[int] | None = None,
        noise_type: str = "normal",
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int | None = None,
        initialize: bool = True,
    ) -> None:
        self.optimizer = optimizer
        self.param_group_field = param_group_field
        self._initial_param_group_field = f"initial_{param_group_field}"
        for i, group in enumerate(optimizer.param_groups):
            if initialize:
                if param_group_field not in group:
                    raise KeyError(f"{param_group_field} missing from param_groups[{i}]")
                group.setdefault(self._initial_param_group_field, group[param_group_field])
            elif self._initial_param_group_field not in group:
                raise KeyError(f"{self._initial_param_group_field} missing from param_groups[{i}]")
        self.base_values = [group[self._initial_param_group_field] for group in optimizer.param_groups]
        if noise_range_t is not None:
            import_torch()  # the noise needs it: say so now, not at the first noisy step
            if noise_type == "normal":
                _check(noise_pct > 0, "noise_pct", "positive when noise_range_t is set", noise_pct)
        self.metric = None
        self.t_in_epochs = t_in_epochs
        self.noise_range_t = noise_range_t
        self.noise_pct = noise_pct
        self.noise_type = noise_type
        self.noise_std = noise_std
        self.noise_seed = noise_seed if noise_seed is not None else 42
        self.update_groups(self.base_values)

    def state_dict(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        self.__dict__.update(state_dict)

    def _get_lr(self, t: int) -> list[float]:
        raise NotImplementedError

    def _get_values(self, t: int, on_epoch: bool = True) -> list[float] | None:
        if bool(on_epoch) != bool(self.t_in_epochs):
            return None
        return self._get_lr(t)

    def step(self, epoch: int, metric: float | None = None) -> None:
        """Write the value of ``epoch`` (with ``t_in_epochs``); call it after each epoch with
        the next epoch's number."""
        self.metric = metric
        values = self._get_values(epoch, on_epoch=True)
        if values is not None:
            self.update_groups(self._add_noise(values, epoch))

    def step_update(self, num_updates: int, metric: float | None = None) -> None:
        """Write the value of update ``num_updates`` (without ``t_in_epochs``); call it after
        each optimizer update with the number of updates done."""
        self.metric = metric
        values = self._get_values(num_updates, on_epoch=False)
        if values is not None:
            self.update_groups(self._add_noise(values, num_updates))

    def update_groups(self, values: float | list[float]) -> None:
        """Write ``values`` (one per group, or one for all), times a group's ``lr_scale``."""
        if not isinstance(values, (list, tuple)):
            values = [values] * len(self.optimizer.param_groups)
        for group, value in zip(self.optimizer.param_groups, values):
            group[self.param_group_field] = value * group["lr_scale"] if "lr_scale" in group else value

    def _add_noise(self, lrs: list[float], t: int) -> list[float]:
        if self._is_apply_noise(t):
            noise = self._calculate_noise(t)
            lrs = [v + v * noise for v in lrs]
        return lrs

    def _is_apply_noise(self, t: int) -> bool:
        return bool(in_noise_range(self.noise_range_t, t))

    def _calculate_noise(self, t: int) -> float:
        return draw_noise(self.noise_seed + t, self.noise_type, self.noise_pct, self.noise_std)

    # -- vectorised counterpart of _get_lr, used by the closed forms ------------------------------
    def _lr_array(self, t: np.ndarray, out: np.ndarray) -> None:
        """``_get_lr`` at each step of the int64 array ``t`` (consecutive steps) into ``out``,
        one row per group."""
        warm = int(np.searchsorted(t, self.warmup_t, side="left")) if self.warmup_t > 0 else 0
        if warm:
            tw = t[:warm].astype(np.float64)
            for g, s in enumerate(self.warmup_steps):
                np.multiply(tw, s, out=out[g, :warm])
                out[g, :warm] += self.warmup_lr_init
        if warm < len(t):
            rest = t[warm:]
            self._after_warmup(rest - self.warmup_t if self.warmup_prefix else rest, out[:, warm:])

    def _after_warmup(self, t: np.ndarray, out: np.ndarray) -> None:
        raise NotImplementedError


def _warmup_init(s: Any, warmup_t: int, warmup_lr_init: float, targets: list[float]) -> None:
    s.warmup_t, s.warmup_lr_init = warmup_t, warmup_lr_init
    if warmup_t:
        s.warmup_steps = [(v - warmup_lr_init) / warmup_t for v in targets]
        Scheduler.update_groups(s, warmup_lr_init)
    else:
        s.warmup_steps = [1 for _ in s.base_values]


# ------------------------------------------------------------------------------------------------
# cosine, tanh, poly: cycles
# ------------------------------------------------------------------------------------------------
def _runs(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index and value of each run of equal values in the piecewise-constant array ``a``."""
    starts = np.concatenate(([0], np.flatnonzero(np.diff(a)) + 1)) if len(a) else np.empty(0, np.int64)
    return starts, a[starts]


def _per_run(a: np.ndarray, fn: Callable[[Any], float]) -> np.ndarray:
    """``fn`` (Python scalar maths) of each element of piecewise-constant ``a``, once per run."""
    starts, values = _runs(a)
    out = np.fromiter((fn(v) for v in values.tolist()), dtype=np.float64, count=len(values))
    return np.repeat(out, np.diff(np.append(starts, len(a))))


RUNS_MAX = 4096
"""Most runs of a step function searched one by one (else evaluated per step with numpy)."""


def _runs_of(f: Callable[[int], Any], t0: int, t1: int, until: Any = None) -> tuple[list[int], list[Any]]:
    """Where the non-decreasing step function ``f`` (scalar, exact) changes over the steps
    ``t0 .. t1``: the start of each run (from ``t0``) and its value, by galloping then bisecting
    (about ``2 log2(run length)`` calls of ``f`` per run); it stops at the first value ``>= until``.

    Raises:
        NoClosedForm: more than :data:`CYCLES_MAX` runs.
    """
    starts, values, last = [0], [f(t0)], f(t1)
    lo = t0
    while values[-1] != last and (until is None or values[-1] < until):
        if len(values) > CYCLES_MAX:
            raise NoClosedForm(DECLINES[3])
        v, step, hi = values[-1], 1, lo + 1
        while hi < t1 and f(hi) == v:
            lo, step = hi, step * 2
            hi = min(t1, lo + step)
        while hi - lo > 1:  # f(lo) == v < f(hi)
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if f(mid) != v else (mid, hi)
        starts.append(hi - t0)
        values.append(f(hi))
        lo = hi
    return starts, values


def _python(fn: Callable[..., Any], *columns: Iterable[Any]) -> np.ndarray:
    """``fn`` elementwise in Python (the elements where Python's ``**`` is not C's ``pow``).
    Complex results (a negative base to a fractional power) are what stepping meets as well."""
    try:
        return np.fromiter(map(fn, *columns), dtype=np.float64)
    except (TypeError, ValueError) as exc:  # complex values (math.cos refuses them, so does
        # float64), math.cos(inf)
        raise NoClosedForm(f"stepping raises: {exc}") from exc


def _pow(a: np.ndarray, k: float) -> np.ndarray:
    """``a ** k`` (float64) elementwise as Python computes it: ``a`` itself when ``k`` is 1.

    Python's ``**`` returns C's ``pow`` for a positive base and a normal result; elsewhere it may
    raise or give a complex number (zero to a negative power, overflow, a negative base), so
    those few elements go through Python itself."""
    if k == 1:
        return a
    out = libm.power(a, k)
    if len(out) and not (a.min() > 0 and out.min() >= _TINY and out.max() <= _HUGE):  # (NaN: False)
        redo = np.flatnonzero(~((a > 0) & (out >= _TINY) & (out <= _HUGE)))
        out[redo] = _python(pow, a[redo].tolist(), repeat(k))
    return out


_TINY, _HUGE = float(np.finfo(np.float64).tiny), float(np.finfo(np.float64).max)


def _nonzero(den: Any) -> None:
    if den == 0:  # Python divides by zero only to raise
        raise ZeroDivisionError("float division by zero")


class _Cycles(Scheduler):
    """Cycles shared by cosine, tanh and poly: cycle ``i``, its length ``t_i``, time in it."""

    def _cycle(self, t: int) -> tuple[int, Any, Any]:
        if self.cycle_mul != 1:
            i = math.floor(math.log(1 - t / self.t_initial * (1 - self.cycle_mul), self.cycle_mul))
        else:
            i = t // self.t_initial
        t_i, done = self._cycle_size(i)
        return i, t_i, t - done

    def _cycle_size(self, i: int) -> tuple[Any, Any]:
        """Cycle ``i``'s length and the steps before it (timm's operations)."""
        if self.cycle_mul != 1:
            grown = self.cycle_mul**i
            return grown * self.t_initial, (1 - grown) / (1 - self.cycle_mul) * self.t_initial
        return self.t_initial, self.t_initial * i

    def _get_lr(self, t: int) -> list[float]:
        if t < self.warmup_t:
            return [self.warmup_lr_init + t * s for s in self.warmup_steps]
        if self.warmup_prefix:
            t = t - self.warmup_t
        i, t_i, t_curr = self._cycle(t)
        gamma = self._gamma(i)
        if i < self.cycle_limit:
            return [self._combine(v * gamma, self._shape(t_curr, t_i)) for v in self.base_values]
        return [self.lr_min for _ in self.base_values]

    def _gamma(self, i: int) -> float | None:
        """``cycle_decay ** i``: cosine and poly compute it before checking ``cycle_limit``
        (so an overflow raises there), tanh only within the limit."""
        return self.cycle_decay**i if self._gamma_first or i < self.cycle_limit else None

    def _coef(self, lr_max: float) -> float:
        return 0.5 * (lr_max - self.lr_min)

    def _combine(self, lr_max: float, shape: Any) -> Any:
        return self.lr_min + self._coef(lr_max) * shape

    def _shape(self, t_curr: Any, t_i: Any) -> Any:
        raise NotImplementedError

    def _shape_array(self, t_curr: np.ndarray, t_i: float) -> np.ndarray:
        """``_shape`` of each float64 ``t_curr`` (which it may overwrite) in a cycle of ``t_i``."""
        raise NotImplementedError

    def _shape_expression(self, t: np.ndarray, done: Any, t_i: Any) -> tuple[str, dict[str, Any]] | None:
        """``_shape_array`` of ``t_curr = t - done`` (``t``: int64 steps) as one numexpr expression
        and its variables (:func:`libm.fused`: the same operations in the same order), or None
        where the numpy code must run (in blocks)."""
        return None

    def _live_cycles(self, t: np.ndarray) -> tuple[list[int], list[int], int]:
        """The cycles before ``cycle_limit`` met by the consecutive steps ``t``, where each
        starts in ``t``, and where the steps after them (``lr_min``) start."""
        t0, t1 = int(t[0]), int(t[-1])
        size, limit = self.t_initial, self.cycle_limit
        if self.cycle_mul == 1 and isinstance(size, int):
            first, last = t0 // size, t1 // size
            if self._gamma_first:  # an overflowing gamma raises where stepping raises (the
                self._gamma(last)  # last cycle has the largest)
            stop = min(last + 1, max(first, limit))
            if stop - first > CYCLES_MAX:
                raise NoClosedForm(DECLINES[3])
            cycles = list(range(first, stop))
            starts = [max(0, c * size - t0) for c in cycles]
            return cycles, starts, max(0, stop * size - t0) if stop <= last else len(t)
        try:  # cycle_mul < 1: the cycles run out (log of a non-positive number) as in stepping
            last = self._cycle(t1)[0]
        except ValueError as exc:
            raise NoClosedForm(f"stepping raises: {exc}") from exc
        if self._gamma_first:
            self._gamma(last)
        starts, cycles = _runs_of(lambda step: self._cycle(step)[0], t0, t1, until=limit)
        if cycles[-1] >= limit:
            return cycles[:-1], starts[:-1], starts[-1]
        return cycles, starts, len(t)

    def _after_warmup(self, t: np.ndarray, out: np.ndarray) -> None:
        cycles, starts, end = self._live_cycles(t)
        out[:, end:] = self.lr_min
        if not cycles:
            return
        live = len(cycles)
        gammas = [self._gamma(c) for c in cycles]
        bounds = [*starts, end]
        size = self.t_initial
        if self.cycle_mul == 1 and isinstance(size, int) and live > 8:  # one shape table, indexed
            head = t[:end]
            shape = self._shape_array(np.arange(size, dtype=np.float64), size)[head - size * (head // size)]
            lengths = np.diff(bounds)
            for g, v in enumerate(self.base_values):
                coef = np.repeat([self._coef(v * gamma) for gamma in gammas], lengths)
                np.multiply(shape, coef, out=out[g, :end])
                out[g, :end] += self.lr_min
            return
        for k, c in enumerate(cycles):  # cycle by cycle: fused if long, else in cache-sized blocks
            t_i, done = self._cycle_size(c)
            coefs = [self._coef(v * gammas[k]) for v in self.base_values]
            lo, hi = bounds[k], bounds[k + 1]
            fused = self._shape_expression(t[lo:hi], done, t_i) if hi - lo >= CHUNK else None
            shape = None if fused is None else libm.fused(fused[0], **fused[1])
            if shape is not None:  # the shape once, then each group's values (as below)
                self._write(out, lo, hi, shape, coefs)
                continue
            for a in range(lo, hi, CHUNK):
                b = min(hi, a + CHUNK)
                t_curr = np.subtract(t[a:b], done, dtype=np.float64)  # exact: steps < 2**53
                self._write(out, a, b, self._shape_array(t_curr, t_i), coefs)

    def _write(self, out: np.ndarray, a: int, b: int, shape: np.ndarray, coefs: list[Any]) -> None:
        """Each group's values of steps ``a:b``: ``shape * coef + lr_min``."""
        for g, coef in enumerate(coefs):
            np.multiply(shape, coef, out=out[g, a:b])
            out[g, a:b] += self.lr_min


def _init_cycles(s: _Cycles, t_initial: int, lr_min: float, cycle_mul: float, cycle_decay: float,
                 cycle_limit: int) -> None:  # fmt: skip
    _check(t_initial > 0, "t_initial", "positive", t_initial)
    _check(lr_min >= 0, "lr_min", "non-negative", lr_min)
    s.t_initial, s.lr_min = t_initial, lr_min
    s.cycle_mul, s.cycle_decay, s.cycle_limit = cycle_mul, cycle_decay, cycle_limit


class CosineLRScheduler(_Cycles):
    """Cosine decay with warm restarts (timm's ``CosineLRScheduler``).

    After the warm-up, in cycle ``i`` of length ``t_i`` at time ``t_curr``:
    ``lr_min + 0.5 * (base * cycle_decay**i - lr_min) * (1 + cos(pi * t_curr**k / t_i**k))``
    (``k = k_decay``); ``lr_min`` from cycle ``cycle_limit`` on. Cycles grow by ``cycle_mul``.
    Warm-up: ``warmup_lr_init + t * (base - warmup_lr_init) / warmup_t`` for ``t < warmup_t``;
    ``warmup_prefix`` starts the cycles after it (else they start at 0).

    Raises:
        TimmArgumentError: ``t_initial <= 0`` or ``lr_min < 0``.
    """

    _gamma_first = True

    def __init__(
        self,
        optimizer: Any,
        t_initial: int,
        lr_min: float = 0.0,
        cycle_mul: float = 1.0,
        cycle_decay: float = 1.0,
        cycle_limit: int = 1,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        warmup_prefix: bool = False,
        t_in_epochs: bool = True,
        noise_range_t: int | Sequence[int] | None = None,
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int = 42,
        k_decay: float = 1.0,
        initialize: bool = True,
        *,
        param_group_field: str = "lr",
    ) -> None:
        super().__init__(
            optimizer, param_group_field, t_in_epochs, noise_range_t, "normal", noise_pct, noise_std,
            noise_seed, initialize,
        )  # fmt: skip
        _init_cycles(self, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit)
        self.warmup_prefix, self.k_decay = warmup_prefix, k_decay
        _warmup_init(self, warmup_t, warmup_lr_init, self.base_values)

    def _shape(self, t_curr: Any, t_i: Any) -> Any:
        k = self.k_decay
        return 1 + math.cos(math.pi * t_curr**k / t_i**k)

    def _shape_array(self, t_curr: np.ndarray, t_i: float) -> np.ndarray:
        den = t_i**self.k_decay
        _nonzero(den)
        x = _pow(t_curr, self.k_decay)
        x *= math.pi
        x /= den
        np.cos(x, out=x)  # numpy's float64 cos agrees with libm's (the ignite closed forms rely on it)
        x += 1
        return x


class TanhLRScheduler(_Cycles):
    """Hyperbolic-tangent decay with restarts (timm's ``TanhLRScheduler``).

    In cycle ``i`` at ``tr = t_curr / t_i``:
    ``lr_min + 0.5 * (base * cycle_decay**i - lr_min) * (1 - tanh(lb * (1 - tr) + ub * tr))``.
    Without ``warmup_prefix`` the warm-up ends at the value of step ``warmup_t``.

    Raises:
        TimmArgumentError: ``t_initial <= 0``, ``lr_min < 0``, ``lb >= ub``, ``cycle_limit < 0``,
            ``warmup_t < 0`` or ``warmup_lr_init < 0``.
    """

    _gamma_first = False

    def __init__(
        self,
        optimizer: Any,
        t_initial: int,
        lb: float = -7.0,
        ub: float = 3.0,
        lr_min: float = 0.0,
        cycle_mul: float = 1.0,
        cycle_decay: float = 1.0,
        cycle_limit: int = 1,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        warmup_prefix: bool = False,
        t_in_epochs: bool = True,
        noise_range_t: int | Sequence[int] | None = None,
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int = 42,
        initialize: bool = True,
        *,
        param_group_field: str = "lr",
    ) -> None:
        super().__init__(
            optimizer, param_group_field, t_in_epochs, noise_range_t, "normal", noise_pct, noise_std,
            noise_seed, initialize,
        )  # fmt: skip
        _init_cycles(self, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit)
        _check(lb < ub, "lb", f"less than ub ({ub!r})", lb)
        _check(cycle_limit >= 0, "cycle_limit", "non-negative", cycle_limit)
        _check(warmup_t >= 0, "warmup_t", "non-negative", warmup_t)
        _check(warmup_lr_init >= 0, "warmup_lr_init", "non-negative", warmup_lr_init)
        self.lb, self.ub, self.warmup_prefix = lb, ub, warmup_prefix
        self.warmup_t, self.warmup_lr_init = warmup_t, warmup_lr_init
        targets = self.base_values if warmup_prefix or not warmup_t else self._get_lr(warmup_t)
        _warmup_init(self, warmup_t, warmup_lr_init, targets)

    def _shape(self, t_curr: Any, t_i: Any) -> Any:
        tr = t_curr / t_i
        return 1 - math.tanh(self.lb * (1.0 - tr) + self.ub * tr)

    def _shape_array(self, t_curr: np.ndarray, t_i: float) -> np.ndarray:
        _nonzero(t_i)
        tr = np.true_divide(t_curr, t_i, out=t_curr)
        x = np.subtract(1.0, tr)
        x *= self.lb
        tr *= self.ub
        x += tr
        x = libm.tanh(x)
        return np.subtract(1, x, out=x)

    def _shape_expression(self, t: np.ndarray, done: Any, t_i: Any) -> tuple[str, dict[str, Any]] | None:
        _nonzero(t_i)
        variables = {"t": t, "done": done, "t_i": t_i, "lb": self.lb, "ub": self.ub, "one": 1.0}
        return "one - tanh((one - (t - done) / t_i) * lb + (t - done) / t_i * ub)", variables


class PolyLRScheduler(_Cycles):
    """Polynomial decay with restarts (timm's ``PolyLRScheduler``).

    In cycle ``i``: ``lr_min + (base * cycle_decay**i - lr_min) * (1 - t_curr**k / t_i**k) ** power``.

    Raises:
        TimmArgumentError: ``t_initial <= 0`` or ``lr_min < 0``.
    """

    _gamma_first = True

    def __init__(
        self,
        optimizer: Any,
        t_initial: int,
        power: float = 0.5,
        lr_min: float = 0.0,
        cycle_mul: float = 1.0,
        cycle_decay: float = 1.0,
        cycle_limit: int = 1,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        warmup_prefix: bool = False,
        t_in_epochs: bool = True,
        noise_range_t: int | Sequence[int] | None = None,
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int = 42,
        k_decay: float = 1.0,
        initialize: bool = True,
        *,
        param_group_field: str = "lr",
    ) -> None:
        super().__init__(
            optimizer, param_group_field, t_in_epochs, noise_range_t, "normal", noise_pct, noise_std,
            noise_seed, initialize,
        )  # fmt: skip
        _init_cycles(self, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit)
        self.power, self.warmup_prefix, self.k_decay = power, warmup_prefix, k_decay
        _warmup_init(self, warmup_t, warmup_lr_init, self.base_values)

    def _coef(self, lr_max: float) -> float:
        return lr_max - self.lr_min

    def _shape(self, t_curr: Any, t_i: Any) -> Any:
        k = self.k_decay
        return (1 - t_curr**k / t_i**k) ** self.power

    def _shape_array(self, t_curr: np.ndarray, t_i: float) -> np.ndarray:
        den = t_i**self.k_decay
        _nonzero(den)
        x = _pow(t_curr, self.k_decay)
        x /= den
        np.subtract(1, x, out=x)
        return x if self.power == 1 else _pow(x, self.power)

    def _shape_expression(self, t: np.ndarray, done: Any, t_i: Any) -> tuple[str, dict[str, Any]] | None:
        """Fused where ``_pow`` would take C's ``pow`` for every element: ``k_decay`` 1 (else
        ``0 ** k`` at a cycle's start goes through Python), bases ``1 - t_curr / t_i`` all
        positive (they are monotonic in ``t``: the least is at an end, computed with the same
        operations) and ``pow`` of them all normal and finite: ``pow`` is monotonic in the base
        and C's is within an ulp, so its values lie between those at the ends widened by an ulp
        (a factor 4 of margin here)."""
        if self.k_decay != 1:
            return None
        den = t_i**self.k_decay
        _nonzero(den)
        variables = {"t": t, "done": done, "den": den, "one": 1.0, "power": self.power}
        base = "one - (t - done) / den"
        if self.power == 1:
            return base, variables
        try:
            power = float(self.power)
            ends = [1.0 - (float(step) - float(done)) / float(den) for step in (t[0], t[-1])]
            values = [libm.c_pow(x, power) for x in ends]
        except (OverflowError, TypeError):
            return None
        if min(ends) > 0 and min(values) >= 4 * _TINY and max(values) <= _HUGE / 4:  # (NaN: False)
            return f"({base}) ** power", variables
        return None


# ------------------------------------------------------------------------------------------------
# step, multi-step
# ------------------------------------------------------------------------------------------------
class StepLRScheduler(Scheduler):
    """Step decay (timm's ``StepLRScheduler``): ``base * decay_rate ** (t // decay_t)``.

    ``warmup_prefix`` (default True here) starts counting after the warm-up.
    """

    def __init__(
        self,
        optimizer: Any,
        decay_t: float,
        decay_rate: float = 1.0,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        warmup_prefix: bool = True,
        t_in_epochs: bool = True,
        noise_range_t: int | Sequence[int] | None = None,
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int = 42,
        initialize: bool = True,
        *,
        param_group_field: str = "lr",
    ) -> None:
        super().__init__(
            optimizer, param_group_field, t_in_epochs, noise_range_t, "normal", noise_pct, noise_std,
            noise_seed, initialize,
        )  # fmt: skip
        self.decay_t, self.decay_rate, self.warmup_prefix = decay_t, decay_rate, warmup_prefix
        _warmup_init(self, warmup_t, warmup_lr_init, self.base_values)

    def _decays(self, t: int) -> Any:
        return t // self.decay_t

    def _get_lr(self, t: int) -> list[float]:
        if t < self.warmup_t:
            return [self.warmup_lr_init + t * s for s in self.warmup_steps]
        if self.warmup_prefix:
            t = t - self.warmup_t
        return [v * (self.decay_rate ** self._decays(t)) for v in self.base_values]

    def _decays_array(self, t: np.ndarray) -> np.ndarray:
        d = self.decay_t
        if d == 0:
            raise ZeroDivisionError("division by zero")
        if isinstance(d, float) and d.is_integer() and abs(d) < 2**53:  # t // 30.0 == t // 30
            return t // int(d)  # (as a float; numpy's integer division is the faster)
        return t // d

    def _after_warmup(self, t: np.ndarray, out: np.ndarray) -> None:
        t0, t1 = int(t[0]), int(t[-1])
        if self._monotone() and self._decays(t1) - self._decays(t0) <= RUNS_MAX:  # few decays:
            starts, decays = _runs_of(self._decays, t0, t1)  # each found exactly, filled whole
            bounds = [*starts, len(t)]
            for k, d in enumerate(decays):
                factor = self.decay_rate**d
                for g, v in enumerate(self.base_values):
                    out[g, bounds[k] : bounds[k + 1]] = v * factor
            return
        kind = float if isinstance(self.decay_t, float) else int  # the exponent's type in Python
        factor = _per_run(self._decays_array(t), lambda d: self.decay_rate ** kind(d))
        for g, v in enumerate(self.base_values):
            np.multiply(factor, v, out=out[g])

    def _monotone(self) -> bool:
        return self.decay_t > 0


class MultiStepLRScheduler(StepLRScheduler):
    """Multi-step decay (timm's ``MultiStepLRScheduler``): ``base * decay_rate ** n`` where ``n``
    counts the milestones ``decay_t`` at most ``t + 1`` (``bisect_right``; timm's convention,
    one step earlier than torch's ``MultiStepLR``). ``decay_t`` is assumed sorted, as in timm."""

    def __init__(
        self,
        optimizer: Any,
        decay_t: list[int],
        decay_rate: float = 1.0,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        warmup_prefix: bool = True,
        t_in_epochs: bool = True,
        noise_range_t: int | Sequence[int] | None = None,
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int = 42,
        initialize: bool = True,
        *,
        param_group_field: str = "lr",
    ) -> None:
        super().__init__(
            optimizer, decay_t, decay_rate, warmup_t, warmup_lr_init, warmup_prefix, t_in_epochs,
            noise_range_t, noise_pct, noise_std, noise_seed, initialize, param_group_field=param_group_field,
        )  # fmt: skip

    def get_curr_decay_steps(self, t: int) -> int:
        return bisect.bisect_right(self.decay_t, t + 1)

    def _decays(self, t: int) -> Any:
        return self.get_curr_decay_steps(t)

    def _decays_array(self, t: np.ndarray) -> np.ndarray:
        return np.searchsorted(np.asarray(self.decay_t, dtype=np.float64), t + 1, side="right")

    def _monotone(self) -> bool:
        milestones = list(self.decay_t)
        if milestones != sorted(milestones):
            raise NoClosedForm(DECLINES[2])
        return True


# ------------------------------------------------------------------------------------------------
# plateau: metric-driven
# ------------------------------------------------------------------------------------------------
class ReduceOnPlateau:
    """torch's ``ReduceLROnPlateau`` logic (torch 2.13, its operations in order) on any object
    with ``param_groups``: what timm's ``PlateauLRScheduler`` wraps, as ``lr_scheduler``.

    ``step(metric)``: a metric better than ``best`` (by ``threshold``, relative or absolute, in
    ``mode``) resets the bad-epoch count; after more than ``patience`` bad ones (none counted
    during ``cooldown``), every group's ``lr`` becomes ``max(lr * factor, min_lr)``, written only
    if it falls by more than ``eps``.

    Raises:
        ValueError: ``factor >= 1``, an unknown ``mode`` or ``threshold_mode`` (torch's errors).
    """

    def __init__(
        self,
        optimizer: Any,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float = 0,
        eps: float = 1e-8,
    ) -> None:
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        if mode not in {"min", "max"}:
            raise ValueError("mode " + mode + " is unknown!")
        if threshold_mode not in {"rel", "abs"}:
            raise ValueError("threshold mode " + threshold_mode + " is unknown!")
        self.optimizer, self.factor, self.patience, self.cooldown = optimizer, factor, patience, cooldown
        self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.eps, self.mode, self.threshold, self.threshold_mode = eps, mode, threshold, threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.last_epoch = 0
        self.best, self.cooldown_counter, self.num_bad_epochs = self.mode_worse, 0, 0

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min":
            return (
                a < best * (1.0 - self.threshold)
                if self.threshold_mode == "rel"
                else a < best - self.threshold
            )
        return (
            a > best * (self.threshold + 1.0) if self.threshold_mode == "rel" else a > best + self.threshold
        )

    def step(self, metric: Any) -> None:
        current = float(metric)
        self.last_epoch += 1
        if self._is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                old_lr = float(group["lr"])
                new_lr = max(old_lr * self.factor, min_lr)
                if old_lr - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0


class PlateauLRScheduler(Scheduler):
    """Reduce the lr when a metric plateaus (timm's ``PlateauLRScheduler``), with warm-up and noise.

    ``step(epoch, metric)``, called after each epoch with the next epoch's number: up to
    ``warmup_t`` it writes the warm-up's ``warmup_lr_init + epoch * (base - warmup_lr_init) /
    warmup_t`` (the metric unused); after it, it first takes back its last noise, then steps
    :class:`ReduceOnPlateau` (torch's rule; ``decay_rate``, ``patience_t``, ``cooldown_t``,
    ``lr_min``, ``mode`` default ``"max"``) with ``metric`` if given, then adds the noise of
    ``epoch`` (kept aside to be taken back). ``step_update`` does nothing. timm's FutureWarning
    (deprecation) is not repeated here; neither is its need of a torch optimizer.

    Raises:
        ValueError: ``decay_rate >= 1`` or an unknown ``mode`` (torch's errors).
    """

    def __init__(
        self,
        optimizer: Any,
        decay_rate: float = 0.1,
        patience_t: int = 10,
        threshold: float = 1e-4,
        cooldown_t: int = 0,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        lr_min: float = 0.0,
        mode: str = "max",
        noise_range_t: int | Sequence[int] | None = None,
        noise_type: str = "normal",
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int | None = None,
        initialize: bool = True,
    ) -> None:
        super().__init__(
            optimizer, "lr", noise_range_t=noise_range_t, noise_type=noise_type, noise_pct=noise_pct,
            noise_std=noise_std, noise_seed=noise_seed, initialize=initialize,
        )  # fmt: skip
        self.lr_scheduler = ReduceOnPlateau(
            self.optimizer, patience=patience_t, factor=decay_rate, threshold=threshold,
            cooldown=cooldown_t, mode=mode, min_lr=lr_min,
        )  # fmt: skip
        self.warmup_t, self.warmup_lr_init = warmup_t, warmup_lr_init
        if warmup_t:
            self.warmup_steps = [(v - warmup_lr_init) / warmup_t for v in self.base_values]
            Scheduler.update_groups(self, warmup_lr_init)
        else:
            self.warmup_steps = [1 for _ in self.base_values]
        self.restore_lr: list[float] | None = None

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.lr_scheduler.best, "last_epoch": self.lr_scheduler.last_epoch}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        self.lr_scheduler.best = state_dict["best"]
        if "last_epoch" in state_dict:
            self.lr_scheduler.last_epoch = state_dict["last_epoch"]

    def step(self, epoch: int, metric: float | None = None) -> None:
        if epoch <= self.warmup_t:
            self.update_groups([self.warmup_lr_init + epoch * s for s in self.warmup_steps])
            return
        if self.restore_lr is not None:  # the value before the last noise
            for group, lr in zip(self.optimizer.param_groups, self.restore_lr):
                group["lr"] = lr
            self.restore_lr = None
        if metric is not None:
            self.lr_scheduler.step(metric)
        if self._is_apply_noise(epoch):
            noise = self._calculate_noise(epoch)
            self.restore_lr = []
            for group in self.optimizer.param_groups:
                old_lr = float(group["lr"])
                self.restore_lr.append(old_lr)
                group["lr"] = old_lr + old_lr * noise

    def step_update(self, num_updates: int, metric: float | None = None) -> None:
        return None

    def _get_lr(self, t: int) -> list[float]:
        raise NotImplementedError("PlateauLRScheduler is stepped: step(epoch, metric)")


# ------------------------------------------------------------------------------------------------
# in experiments: one call per event (update)
# ------------------------------------------------------------------------------------------------
class UpdateDriver:
    """Runs a timm-style scheduler once per event, as timm's training loop would: event ``i``
    writes the value of update ``i`` (``step_update(i)`` or, with ``t_in_epochs``,
    ``step(i // iterations_per_epoch)`` when an epoch starts; update 0 keeps the constructor's
    value). It writes that value at every event, so that the last scheduler in an experiment
    writing a group's param wins, as with the other types.
    """

    def __init__(
        self, scheduler: Scheduler, iterations_per_epoch: int | None = None, metric_name: str | None = None
    ) -> None:
        if scheduler.t_in_epochs and not (
            isinstance(iterations_per_epoch, int) and not isinstance(iterations_per_epoch, bool)
            and iterations_per_epoch >= 1
        ):  # fmt: skip
            raise ValueError(
                "Argument iterations_per_epoch (the experiment's) should be a positive integer for "
                f"a timm scheduler with t_in_epochs=True, but given {iterations_per_epoch!r}"
            )
        self.scheduler = scheduler
        self.iterations_per_epoch = iterations_per_epoch
        self.metric_name = metric_name
        self.event_index = 0
        self._t = 0
        self._values = self._read()

    def _read(self) -> list[Any]:
        field = self.scheduler.param_group_field
        return [group[field] for group in self.scheduler.optimizer.param_groups]

    def __call__(self, engine: Any = None, name: str | None = None) -> None:
        s = self.scheduler
        i = self.event_index
        t = i // self.iterations_per_epoch if s.t_in_epochs else i
        if t != self._t:
            if self.metric_name is not None:  # step(epoch, metric): the metric of the epoch done
                s.step(t, engine.state.metrics[self.metric_name])
            elif s.t_in_epochs:
                s.step(t)
            else:
                s.step_update(num_updates=t)
            self._t, self._values = t, self._read()
        else:
            for group, value in zip(s.optimizer.param_groups, self._values):
                group[s.param_group_field] = value
        self.event_index += 1


# ------------------------------------------------------------------------------------------------
# registry records: build and closed form
# ------------------------------------------------------------------------------------------------
def _split(kwargs: Mapping[str, Any]) -> tuple[str, Any, dict[str, Any]]:
    kw = dict(kwargs)
    field = kw.pop("param_name", "lr")
    index = kw.pop("param_group_index", None)
    if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
        raise TypeError(f"Argument param_group_index should be an int, but given {index!r}")
    return field, index, kw


def _builder(cls: type[Scheduler]) -> Callable[..., UpdateDriver]:
    def build(
        spec: SchedulerSpec,
        optimizer: Any,
        inherited: Mapping[str, Any],
        iterations_per_epoch: int | None = None,
    ) -> UpdateDriver:
        field, index, kw = _split({**inherited, **spec.kwargs})
        target = optimizer if index is None else GroupsOptimizer([optimizer.param_groups[index]])
        return UpdateDriver(cls(target, **kw, param_group_field=field), iterations_per_epoch)

    return build


def _closed_form(cls: type[Scheduler]) -> Callable[[Mapping[str, Any], range, Context], np.ndarray]:
    def closed_form(kwargs: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
        field, index, kw = _split(kwargs)
        groups = list(ctx.groups) if index is None else [ctx.groups[index]]
        if any("lr_scale" in g for g in groups):
            raise NoClosedForm(DECLINES[0])
        initial = f"initial_{field}"  # set by the built scheduler: its base values
        replica = GroupsOptimizer([{field: g[initial], initial: g[initial]} for g in groups])
        s = cls(replica, **kw, param_group_field=field)
        n = len(events)
        ipe = ctx.iterations_per_epoch if s.t_in_epochs else 1
        UpdateDriver(s, ipe)  # the same argument check as stepping
        steps = (n - 1) // ipe + 1 if n else 0
        values = np.empty((len(groups), steps), dtype=np.float64)
        values[:, :1] = np.asarray([[g[field]] for g in replica.param_groups], dtype=np.float64)
        if steps > 1:
            t = np.arange(1, steps, dtype=np.int64)
            s._lr_array(t, values[:, 1:])
            noisy = t[in_noise_range(s.noise_range_t, t)] if s.noise_range_t is not None else t[:0]
            if len(noisy) > NOISE_DRAWS_MAX:
                raise NoClosedForm(f"{DECLINES[1]}: {len(noisy)}")
            for step in noisy.tolist():
                noise = s._calculate_noise(step)
                values[:, step] = values[:, step] + values[:, step] * noise
        if ipe > 1:
            values = np.repeat(values, ipe, axis=1)[:, :n]
        return values[0] if index is not None else values

    return closed_form


def _cycle_restarts(cls: type[_Cycles]) -> Callable[..., None]:
    def restarts(
        kwargs: Mapping[str, Any], offset: int, stop: int, out: set[int], limit: int,
        iterations_per_epoch: int | None = None,
    ) -> None:  # fmt: skip
        """The events where cycles after the first start (after the warm-up, within
        ``cycle_limit``); none if they cannot be laid out (the series reports why)."""
        field, _, kw = _split(kwargs)
        kw["noise_range_t"] = None  # noise moves no cycle
        s = cls(GroupsOptimizer([{field: 1.0}]), **kw, param_group_field=field)
        ipe = iterations_per_epoch if s.t_in_epochs else 1
        if not ipe or stop <= offset:
            return
        first = s.warmup_t if s.warmup_t > 0 else 0
        steps = (stop - offset - 1) // ipe + 1
        if first >= steps:
            return
        shift = s.warmup_t if s.warmup_prefix else 0
        t = np.arange(first - shift, steps - shift, dtype=np.int64)
        try:
            cycles, starts, _ = s._live_cycles(t)
        except (NoClosedForm, ArithmeticError, ValueError):
            return
        for c, start in zip(cycles, starts):
            step = int(t[start])  # the cycle's first step, unless it began during the warm-up
            if c > 0 and (start > 0 or s._cycle(step - 1)[0] < c) and len(out) < limit:
                out.add(offset + (step + shift) * ipe)

    return restarts


for _cls in (CosineLRScheduler, TanhLRScheduler, PolyLRScheduler, StepLRScheduler, MultiStepLRScheduler):
    register(
        SchedulerType(
            name=f"timm.scheduler.{_cls.__name__}",
            kind="param",
            family="timm",
            build=_builder(_cls),
            closed_form=_closed_form(_cls),
            restarts=_cycle_restarts(_cls) if issubclass(_cls, _Cycles) else None,
            counts_epochs=True,
            public=_cls,
            declines=DECLINES,
        )
    )


def _build_plateau(
    spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any], iterations_per_epoch: int | None = None
) -> UpdateDriver:
    field, index, kw = _split({**inherited, **spec.kwargs})
    metric_name = kw.pop("metric_name")
    target = optimizer if index is None else GroupsOptimizer([optimizer.param_groups[index]])
    return UpdateDriver(PlateauLRScheduler(target, **kw), iterations_per_epoch, metric_name)


def _epoch_reads(kwargs: Mapping[str, Any], calls: int, iterations_per_epoch: int | None) -> range:
    """The driver steps (and reads the metric) at the calls that start epoch 1, 2, ..."""
    return range(iterations_per_epoch or 1, calls, iterations_per_epoch or 1)


register(
    SchedulerType(
        name="timm.scheduler.PlateauLRScheduler",
        kind="param",
        family="timm",
        build=_build_plateau,
        stepping_only=PLATEAU_STEPPING,
        writes="lr",
        counts_epochs=True,
        public=PlateauLRScheduler,
        metric_reads=_epoch_reads,
        step_cost=0.1,
    )
)
