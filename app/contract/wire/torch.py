"""Wire models of the ``torch.optim.lr_scheduler`` types (they schedule the group's ``lr``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Strict, ValidationInfo, field_validator

from ..fields import (
    FOLLOWS_NUM_EVENTS,
    Count,
    Flag,
    Fraction,
    Gamma,
    NonNegValue,
    PosCount,
    PosValue,
    _Attached,
    _Model,
    expression,
)
from ..metrics import MetricName
from ..registry import register, union


@register(
    "StepLR",
    "Multiply the lr by gamma every step_size events.",
    {"type": "StepLR", "step_size": 30, "gamma": 0.1},
)
class StepLR(_Model):
    type: Literal["StepLR"]
    step_size: PosCount
    gamma: Gamma = 0.1


@register(
    "MultiStepLR",
    "Multiply the lr by gamma at each milestone event.",
    {"type": "MultiStepLR", "milestones": [300, 600, 900], "gamma": 0.1},
)
class MultiStepLR(_Model):
    type: Literal["MultiStepLR"]
    milestones: Annotated[list[Count], Field(min_length=1, max_length=1000)]
    gamma: Gamma = 0.1


@register(
    "ExponentialLR",
    "Multiply the lr by gamma every event.",
    {"type": "ExponentialLR", "gamma": 0.995},
)
class ExponentialLR(_Model):
    type: Literal["ExponentialLR"]
    gamma: Gamma


@register(
    "ConstantLR",
    "Scale the lr by factor for the first total_iters events.",
    {"type": "ConstantLR", "factor": 0.5, "total_iters": 100},
)
class ConstantLR(_Model):
    type: Literal["ConstantLR"]
    factor: Fraction = 1 / 3
    total_iters: Count = 5


@register(
    "LinearLR",
    "Scale the lr linearly from start_factor to end_factor.",
    {"type": "LinearLR", "start_factor": 0.1, "end_factor": 1.0, "total_iters": 100},
)
class LinearLR(_Model):
    type: Literal["LinearLR"]
    start_factor: Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, le=1)] = 1 / 3
    end_factor: Fraction = 1.0
    total_iters: Count = 5


@register(
    "PolynomialLR",
    "Decay the lr polynomially to zero over total_iters events.",
    {"type": "PolynomialLR", "total_iters": 1000, "power": 2.0},
)
class PolynomialLR(_Model):
    type: Literal["PolynomialLR"]
    total_iters: Annotated[Count, FOLLOWS_NUM_EVENTS] = 5
    power: Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=100)] = 1.0


@register(
    "CosineAnnealingLR",
    "Cosine decay from the lr to eta_min over T_max events.",
    {"type": "CosineAnnealingLR", "T_max": 1000, "eta_min": 0.0},
)
class CosineAnnealingLR(_Model):
    type: Literal["CosineAnnealingLR"]
    T_max: Annotated[PosCount, FOLLOWS_NUM_EVENTS]
    eta_min: NonNegValue = 0.0


@register(
    "CosineAnnealingWarmRestarts",
    "Cosine decay restarting every T_0 events, periods growing by T_mult.",
    {"type": "CosineAnnealingWarmRestarts", "T_0": 100, "T_mult": 2, "eta_min": 0.0},
)
class CosineAnnealingWarmRestarts(_Model):
    type: Literal["CosineAnnealingWarmRestarts"]
    T_0: PosCount
    T_mult: Annotated[int, Strict(), Field(ge=1, le=1000)] = 1
    eta_min: NonNegValue = 0.0


@register(
    "OneCycleLR",
    "The 1cycle policy: warm up to max_lr, then anneal far below.",
    {"type": "OneCycleLR", "max_lr": 0.01, "total_steps": 1000},
)
class OneCycleLR(_Model):
    type: Literal["OneCycleLR"]
    max_lr: PosValue
    total_steps: Annotated[PosCount | None, FOLLOWS_NUM_EVENTS] = None
    epochs: PosCount | None = None
    steps_per_epoch: PosCount | None = None
    pct_start: Fraction = 0.3
    anneal_strategy: Literal["cos", "linear"] = "cos"
    cycle_momentum: Flag = True
    base_momentum: NonNegValue = 0.85
    max_momentum: NonNegValue = 0.95
    div_factor: PosValue = 25.0
    final_div_factor: PosValue = 1e4
    three_phase: Flag = False


@register(
    "CyclicLR",
    "Cycle the lr between base_lr and max_lr (triangular policies).",
    {"type": "CyclicLR", "base_lr": 0.001, "max_lr": 0.01, "step_size_up": 100, "cycle_momentum": False},
)
class CyclicLR(_Model):
    type: Literal["CyclicLR"]
    base_lr: NonNegValue
    max_lr: NonNegValue
    step_size_up: PosCount = 2000
    step_size_down: PosCount | None = None
    mode: Literal["triangular", "triangular2", "exp_range"] = "triangular"
    gamma: Gamma = 1.0
    scale_mode: Literal["cycle", "iterations"] = "cycle"
    cycle_momentum: Flag = True
    base_momentum: NonNegValue = 0.8
    max_momentum: NonNegValue = 0.9


@register(
    "LambdaLR",
    "lr = initial lr x lr_lambda(epoch), an expression of epoch (e.g. a warm-up then steps).",
    {"type": "LambdaLR", "lr_lambda": "min(1, (epoch + 1) / 100) * 0.5 ** (epoch // 300)"},
)
class LambdaLR(_Model):
    type: Literal["LambdaLR"]
    lr_lambda: expression("epoch", "The factor of the initial lr at epoch")


@register(
    "MultiplicativeLR",
    "Multiply the lr by lr_lambda(epoch), an expression of epoch, every event.",
    {"type": "MultiplicativeLR", "lr_lambda": "0.999 if epoch < 500 else 0.995"},
)
class MultiplicativeLR(_Model):
    type: Literal["MultiplicativeLR"]
    lr_lambda: expression("epoch", "The factor applied to the lr at epoch")


StepsByItself = union("torch")
"""A child of SequentialLR / ChainedScheduler: any torch scheduler registered above (they do
not nest)."""


@register(
    "SequentialLR",
    "Run torch schedulers one after another, switching at the milestones (torch steps it by itself).",
    {
        "type": "SequentialLR",
        "schedulers": [
            {"type": "LinearLR", "start_factor": 0.1, "total_iters": 100},
            {"type": "CosineAnnealingLR", "T_max": 900},
        ],
        "milestones": [100],
    },
)
class SequentialLR(_Model):
    type: Literal["SequentialLR"]
    schedulers: Annotated[list[StepsByItself], Field(min_length=1, max_length=16)]
    milestones: Annotated[list[PosCount], Field(max_length=15)]

    @field_validator("milestones")
    @classmethod
    def _one_less_increasing(cls, v: list[int], info: ValidationInfo) -> list[int]:
        children = info.data.get("schedulers")
        if children is not None and len(v) != len(children) - 1:
            raise ValueError(
                f"milestones should have one entry less than schedulers ({len(children) - 1}), "
                f"but given {len(v)}"
            )
        for i in range(1, len(v)):
            if v[i] <= v[i - 1]:
                raise ValueError(f"milestones should increase, but {v[i]} at index {i} follows {v[i - 1]}")
        return v


@register(
    "ChainedScheduler",
    "Step several torch schedulers together at every call, each scaling the lr the one before "
    "left (torch steps it by itself).",
    {
        "type": "ChainedScheduler",
        "schedulers": [
            {"type": "LinearLR", "start_factor": 0.1, "total_iters": 100},
            {"type": "ExponentialLR", "gamma": 0.998},
        ],
    },
)
class ChainedScheduler(_Model):
    type: Literal["ChainedScheduler"]
    schedulers: Annotated[list[StepsByItself], Field(min_length=1, max_length=16)]


Factor = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, lt=1)]
"""A plateau's reduction factor (torch: ``factor < 1``)."""


