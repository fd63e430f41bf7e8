"""Wrappers of ``torch.optim.lr_scheduler`` schedulers; torch is imported only when used."""

from __future__ import annotations

import copy
import math
import sys
import warnings
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import numpy as np

from ._optional import import_torch
from .base import ParamScheduler
from .registry import Context, SchedulerType, build_torch, construct, every_call, register
from .spec import SchedulerSpec
from .torch_schedules import evaluate_torch, torch_restarts, with_legacy_start
from .torch_stepping import TorchStepped, ignite_refuses, stepping_of

__all__ = ["LRScheduler", "MetricStepped", "ReduceLROnPlateauScheduler", "is_torch_lr_scheduler"]


def is_torch_lr_scheduler(obj: Any) -> bool:
    """Whether ``obj`` is a ``torch.optim.lr_scheduler.LRScheduler`` (without importing torch)."""
    if "torch" not in sys.modules:
        return False
    from torch.optim.lr_scheduler import LRScheduler as TorchLRScheduler

    return isinstance(obj, TorchLRScheduler)


def _type_error(lr_scheduler: Any) -> TypeError:
    return TypeError(
        "Argument lr_scheduler should be a subclass of torch.optim.lr_scheduler.LRScheduler, "
        f"but given {type(lr_scheduler)}"
    )


class WarmRestartsAdapter:
    """Recomputes ``CosineAnnealingWarmRestarts``' ``T_cur``/``T_i`` inside ``get_lr``.

    Each call without ``epoch`` advances ``T_cur`` by one (wrapping by ``T_i``, which grows by
    ``T_mult``) and returns ``eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``
    per group, so the scheduler's own initial value is skipped, as in ignite.
    """

    def __init__(self, lr_scheduler: Any):
        self._lr_scheduler = lr_scheduler

    @property
    def last_epoch(self) -> int:
        return self._lr_scheduler.last_epoch

    @last_epoch.setter
    def last_epoch(self, value: int) -> None:
        self._lr_scheduler.last_epoch = value

    @property
    def optimizer(self) -> Any:
        return self._lr_scheduler.optimizer

    def get_lr(self, epoch: float | None = None) -> list[float]:
        s = self._lr_scheduler
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            s.T_cur = s.T_cur + 1
            if s.T_cur >= s.T_i:
                s.T_cur = s.T_cur - s.T_i
                s.T_i = s.T_i * s.T_mult
        elif epoch < 0:
            raise ValueError(f"Expected non-negative epoch, but got {epoch}")
        elif epoch >= s.T_0:
            if s.T_mult == 1:
                s.T_cur = epoch % s.T_0
            else:
                n = int(math.log((epoch / s.T_0 * (s.T_mult - 1) + 1), s.T_mult))
                s.T_cur = epoch - s.T_0 * (s.T_mult**n - 1) / (s.T_mult - 1)
                s.T_i = s.T_0 * s.T_mult**n
        else:
            s.T_i = s.T_0
            s.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        return [
            s.eta_min + (base_lr - s.eta_min) * (1 + math.cos(math.pi * s.T_cur / s.T_i)) / 2
            for base_lr in s.base_lrs
        ]


class LRScheduler(ParamScheduler):
    """Call a ``torch.optim.lr_scheduler`` scheduler as a handler, one event per call.

    Each call writes the torch scheduler's ``get_lr()`` for its current ``last_epoch`` into the
    groups' ``lr``, then adds 1 to ``last_epoch`` (torch's ``step()`` is never called, so the
    values are those of ignite's wrapper under the installed torch).

    Args:
        lr_scheduler: a ``torch.optim.lr_scheduler.LRScheduler`` instance.
        save_history: record values in ``engine.state.param_history``.
        use_legacy: start one event later (for attaching at ``ITERATION_COMPLETED``); warns.

    Raises:
        TypeError: ``lr_scheduler`` is not a torch LR scheduler.
    """

    def __init__(self, lr_scheduler: Any, save_history: bool = False, use_legacy: bool = False):
        if not is_torch_lr_scheduler(lr_scheduler):
            raise _type_error(lr_scheduler)
        from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts

        self.lr_scheduler = lr_scheduler
        if isinstance(lr_scheduler, CosineAnnealingWarmRestarts):
            self.lr_scheduler = WarmRestartsAdapter(lr_scheduler)
        super().__init__(optimizer=self.lr_scheduler.optimizer, param_name="lr", save_history=save_history)
        if use_legacy:
            warnings.warn(
                "Please make sure to attach scheduler to Events.ITERATION_COMPLETED "
                "instead of Events.ITERATION_STARTED to make sure to use "
                "the first lr value from the optimizer, otherwise it will be skipped",
                stacklevel=2,
            )
            self.lr_scheduler.last_epoch += 1
        self._state_attrs += ["lr_scheduler"]

    def __call__(self, engine: Any = None, name: str | None = None) -> None:
        super().__call__(engine, name)
        self.lr_scheduler.last_epoch += 1

    def get_param(self) -> float | list[float]:
        """The torch scheduler's ``get_lr()`` (one value, or a list for several groups)."""
        self.lr_scheduler._get_lr_called_within_step = True
        lrs = self.lr_scheduler.get_lr()
        self.lr_scheduler._get_lr_called_within_step = False
        return lrs[0] if len(lrs) == 1 else lrs

    @classmethod
    def simulate_values(cls, num_events: int, lr_scheduler: Any, **kwargs: Any) -> list[list]:  # type: ignore[override]
        """Rows ``[i, lr_group0, lr_group1, ...]``; the torch scheduler and optimizer are restored."""
        if not is_torch_lr_scheduler(lr_scheduler):
            raise _type_error(lr_scheduler)
        saved_scheduler = copy.deepcopy(lr_scheduler.state_dict())
        saved_optimizer = copy.deepcopy(lr_scheduler.optimizer.state_dict())
        scheduler = cls(save_history=False, lr_scheduler=lr_scheduler, **kwargs)
        rows = []
        for i in range(num_events):
            scheduler(engine=None)
            rows.append([i] + [g[scheduler.param_name] for g in scheduler.optimizer_param_groups])
        lr_scheduler.load_state_dict(saved_scheduler)
        lr_scheduler.optimizer.load_state_dict(saved_optimizer)
        return rows


