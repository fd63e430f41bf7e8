"""The data model of experiments: plain, frozen data that imports nothing of the package.

An :class:`Experiment` names its schedulers by type (:class:`SchedulerSpec`); the types
themselves live in :mod:`scheduler_core.registry`. :class:`Series` is what a simulation returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Experiment", "ParamGroupSpec", "SchedulerSpec", "Series"]


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

    ``event``: when a top-level scheduler is called, one of ignite's attach events
    (:data:`scheduler_core.events.EVENTS`); epoch events need the experiment's
    ``iterations_per_epoch``. Nested specs ignore it (their parent calls them).
    """

    type: str
    kwargs: Mapping[str, Any]
    event: str = "ITERATION_STARTED"


@dataclass(frozen=True)
class Experiment:
    """``num_events`` iterations of a training loop, on one optimizer; each scheduler is called at
    its ``event`` (by default before every iteration), schedulers of one event in list order."""

    num_events: int
    param_groups: tuple[ParamGroupSpec, ...]
    schedulers: tuple[SchedulerSpec, ...]
    iterations_per_epoch: int | None = None
    """Events (iterations) per epoch, for schedules that count epochs; ``None``: not given."""
    metrics: Mapping[str, Mapping[str, Any]] | None = None
    """Named metric curves read by plateau schedulers (:mod:`scheduler_core.metrics`)."""


@dataclass(frozen=True)
class Series:
    """Values of ``param_name`` in group ``param_group`` while each iteration runs (float64)."""

    param_group: int
    group_name: str
    param_name: str
    values: np.ndarray
