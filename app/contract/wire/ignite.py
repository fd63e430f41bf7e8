"""Wire models of the ignite types: param schedulers (with the child form used inside a
``ConcatScheduler``) and composites."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, Strict, ValidationInfo, field_validator, model_validator

from scheduler_core.events import DEFAULT_EVENT

from ..fields import (
    MAX_SIZE,
    Count,
    CycleSize,
    Flag,
    GroupIndex,
    GroupName,
    Growth,
    Multiplier,
    PosCount,
    Value,
    _Attached,
    _Model,
    _Targeted,
)
from ..metrics import MetricName
from ..registry import entry_for, register, union
from .stepping import (
    GROUPS_NO_TORCH_STEPPING,
    STEPPING_FIELD,
    WARMUP_NO_TORCH_STEPPING,
    Stepping,
    check_ignite_can_run,
    field_error,
)
from .torch import TorchScheduler, _PlateauArgs


class _Cyclical(_Model):
    start_value: Value
    end_value: Value
    cycle_size: CycleSize
    cycle_mult: Growth = 1.0
    start_value_mult: Multiplier = 1.0
    end_value_mult: Multiplier = 1.0
    warmup_duration: Count = 0


class LinearCyclicalSchedulerChild(_Cyclical):
    type: Literal["LinearCyclicalScheduler"]
    monotonic: Flag = False


class CosineAnnealingSchedulerChild(_Cyclical):
    type: Literal["CosineAnnealingScheduler"]


Milestone = tuple[Count, Value]


def non_decreasing(v: list[Milestone]) -> list[Milestone]:
    """Milestone events never decrease (as ignite requires)."""
    for i in range(1, len(v)):
        if v[i][0] < v[i - 1][0]:
            raise ValueError(
                f"milestone events should not decrease, but event {v[i][0]} at index {i} follows {v[i - 1][0]}"
            )
    return v


MilestonesValues = Annotated[
    list[Milestone], Field(min_length=1, max_length=1000), AfterValidator(non_decreasing)
]


class PiecewiseLinearChild(_Model):
    type: Literal["PiecewiseLinear"]
    milestones_values: MilestonesValues


@register(
    "Linear cyclical",
    "Linear ramps between start_value and end_value, per cycle.",
    {
        "type": "LinearCyclicalScheduler",
        "param_name": "lr",
        "start_value": 1e-7,
        "end_value": 1e-5,
        "cycle_size": 100,
    },
    child_model=LinearCyclicalSchedulerChild,
)
class LinearCyclicalScheduler(LinearCyclicalSchedulerChild, _Targeted):
    pass


@register(
    "Cosine annealing",
    "Half-cosine from start_value to end_value, per cycle.",
    {
        "type": "CosineAnnealingScheduler",
        "param_name": "lr",
        "start_value": 1e-5,
        "end_value": 1e-3,
        "cycle_size": 100,
    },
    child_model=CosineAnnealingSchedulerChild,
)
class CosineAnnealingScheduler(CosineAnnealingSchedulerChild, _Targeted):
    pass


@register(
    "Piecewise linear",
    "Linear interpolation between (event, value) milestones.",
    {
        "type": "PiecewiseLinear",
        "param_name": "lr",
        "milestones_values": [[0, 0.0], [100, 0.01], [1000, 0.0]],
    },
    child_model=PiecewiseLinearChild,
)
class PiecewiseLinear(PiecewiseLinearChild, _Targeted):
    pass


ChildScheduler = union("param", child=True)


# ---------------------------------------------------------------- composites
@register(
    "Concatenation",
    "Run each child scheduler for its duration, the last one for ever.",
    {
        "type": "ConcatScheduler",
        "param_name": "lr",
        "schedulers": [
            {
                "type": "LinearCyclicalScheduler",
                "start_value": 0.0,
                "end_value": 0.01,
                "cycle_size": 100,  # a monotonic ramp reaches end_value over one cycle: the duration
                "monotonic": True,
            },
            {"type": "CosineAnnealingScheduler", "start_value": 0.01, "end_value": 0.0, "cycle_size": 900},
        ],
        "durations": [100],
    },
)
class ConcatScheduler(_Model, _Targeted):
    type: Literal["ConcatScheduler"]
    schedulers: Annotated[list[ChildScheduler], Field(min_length=2, max_length=16)]
    durations: Annotated[list[PosCount], Field(min_length=1, max_length=15)]

    @field_validator("durations")
    @classmethod
    def _one_less(cls, v: list[int], info: ValidationInfo) -> list[int]:
        children = info.data.get("schedulers")
        if children is not None and len(v) != len(children) - 1:
            raise ValueError(
                f"durations should have one entry less than schedulers ({len(children) - 1}), "
                f"but given {len(v)}"
            )
        return v


@register(
    "torch lr_scheduler",
    "Drive 'lr' with a torch.optim.lr_scheduler scheduler (ignite's LRScheduler).",
    {"type": "LRScheduler", "lr_scheduler": {"type": "StepLR", "step_size": 300}},
)
class LRScheduler(_Model, _Attached):
    type: Literal["LRScheduler"]
    lr_scheduler: TorchScheduler
    stepping: Stepping | None = STEPPING_FIELD

    @field_validator("stepping")
    @classmethod
    def _ignite_can_run_it(cls, v: str | None, info: ValidationInfo) -> str | None:
        lr_scheduler = info.data.get("lr_scheduler")
        if lr_scheduler is not None:
            check_ignite_can_run(v, lr_scheduler, ())
        return v


WarmedUp = union("param", "torch", child=True)
"""What create_lr_scheduler_with_warmup wraps: an ignite param scheduler (on 'lr') or a torch one."""


@register(
    "Warm-up then a scheduler",
    "Linear warm-up of 'lr' from warmup_start_value, then an ignite param scheduler (on 'lr') "
    "or a torch lr_scheduler.",
    {
        "type": "create_lr_scheduler_with_warmup",
        "lr_scheduler": {"type": "ExponentialLR", "gamma": 0.995},
        "warmup_start_value": 0.0,
        "warmup_duration": 100,
    },
)
class CreateLrSchedulerWithWarmup(_Model, _Attached):
    type: Literal["create_lr_scheduler_with_warmup"]
    lr_scheduler: WarmedUp
    warmup_start_value: Value
    warmup_duration: Annotated[int, Strict(), Field(ge=2, le=MAX_SIZE)]
    warmup_end_value: Value | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_stepping(cls, data: Any) -> Any:
        if isinstance(data, dict) and "stepping" in data:
            raise field_error(
                ("stepping",), f"stepping cannot be chosen here: {WARMUP_NO_TORCH_STEPPING}", data["stepping"]
            )
        return data

    @field_validator("lr_scheduler")
    @classmethod
    def _ignite_can_run_it(cls, v: Any) -> Any:
        check_ignite_can_run(
            "ignite", v, ("type",), "in create_lr_scheduler_with_warmup (it wraps it in ignite's LRScheduler)"
        )
        return v


GroupMember = union("param", "composite")
"""A ParamGroupScheduler's child: any top-level optimizer scheduler (registered above)."""


