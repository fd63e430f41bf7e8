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

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Experiment",
    "ParamGroupSpec",
    "SchedulerSpec",
    "Series",
    "build",
    "scheduled_names",
    "simulate",
    "simulate_built",
]


@dataclass(frozen=True)
class ParamGroupSpec:
    """One optimizer param group: a name and its initial values (e.g. ``{"lr": 1e-3}``)."""

    name: str
    values: Mapping[str, float]


@dataclass(frozen=True)
class SchedulerSpec:
    """A scheduler type name and its constructor kwargs (ignite's names, no optimizer).

    Top-level param schedulers carry ``param_name`` (and optionally ``param_group_index``);
    ConcatScheduler children inherit them. ``LRScheduler`` / ``create_lr_scheduler_with_warmup``
    hold the torch scheduler as ``kwargs["lr_scheduler"] = SchedulerSpec("StepLR", {...})``; the
    warm-up helper also accepts an ignite scheduler spec there (its param_name defaults to "lr").
    """

    type: str
    kwargs: Mapping[str, Any]


@dataclass(frozen=True)
class Experiment:
    """``num_events`` calls of every scheduler, in list order, on one optimizer."""

    num_events: int
    param_groups: tuple[ParamGroupSpec, ...]
    schedulers: tuple[SchedulerSpec, ...]


@dataclass(frozen=True)
class Series:
    """Values of ``param_name`` in group ``param_group`` after each event (float64)."""

    param_group: int
    group_name: str
    param_name: str
    values: np.ndarray


# ------------------------------------------------------------------------------------------------
# build
# ------------------------------------------------------------------------------------------------
INHERITED = ("param_name", "param_group_index")


