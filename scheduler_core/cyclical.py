"""Cyclical schedulers: linear and cosine cycles with growing cycles, value multipliers and warm-up."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import shapes
from .base import ParamScheduler
from .registry import Context, SchedulerType, construct, register

__all__ = ["CyclicalScheduler", "LinearCyclicalScheduler", "CosineAnnealingScheduler"]


class CyclicalScheduler(ParamScheduler):
    """Abstract scheduler repeating a cycle from ``start_value`` towards ``end_value``.

    Each cycle lasts ``cycle_size`` events plus an optional linear warm-up tail of
    ``warmup_duration`` events that leads from ``end_value`` back to the next start value.
    At the end of a cycle both sizes become ``int(size * cycle_mult)`` (truncated every cycle),
    ``end_value`` is multiplied by ``end_value_mult``; ``start_value`` is multiplied by
    ``start_value_mult`` when the event index reaches ``cycle_size``.

    Args:
        optimizer: optimizer (or object with ``param_groups``).
        param_name: parameter to schedule.
        start_value: value at the start of a cycle.
        end_value: value approached at the end of a cycle.
        cycle_size: events per cycle, at least 2.
        cycle_mult: factor of the cycle size at each new cycle (default 1.0).
        start_value_mult: factor of ``start_value`` at each cycle (default 1.0).
        end_value_mult: factor of ``end_value`` at each cycle (default 1.0).
        warmup_duration: events of the warm-up tail of each cycle (default 0).
        save_history: record values in ``engine.state.param_history``.
        param_group_index: schedule only this param group.

    Raises:
        ValueError: ``cycle_size`` is smaller than 2.
    """

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        start_value: float,
        end_value: float,
        cycle_size: int,
        cycle_mult: float = 1.0,
        start_value_mult: float = 1.0,
        end_value_mult: float = 1.0,
        warmup_duration: int = 0,
        save_history: bool = False,
        param_group_index: int | None = None,
    ):
        super().__init__(optimizer, param_name, save_history, param_group_index=param_group_index)
        self.start_value = start_value
        self.end_value = end_value
        self.cycle_size = cycle_size
        self.cycle_mult = cycle_mult
        self.cycle = 0
        self.start_value_mult = start_value_mult
        self.end_value_mult = end_value_mult
        self.warmup_duration = warmup_duration
        self.total_cycle_size = self.warmup_duration + self.cycle_size
        if self.cycle_size < 2:
            raise ValueError(
                f"Argument cycle_size should be positive and larger than 1, but given {cycle_size}"
            )
        self._state_attrs += [
            "start_value",
            "end_value",
            "cycle_size",
            "cycle_mult",
            "cycle",
            "start_value_mult",
            "end_value_mult",
            "warmup_duration",
            "total_cycle_size",
        ]

    def __call__(self, engine: Any = None, name: str | None = None) -> None:
        """Apply the cycle bookkeeping for the current event, then write the value."""
        if self.event_index != 0 and self.event_index == self.cycle_size:
            self.start_value *= self.start_value_mult
        if self.event_index != 0 and self.event_index == self.total_cycle_size:
            self._start_next_cycle()
        super().__call__(engine, name)

    def _start_next_cycle(self) -> None:
        self.event_index = 0
        self.cycle_size = int(self.cycle_size * self.cycle_mult)
        self.warmup_duration = int(self.warmup_duration * self.cycle_mult)
        self.total_cycle_size = self.warmup_duration + self.cycle_size
        self.cycle += 1
        self.end_value *= self.end_value_mult

    def _get_param(self) -> float:
        """Linear warm-up ``end + (start - end) * (e - C) / W`` in the tail, else ``get_param()``."""
        if self.event_index > self.cycle_size:
            warmup_progress = (self.event_index - self.cycle_size) / self.warmup_duration
            return self.end_value + (self.start_value - self.end_value) * warmup_progress
        return self.get_param()


class LinearCyclicalScheduler(CyclicalScheduler):
    """Linear cycles: ``start → end → start`` (or ``start → end`` with ``monotonic=True``).

    With ``p = event_index / cycle_size`` the value is
    ``end + (start - end) * |p - 0.5| * 2``, or ``start + (end - start) * p`` when monotonic.

    Args:
        *args, **kwargs: as :class:`CyclicalScheduler`.
        monotonic: keyword-only; ramp once per cycle instead of down and up (default False).

    Raises:
        ValueError: ``warmup_duration > 0`` without ``monotonic=True``; ``cycle_size < 2``.

    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 0.0}])
    >>> s = LinearCyclicalScheduler(opt, "lr", start_value=0.0, end_value=1.0, cycle_size=4)
    >>> values = []
    >>> for _ in range(6):
    ...     s(None)
    ...     values.append(opt.param_groups[0]["lr"])
    >>> values
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.5]
    """

    def __init__(self, *args: Any, monotonic: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.monotonic = monotonic
        if self.warmup_duration > 0 and not self.monotonic:
            raise ValueError(
                "Invalid combination when warmup_duration > 0 and monotonic=False, "
                "please use either set warmup_duration=0 or monotonic=True"
            )

    def get_param(self) -> float:
        """Value of the linear cycle at the current event."""
        progress = self.event_index / self.cycle_size
        if self.monotonic:
            return self.start_value + (self.end_value - self.start_value) * progress
        return self.end_value + (self.start_value - self.end_value) * abs(progress - 0.5) * 2


class CosineAnnealingScheduler(CyclicalScheduler):
    """Half-cosine cycles from ``start_value`` to ``end_value`` (SGDR-style restarts).

    With ``p = event_index / cycle_size`` the value is
    ``start + ((end - start) / 2) * (1 - cos(pi * p))``.

    Args: as :class:`CyclicalScheduler`.

    >>> CosineAnnealingScheduler.simulate_values(5, param_name="lr", start_value=0.0,
    ...                                          end_value=1.0, cycle_size=4)[:3]
    [[0, 0.0], [1, 0.1464466094067262], [2, 0.49999999999999994]]
    """

    def get_param(self) -> float:
        """Value of the cosine cycle at the current event."""
        progress = self.event_index / self.cycle_size
        return self.start_value + ((self.end_value - self.start_value) / 2) * (
            1 - math.cos(math.pi * progress)
        )


# ------------------------------------------------------------------------------------------------
# the types: closed forms and restart events
# ------------------------------------------------------------------------------------------------
def _cyclical_closed_form(form: str):
    def closed_form(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
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

    return closed_form


def cycle_restarts(kw: Mapping[str, Any], offset: int, stop: int, out: set[int], limit: int) -> None:
    """Cycle starts after the first one, for a cyclical scheduler starting at ``offset``.

    Raises like :func:`~scheduler_core.shapes.cycle_runs` once the sizes cannot be laid out.
    """
    runs = shapes.cycle_runs(
        stop - offset, kw["cycle_size"], kw.get("cycle_mult", 1.0), kw.get("warmup_duration", 0)
    )
    for first, size, warm, repeats in runs:
        event = offset + first
        while event < stop and len(out) < limit:
            if event > offset:
                out.add(event)
            if not repeats:
                break
            event += size + warm


for _cls, _form in ((LinearCyclicalScheduler, "linear"), (CosineAnnealingScheduler, "cosine")):
    register(
        SchedulerType(
            name=_cls.__name__,
            kind="param",
            family="ignite",
            build=construct(_cls),
            closed_form=_cyclical_closed_form(_form),
            restarts=cycle_restarts,
            public=_cls,
            declines=shapes.CYCLE_DECLINES,
        )
    )
