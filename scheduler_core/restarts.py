"""Events where a schedule restarts: cyclical cycle starts and ConcatScheduler switches.

Charts mark these events; they follow the schedulers' own bookkeeping (cycle sizes truncated
every cycle, children of a concatenation starting at their own index 0).

>>> from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec
>>> cosine = SchedulerSpec("CosineAnnealingScheduler", {"param_name": "lr", "start_value": 1.0,
...     "end_value": 0.0, "cycle_size": 4, "cycle_mult": 1.5})
>>> restart_events(Experiment(20, (ParamGroupSpec("g", {"lr": 0.1}),), (cosine,)), 0, "lr")
[4, 10, 19]
"""

from __future__ import annotations

from typing import Any

from .experiment import CYCLICAL_TYPES, Experiment, SchedulerSpec, written_param
from .shapes import NoClosedForm, cycle_runs

__all__ = ["restart_events"]


def _cyclical(kwargs: Any, offset: int, stop: int, out: set[int], limit: int) -> None:
    """Cycle starts after the first one, for a cyclical scheduler starting at ``offset``."""
    runs = cycle_runs(
        stop - offset,
        kwargs["cycle_size"],
        kwargs.get("cycle_mult", 1.0),
        kwargs.get("warmup_duration", 0),
    )
    for first, size, warm, repeats in runs:
        period = size + warm
        event = offset + first
        while event < stop and len(out) < limit:
            if event > offset:
                out.add(event)
            if not repeats:
                break
            event += period


def _collect(spec: SchedulerSpec, offset: int, stop: int, out: set[int], limit: int) -> None:
    if spec.type in CYCLICAL_TYPES:
        _cyclical(spec.kwargs, offset, stop, out, limit)
    elif spec.type == "ConcatScheduler":
        _concat(spec.kwargs, offset, stop, out, limit)


def _concat(kwargs: Any, offset: int, stop: int, out: set[int], limit: int) -> None:
    """Child starts of a ConcatScheduler, then each child's own restarts.

    A switch happens at the start of a call whose remaining duration is 0, at most once per
    call: the first child with duration 0 is skipped, a later child entered with duration 0 (or
    any child with a negative one) is called and then runs for ever.
    """
    children = list(kwargs.get("schedulers", ()))
    durations = list(kwargs.get("durations", ()))
    start, i = offset, 0
    if durations and durations[0] == 0:
        i = 1  # skipped at the first call: the second child starts at once
    while i < len(children) and start < stop:
        if i > 0 and len(out) < limit:
            out.add(start)
        last = i >= len(durations) or durations[i] <= 0
        end = stop if last else min(stop, start + durations[i])
        _collect(children[i], start, end, out, limit)
        if last:
            return
        start, i = start + durations[i], i + 1


def restart_events(experiment: Experiment, group_index: int, param_name: str, limit: int = 300) -> list[int]:
    """Sorted first ``limit`` restart events of the schedulers writing ``param_name`` of a group.

    Schedulers without restarts contribute none; a configuration whose cycles cannot be laid
    out (non-integer or shrinking-to-zero sizes) contributes none rather than raising: the series
    itself reports such errors.
    """
    out: set[int] = set()
    for spec in experiment.schedulers:
        target = spec.kwargs.get("param_group_index")
        if (target is not None and target != group_index) or written_param(spec) != param_name:
            continue
        own: set[int] = set()  # each scheduler's events come in increasing order: keep its first
        try:
            _collect(spec, 0, experiment.num_events, own, limit)
        except (NoClosedForm, ZeroDivisionError):
            pass
        out |= own
    return sorted(out)[:limit]
