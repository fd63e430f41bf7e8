"""Notices of ``/series``: torch schedulers whose values, as ignite runs them, differ from torch's
own stepping.

For each top-level ``LRScheduler`` whose torch scheduler ignite runs (stepping "ignite"), the
experiment is computed again with that one scheduler switched to torch's own stepping at the
event a plain torch loop steps it: ``scheduler.step()`` after each iteration (after each epoch
for an epoch event), i.e. ``ITERATION_COMPLETED`` / ``EPOCH_COMPLETED``. ignite's wrapper is
meant to be attached at ``*_STARTED`` (it writes the value of the coming iteration), where a
torch type whose ``get_lr`` does not depend on ``step()`` gives the same values; a notice says
where they are not the same, with the first event that differs and the largest absolute
difference over every series. Both computations go through the one series cache; the second one
gets half the request's time budget.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson

from scheduler_core.torch_stepping import stepping_of

from ..contract.canonical import canonical_json
from ..contract.errors import ApiError
from ..contract.schemas import Experiment
from ..settings import Settings
from .compute import SeriesCache, SeriesData, compute

TORCH_LOOP_EVENT = {
    "ITERATION_STARTED": "ITERATION_COMPLETED",
    "ITERATION_COMPLETED": "ITERATION_COMPLETED",
    "EPOCH_STARTED": "EPOCH_COMPLETED",
    "EPOCH_COMPLETED": "EPOCH_COMPLETED",
}
"""Where a plain torch loop steps a scheduler, for a wrapper attached at each event."""


def ignite_run(s: Any) -> bool:
    """Whether the top-level scheduler model ``s`` runs a torch scheduler as ignite does."""
    if "stepping" not in type(s).model_fields:
        return False
    return stepping_of({"stepping": s.stepping, "lr_scheduler": s.lr_scheduler}) == "ignite"


def _switched(exp: Experiment, i: int, switch: dict[str, str]) -> Experiment:
    body = orjson.loads(canonical_json(exp))
    body["schedulers"][i].update(switch)
    return Experiment.model_validate(body)


def _difference(a: list[SeriesData], b: list[SeriesData]) -> tuple[int, float] | None:
    """(first differing event, max absolute difference) over the series, None when equal."""
    first, largest = None, 0.0
    for x, y in zip(a, b, strict=True):
        differ = x.values != y.values
        if differ.any():
            k = int(np.argmax(differ))
            first = k if first is None else min(first, k)
            largest = max(largest, float(np.max(np.abs(x.values - y.values))))
    return None if first is None else (first, largest)


def series_notices(
    exp: Experiment, settings: Settings, cache: SeriesCache, series: list[SeriesData], store: bool
) -> list[dict[str, Any]]:
    """The notices of ``exp`` (whose computed ``series`` are given), one per top-level
    ``LRScheduler`` run as ignite runs it whose values torch's own stepping changes."""
    out = []
    # the comparison may step too: it gets half the request's time budget, so that a reply never
    # takes much longer than the budget allows (over it, the notice says so instead)
    budget = settings.model_copy(update={"request_time_budget_s": settings.request_time_budget_s / 2})
    for i, s in enumerate(exp.schedulers):
        if not ignite_run(s):
            continue
        switch = {"stepping": "torch", "event": TORCH_LOOP_EVENT[s.event]}
        name = s.lr_scheduler.type
        where = (
            f"{name} stepped by torch itself (scheduler.step() at {switch['event']}, as a plain torch loop)"
        )
        notice = {"kind": "torch_stepping", "scheduler": i, "torch_type": name, "switch": switch}
        try:
            other = compute(_switched(exp, i, switch), budget, cache, store=store)
        except ApiError as exc:
            out.append({**notice, "first_event": None, "max_abs_diff": None,
                        "message": f"ignite's LRScheduler could not be compared with {where}: {exc.items[0]['msg']}"})  # fmt: skip
            continue
        diff = _difference(series, other)
        if diff is not None:
            out.append(
                {
                    **notice,
                    "first_event": diff[0],
                    "max_abs_diff": diff[1],
                    "message": f"ignite's LRScheduler at {s.event} gives other values than {where}: "
                    f"from event {diff[0]}, by up to {diff[1]:.3g}.",
                }
            )
    return out
