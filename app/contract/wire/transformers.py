"""Wire models of transformers' schedules (``transformers.optimization``): the library's keyword
names minus the optimizer and ``last_epoch``, plus ``param_name`` / ``param_group_index``.

Each scales the group's initial value of ``param_name`` (its ``lr``, as ``LambdaLR`` does) by the
schedule's factor at update ``i``; the optimizer's default lr, which the polynomial decay and
``min_lr`` read, is the first param group's initial value.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Strict

from ..fields import FOLLOWS_NUM_EVENTS, Count, NonNegValue, PosCount, _Model, _Targeted
from ..registry import register

Cycles = Annotated[
    float,
    Strict(),
    Field(allow_inf_nan=False, ge=0, le=1e6, description="Number of cosine waves (0.5: half a cosine)."),
]
Ratio = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=1e3)]
Power = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=1e3)]
Shape = Literal["linear", "cosine", "1-sqrt"]
Warmup = Annotated[Count, Field(description="Updates of the linear warm-up from 0.")]
Training = Annotated[
    Count, Field(description="Total number of training updates (warm-up included)."), FOLLOWS_NUM_EVENTS
]

T = "transformers."


class _Warmup(_Model, _Targeted):
    num_warmup_steps: Warmup


class _Decay(_Warmup):
    num_training_steps: Training


@register(
    "transformers: constant",
    "get_constant_schedule: the group's lr at every update.",
    {"type": T + "get_constant_schedule", "param_name": "lr"},
)
class GetConstantSchedule(_Model, _Targeted):
    type: Literal["transformers.get_constant_schedule"]


@register(
    "transformers: constant with warm-up",
    "get_constant_schedule_with_warmup: a linear warm-up from 0 to the group's lr, then constant.",
    {"type": T + "get_constant_schedule_with_warmup", "param_name": "lr", "num_warmup_steps": 100},
)
class GetConstantScheduleWithWarmup(_Warmup):
    type: Literal["transformers.get_constant_schedule_with_warmup"]


@register(
    "transformers: linear with warm-up",
    "get_linear_schedule_with_warmup: a linear warm-up, then a linear decay to 0 at num_training_steps.",
    {
        "type": T + "get_linear_schedule_with_warmup",
        "param_name": "lr",
        "num_warmup_steps": 100,
        "num_training_steps": 1000,
    },
)
class GetLinearScheduleWithWarmup(_Decay):
    type: Literal["transformers.get_linear_schedule_with_warmup"]


@register(
    "transformers: cosine with warm-up",
    "get_cosine_schedule_with_warmup: a linear warm-up, then 0.5 * (1 + cos(2 pi num_cycles progress)), "
    "clipped at 0 (num_cycles 0.5: half a cosine down to 0 at num_training_steps).",
    {
        "type": T + "get_cosine_schedule_with_warmup",
        "param_name": "lr",
        "num_warmup_steps": 100,
        "num_training_steps": 1000,
    },
)
class GetCosineScheduleWithWarmup(_Decay):
    type: Literal["transformers.get_cosine_schedule_with_warmup"]
    num_cycles: Cycles = 0.5


@register(
    "transformers: cosine with hard restarts",
    "get_cosine_with_hard_restarts_schedule_with_warmup: a linear warm-up, then num_cycles half-cosines "
    "from the group's lr to 0, each restarting at the top; 0 after num_training_steps.",
    {
        "type": T + "get_cosine_with_hard_restarts_schedule_with_warmup",
        "param_name": "lr",
        "num_warmup_steps": 50,
        "num_training_steps": 1000,
        "num_cycles": 3,
    },
)
class GetCosineWithHardRestartsScheduleWithWarmup(_Decay):
    type: Literal["transformers.get_cosine_with_hard_restarts_schedule_with_warmup"]
    num_cycles: Annotated[Count, Field(le=1_000_000, description="Number of hard restarts.")] = 1


@register(
    "transformers: polynomial decay with warm-up",
    "get_polynomial_decay_schedule_with_warmup: a linear warm-up, then (lr_init - lr_end) * "
    "remaining**power + lr_end down to lr_end (absolute) at num_training_steps; lr_init is the "
    "first group's lr and must exceed lr_end.",
    {
        "type": T + "get_polynomial_decay_schedule_with_warmup",
        "param_name": "lr",
        "num_warmup_steps": 100,
        "num_training_steps": 1000,
        "lr_end": 1e-4,
        "power": 2.0,
    },
)
class GetPolynomialDecayScheduleWithWarmup(_Decay):
    type: Literal["transformers.get_polynomial_decay_schedule_with_warmup"]
    lr_end: NonNegValue = 1e-7
    power: Power = 1.0


@register(
    "transformers: inverse square root",
    "get_inverse_sqrt_schedule: a linear warm-up, then 1 / sqrt((i + timescale - num_warmup_steps) / "
    "timescale); timescale defaults to num_warmup_steps (or 10000 without a warm-up).",
    {"type": T + "get_inverse_sqrt_schedule", "param_name": "lr", "num_warmup_steps": 100},
)
class GetInverseSqrtSchedule(_Warmup):
    type: Literal["transformers.get_inverse_sqrt_schedule"]
    timescale: PosCount | None = None


class _MinLr(_Decay):
    num_cycles: Cycles = 0.5
    min_lr: Annotated[NonNegValue | None, Field(description="Absolute floor; set this or min_lr_rate.")] = (
        None
    )
    min_lr_rate: Annotated[Ratio | None, Field(description="Floor as a ratio of the lr; or min_lr.")] = None


@register(
    "transformers: cosine with min lr",
    "get_cosine_with_min_lr_schedule_with_warmup: the cosine schedule floored at min_lr_rate (or "
    "min_lr / the first group's lr); set exactly one of min_lr and min_lr_rate.",
    {
        "type": T + "get_cosine_with_min_lr_schedule_with_warmup",
        "param_name": "lr",
        "num_warmup_steps": 100,
        "num_training_steps": 1000,
        "min_lr_rate": 0.1,
    },
)
class GetCosineWithMinLrScheduleWithWarmup(_MinLr):
    type: Literal["transformers.get_cosine_with_min_lr_schedule_with_warmup"]


@register(
    "transformers: cosine with min lr (lr rate warm-up)",
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate: the min-lr cosine whose warm-up starts at "
    "warmup_lr_rate (default 1 / num_warmup_steps) and whose decay is one step ahead.",
    {
        "type": T + "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
        "param_name": "lr",
        "num_warmup_steps": 100,
        "num_training_steps": 1000,
        "min_lr_rate": 0.1,
        "warmup_lr_rate": 0.01,
    },
)
class GetCosineWithMinLrScheduleWithWarmupLrRate(_MinLr):
    type: Literal["transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate"]
    warmup_lr_rate: Annotated[
        Ratio | None, Field(description="First warm-up value as a ratio of the lr.")
    ] = None


@register(
    "transformers: warmup-stable-decay",
    "get_wsd_schedule: a warm-up from min_lr_ratio to 1, a stable phase, a decay to min_lr_ratio "
    "(each linear, cosine or 1-sqrt); give num_stable_steps or num_training_steps.",
    {
        "type": T + "get_wsd_schedule",
        "param_name": "lr",
        "num_warmup_steps": 100,
        "num_decay_steps": 300,
        "num_training_steps": 1000,
        "decay_type": "1-sqrt",
        "min_lr_ratio": 0.05,
    },
)
class GetWsdSchedule(_Warmup):
    type: Literal["transformers.get_wsd_schedule"]
    num_decay_steps: Count
    num_training_steps: Annotated[
        Count | None, Field(description="Total updates; or num_stable_steps."), FOLLOWS_NUM_EVENTS
    ] = None
    num_stable_steps: Annotated[Count | None, Field(description="Updates of the stable phase.")] = None
    warmup_type: Shape = "linear"
    decay_type: Shape = "cosine"
    min_lr_ratio: Ratio = 0.0
    num_cycles: Cycles = 0.5
