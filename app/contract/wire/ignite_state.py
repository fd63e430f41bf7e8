"""Wire models of ignite's schedulers that write outside the optimizer: the state schedulers
(an attribute of ``engine.state``) and ``BatchSizeScheduler`` (the data loader's batch size).

Their series have ``param_group`` -1 and ``group_name`` ``"engine.state"`` (or
``"dataloader"``), the holder named by the core record; they follow the param groups' series.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from ..fields import Gamma, ParamName, PosCount, Value, _Attached, _Model, expression
from ..registry import register
from .ignite import MilestonesValues

RESERVED_STATE_NAMES = frozenset(
    {
        "iteration",
        "epoch",
        "epoch_length",
        "max_epochs",
        "max_iters",
        "output",
        "batch",
        "metrics",
        "dataloader",
        "seed",
        "times",
        "param_history",
    }
)
"""Attributes a real ignite ``Engine`` keeps in its state: a scheduler may not overwrite them."""


def _free_attribute(name: str) -> str:
    if name in RESERVED_STATE_NAMES:
        raise ValueError(f"param_name {name!r} is an attribute the engine itself keeps in engine.state")
    return name


StateName = Annotated[
    ParamName,
    AfterValidator(_free_attribute),
    Field(description="The engine.state attribute to set (not one the engine keeps itself)."),
]


def _increasing(v: list[int]) -> list[int]:
    for i in range(1, len(v)):
        if v[i] <= v[i - 1]:
            raise ValueError(f"milestones should increase, but {v[i]} at index {i} follows {v[i - 1]}")
    return v


class _State(_Model, _Attached):
    param_name: StateName


@register(
    "State: exponential",
    "Set engine.state.<param_name> to initial_value * gamma ** event.",
    {"type": "ExpStateScheduler", "param_name": "alpha", "initial_value": 1.0, "gamma": 0.995},
)
class ExpStateScheduler(_State):
    type: Literal["ExpStateScheduler"]
    initial_value: Value
    gamma: Gamma


@register(
    "State: step",
    "Set engine.state.<param_name> to initial_value * gamma ** (event // step_size).",
    {
        "type": "StepStateScheduler",
        "param_name": "alpha",
        "initial_value": 1.0,
        "gamma": 0.5,
        "step_size": 250,
    },
)
class StepStateScheduler(_State):
    type: Literal["StepStateScheduler"]
    initial_value: Value
    gamma: Gamma
    step_size: PosCount


@register(
    "State: multi-step",
    "Set engine.state.<param_name> to initial_value * gamma ** (milestones passed).",
    {
        "type": "MultiStepStateScheduler",
        "param_name": "alpha",
        "initial_value": 1.0,
        "gamma": 0.5,
        "milestones": [300, 600, 900],
    },
)
class MultiStepStateScheduler(_State):
    type: Literal["MultiStepStateScheduler"]
    initial_value: Value
    gamma: Gamma
    milestones: Annotated[list[PosCount], Field(min_length=1, max_length=1000), AfterValidator(_increasing)]


@register(
    "State: piecewise linear",
    "Set engine.state.<param_name> by linear interpolation between (event, value) milestones.",
    {
        "type": "PiecewiseLinearStateScheduler",
        "param_name": "alpha",
        "milestones_values": [[0, 0.0], [200, 1.0], [1000, 0.1]],
    },
)
class PiecewiseLinearStateScheduler(_State):
    type: Literal["PiecewiseLinearStateScheduler"]
    milestones_values: MilestonesValues


@register(
    "State: expression",
    "Set engine.state.<param_name> to lambda_obj(event), an expression of event.",
    {
        "type": "LambdaStateScheduler",
        "param_name": "alpha",
        "lambda_obj": "0.5 + 0.5 * cos(pi * event / 250)",
    },
)
class LambdaStateScheduler(_State):
    type: Literal["LambdaStateScheduler"]
    lambda_obj: expression("event", "The value at event")


@register(
    "Batch size",
    "Set the data loader's batch size to scheduler_fn(event), an expression of event giving an int >= 1.",
    {"type": "BatchSizeScheduler", "scheduler_fn": "min(256, 32 * 2 ** (event // 250))"},
)
class BatchSizeScheduler(_Model, _Attached):
    type: Literal["BatchSizeScheduler"]
    scheduler_fn: expression("event", "The batch size at event")