@register(
    "Param groups",
    "Call several schedulers as one handler (ignite's ParamGroupScheduler), typically one per "
    "param group; names: their history names.",
    {
        "type": "ParamGroupScheduler",
        "schedulers": [
            {
                "type": "CosineAnnealingScheduler",
                "param_name": "lr",
                "start_value": 0.01,
                "end_value": 0.0,
                "cycle_size": 500,
            },
        ],
        "names": ["lr (cosine)"],
    },
)
class ParamGroupScheduler(_Model, _Attached):
    type: Literal["ParamGroupScheduler"]
    schedulers: Annotated[list[GroupMember], Field(min_length=1, max_length=16)]
    names: Annotated[list[GroupName], Field(min_length=1, max_length=16)] | None = None

    @field_validator("schedulers")
    @classmethod
    def _called_at_its_event(cls, v: list[Any]) -> list[Any]:
        for j, child in enumerate(v):
            if getattr(child, "event", DEFAULT_EVENT) != DEFAULT_EVENT:
                raise ValueError(
                    f"schedulers[{j}].event should be left out: the ParamGroupScheduler calls its "
                    f"schedulers at its own event, but given {child.event}"
                )
            stepping = getattr(child, "stepping", None)
            if stepping == "torch":
                raise field_error(
                    (j, "stepping"),
                    f"stepping 'torch' cannot be used here: {GROUPS_NO_TORCH_STEPPING}",
                    stepping,
                )
            if isinstance(child, LRScheduler):
                check_ignite_can_run(
                    "ignite", child.lr_scheduler, (j, "lr_scheduler", "type"), "in a ParamGroupScheduler"
                )
        return v

    @field_validator("schedulers")
    @classmethod
    def _no_metric_readers(cls, v: list[Any]) -> list[Any]:
        for j, child in enumerate(v):
            if entry_for(child).core.metric_reads is not None:
                raise ValueError(
                    f"schedulers[{j}] reads a metric ({child.type}): attach it on its own, not in a "
                    "ParamGroupScheduler"
                )
        return v

    @field_validator("names")
    @classmethod
    def _one_per_scheduler(cls, v: list[str] | None, info: ValidationInfo) -> list[str] | None:
        children = info.data.get("schedulers")
        if v is not None and children is not None and len(v) != len(children):
            raise ValueError(
                f"names should have one entry per scheduler ({len(children)}), but given {len(v)}"
            )
        return v


@register(
    "Reduce lr on plateau",
    "ignite's ReduceLROnPlateauScheduler: each call steps torch's ReduceLROnPlateau with "
    "engine.state.metrics[metric_name] (the next value of that metric curve) and reduces the lr "
    "of the targeted groups when the metric stops improving. min_lr applies only with "
    "param_group_index (ignite forces 0 otherwise).",
    {
        "type": "ReduceLROnPlateauScheduler",
        "metric_name": "val_loss",
        "factor": 0.5,
    },
)
class ReduceLROnPlateauScheduler(_PlateauArgs, _Attached):
    type: Literal["ReduceLROnPlateauScheduler"]
    metric_name: MetricName = Field(
        description="The key read in engine.state.metrics: a metric curve's name."
    )
    param_group_index: GroupIndex | None = Field(
        None, description="Only this param group (0-based); null = every group."
    )
