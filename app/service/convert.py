"""Validated pydantic experiment → ``scheduler_core.experiment`` dataclasses (generic, via the
registry: nested scheduler models become nested ``SchedulerSpec``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..contract.schemas import Experiment


def _value(v: Any, spec_cls: type) -> Any:
    if isinstance(v, BaseModel):
        return scheduler_spec(v, spec_cls)
    if isinstance(v, list):
        return [_value(x, spec_cls) for x in v]
    return v


def scheduler_spec(model: BaseModel, spec_cls: type | None = None) -> Any:
    """One scheduler model → ``SchedulerSpec(type, kwargs)``; ``None`` fields are left out."""
    if spec_cls is None:
        from scheduler_core.experiment import SchedulerSpec as spec_cls
    kwargs = {
        name: _value(getattr(model, name), spec_cls)
        for name in type(model).model_fields
        if name != "type" and getattr(model, name) is not None
    }
    return spec_cls(type=model.type, kwargs=kwargs)


def to_core(exp: Experiment) -> Any:
    """The ``scheduler_core.experiment.Experiment`` equivalent of ``exp``."""
    from scheduler_core.experiment import Experiment as CoreExperiment
    from scheduler_core.experiment import ParamGroupSpec, SchedulerSpec

    return CoreExperiment(
        num_events=exp.num_events,
        param_groups=tuple(ParamGroupSpec(name=g.name, values=g.values) for g in exp.param_groups),
        schedulers=tuple(scheduler_spec(s, SchedulerSpec) for s in exp.schedulers),
    )
