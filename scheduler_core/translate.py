"""Translate transformers and timm schedules into the equivalent ignite composition, event for event.

A transformers schedule is ``LambdaLR``: the value of update ``i`` is ``base * f(i)``, ``base``
being each group's initial value. Most of its ``f`` are joins of a few shapes on relative time,
each of which ignite has: a linear ramp (``LinearCyclicalScheduler(monotonic=True)``), half a
cosine (``CosineAnnealingScheduler``) and a constant (``PiecewiseLinear`` with one milestone),
joined by ``ConcatScheduler``. timm's ``CosineLRScheduler`` over updates is such a join too (its
decaying restarts are ignite's ``start_value_mult``). :func:`ignite_equivalent` finds that join
over an experiment's horizon, with every cycle and duration right to the event, or says why there
is none (one rule per type in :data:`RULES`); :func:`translate` rewrites a whole experiment: where
no rule applies but the series is piecewise constant over the events (timm's step schedules,
anything counted in epochs), a ``PiecewiseLinear`` staircase holds each value bit for bit; else
it uses the closest composition (a ``PiecewiseLinear`` through the schedule's own values) and
says how far it is.

The equivalents are the same formula at every event; their values differ from the library's
only by the rounding of the same operations done in another order (a few units in the last
place of the peak value; transformers' linear warm-up is bit for bit).

>>> from scheduler_core.spec import ParamGroupSpec
>>> exp = Experiment(1000, (ParamGroupSpec("all", {"lr": 0.1}),), (SchedulerSpec(
...     "transformers.get_cosine_schedule_with_warmup",
...     {"num_warmup_steps": 100, "num_training_steps": 1000}),))
>>> eq = ignite_equivalent(exp.schedulers[0], exp)
>>> eq.exact, [s.type for s in eq.schedulers]
(True, ['ConcatScheduler'])
>>> [(c.type, c.kwargs["cycle_size"]) for c in eq.schedulers[0].kwargs["schedulers"]]
[('LinearCyclicalScheduler', 100), ('CosineAnnealingScheduler', 900)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .spec import Experiment, SchedulerSpec

__all__ = ["Equivalent", "Limits", "Translation", "ignite_equivalent", "translate", "translatable"]


@dataclass(frozen=True)
class Limits:
    """Sizes a translation keeps to: children of a ``ConcatScheduler`` and milestones of a
    ``PiecewiseLinear`` (defaults: the HTTP API's; the server passes its wire models' own)."""

    children: int = 16
    milestones: int = 1000


@dataclass(frozen=True)
class Piece:
    """One shape on relative time: ``kind`` ("linear", "cosine", "constant") from ``start`` to
    ``end`` over cycles of ``cycle`` events, used for ``length`` events; each cycle's start is
    the previous one's times ``start_mult`` (ignite's ``start_value_mult``)."""

    kind: str
    start: float
    end: float
    length: int
    cycle: int = 0
    start_mult: float = 1.0


@dataclass(frozen=True)
class Env:
    """What a rule reads besides its kwargs: the optimizer's default lr (transformers' ``min_lr``
    is relative to it) and the experiment's iterations per epoch (timm's ``t_in_epochs``)."""

    default_lr: float
    iterations_per_epoch: int | None
    limits: Limits = Limits()


@dataclass(frozen=True)
class Equivalent:
    """The ignite schedulers replacing one scheduler (``exact``), or why there are none
    (``schedulers`` empty, ``reason`` says why)."""

    schedulers: tuple[SchedulerSpec, ...]
    exact: bool
    reason: str = ""


@dataclass(frozen=True)
class Translation:
    """An experiment with every transformers scheduler replaced by ignite schedulers.

    ``notes[i]`` describes the original scheduler ``i``: ``None`` when kept as it was, else
    ``{"type", "exact", "reason"}`` plus, when measured, ``"max_abs_diff"`` (max |ignite −
    original| over the scheduler's groups and events) and ``"peak"`` (the largest |original|)."""

    experiment: Experiment
    notes: tuple[dict[str, Any] | None, ...]


def translatable(spec: SchedulerSpec) -> bool:
    """Whether :func:`translate` rewrites ``spec`` (a transformers or timm schedule)."""
    return spec.type in RULES


# ------------------------------------------------------------------------------------------------
# the shapes of each transformers and timm schedule, as pieces for one base value
# ------------------------------------------------------------------------------------------------
class NoExact(Exception):
    """This configuration has no exact ignite equivalent (the message says why)."""


def _warmup(w: int, low: float, high: float) -> list[Piece]:
    """transformers' linear warm-up ``low + (high - low) * (i / w)`` over ``w`` events."""
    return [Piece("linear", low, high, w, w)] if w > 0 else []


def _cosines(length: int, half: float, high: float, low: float, most: int) -> list[Piece]:
    """``0.5 * (1 + cos(pi * j / half))`` from ``high`` to ``low`` for ``length`` events: half
    cosines of ``half`` events, falling then rising. ``half`` must be a whole number of events."""
    if half == math.inf:
        return [Piece("constant", high, high, length)]
    h = int(half)
    if h != half or h < 1:
        raise NoExact(
            f"a half cosine lasts {half:g} events, not a whole number: ignite's cycles are whole events"
        )
    if -(-length // h) > most:
        raise NoExact(f"{-(-length // h)} half cosines, more than {most} ConcatScheduler children")
    pieces, done = [], 0
    while done < length:
        falling = (done // h) % 2 == 0
        a, b = (high, low) if falling else (low, high)
        pieces.append(Piece("cosine", a, b, min(h, length - done), h))
        done += h
    return pieces


def _cosine_half(span: int, num_cycles: float) -> float:
    """Events of half a cosine period when ``num_cycles`` periods last ``span`` events."""
    return math.inf if num_cycles == 0 else span / (2.0 * abs(num_cycles))


def _constant(kw: Mapping[str, Any], v: float, n: int, env: Env) -> list[Piece]:
    return [Piece("constant", v, v, n)]


def _constant_with_warmup(kw: Mapping[str, Any], v: float, n: int, env: Env) -> list[Piece]:
    w = kw.get("num_warmup_steps", 0)
    return [*_warmup(w, 0.0, v), Piece("constant", v, v, max(n - w, 1))]


def _linear_with_warmup(kw: Mapping[str, Any], v: float, n: int, env: Env) -> list[Piece]:
    w, t = kw["num_warmup_steps"], kw["num_training_steps"]
    decay = [Piece("linear", v, 0.0, t - w, t - w)] if t > w else []
    return [*_warmup(w, 0.0, v), *decay, Piece("constant", 0.0, 0.0, 1)]


def _floor_rate(kw: Mapping[str, Any], default_lr: float) -> float:
    """The cosine's floor as a ratio of the base value (``min_lr`` is relative to the default lr)."""
    if kw.get("min_lr") is not None:
        return kw["min_lr"] / default_lr
    rate = kw.get("min_lr_rate")
    rate = 0.0 if rate is None else rate
    if rate < 0:
        raise NoExact("a negative min_lr_rate is clipped at 0 by transformers")
    return rate


def _cosine_with_warmup(kw: Mapping[str, Any], v: float, n: int, env: Env) -> list[Piece]:
    w, t = kw["num_warmup_steps"], kw["num_training_steps"]
    rate = _floor_rate(kw, env.default_lr)
    if t - w < 1:
        raise NoExact("num_training_steps should exceed num_warmup_steps")
    half = _cosine_half(t - w, kw.get("num_cycles", 0.5))
    return [*_warmup(w, 0.0, v), *_cosines(max(n - w, 1), half, v, v * rate, env.limits.children)]


def _cosine_lr_rate(kw: Mapping[str, Any], v: float, n: int, env: Env) -> list[Piece]:
    """The ``_lr_rate`` variant: the warm-up reaches 1 at event ``w - 1`` and the cosine's phase
    0 falls there too (its progress is ``(i - w + 1) / (t - w)``): the same cosine, one event early."""
    w, t = kw["num_warmup_steps"], kw["num_training_steps"]
    rate = _floor_rate(kw, env.default_lr)
    start = kw.get("warmup_lr_rate")
    if w < 1 or (w == 1 and start is not None):
        raise NoExact("the cosine starts one event into its first half: ignite's cycles start at phase 0")
    if t - w < 1:
        raise NoExact("num_training_steps should exceed num_warmup_steps")
    low = v / w if start is None else v * start
    half = _cosine_half(t - w, kw.get("num_cycles", 0.5))
    return [*_warmup(w - 1, low, v), *_cosines(max(n - w + 1, 1), half, v, v * rate, env.limits.children)]


def _hard_restarts(kw: Mapping[str, Any], v: float, n: int, env: Env) -> list[Piece]:
    w, t, k = kw["num_warmup_steps"], kw["num_training_steps"], kw.get("num_cycles", 1)
    if t - w < 1:
        raise NoExact("num_training_steps should exceed num_warmup_steps")
    if k <= 0 or (t - w) % k:
        raise NoExact(f"{t - w} events do not split into {k} cycles of whole events")
    cycle = int((t - w) // k)
    if cycle < 2:
        raise NoExact("a cosine cycle of one event: ignite's cycles last at least 2 events")
    # transformers' (k * (j / span)) % 1 must restart where ignite does, at each restart in the horizon
    m = np.arange(1, min(int(k), max(n - 1 - w, 0) // cycle + 1), dtype=np.int64)
    late = np.remainder(k * ((m * cycle) / float(t - w)), 1.0) != 0.0
    if late.any():
        first = int(m[np.argmax(late)])
        raise NoExact(
            f"transformers' rounding starts cycle {first + 1} one event late (event {w + first * cycle})"
        )
    return [*_warmup(w, 0.0, v), Piece("cosine", v, 0.0, t - w, cycle), Piece("constant", 0.0, 0.0, 1)]


def _wsd(kw: Mapping[str, Any], v: float, n: int, env: Env) -> list[Piece]:
    w, d = kw["num_warmup_steps"], kw["num_decay_steps"]
    stable = kw.get("num_stable_steps")
    if stable is None:
        if kw.get("num_training_steps") is None:
            raise ValueError("Either num_training_steps or num_stable_steps must be specified.")
        stable = kw["num_training_steps"] - w - d
    r = kw.get("min_lr_ratio", 0.0)
    low = v * r
    if stable < 0 or r < 0:
        raise NoExact("a negative stable phase or min_lr_ratio")
    warm, decay = kw.get("warmup_type", "linear"), kw.get("decay_type", "cosine")
    if "1-sqrt" in (warm, decay):
        raise NoExact("ignite has no 1 - sqrt shape")
    pieces = [Piece("linear" if warm == "linear" else "cosine", low, v, w, w)] if w > 0 else []
    if stable > 0:
        pieces.append(Piece("constant", v, v, stable))
    if d > 0 and decay == "linear":
        pieces.append(Piece("linear", v, low, d, d))
    elif d > 0:
        pieces += _cosines(d, _cosine_half(d, kw.get("num_cycles", 0.5)), v, low, env.limits.children)
    return [*pieces, Piece("constant", low, low, 1)]


def _timm_cosine(kw: Mapping[str, Any], v: float, n: int, env: Env) -> list[Piece]:
    """timm's CosineLRScheduler over updates: a linear warm-up from ``warmup_lr_init``, then
    ``cycle_limit`` cosines of ``t_initial`` events from ``v * cycle_decay**i`` to ``lr_min``
    (ignite's ``start_value_mult``), then ``lr_min``."""
    if kw.get("t_in_epochs", True) and env.iterations_per_epoch != 1:
        raise NoExact("t_in_epochs: the value changes only at epoch starts")
    if kw.get("noise_range_t") is not None:
        raise NoExact("timm's seeded noise")
    if kw.get("k_decay", 1.0) != 1.0 or kw.get("cycle_mul", 1.0) != 1.0:
        raise NoExact("k_decay or cycle_mul other than 1: ignite has no such cosine")
    w, t0 = kw.get("warmup_t", 0), kw["t_initial"]
    lr_min, limit = kw.get("lr_min", 0.0), kw.get("cycle_limit", 1)
    if w > 0 and not kw.get("warmup_prefix", False):
        raise NoExact(
            "warmup_prefix=False: the cosine is warmup_t events into its cycle when the warm-up ends"
        )
    if t0 < 2:
        raise NoExact("a cycle of one event: ignite's cycles last at least 2 events")
    warm = [Piece("linear", kw.get("warmup_lr_init", 0.0), v, w, w)] if w > 0 else []
    cycles = [Piece("cosine", v, lr_min, t0 * limit, t0, kw.get("cycle_decay", 1.0))] if limit > 0 else []
    return [*warm, *cycles, Piece("constant", lr_min, lr_min, 1)]


Rule = Callable[[Mapping[str, Any], float, int, "Env"], list[Piece]]
"""``rule(kwargs, base value, events, env) -> pieces`` covering the events."""


def _no_exact(why: str) -> Rule:
    def rule(kw: Mapping[str, Any], v: float, n: int, env: Env) -> list[Piece]:
        raise NoExact(why)

    return rule


T = "transformers."
RULES: dict[str, Rule] = {
    T + "get_constant_schedule": _constant,
    T + "get_constant_schedule_with_warmup": _constant_with_warmup,
    T + "get_linear_schedule_with_warmup": _linear_with_warmup,
    T + "get_cosine_schedule_with_warmup": _cosine_with_warmup,
    T + "get_cosine_with_min_lr_schedule_with_warmup": _cosine_with_warmup,
    T + "get_cosine_with_min_lr_schedule_with_warmup_lr_rate": _cosine_lr_rate,
    T + "get_cosine_with_hard_restarts_schedule_with_warmup": _hard_restarts,
    T + "get_wsd_schedule": _wsd,
    T + "get_inverse_sqrt_schedule": _no_exact("ignite has no inverse square root shape"),
    T + "get_polynomial_decay_schedule_with_warmup": _no_exact(
        "ignite has no polynomial shape (power 1 decays to lr_end / default lr x each lr)"
    ),
    "timm.scheduler.CosineLRScheduler": _timm_cosine,
    "timm.scheduler.TanhLRScheduler": _no_exact("ignite has no tanh shape"),
    "timm.scheduler.PolyLRScheduler": _no_exact("ignite has no polynomial shape"),
    "timm.scheduler.StepLRScheduler": _no_exact("ignite's param schedulers have no step shape"),
    "timm.scheduler.MultiStepLRScheduler": _no_exact("ignite's param schedulers have no step shape"),
}
"""Type → its pieces for one base value (``_no_exact``: why there are none)."""


# ------------------------------------------------------------------------------------------------
# pieces → ignite specs
# ------------------------------------------------------------------------------------------------
def _child(p: Piece) -> SchedulerSpec:
    if p.kind == "constant" or p.length == 1:  # one event of any shape is its start value
        return SchedulerSpec("PiecewiseLinear", {"milestones_values": [(0, p.start)]})
    if p.kind == "linear":
        return SchedulerSpec(
            "LinearCyclicalScheduler",
            {"start_value": p.start, "end_value": p.end, "cycle_size": p.cycle, "monotonic": True},
        )
    kwargs = {"start_value": p.start, "end_value": p.end, "cycle_size": p.cycle}
    if p.start_mult != 1.0:
        kwargs["start_value_mult"] = p.start_mult
    return SchedulerSpec("CosineAnnealingScheduler", kwargs)


def _join(pieces: list[Piece], n: int, target: dict[str, Any], most: int) -> SchedulerSpec:
    """The pieces used within ``n`` events as one scheduler (a ConcatScheduler if several)."""
    used, at = [], 0
    for p in pieces:
        if at >= n:
            break
        if p.length > 0:
            used.append(p)
            at += p.length
    if len(used) > most:
        raise NoExact(f"{len(used)} pieces within {n} events, more than {most} ConcatScheduler children")
    if len(used) == 1:
        child = _child(used[0])
        return SchedulerSpec(child.type, {**target, **child.kwargs})
    return SchedulerSpec(
        "ConcatScheduler",
        {**target, "schedulers": [_child(p) for p in used], "durations": [p.length for p in used[:-1]]},
    )


def _targets(spec: SchedulerSpec, experiment: Experiment) -> tuple[str, list[int | None], list[float]]:
    """The scheduled param, the group index of each ignite scheduler (None: every group) and the
    base value each starts from: one scheduler if all targeted groups start equal."""
    name = spec.kwargs.get("param_name", "lr")
    index = spec.kwargs.get("param_group_index")
    groups = range(len(experiment.param_groups)) if index is None else [index]
    bases = [float(experiment.param_groups[g].values[name]) for g in groups]
    if index is None and len(set(bases)) == 1:
        return name, [None], bases[:1]
    return name, list(groups), bases


def ignite_equivalent(spec: SchedulerSpec, experiment: Experiment, limits: Limits = Limits()) -> Equivalent:
    """The ignite schedulers equal to the transformers scheduler ``spec`` over the events of
    ``experiment`` (its param groups give the base values), or why there are none.

    Raises:
        ValueError: ``spec`` is not a transformers schedule this module knows.
    """
    rule = RULES.get(spec.type)
    if rule is None:
        raise ValueError(
            f"Argument spec should be a transformers or timm schedule, but given type {spec.type!r}"
        )
    name, indices, bases = _targets(spec, experiment)
    n = max(experiment.num_events, 1)
    # transformers' optimizer.defaults["lr"]: the first group's initial value
    env = Env(float(experiment.param_groups[0].values[name]), experiment.iterations_per_epoch, limits)
    try:
        out = []
        for index, base in zip(indices, bases, strict=True):
            target = (
                {"param_name": name} if index is None else {"param_name": name, "param_group_index": index}
            )
            out.append(_join(rule(spec.kwargs, base, n, env), n, target, limits.children))
    except NoExact as exc:
        return Equivalent((), False, f"no exact ignite equivalent: {exc}")
    return Equivalent(tuple(out), True)


# ------------------------------------------------------------------------------------------------
# whole experiments
# ------------------------------------------------------------------------------------------------
def _alone(experiment: Experiment, schedulers: tuple[SchedulerSpec, ...]) -> Experiment:
    return replace(experiment, schedulers=schedulers)


def _closest(
    spec: SchedulerSpec, experiment: Experiment, values: list[np.ndarray], most: int
) -> tuple[SchedulerSpec, ...]:
    """A ``PiecewiseLinear`` per targeted group through the original's values at up to
    ``most`` evenly spread events (first and last included)."""
    name, indices, _ = _targets(spec, experiment)
    n = experiment.num_events
    events = np.unique(np.linspace(0, n - 1, min(n, most)).round().astype(np.int64))
    out = []
    for index, series in zip(indices, values, strict=False):
        target = {"param_name": name} if index is None else {"param_name": name, "param_group_index": index}
        points = [(int(e), float(series[e])) for e in events]
        out.append(SchedulerSpec("PiecewiseLinear", {**target, "milestones_values": points}))
    return tuple(out)


def _staircase(
    spec: SchedulerSpec, experiment: Experiment, values: list[np.ndarray], most: int
) -> tuple[SchedulerSpec, ...] | None:
    """A ``PiecewiseLinear`` per targeted group holding each value of a series that is piecewise
    constant over the events (at most ``most`` milestones), else ``None``."""
    name, indices, _ = _targets(spec, experiment)
    out = []
    for index, series in zip(indices, values, strict=False):
        changes = np.flatnonzero(series[1:].view(np.uint64) != series[:-1].view(np.uint64)) + 1
        if 1 + 2 * len(changes) > most:
            return None
        points = [(0, float(series[0]))]
        for b in changes.tolist():
            if b - 1 > points[-1][0]:
                points.append((b - 1, float(series[b - 1])))
            points.append((b, float(series[b])))
        target = {"param_name": name} if index is None else {"param_name": name, "param_group_index": index}
        out.append(SchedulerSpec("PiecewiseLinear", {**target, "milestones_values": points}))
    return tuple(out)


def _values(experiment: Experiment, name: str, groups: list[int | None]) -> list[np.ndarray]:
    from .experiment import simulate

    by_group = {s.param_group: s.values for s in simulate(experiment) if s.param_name == name}
    return [by_group[0 if g is None else g] for g in groups]


def _nested(spec: SchedulerSpec) -> bool:
    """Whether a transformers schedule sits inside ``spec`` (a ConcatScheduler's child)."""
    return any(
        isinstance(c, SchedulerSpec) and (translatable(c) or _nested(c))
        for v in spec.kwargs.values()
        for c in (v if isinstance(v, list) else [v])
    )


def translate(experiment: Experiment, *, measure: bool = True, limits: Limits = Limits()) -> Translation:
    """``experiment`` with each top-level transformers scheduler replaced by its ignite
    equivalent or, if there is none, the closest composition, with a note per scheduler.

    The original is evaluated by its registered type (``scheduler_core.transformers``), alone,
    for the closest composition and (``measure=True``) the note's ``max_abs_diff`` and ``peak``.
    A transformers schedule inside a ConcatScheduler is kept, and its note says so.

    Raises:
        ValueError / TypeError: the original's own errors (as when it is built).
    """
    schedulers: list[SchedulerSpec] = []
    notes: list[dict[str, Any] | None] = []
    for spec in experiment.schedulers:
        if not translatable(spec):
            schedulers.append(spec)
            kept = "transformers schedules inside a ConcatScheduler are kept as they are"
            notes.append({"type": spec.type, "exact": False, "reason": kept} if _nested(spec) else None)
            continue
        eq = ignite_equivalent(spec, experiment, limits)
        name, indices, _ = _targets(spec, experiment)
        original = _values(_alone(experiment, (spec,)), name, indices) if measure or not eq.exact else []
        replacement, exact, reason = eq.schedulers, eq.exact, eq.reason
        if not exact:
            stairs = _staircase(spec, experiment, original, limits.milestones)
            if stairs is not None:
                replacement, exact = stairs, True
                reason = "piecewise constant over these events: a PiecewiseLinear holds each value"
            else:
                replacement = _closest(spec, experiment, original, limits.milestones)
                reason += "; closest: a PiecewiseLinear through its values"
        note: dict[str, Any] = {"type": spec.type, "exact": exact, "reason": reason}
        if measure:
            ported = [
                _values(_alone(experiment, (s,)), name, [s.kwargs.get("param_group_index")])[0]
                for s in replacement
            ]
            note["max_abs_diff"] = max(
                float(np.max(np.abs(p - o), initial=0.0)) for p, o in zip(ported, original, strict=True)
            )
            note["peak"] = max(float(np.max(np.abs(o), initial=0.0)) for o in original)
        notes.append(note)
        schedulers.extend(replacement)
    return Translation(_alone(experiment, tuple(schedulers)), tuple(notes))
