"""Events where a schedule restarts: cycle starts (cyclical schedulers, CyclicLR, warm restarts),
ConcatScheduler switches, the end of a warm-up and milestones (PiecewiseLinear, MultiStepLR).

Charts mark these events. Each scheduler type declares its own restart events with its record
(:mod:`scheduler_core.registry`); they follow the schedulers' own bookkeeping (cycle sizes
truncated every cycle, children of a concatenation starting at their own index 0).

>>> from scheduler_core.spec import Experiment, ParamGroupSpec, SchedulerSpec
>>> cosine = SchedulerSpec("CosineAnnealingScheduler", {"param_name": "lr", "start_value": 1.0,
...     "end_value": 0.0, "cycle_size": 4, "cycle_mult": 1.5})
>>> restart_events(Experiment(20, (ParamGroupSpec("g", {"lr": 0.1}),), (cosine,)), 0, "lr")
[4, 10, 19]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .events import first_iteration, num_calls
from .registry import Context, collect_restarts, expanded, side_params, written_param
from .shapes import NoClosedForm
from .spec import Experiment

__all__ = ["restart_events"]


def restart_events(
    experiment: Experiment,
    group_index: int,
    param_name: str,
    limit: int = 300,
    groups: Sequence[Mapping[str, Any]] | None = None,
) -> list[int]:
    """Sorted first ``limit`` restart events of the schedulers writing ``param_name`` of a group.

    ``groups``: the param groups right after construction, if known (exact warm-up ends).
    Events are iterations: a scheduler attached at an epoch event restarts at the first
    iteration run with the restarted value. Schedulers without restarts contribute none; a configuration whose cycles cannot be laid
    out (non-integer or shrinking-to-zero sizes) contributes the events before that point rather
    than raising: the series itself reports such errors.
    """
    out: set[int] = set()
    n, ipe = experiment.num_events, experiment.iterations_per_epoch
    ctx = None if groups is None else Context(groups=tuple(groups), iterations_per_epoch=ipe)
    for spec in expanded(experiment.schedulers):  # a ParamGroupScheduler's children at its event
        target = spec.kwargs.get("param_group_index")
        if (target is not None and target != group_index) or param_name not in (
            written_param(spec),
            *side_params(spec),
        ):
            continue
        own: set[int] = set()  # each scheduler's events come in increasing order: keep its first
        try:
            collect_restarts(spec, 0, num_calls(spec.event, n, ipe), own, limit, ctx, ipe)
        except (NoClosedForm, ZeroDivisionError):
            pass
        out |= {first_iteration(spec.event, call, ipe) for call in own}  # calls → iterations
    return sorted(out)[:limit]