class _PlateauArgs(_Model):
    """torch ``ReduceLROnPlateau``'s keyword arguments and defaults (ignite passes them on)."""

    mode: Literal["min", "max"] = Field("min", description="min: lower is better; max: higher is better.")
    factor: Factor = Field(0.1, description="The lr is multiplied by factor on a plateau.")
    patience: Count = Field(10, description="Calls without improvement before a reduction.")
    threshold: NonNegValue = Field(1e-4, description="Least improvement that counts.")
    threshold_mode: Literal["rel", "abs"] = Field(
        "rel",
        description="rel: relative to the best value (best * (1 -/+ threshold)); abs: best -/+ threshold.",
    )
    cooldown: Count = Field(0, description="Calls after a reduction during which none is counted.")
    min_lr: NonNegValue = Field(0.0, description="The lr is never reduced below min_lr.")
    eps: NonNegValue = Field(1e-8, description="A reduction smaller than eps is not written.")


@register(
    "ReduceLROnPlateau (torch)",
    "torch's ReduceLROnPlateau stepped by torch itself: scheduler.step(metric) at its event, with "
    "the next value of the metric curve named metric_name; the lr of every group times factor when "
    "the metric stops improving.",
    {"type": "ReduceLROnPlateau", "metric_name": "val_loss", "factor": 0.5},
)
class ReduceLROnPlateau(_PlateauArgs, _Attached):
    type: Literal["ReduceLROnPlateau"]
    metric_name: MetricName = Field(description="The experiment's metric curve passed to step(metric).")


TorchScheduler = union("torch")
