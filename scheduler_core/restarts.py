"""Events where a schedule restarts: cyclical cycle starts and ConcatScheduler switches.

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

from .registry import collect_restarts, expanded, written_param
from .shapes import NoClosedForm
from .spec import Experiment

__all__ = ["restart_events"]


def restart_events(experiment: Experiment, group_index: int, param_name: str, limit: int = 300) -> list[int]:
    """Sorted first ``limit`` restart events of the schedulers writing ``param_name`` of a group.

    Schedulers without restarts contribute none; a configuration whose cycles cannot be laid
    out (non-integer or shrinking-to-zero sizes) contributes the events before that point rather
    than raising: the series itself reports such errors.
    """
    out: set[int] = set()
    for spec in expanded(experiment.schedulers):
        target = spec.kwargs.get("param_group_index")
        if (target is not None and target != group_index) or written_param(spec) != param_name:
            continue
        own: set[int] = set()  # each scheduler's events come in increasing order: keep its first
        try:
            collect_restarts(spec, 0, experiment.num_events, own, limit, experiment.iterations_per_epoch)
        except (NoClosedForm, ZeroDivisionError):
            pass
        out |= own
    return sorted(out)[:limit]
