"""Validated pydantic experiment → ``scheduler_core.spec`` dataclasses: nested scheduler models
become nested ``SchedulerSpec``; ``None`` fields are left out (the constructors' defaults apply)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from scheduler_core.events import DEFAULT_EVENT
from scheduler_core.spec import Experiment as CoreExperiment
from scheduler_core.spec import ParamGroupSpec, SchedulerSpec

from ..contract.schemas import Experiment


def _value(v: Any) -> Any:
    if isinstance(v, BaseModel):
        return scheduler_spec(v)
    if isinstance(v, list):
        return [_value(x) for x in v]
    return v


NOT_KWARGS = ("type", "event")
"""Fields of a scheduler model that are not constructor arguments."""


def scheduler_spec(model: BaseModel) -> SchedulerSpec:
    """One scheduler model → ``SchedulerSpec(type, kwargs, event)``."""
    kwargs = {
        name: _value(getattr(model, name))
        for name in type(model).model_fields
        if name not in NOT_KWARGS and getattr(model, name) is not None
    }
    return SchedulerSpec(type=model.type, kwargs=kwargs, event=getattr(model, "event", DEFAULT_EVENT))


def to_core(exp: Experiment) -> CoreExperiment:
    """The ``scheduler_core`` experiment equivalent of ``exp``."""
    return CoreExperiment(
        num_events=exp.num_events,
        param_groups=tuple(ParamGroupSpec(name=g.name, values=g.values) for g in exp.param_groups),
        schedulers=tuple(scheduler_spec(s) for s in exp.schedulers),
        iterations_per_epoch=exp.iterations_per_epoch,
        metrics=None if exp.metrics is None else {k: c.model_dump() for k, c in exp.metrics.items()},
    )


def _plain(v: Any) -> Any:
    if isinstance(v, SchedulerSpec):
        return wire_scheduler(v)
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v


def wire_scheduler(spec: SchedulerSpec) -> dict[str, Any]:
    """One ``SchedulerSpec`` → its wire JSON (``{"type": ..., **kwargs}``), the inverse of
    :func:`scheduler_spec`."""
    return {"type": spec.type, **{k: _plain(v) for k, v in spec.kwargs.items()}}


def to_wire(core: CoreExperiment) -> dict[str, Any]:
    """A ``scheduler_core`` experiment as wire JSON (validate it with ``Experiment``)."""
    body: dict[str, Any] = {
        "num_events": core.num_events,
        "param_groups": [{"name": g.name, **g.values} for g in core.param_groups],
        "schedulers": [wire_scheduler(s) for s in core.schedulers],
    }
    if core.iterations_per_epoch is not None:
        body["iterations_per_epoch"] = core.iterations_per_epoch
    if core.metrics is not None:
        body["metrics"] = {k: dict(c) for k, c in core.metrics.items()}
    return body