class ReduceLROnPlateauScheduler(ParamScheduler):
    """Reduce ``lr`` when ``engine.state.metrics[metric_name]`` stops improving.

    Wraps torch's ``ReduceLROnPlateau`` (``scheduler_kwargs`` are its arguments) and reduces
    only the targeted groups: ``new = max(old * factor, min_lr)``, written when
    ``old - new > eps``. ``min_lr`` is honoured only together with ``param_group_index``.

    Args:
        optimizer: a ``torch.optim.Optimizer``.
        metric_name: key in ``engine.state.metrics``.
        trainer: engine whose state receives the history (optional).
        save_history: record values in ``trainer.state.param_history``.
        param_group_index: reduce only this group.

    Raises:
        TypeError: ``min_lr`` given with ``param_group_index`` but not a float.
        ValueError: on call, the metric is missing from ``engine.state.metrics``.
    """

    def __init__(
        self,
        optimizer: Any,
        metric_name: str,
        trainer: Any = None,
        save_history: bool = False,
        param_group_index: int | None = None,
        **scheduler_kwargs: Any,
    ):
        super().__init__(optimizer, "lr", save_history=save_history, param_group_index=param_group_index)
        self.metric_name = metric_name
        self.trainer = trainer
        self.optimizer = optimizer
        kwargs = dict(scheduler_kwargs)
        if "min_lr" in scheduler_kwargs and param_group_index is not None:
            min_lr = scheduler_kwargs["min_lr"]
            if not isinstance(min_lr, float):
                raise TypeError(
                    f"When param_group_index is given, min_lr should be a float, but given {type(min_lr)}"
                )
            kwargs["min_lr"] = [0] * len(optimizer.param_groups)
            kwargs["min_lr"][param_group_index] = min_lr
        else:
            kwargs["min_lr"] = 0
        if "verbose" in kwargs:
            warnings.warn(
                "Found verbose=True in provided scheduler_kwargs. "
                "It would be set to False. Please use save_history instead.",
                stacklevel=2,
            )
            kwargs["verbose"] = False
        ReduceLROnPlateau = import_torch("torch.optim.lr_scheduler").ReduceLROnPlateau
        self.scheduler = ReduceLROnPlateau(optimizer, **kwargs)
        self.scheduler._reduce_lr = self._reduce_lr
        self._state_attrs += ["metric_name", "scheduler"]

    def __call__(self, engine: Any, name: str | None = None) -> None:
        if not hasattr(engine.state, "metrics") or self.metric_name not in engine.state.metrics:
            raise ValueError(
                "Argument engine should have in its 'state', attribute 'metrics' "
                f"which itself has the metric {self.metric_name}."
            )
        self.scheduler.step(engine.state.metrics[self.metric_name])
        super().__call__(self.trainer, name)

    def get_param(self) -> float | list[float]:
        """The targeted groups' current ``lr``."""
        lrs = [group["lr"] for group in self.optimizer_param_groups]
        return lrs[0] if len(lrs) == 1 else lrs

    def _reduce_lr(self, epoch: int) -> None:
        for i, group in enumerate(self.optimizer_param_groups):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.scheduler.factor, self.scheduler.min_lrs[i])
            if old_lr - new_lr > self.scheduler.eps:
                group["lr"] = new_lr

    @classmethod
    def simulate_values(  # type: ignore[override]
        cls, num_events: int, metric_values: list[float], init_lr: float, **scheduler_kwargs: Any
    ) -> list[list]:
        """Rows ``[i, lr]`` for a one-group SGD starting at ``init_lr`` fed ``metric_values``.

        Raises:
            ValueError: ``len(metric_values) != num_events``.
        """
        if len(metric_values) != num_events:
            raise ValueError(
                "Length of argument metric_values should be equal to num_events. "
                f"{len(metric_values)} != {num_events}"
            )
        for key in ("optimizer", "metric_name", "save_history"):
            scheduler_kwargs.pop(key, None)
        torch = import_torch()
        optimizer = torch.optim.SGD([torch.zeros([1], requires_grad=True)], lr=init_lr)
        scheduler = cls(optimizer=optimizer, metric_name="metric", save_history=False, **scheduler_kwargs)
        engine = SimpleNamespace(state=SimpleNamespace(metrics={}))
        rows = []
        for i in range(num_events):
            engine.state.metrics["metric"] = metric_values[i]
            scheduler(engine=engine)
            rows.append([i, scheduler.optimizer_param_groups[0][scheduler.param_name]])
        return rows


