"""``BatchSizeScheduler``: set a data loader's batch size from a function of the event index.

torch is imported only to build one (its ``DataLoader`` is what the scheduler updates).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ._optional import import_torch
from .base import BaseParamScheduler, default_event, history_of
from .expressions import COSTLY, CostExceeded, Expression, as_callable
from .registry import Context, SchedulerType, register
from .shapes import NoClosedForm
from .spec import SchedulerSpec

__all__ = ["BatchSizeScheduler"]


def _is_instance(obj: Any, module: str, name: str) -> bool:
    """``isinstance(obj, module.name)`` without importing ``module`` (loaded if obj is one)."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(obj, getattr(loaded, name))


class BatchSizeScheduler(BaseParamScheduler):
    """Set ``dataloader.batch_sampler.batch_size`` to ``scheduler_fn(event_index)`` at each call.

    The first call uses index 0. The value must be an ``int`` of at least 1 (``ValueError``
    otherwise, at that call). ``attach`` registers it at ``Events.EPOCH_STARTED`` by default.

    Args:
        dataloader: a ``torch.utils.data.DataLoader`` with a ``BatchSampler``.
        scheduler_fn: ``event_index -> batch size`` (e.g. an :class:`~scheduler_core.expressions.
            Expression` of ``event``).
        save_history: record values in ``engine.state.param_history["batch_size"]``.

    Raises:
        TypeError: ``dataloader`` is not a DataLoader; ``scheduler_fn`` is not callable.
        ValueError: the data loader has no ``BatchSampler``.

    >>> BatchSizeScheduler.simulate_values(3, scheduler_fn=lambda e: 16 * 2**e)
    [[0, 16], [1, 32], [2, 64]]
    """

    def __init__(self, dataloader: Any, scheduler_fn: Callable[[int], int], save_history: bool = False):
        super().__init__(param_name="batch_size", save_history=save_history)
        if not _is_instance(dataloader, "torch.utils.data", "DataLoader"):
            raise TypeError(
                f"Argument dataloader should be torch.utils.data.DataLoader, but given {type(dataloader)}"
            )
        if not _is_instance(getattr(dataloader, "batch_sampler", None), "torch.utils.data", "BatchSampler"):
            raise ValueError(
                "Argument dataloader should have a BatchSampler, i.e. dataloader.batch_sampler should be "
                "an instance of torch.utils.data.sampler.BatchSampler"
            )
        if not callable(scheduler_fn):
            raise TypeError(f"Argument scheduler_fn should be callable, but given {type(scheduler_fn)}")
        self.dataloader = dataloader
        self.scheduler_fn = scheduler_fn

    def __call__(self, engine: Any = None) -> None:
        """Check and set the batch size for the current index, record it, advance one event."""
        value = self.get_param()
        if not isinstance(value, int) or value < 1:
            raise ValueError(
                f"Batch size returned by scheduler_fn should be a positive integer, but given {value}"
            )
        self.dataloader.batch_sampler.batch_size = value
        if self.save_history and engine is not None:
            history_of(engine).setdefault(self.param_name, []).append(value)
        self.event_index += 1

    def get_param(self) -> int:
        """``scheduler_fn(event_index)``."""
        return self.scheduler_fn(self.event_index)

    def attach(self, engine: Any, event: Any = None) -> None:
        """Register on ``engine`` at ``event`` (default ``Events.EPOCH_STARTED``)."""
        engine.add_event_handler(default_event("EPOCH_STARTED") if event is None else event, self)

    @classmethod
    def simulate_values(cls, num_events: int, **scheduler_kwargs: Any) -> list[list]:
        """Rows ``[i, scheduler_fn(i)]`` (values are not checked, as in ignite).

        Raises:
            ValueError: ``scheduler_fn`` is missing.
        """
        if "scheduler_fn" not in scheduler_kwargs:
            raise ValueError("Argument scheduler_kwargs must contain 'scheduler_fn'")
        fn = scheduler_kwargs["scheduler_fn"]
        return [[i, fn(i)] for i in range(num_events)]


# ------------------------------------------------------------------------------------------------
# the BatchSizeScheduler type: scheduler_fn is an expression of ``event``
# ------------------------------------------------------------------------------------------------
UNSET_BATCH_SIZE = 1
"""The batch size of the data loader an experiment's BatchSizeScheduler updates, before its first
call (the exported code builds its loader with it too)."""

BATCH_SIZE_DECLINES = (
    "scheduler_fn is a Python callable",
    COSTLY,
    "scheduler_fn gives ints and floats mixed, or ints beyond int64",
)


def _build(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> BatchSizeScheduler:
    data = import_torch("torch.utils.data")
    kw = dict(spec.kwargs)
    kw["scheduler_fn"] = as_callable(kw.get("scheduler_fn"), "event")
    loader = data.DataLoader(range(1), batch_size=UNSET_BATCH_SIZE)
    return BatchSizeScheduler(loader, **kw)


def _closed_form(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    fn = as_callable(kw["scheduler_fn"], "event")
    if not isinstance(fn, Expression):
        raise NoClosedForm(BATCH_SIZE_DECLINES[0])
    try:
        values = fn.array(np.arange(len(events)))
    except CostExceeded as exc:
        raise NoClosedForm(COSTLY) from exc
    except TypeError as exc:  # stepping tells (a float batch size raises there, a huge int does not)
        raise NoClosedForm(BATCH_SIZE_DECLINES[2]) from exc
    except Exception as exc:  # noqa: BLE001 - stepping raises it (or the batch size check) at its event
        raise NoClosedForm(f"stepping raises: {type(exc).__name__}: {exc}") from exc
    if values.dtype != np.int64 or (values.size and values.min() < 1):
        raise NoClosedForm("stepping raises: a batch size that is not a positive int")
    return values.astype(np.float64)


register(
    SchedulerType(
        name="BatchSizeScheduler",
        kind="state",
        family="ignite",
        build=_build,
        closed_form=_closed_form,
        writes="batch_size",
        holder="dataloader",
        unset=float(UNSET_BATCH_SIZE),
        public=BatchSizeScheduler,
        declines=BATCH_SIZE_DECLINES,
    )
)
