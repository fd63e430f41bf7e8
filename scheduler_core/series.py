"""The fast path: closed-form evaluation of whole experiments over relative time.

One registry, :data:`FAST`, maps a scheduler type name (ignite's, or a torch class name for the
scheduler wrapped by ``LRScheduler`` / ``create_lr_scheduler_with_warmup``) to an evaluator
``fn(kwargs, events, ctx) -> values``. ``events`` is always ``range(n)`` (relative time: a child of
a ``ConcatScheduler`` starts again at 0; a range is never materialised by the cyclical shapes),
``values`` is float64 of shape ``(n,)`` (one value for every targeted group) or ``(G, n)`` (one row
per param group, torch schedulers).
Concatenations and the warm-up helper are joins of their children on relative time.

Whatever has no exact closed form raises :class:`NoClosedForm` (so does a configuration whose
stepping would raise, e.g. a cycle shrinking to size 0); :func:`scheduler_core.experiment.simulate`
then steps the real schedulers instead, so values and errors stay those of stepping.

torch is never imported here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import shapes
from .experiment import IGNITE_TYPES, TORCH_WRAPPERS, torch_specs
from .experiment import written_param as param_name
from .shapes import NoClosedForm

__all__ = ["FAST", "Context", "NoClosedForm", "evaluate", "concat_segments"]


@dataclass(frozen=True)
class Context:
    """What evaluators may read besides their kwargs.

    groups: the param groups right after construction (torch schedulers may have set ``lr``,
        ``initial_lr``, ``max_lr`` ... there), one mapping per group.
    chain_ok: whether a torch ``get_lr`` that reads the group's current ``lr`` sees only its own
        previous value (False when another scheduler also writes ``lr``, or after a handover).
    last_epoch0: the wrapped torch scheduler's ``last_epoch`` at its first call.
    lr_start: group lrs at the wrapped scheduler's first call (default: ``groups``' lr).
    """

    groups: tuple[Mapping[str, Any], ...]
    chain_ok: bool = True
    last_epoch0: int = 0
    lr_start: tuple[float, ...] | None = None

    def start_lrs(self) -> tuple[float, ...]:
        if self.lr_start is not None:
            return self.lr_start
        return tuple(float(g["lr"]) for g in self.groups)


Evaluator = Callable[[Mapping[str, Any], range, Context], np.ndarray]


# ------------------------------------------------------------------------------------------------
# ignite param schedulers
# ------------------------------------------------------------------------------------------------
def _cyclical_evaluator(form: str) -> Evaluator:
    def evaluate_cyclical(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
        shape = "monotonic" if form == "linear" and kw.get("monotonic", False) else form
        return shapes.cyclical(
            events,
            shape,
            kw["start_value"],
            kw["end_value"],
            kw["cycle_size"],
            kw.get("cycle_mult", 1.0),
            kw.get("start_value_mult", 1.0),
            kw.get("end_value_mult", 1.0),
            kw.get("warmup_duration", 0),
        )

    return evaluate_cyclical


def _piecewise(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    pairs = list(kw["milestones_values"])
    return shapes.piecewise_linear(events, [int(m) for m, _ in pairs], [float(v) for _, v in pairs])


def concat_segments(durations: Sequence[int], count: int, n: int) -> Iterator[tuple[int, int, int]]:
    """Yield ``(child, first, stop)``: which child of a ConcatScheduler runs events first..stop-1.

    Child i runs ``durations[i]`` events; a zero first duration skips child 0; a child reached
    with a duration <= 0 (and the last child) runs for ever, as in ignite.

    >>> list(concat_segments([3, 2], 3, 10))
    [(0, 0, 3), (1, 3, 5), (2, 5, 10)]
    >>> list(concat_segments([0, 0], 3, 4))
    [(1, 0, 4)]
    """

    def dur(i: int) -> int:
        return int(durations[i]) if i < len(durations) else -1

    i, cur, t = 0, dur(0), 0
    if cur == 0:
        i, cur = 1, dur(1)
    while t < n:
        if cur <= 0 or i >= count - 1:
            yield i, t, n
            return
        yield i, t, min(t + cur, n)
        t, i = t + cur, i + 1
        cur = dur(i)


def _concat(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    children = list(kw["schedulers"])
    parts = []
    for i, a, b in concat_segments(kw["durations"], len(children), len(events)):
        child = children[i]
        sub = ctx if a == 0 else dataclasses.replace(ctx, chain_ok=False)
        parts.append((a, b, _evaluator(child.type)(child.kwargs, events[: b - a], sub)))
    rows = max((p.shape[0] if p.ndim == 2 else 0 for _, _, p in parts), default=0)
    if rows and kw.get("param_group_index") is not None:
        # a torch child writes every group whatever the Concat's index (also when it is the only
        # child reached within the events)
        raise NoClosedForm("torch child in a ConcatScheduler with param_group_index")
    if len(parts) <= 1:
        return parts[0][2] if parts else np.empty(0, dtype=np.float64)
    out = np.empty((rows, len(events)) if rows else len(events), dtype=np.float64)
    for a, b, p in parts:
        out[..., a:b] = p
    return out


# ------------------------------------------------------------------------------------------------
# torch schedulers, as ignite's LRScheduler drives them
# ------------------------------------------------------------------------------------------------
def _lr_scheduler(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    inner = kw["lr_scheduler"]
    sub = dataclasses.replace(ctx, last_epoch0=1 if kw.get("use_legacy", False) else 0)
    return _torch(inner, events, sub)


def _torch(spec: Any, events: range, ctx: Context) -> np.ndarray:
    if spec.kwargs.get("last_epoch", -1) != -1:
        raise NoClosedForm("torch scheduler resumed from last_epoch")
    return _evaluator(spec.type)(spec.kwargs, events, ctx)


def _warmup(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    """create_lr_scheduler_with_warmup: per-group linear warm-ups joined to the wrapped scheduler.

    Group i warms up along ``[(0, start), (d - 1, end_i)]`` (``end_i``: ``warmup_end_value`` or
    the group's lr). A torch scheduler whose group lr differs from ``end_i`` gets one extra event
    ``(d, lr)``; an ignite scheduler whose first value equals ``end_i`` gets a warm-up shortened
    by one event (``d > 2``: last milestone ``(d - 2, end_i - step)``; ``d == 2``: start only).
    The wrapped scheduler starts after the last group's milestones.
    """
    inner = kw["lr_scheduler"]
    duration, start = kw["warmup_duration"], kw["warmup_start_value"]
    wanted = kw.get("warmup_end_value")
    torch_inner = inner.type not in IGNITE_TYPES
    if torch_inner and len(ctx.groups) != 1:
        raise NoClosedForm("warm-up helper with several groups (ignite re-binds its scheduler)")
    if not torch_inner and (
        inner.type in TORCH_WRAPPERS
        or any(True for _ in torch_specs(inner))
        or (inner.type == "ConcatScheduler" and inner.kwargs["durations"][0] == 0)
    ):  # ignite compares get_param() of these in ways not modelled here
        raise NoClosedForm("warm-up helper over a torch-based or skipping ignite scheduler")
    first = None if torch_inner else _evaluator(inner.type)(inner.kwargs, events[:1], ctx)
    plans = []
    for g, group in enumerate(ctx.groups):
        end = group["lr"] if wanted is None else wanted
        milestones = [(0, start), (duration - 1, end)]
        if torch_inner:
            if group["lr"] != end:
                milestones.append((duration, group["lr"]))
        elif (first[0] if first.ndim == 1 else first[g, 0]) == end:
            if duration > 2:
                milestones[-1] = (duration - 2, end - (end - start) / (duration - 1))
            else:
                milestones.pop()
        plans.append(([m for m, _ in milestones], [float(v) for _, v in milestones]))
    span = plans[-1][0][-1] + 1
    k = min(span, len(events))
    out = np.empty((len(ctx.groups), len(events)), dtype=np.float64)
    for g, (ms, vs) in enumerate(plans):
        out[g, :k] = shapes.piecewise_linear(events[:k], ms, vs)
    if len(events) > span:
        rest = events[: len(events) - span]
        if torch_inner:
            handover = (float(out[0, span - 1]),)
            sub = dataclasses.replace(ctx, last_epoch0=1, lr_start=handover)
            out[:, span:] = _torch(inner, rest, sub)
        else:
            out[:, span:] = _evaluator(inner.type)(inner.kwargs, rest, ctx)
    return out


def _last_epochs(events: range, ctx: Context) -> np.ndarray:
    """The wrapped torch scheduler's ``last_epoch`` at each call."""
    return np.arange(len(events), dtype=np.int64) + ctx.last_epoch0


def _rows(ctx: Context, fn: Callable[[int], np.ndarray]) -> np.ndarray:
    return np.stack([fn(g) for g in range(len(ctx.groups))]) if ctx.groups else np.empty((0, 0))


def _chain(factors: Callable[[Mapping[str, Any], np.ndarray], np.ndarray]) -> Evaluator:
    """A chainable torch get_lr: ``lr_k = lr_{k-1} * factor(last_epoch_k)``."""

    def evaluate_chain(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
        if not ctx.chain_ok:
            raise NoClosedForm("chainable torch scheduler reads an lr written by another one")
        f = factors(kw, _last_epochs(events, ctx))
        lrs = ctx.start_lrs()
        return _rows(ctx, lambda g: shapes.multiplicative_chain(lrs[g], f))

    return evaluate_chain


def _per_group(value: Any, count: int) -> list[float]:
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise NoClosedForm("per-group list of the wrong length")
        return [float(v) for v in value]
    return [float(value)] * count


def _warm_restarts(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    t0, t_mult, eta = kw["T_0"], kw.get("T_mult", 1), kw.get("eta_min", 0.0)
    return _rows(
        ctx,
        lambda g: shapes.cosine_warm_restarts(events, float(ctx.groups[g]["initial_lr"]), t0, t_mult, eta),
    )


def _one_cycle(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    total = kw.get("total_steps")
    if total is None:
        total = kw["epochs"] * kw["steps_per_epoch"]
    le = _last_epochs(events, ctx)
    return _rows(
        ctx,
        lambda g: shapes.one_cycle(
            le,
            ctx.groups[g]["initial_lr"],
            ctx.groups[g]["max_lr"],
            ctx.groups[g]["min_lr"],
            total,
            kw.get("pct_start", 0.3),
            kw.get("anneal_strategy", "cos"),
            kw.get("three_phase", False),
        ),
    )


def _cyclic(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    if kw.get("scale_fn") is not None:
        raise NoClosedForm("CyclicLR with a custom scale_fn")
    base = _per_group(kw["base_lr"], len(ctx.groups))
    top = _per_group(kw["max_lr"], len(ctx.groups))
    le = _last_epochs(events, ctx)
    return _rows(
        ctx,
        lambda g: shapes.cyclic_lr(
            le,
            base[g],
            top[g],
            kw.get("step_size_up", 2000),
            kw.get("step_size_down"),
            kw.get("mode", "triangular"),
            kw.get("gamma", 1.0),
        ),
    )


FAST: dict[str, Evaluator] = {
    "CosineAnnealingScheduler": _cyclical_evaluator("cosine"),
    "LinearCyclicalScheduler": _cyclical_evaluator("linear"),
    "PiecewiseLinear": _piecewise,
    "ConcatScheduler": _concat,
    "LRScheduler": _lr_scheduler,
    "create_lr_scheduler_with_warmup": _warmup,
    # torch.optim.lr_scheduler classes (inside LRScheduler / the warm-up helper)
    "StepLR": _chain(lambda kw, le: shapes.step_lr_factors(le, kw["step_size"], kw.get("gamma", 0.1))),
    "MultiStepLR": _chain(
        lambda kw, le: shapes.multistep_lr_factors(le, kw["milestones"], kw.get("gamma", 0.1))
    ),
    "ExponentialLR": _chain(lambda kw, le: shapes.exponential_lr_factors(le, kw["gamma"])),
    "ConstantLR": _chain(
        lambda kw, le: shapes.constant_lr_factors(le, kw.get("factor", 1.0 / 3), kw.get("total_iters", 5))
    ),
    "LinearLR": _chain(
        lambda kw, le: shapes.linear_lr_factors(
            le, kw.get("start_factor", 1.0 / 3), kw.get("end_factor", 1.0), kw.get("total_iters", 5)
        )
    ),
    "PolynomialLR": _chain(
        lambda kw, le: shapes.polynomial_lr_factors(le, kw.get("total_iters", 5), kw.get("power", 1.0))
    ),
    "CosineAnnealingWarmRestarts": _warm_restarts,
    "OneCycleLR": _one_cycle,
    "CyclicLR": _cyclic,
}


def _evaluator(type_name: str) -> Evaluator:
    try:
        return FAST[type_name]
    except KeyError:
        raise NoClosedForm(f"no closed form for {type_name}") from None


# ------------------------------------------------------------------------------------------------
# whole experiments
# ------------------------------------------------------------------------------------------------
MOMENTUM_WRITERS = frozenset({"OneCycleLR", "CyclicLR"})


def _targets(spec: Any, count: int) -> list[int]:
    index = spec.kwargs.get("param_group_index")
    if index is None:
        return list(range(count))
    if isinstance(index, bool) or not isinstance(index, int) or not -count <= index < count:
        raise NoClosedForm("param_group_index fails at the first call")
    return [index % count]


def evaluate(experiment: Any, groups: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Closed-form :class:`~scheduler_core.experiment.Series` of ``experiment``.

    ``groups`` are the param groups right after the schedulers were built (construction may
    change them). Schedulers run in list order each event, so the last one writing a
    (group, param) pair gives its values; untouched pairs keep their value from ``groups``.

    Raises:
        NoClosedForm: when the experiment must be stepped instead (also when stepping would
            raise, e.g. ZeroDivisionError: stepping then raises it at the right event).
    """
    from .experiment import Series, scheduled_names

    n, count = experiment.num_events, len(groups)
    names = scheduled_names(experiment)
    torch_all = [t for s in experiment.schedulers for t in torch_specs(s)]
    if len(torch_all) > 1:
        raise NoClosedForm("several torch schedulers share the optimizer")
    if {"momentum", "betas"} & set(names) and any(
        t.type in MOMENTUM_WRITERS and t.kwargs.get("cycle_momentum", True) for t in torch_all
    ):
        raise NoClosedForm("torch scheduler also writes momentum")
    lr_writers = sum(param_name(s) == "lr" for s in experiment.schedulers)
    ctx = Context(groups=tuple(groups), chain_ok=lr_writers <= 1)
    events = range(n)
    written: dict[tuple[int, str], np.ndarray] = {}
    for spec in experiment.schedulers if n else ():  # nothing runs for 0 events
        targets = _targets(spec, count)
        try:
            values = _evaluator(spec.type)(spec.kwargs, events, ctx)
        except (ArithmeticError, ValueError, TypeError, LookupError) as exc:
            # stepping raises somewhere (or the closed form does not apply): let it step
            raise NoClosedForm(f"{spec.type}: {type(exc).__name__}: {exc}") from exc
        name = param_name(spec)
        for g in targets:
            written[(g, name)] = values[g] if values.ndim == 2 else values
    result, seen = [], set()
    for g, group in enumerate(experiment.param_groups):
        for name in names:
            values = written.get((g, name))
            if values is None:
                values = np.full(n, float(groups[g][name]), dtype=np.float64)
            elif id(values) in seen or values.base is not None and id(values.base) in seen:
                values = values.copy()
            seen.add(id(values))
            result.append(Series(g, group.name, name, values))
    return result