# ------------------------------------------------------------------------------------------------
# the LRScheduler type
# ------------------------------------------------------------------------------------------------
def _build_lr_scheduler(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> Any:
    kw = dict(spec.kwargs)  # writes "lr" of every group: a Concat's inherited keys do not apply
    stepping = stepping_of(kw)
    kw.pop("stepping", None)
    if stepping == "torch" and kw.get("use_legacy", False):
        raise ValueError("Argument use_legacy applies to stepping 'ignite' only, but given stepping 'torch'")
    if stepping == "ignite" and ignite_refuses(kw.get("lr_scheduler")):
        raise ValueError(f"Argument stepping should be 'torch' here: {ignite_refuses(kw['lr_scheduler'])}")
    kw["lr_scheduler"] = build_torch(kw.get("lr_scheduler"), optimizer)
    if stepping == "torch":
        return TorchStepped(kw["lr_scheduler"])
    return LRScheduler(**kw)


def _first_epoch(kw: Mapping[str, Any]) -> bool:
    """Whether the wrapped scheduler's first call reads ``last_epoch`` 1 rather than 0: torch's
    ``step()`` adds one before ``get_lr()`` (so do ignite's calls with ``use_legacy``). The same
    closed forms then give torch's own stepping, bit for bit (``CosineAnnealingLR``, whose
    ``get_lr`` also reads ``_step_count``, has none and is stepped either way; warm restarts
    advance ``T_cur`` once per call either way)."""
    return stepping_of(kw) == "torch" or kw.get("use_legacy", False)


def _lr_scheduler_closed_form(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    return evaluate_torch(kw["lr_scheduler"], events, with_legacy_start(ctx, _first_epoch(kw)))


def _lr_scheduler_restarts(kw: Mapping[str, Any], offset: int, stop: int, out: set[int], limit: int) -> None:
    torch_restarts(kw.get("lr_scheduler"), offset, 1 if _first_epoch(kw) else 0, stop, out, limit)


def _lr_scheduler_side_form(name: str, kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    return evaluate_torch(kw["lr_scheduler"], events, with_legacy_start(ctx, _first_epoch(kw)), name)


register(
    SchedulerType(
        name="LRScheduler",
        kind="composite",
        family="ignite",
        build=_build_lr_scheduler,
        closed_form=_lr_scheduler_closed_form,
        side_form=_lr_scheduler_side_form,
        restarts=_lr_scheduler_restarts,
        writes="lr",
        children=lambda kw: (kw.get("lr_scheduler"),),
        public=LRScheduler,
    )
)


# ------------------------------------------------------------------------------------------------
# the plateau types: ignite's ReduceLROnPlateauScheduler, torch's ReduceLROnPlateau stepped by torch
# ------------------------------------------------------------------------------------------------
PLATEAU_STEPPING = (
    "each reduction depends on the metric's history (best value, patience and cooldown counters): "
    "stepped call by call"
)


class MetricStepped:
    """torch's ``ReduceLROnPlateau`` as a handler: each call runs
    ``scheduler.step(engine.state.metrics[metric_name])``, as a training loop steps it with its
    validation metric."""

    def __init__(self, scheduler: Any, metric_name: str) -> None:
        self.scheduler, self.metric_name = scheduler, metric_name

    def __call__(self, engine: Any, name: str | None = None) -> None:
        self.scheduler.step(engine.state.metrics[self.metric_name])


def _build_torch_plateau(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> MetricStepped:
    kw = dict(spec.kwargs)
    metric_name = kw.pop("metric_name")
    ReduceLROnPlateau = import_torch("torch.optim.lr_scheduler").ReduceLROnPlateau
    return MetricStepped(ReduceLROnPlateau(optimizer, **kw), metric_name)


register(
    SchedulerType(
        name="ReduceLROnPlateauScheduler",
        kind="param",
        family="ignite",
        build=construct(ReduceLROnPlateauScheduler),
        stepping_only=PLATEAU_STEPPING,
        writes="lr",
        public=ReduceLROnPlateauScheduler,
        metric_reads=every_call,
        torch_optimizer=True,
        step_cost=0.5,
    )
)

register(
    SchedulerType(
        name="ReduceLROnPlateau",
        kind="param",
        family="torch",
        build=_build_torch_plateau,
        stepping_only=PLATEAU_STEPPING,
        writes="lr",
        metric_reads=every_call,
        torch_optimizer=True,
        step_cost=0.5,
    )
)
