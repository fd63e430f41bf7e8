"""Experiments: an optimizer description, schedulers attached to it, and their value series.

An :class:`Experiment` is plain data. :func:`build` turns it into real ``scheduler_core`` objects
(a torch SGD only when a torch scheduler is used, torch being imported then; otherwise a light
object with ``param_groups``). :func:`simulate` returns, per param group and scheduled parameter,
the value seen at each event after all schedulers ran for that event: by the closed forms of
:mod:`scheduler_core.series` when they are exact, else by stepping the built schedulers.

>>> exp = Experiment(
...     num_events=4,
...     param_groups=(ParamGroupSpec("all", {"lr": 0.1}),),
...     schedulers=(SchedulerSpec("PiecewiseLinear",
...                               {"param_name": "lr", "milestones_values": [(0, 1.0), (2, 0.0)]}),),
... )
>>> [s.values.tolist() for s in simulate(exp)]
[[1.0, 0.5, 0.0, 0.0]]
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from ._optional import import_torch
from .events import check_events, run_events
from .metrics import metric_reads
from .registry import TYPES, build_spec, needs_torch, scheduled_names, state_targets
from .series import evaluate
from .shapes import NoClosedForm
from .spec import Experiment, ParamGroupSpec, SchedulerSpec, Series

__all__ = [
    "Experiment",
    "ParamGroupSpec",
    "SchedulerSpec",
    "Series",
    "build",
    "fed",
    "groups_state",
    "scheduled_names",
    "simulate",
    "simulate_built",
]


def _check(experiment: Experiment) -> list[str]:
    n = experiment.num_events
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"Argument num_events should be a non-negative integer, but given {n!r}")
    if not experiment.param_groups:
        raise ValueError("Argument param_groups should hold at least one group, but given none")
    check_events((s.event for s in experiment.schedulers), experiment.iterations_per_epoch)
    metric_reads(experiment)  # every metric read names a curve long enough
    names = scheduled_names(experiment, side=False)  # side writes need no initial value
    for i, group in enumerate(experiment.param_groups):
        for name in names:
            if name not in group.values:
                raise ValueError(f"Param group {i} ({group.name!r}) has no initial value for {name!r}")
    return names


def build(experiment: Experiment) -> tuple[Any, list[Any]]:
    """The optimizer and the ``scheduler_core`` schedulers of ``experiment``, ready to step.

    Raises:
        ValueError / TypeError: a bad experiment, or the scheduler constructors' own errors.
    """
    _check(experiment)
    values = [dict(g.values) for g in experiment.param_groups]
    if any(needs_torch(s) for s in experiment.schedulers):  # a torch optimizer
        torch = import_torch()
        optimizer = torch.optim.SGD([{"params": [torch.zeros(1)], **v} for v in values])
    else:
        from .base import GroupsOptimizer

        optimizer = GroupsOptimizer(values)
    ipe = experiment.iterations_per_epoch
    schedulers = [build_spec(s, optimizer, {}, ipe) for s in experiment.schedulers]
    return optimizer, schedulers


# ------------------------------------------------------------------------------------------------
# simulate
# ------------------------------------------------------------------------------------------------
def _state_value(scheduler: Any, engine: Any, unset: float) -> float:
    """What a state-kind scheduler's holder shows: its data loader's batch size, or its
    ``engine.state`` attribute (``unset`` before ``scheduler``'s first call)."""
    if scheduler is None:
        return unset
    loader = getattr(scheduler, "dataloader", None)
    if loader is not None:
        return loader.batch_sampler.batch_size
    value = getattr(engine.state, scheduler.param_name)
    return unset if value is None else value


def _step(experiment: Experiment, optimizer: Any, schedulers: list[Any]) -> list[Series]:
    names = scheduled_names(experiment)
    groups = optimizer.param_groups
    pairs = [(g, name) for g in range(len(groups)) for name in names]
    targets = state_targets(experiment)
    unset = [float("nan")] * len(targets)
    last: list[Any] = [None] * len(targets)  # per state target: the scheduler called last
    # state-kind schedulers get the engine (its state receives their attributes), plateau ones
    # too (engine.state.metrics fed by `fed`), others None
    engine = SimpleNamespace(state=SimpleNamespace(metrics={}))
    handlers: dict[str, list[Any]] = {}
    reads = iter(metric_reads(experiment))
    for spec, scheduler in zip(experiment.schedulers, schedulers, strict=True):
        t = TYPES.get(spec.type)
        if t is not None and t.metric_reads is not None:
            handler = fed(scheduler, next(reads), engine)
        elif t is not None and t.kind == "state":
            row = targets.index((str(t.holder), scheduler.param_name))
            unset[row] = t.unset

            def handler(e: Any, s: Any = scheduler, row: int = row) -> None:
                s(e)
                last[row] = s

        else:

            def handler(e: Any, s: Any = scheduler) -> None:
                s(None)

        handlers.setdefault(spec.event, []).append(handler)
    out = np.empty((len(pairs), experiment.num_events), dtype=np.float64)
    state_out = np.empty((len(targets), experiment.num_events), dtype=np.float64)

    def record(k: int) -> None:
        for row, (g, name) in enumerate(pairs):
            out[row, k] = groups[g][name]
        for row in range(len(targets)):
            state_out[row, k] = _state_value(last[row], engine, unset[row])

    run_events(experiment.num_events, experiment.iterations_per_epoch, handlers, record, engine)
    specs = experiment.param_groups
    series = [Series(g, specs[g].name, name, out[row]) for row, (g, name) in enumerate(pairs)]
    return series + [Series(-1, holder, name, state_out[row]) for row, (holder, name) in enumerate(targets)]


def fed(scheduler: Any, read: Any, engine: Any) -> Any:
    """A handler calling ``scheduler(engine)`` with ``engine.state.metrics[read.name]`` set to
    the curve's next value before each call that reads it (what an evaluator would do)."""
    calls, values = read.calls, read.values
    count, k = 0, 0

    def handler(e: Any) -> None:
        nonlocal count, k
        if k < len(calls) and calls[k] == count:
            engine.state.metrics[read.name] = float(values[k])
            k += 1
        count += 1
        scheduler(engine)

    return handler


def groups_state(optimizer: Any) -> list[dict[str, Any]]:
    """A copy of the optimizer's param groups without their params (read it right after
    :func:`build`, before stepping, for the groups after construction)."""
    return [{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups]


def simulate(experiment: Experiment, method: str = "auto") -> list[Series]:
    """Values of every scheduled parameter in every param group after each event.

    Args:
        experiment: what to run.
        method: "auto" (closed forms when exact, else stepping), "step" (always step) or
            "fast" (closed forms only; raises :class:`~scheduler_core.series.NoClosedForm`).

    Returns:
        One :class:`Series` per group (in order) and scheduled name (in order of appearance).

    Raises:
        ValueError / TypeError: bad experiment or scheduler arguments (the constructors' own
            errors); errors raised while stepping (e.g. ZeroDivisionError) propagate as they are.
    """
    if method not in ("auto", "step", "fast"):
        raise ValueError(f"Argument method should be 'auto', 'step' or 'fast', but given {method!r}")
    return simulate_built(experiment, build(experiment), method)


def simulate_built(
    experiment: Experiment, built: tuple[Any, list[Any]], method: str = "auto"
) -> list[Series]:
    """:func:`simulate` with ``built = build(experiment)`` done already (and not stepped yet).

    The closed forms only read the built optimizer's groups; "step" (or "auto" falling back)
    steps the built schedulers, so they can be used once.
    """
    optimizer, schedulers = built
    if method == "step":
        return _step(experiment, optimizer, schedulers)
    if method == "fast":
        return evaluate(experiment, groups_state(optimizer))
    try:
        return evaluate(experiment, groups_state(optimizer))
    except NoClosedForm:  # not exact here, or stepping fails: step for identical results
        return _step(experiment, optimizer, schedulers)