def _param(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> Any:
    import scheduler_core

    return getattr(scheduler_core, spec.type)(optimizer=optimizer, **inherited, **spec.kwargs)


def _concat(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> Any:
    import scheduler_core

    kw = dict(spec.kwargs)
    passed = {k: kw.pop(k) for k in INHERITED if k in kw} or dict(inherited)
    children = [_build_one(c, optimizer, passed) for c in _list(kw.pop("schedulers", None))]
    return scheduler_core.ConcatScheduler(schedulers=children, **kw)


def _torch_scheduler(spec: Any, optimizer: Any) -> Any:
    import torch.optim.lr_scheduler as torch_schedulers

    if not isinstance(spec, SchedulerSpec):
        raise TypeError(f"Argument lr_scheduler should be a SchedulerSpec, but given {type(spec)}")
    cls = getattr(torch_schedulers, spec.type, None)
    if (
        spec.type.startswith("_")
        or not isinstance(cls, type)
        or not issubclass(cls, torch_schedulers.LRScheduler)
    ):
        raise ValueError(
            f"Argument lr_scheduler should name a torch.optim.lr_scheduler scheduler, but given {spec.type!r}"
        )
    return cls(optimizer, **spec.kwargs)


def _lr(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> Any:
    import scheduler_core

    kw = dict(spec.kwargs)  # writes "lr" of every group: a Concat's inherited keys do not apply
    kw["lr_scheduler"] = _torch_scheduler(kw.get("lr_scheduler"), optimizer)
    return scheduler_core.LRScheduler(**kw)


def _warmup(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> Any:
    import scheduler_core

    kw = dict(spec.kwargs)  # writes "lr" of every group: a Concat's inherited keys do not apply
    inner = kw.get("lr_scheduler")
    if isinstance(inner, SchedulerSpec) and inner.type in BUILDERS:  # an ignite scheduler on lr
        lr = {} if "param_name" in inner.kwargs else {"param_name": "lr"}
        kw["lr_scheduler"] = _build_one(inner, optimizer, lr)
    else:
        kw["lr_scheduler"] = _torch_scheduler(inner, optimizer)
    return scheduler_core.create_lr_scheduler_with_warmup(**kw)


BUILDERS: dict[str, Callable[[SchedulerSpec, Any, Mapping[str, Any]], Any]] = {
    "CosineAnnealingScheduler": _param,
    "LinearCyclicalScheduler": _param,
    "PiecewiseLinear": _param,
    "ConcatScheduler": _concat,
    "LRScheduler": _lr,
    "create_lr_scheduler_with_warmup": _warmup,
}


def _list(value: Any) -> list:
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"Argument schedulers should be a list of SchedulerSpec, but given {value!r}")
    return list(value)


def _build_one(spec: Any, optimizer: Any, inherited: Mapping[str, Any]) -> Any:
    if not isinstance(spec, SchedulerSpec):
        raise TypeError(f"Argument schedulers should hold SchedulerSpec, but given {type(spec)}")
    builder = BUILDERS.get(spec.type)
    if builder is None:
        raise ValueError(f"Argument type should be one of {sorted(BUILDERS)}, but given {spec.type!r}")
    return builder(spec, optimizer, inherited)


TORCH_WRAPPERS = frozenset({"LRScheduler", "create_lr_scheduler_with_warmup"})
"""Types whose ``lr_scheduler`` is a torch scheduler spec (or, for the warm-up, an ignite one)."""
IGNITE_TYPES = frozenset(BUILDERS)
"""Every type an experiment's scheduler spec may have (torch classes only inside wrappers)."""
CYCLICAL_TYPES = frozenset({"CosineAnnealingScheduler", "LinearCyclicalScheduler"})


def written_param(spec: SchedulerSpec) -> str:
    """The parameter a top-level scheduler spec writes ("lr" for the torch wrappers)."""
    return "lr" if spec.type in TORCH_WRAPPERS else spec.kwargs["param_name"]


def torch_specs(spec: SchedulerSpec) -> Iterator[Any]:
    """The torch scheduler specs inside ``spec`` (through concatenations and warm-ups)."""
    if spec.type in TORCH_WRAPPERS:
        inner = spec.kwargs.get("lr_scheduler")
        if getattr(inner, "type", None) in IGNITE_TYPES:  # the warm-up over an ignite scheduler
            yield from torch_specs(inner)
        else:
            yield inner
    elif spec.type == "ConcatScheduler":
        for child in spec.kwargs.get("schedulers", ()):
            if isinstance(child, SchedulerSpec):
                yield from torch_specs(child)


def scheduled_names(experiment: Experiment) -> list[str]:
    """Scheduled parameter names in order of first appearance ("lr" for torch wrappers)."""
    names: list[str] = []
    for spec in experiment.schedulers:
        name = written_param(spec) if spec.type in TORCH_WRAPPERS else spec.kwargs.get("param_name")
        if not isinstance(name, str):
            raise ValueError(f"Argument param_name should be a str, but given {name!r}")
        if name not in names:
            names.append(name)
    return names


def _check(experiment: Experiment) -> list[str]:
    n = experiment.num_events
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"Argument num_events should be a non-negative integer, but given {n!r}")
    if not experiment.param_groups:
        raise ValueError("Argument param_groups should hold at least one group, but given none")
    names = scheduled_names(experiment)
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
    if any(True for s in experiment.schedulers for _ in torch_specs(s)):
        import torch

        optimizer = torch.optim.SGD([{"params": [torch.zeros(1)], **v} for v in values])
    else:
        from .base import GroupsOptimizer

        optimizer = GroupsOptimizer(values)
    schedulers = [_build_one(s, optimizer, {}) for s in experiment.schedulers]
    return optimizer, schedulers


# ------------------------------------------------------------------------------------------------
# simulate
# ------------------------------------------------------------------------------------------------
def _step(experiment: Experiment, optimizer: Any, schedulers: list[Any]) -> list[Series]:
    names = scheduled_names(experiment)
    groups = optimizer.param_groups
    pairs = [(g, name) for g in range(len(groups)) for name in names]
    out = np.empty((len(pairs), experiment.num_events), dtype=np.float64)
    for k in range(experiment.num_events):
        for scheduler in schedulers:
            scheduler(None)
        for row, (g, name) in enumerate(pairs):
            out[row, k] = groups[g][name]
    specs = experiment.param_groups
    return [Series(g, specs[g].name, name, out[row]) for row, (g, name) in enumerate(pairs)]


def _groups_state(optimizer: Any) -> list[dict[str, Any]]:
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
    from . import series

    if method == "fast":
        return series.evaluate(experiment, _groups_state(optimizer))
    try:
        return series.evaluate(experiment, _groups_state(optimizer))
    except series.NoClosedForm:  # not exact here, or stepping fails: step for identical results
        return _step(experiment, optimizer, schedulers)
