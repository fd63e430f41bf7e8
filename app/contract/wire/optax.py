"""Wire models of optax's schedules (``scheduler_core.optax``): optax's own keyword names, plus
``param_name`` (default "lr"), ``param_group_index`` and ``precision``.

An optax schedule does not read the param group: its values come from ``init_value`` /
``peak_value`` (the group's own value is not used). ``precision`` "float64" is optax under
``jax_enable_x64`` (exact), "float32" what optax computes by default. ``join_schedules`` holds
other optax schedules (not itself) in the child form (no ``param_name``, ``param_group_index``,
``precision``: the parent's apply).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, NotRequired, Union

from pydantic import BeforeValidator, Field, Strict, ValidationInfo, create_model, field_validator
from typing_extensions import TypedDict

from ..fields import (
    MAX_SIZE,
    Count,
    Flag,
    Fraction,
    NonNegValue,
    PosCount,
    Value,
    _Model,
    _Targeted,
)
from ..registry import register

Precision = Annotated[
    Literal["float64", "float32"],
    Field(
        description="float64: optax with jax_enable_x64 (exact); float32: what optax computes by default "
        "(float32 values, int32 counts)."
    ),
]
Exponent = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=1e3)]
Rate = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, le=1e3)]
Factor = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, le=1e12)]
BOUNDARY_RE = r"^(0|[1-9][0-9]{0,9})$"


def _boundary(v: Any) -> Any:
    """A JSON object key (a string of digits) as the int boundary optax expects."""
    if isinstance(v, str):
        if not re.match(BOUNDARY_RE, v):
            raise ValueError(
                f"a boundary should be a non-negative integer written in digits, but given {v!r}"
            )
        return int(v)
    return v


Boundary = Annotated[int, BeforeValidator(_boundary), Strict(), Field(ge=0, le=MAX_SIZE)]
Scales = Annotated[
    dict[Boundary, NonNegValue] | None,
    Field(
        max_length=1000,
        description="{boundary: scale}. JSON object keys are strings: write each boundary (a count) "
        'as a string of digits, e.g. {"100": 0.1, "200": 0.1}.',
        json_schema_extra={"propertyNames": {"pattern": BOUNDARY_RE}},
    ),
]


class ConstantScheduleChild(_Model):
    type: Literal["optax.constant_schedule"]
    value: Value


class LinearScheduleChild(_Model):
    type: Literal["optax.linear_schedule"]
    init_value: Value
    end_value: Value
    transition_steps: Annotated[Count, Field(description="Steps of the transition; 0 holds init_value.")]
    transition_begin: Count = 0


class PolynomialScheduleChild(_Model):
    type: Literal["optax.polynomial_schedule"]
    init_value: Value
    end_value: Value
    power: Exponent
    transition_steps: Annotated[Count, Field(description="Steps of the transition; 0 holds init_value.")]
    transition_begin: Count = 0


class ExponentialDecayChild(_Model):
    type: Literal["optax.exponential_decay"]
    init_value: Value
    transition_steps: Annotated[
        Count, Field(description="decay_rate applies once per this many steps; 0 holds init_value.")
    ]
    decay_rate: Rate
    transition_begin: Count = 0
    staircase: Flag = False
    end_value: Value | None = Field(
        None, description="Bound of the decay (lower when decay_rate < 1); null: none."
    )


class CosineDecayScheduleChild(_Model):
    type: Literal["optax.cosine_decay_schedule"]
    init_value: Value
    decay_steps: PosCount
    alpha: Value = 0.0
    exponent: Exponent = 1.0


class _WarmupCosine(_Model):
    init_value: Value
    peak_value: Value
    warmup_steps: Count
    decay_steps: Annotated[
        PosCount, Field(description="The whole length, warm-up included (> warmup_steps).")
    ]
    end_value: Value = 0.0
    exponent: Exponent = 1.0

    @field_validator("decay_steps")
    @classmethod
    def _after_warmup(cls, v: int, info: ValidationInfo) -> int:
        warmup = info.data.get("warmup_steps")
        if warmup is not None and v <= warmup:
            raise ValueError(
                f"decay_steps includes the warm-up: it should exceed warmup_steps ({warmup}), but given {v}"
            )
        return v


class WarmupCosineDecayScheduleChild(_WarmupCosine):
    type: Literal["optax.warmup_cosine_decay_schedule"]


class WarmupExponentialDecayScheduleChild(_Model):
    type: Literal["optax.warmup_exponential_decay_schedule"]
    init_value: Value
    peak_value: Value
    warmup_steps: Count
    transition_steps: Annotated[
        Count, Field(description="decay_rate applies once per this many steps; 0 holds peak_value.")
    ]
    decay_rate: Rate
    transition_begin: Count = 0
    staircase: Flag = False
    end_value: Value | None = Field(
        None, description="Bound of the decay (lower when decay_rate < 1); null: none."
    )


class CosineOnecycleScheduleChild(_Model):
    type: Literal["optax.cosine_onecycle_schedule"]
    transition_steps: PosCount
    peak_value: NonNegValue
    pct_start: Fraction = 0.3
    div_factor: Factor = 25.0
    final_div_factor: Factor = 1e4


class LinearOnecycleScheduleChild(_Model):
    type: Literal["optax.linear_onecycle_schedule"]
    transition_steps: PosCount
    peak_value: NonNegValue
    pct_start: Fraction = 0.3
    pct_final: Fraction = 0.85
    div_factor: Factor = 25.0
    final_div_factor: Factor = 1e4


class PiecewiseConstantScheduleChild(_Model):
    type: Literal["optax.piecewise_constant_schedule"]
    init_value: Value
    boundaries_and_scales: Scales = None


class PiecewiseInterpolateScheduleChild(_Model):
    type: Literal["optax.piecewise_interpolate_schedule"]
    interpolate_type: Literal["linear", "cosine"]
    init_value: NonNegValue
    boundaries_and_scales: Scales = None


class CosineKwargs(TypedDict):
    """One cycle of ``sgdr_schedule``: the keyword arguments of ``warmup_cosine_decay_schedule``."""

    __pydantic_config__ = {"extra": "forbid"}  # type: ignore[misc]
    init_value: Value
    peak_value: Value
    warmup_steps: Count
    decay_steps: PosCount
    end_value: NotRequired[Value]
    exponent: NotRequired[Exponent]


class SgdrScheduleChild(_Model):
    type: Literal["optax.sgdr_schedule"]
    cosine_kwargs: Annotated[list[CosineKwargs], Field(min_length=1, max_length=100)]

    @field_validator("cosine_kwargs")
    @classmethod
    def _cycles(cls, v: list[CosineKwargs]) -> list[CosineKwargs]:
        for i, kw in enumerate(v):
            if kw["decay_steps"] <= kw["warmup_steps"]:
                raise ValueError(
                    f"cycle {i}: decay_steps includes the warm-up: it should exceed warmup_steps "
                    f"({kw['warmup_steps']}), but given {kw['decay_steps']}"
                )
        return v


_CHILDREN = (
    ConstantScheduleChild,
    LinearScheduleChild,
    PolynomialScheduleChild,
    ExponentialDecayChild,
    CosineDecayScheduleChild,
    WarmupCosineDecayScheduleChild,
    WarmupExponentialDecayScheduleChild,
    CosineOnecycleScheduleChild,
    LinearOnecycleScheduleChild,
    PiecewiseConstantScheduleChild,
    PiecewiseInterpolateScheduleChild,
    SgdrScheduleChild,
)
OptaxChild = Annotated[Union[_CHILDREN], Field(discriminator="type")]  # noqa: UP007


class JoinSchedulesChild(_Model):
    type: Literal["optax.join_schedules"]
    schedules: Annotated[list[OptaxChild], Field(min_length=1, max_length=16)]
    boundaries: Annotated[
        list[Count],
        Field(max_length=15, description="Count at which each later schedule starts (from its own count 0)."),
    ]

    @field_validator("boundaries")
    @classmethod
    def _one_less(cls, v: list[int], info: ValidationInfo) -> list[int]:
        children = info.data.get("schedules")
        if children is not None and len(v) != len(children) - 1:
            raise ValueError(
                f"boundaries should have one entry less than schedules ({len(children) - 1}), but given {len(v)}"
            )
        return v


def _top(child: type[_Model], title: str, description: str, example: dict[str, Any]) -> type[_Model]:
    """The top-level form of ``child``, registered: its fields plus the targeting ones and ``precision``."""
    model = create_model(
        child.__name__.removesuffix("Child"),
        __base__=(child, _Targeted),
        __module__=__name__,
        precision=(Precision, "float64"),
    )
    return register(f"optax: {title}", description, {"param_name": "lr", **example})(model)


ConstantSchedule = _top(
    ConstantScheduleChild,
    "constant",
    "value at every count.",
    {"type": "optax.constant_schedule", "value": 0.01},
)
LinearSchedule = _top(
    LinearScheduleChild,
    "linear",
    "Linear from init_value to end_value over transition_steps, starting at transition_begin.",
    {
        "type": "optax.linear_schedule",
        "init_value": 0.01,
        "end_value": 0.0,
        "transition_steps": 800,
        "transition_begin": 100,
    },
)
PolynomialSchedule = _top(
    PolynomialScheduleChild,
    "polynomial",
    "(init_value - end_value) * (1 - t / transition_steps) ** power + end_value.",
    {
        "type": "optax.polynomial_schedule",
        "init_value": 0.01,
        "end_value": 1e-4,
        "power": 2.0,
        "transition_steps": 900,
    },
)
ExponentialDecay = _top(
    ExponentialDecayChild,
    "exponential decay",
    "init_value * decay_rate ** ((count - transition_begin) / transition_steps), optionally stepwise "
    "(staircase) and bounded by end_value.",
    {"type": "optax.exponential_decay", "init_value": 0.01, "transition_steps": 100, "decay_rate": 0.7},
)
CosineDecaySchedule = _top(
    CosineDecayScheduleChild,
    "cosine decay",
    "Cosine from init_value down to alpha * init_value over decay_steps.",
    {"type": "optax.cosine_decay_schedule", "init_value": 0.01, "decay_steps": 900, "alpha": 0.05},
)
WarmupCosineDecaySchedule = _top(
    WarmupCosineDecayScheduleChild,
    "warm-up then cosine decay",
    "Linear warm-up from init_value to peak_value, then cosine down to end_value; decay_steps "
    "includes the warm-up.",
    {
        "type": "optax.warmup_cosine_decay_schedule",
        "init_value": 0.0,
        "peak_value": 0.01,
        "warmup_steps": 100,
        "decay_steps": 1000,
        "end_value": 1e-4,
    },
)
WarmupExponentialDecaySchedule = _top(
    WarmupExponentialDecayScheduleChild,
    "warm-up then exponential decay",
    "Linear warm-up from init_value to peak_value, then exponential decay from peak_value.",
    {
        "type": "optax.warmup_exponential_decay_schedule",
        "init_value": 0.0,
        "peak_value": 0.01,
        "warmup_steps": 100,
        "transition_steps": 100,
        "decay_rate": 0.7,
        "end_value": 1e-4,
    },
)
CosineOnecycleSchedule = _top(
    CosineOnecycleScheduleChild,
    "cosine one-cycle",
    "Cosine up from peak_value / div_factor to peak_value (pct_start of transition_steps), then "
    "down to peak_value / (div_factor * final_div_factor).",
    {"type": "optax.cosine_onecycle_schedule", "transition_steps": 1000, "peak_value": 0.01},
)
LinearOnecycleSchedule = _top(
    LinearOnecycleScheduleChild,
    "linear one-cycle",
    "Linear up to peak_value (pct_start), back down to peak_value / div_factor (pct_final), then "
    "down to that / final_div_factor at transition_steps.",
    {"type": "optax.linear_onecycle_schedule", "transition_steps": 1000, "peak_value": 0.01},
)
PiecewiseConstantSchedule = _top(
    PiecewiseConstantScheduleChild,
    "piecewise constant",
    "init_value, multiplied by each scale from its boundary on.",
    {
        "type": "optax.piecewise_constant_schedule",
        "init_value": 0.01,
        "boundaries_and_scales": {"300": 0.1, "700": 0.1},
    },
)
PiecewiseInterpolateSchedule = _top(
    PiecewiseInterpolateScheduleChild,
    "piecewise interpolated",
    "Linear or cosine interpolation between the running products of the scales, from boundary to boundary.",
    {
        "type": "optax.piecewise_interpolate_schedule",
        "interpolate_type": "cosine",
        "init_value": 0.01,
        "boundaries_and_scales": {"300": 0.1, "700": 0.1},
    },
)
SgdrSchedule = _top(
    SgdrScheduleChild,
    "SGDR (warm restarts)",
    "Warm-up-cosine cycles one after another, each of its own decay_steps.",
    {
        "type": "optax.sgdr_schedule",
        "cosine_kwargs": [
            {"init_value": 0.0, "peak_value": 0.01, "warmup_steps": 50, "decay_steps": 300},
            {"init_value": 0.0, "peak_value": 0.005, "warmup_steps": 50, "decay_steps": 700},
        ],
    },
)
JoinSchedules = _top(
    JoinSchedulesChild,
    "joined schedules",
    "schedules[0] until boundaries[0], then schedules[1] counting from 0 again, and so on.",
    {
        "type": "optax.join_schedules",
        "schedules": [
            {"type": "optax.linear_schedule", "init_value": 0.0, "end_value": 0.01, "transition_steps": 100},
            {"type": "optax.cosine_decay_schedule", "init_value": 0.01, "decay_steps": 900},
        ],
        "boundaries": [100],
    },
)
