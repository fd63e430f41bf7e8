"""Wire models of timm's schedulers (``timm.scheduler``, evaluated by ``scheduler_core.timm``).

timm's own keyword names and defaults, minus the optimizer, plus ``param_name`` (timm schedules
``lr``) and ``param_group_index``. The scheduled value starts from the group's value of
``param_name`` (its ``initial_<param_name>`` if the group has one). Event ``i`` is update ``i``;
with ``t_in_epochs`` (timm's default) the value changes at epoch starts, every
``iterations_per_epoch`` events (the experiment's, then required).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Strict, model_validator

from ..fields import (
    Count,
    Flag,
    GroupIndex,
    Growth,
    NonNegValue,
    PosCount,
    PosValue,
    Value,
    _Attached,
    _Model,
    _Targeted,
)
from ..metrics import MetricName
from ..registry import register
from .torch import Factor

Rate = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=1e3)]
KDecay = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, le=20)]
Power = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=100)]
NoisePct = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, le=1e3)]
NoiseStd = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=1e3)]
NOISE_STD_PER_PCT = 10
"""``noise_std`` at most this many ``noise_pct``: timm redraws until ``abs(noise) < noise_pct``,
so this keeps the expected draws per step under ~15."""


class _Noise(_Model):
    """timm's seeded noise options."""

    noise_range_t: Count | tuple[Count, Count] | None = Field(
        None, description="Noisy steps: t >= this, or lo <= t < hi for a pair; null: no noise."
    )
    noise_pct: NoisePct = Field(0.67, description="Noise is redrawn until |noise| < noise_pct.")
    noise_std: NoiseStd = Field(1.0, description="Standard deviation of the normal noise.")
    noise_seed: Count = Field(42, description="The noise of step t is drawn with seed noise_seed + t.")

    @model_validator(mode="after")
    def _noise_terminates(self) -> _Noise:
        if self.noise_range_t is not None and self.noise_std > NOISE_STD_PER_PCT * self.noise_pct:
            raise ValueError(
                f"noise_std should be at most {NOISE_STD_PER_PCT} x noise_pct (timm redraws the "
                f"noise until it is under noise_pct), but given noise_std={self.noise_std} and "
                f"noise_pct={self.noise_pct}"
            )
        return self


class _Timm(_Noise, _Targeted):
    warmup_t: Count = Field(0, description="Warm-up steps (updates, or epochs with t_in_epochs).")
    warmup_lr_init: NonNegValue = Field(0.0, description="Value at step 0 of the warm-up.")
    t_in_epochs: Flag = Field(
        True,
        description="Count steps in epochs (the value changes every iterations_per_epoch events, "
        "the experiment's) instead of updates.",
    )


class _Cycles(_Timm):
    t_initial: PosCount = Field(description="Length of the first cycle, in steps.")
    lr_min: NonNegValue = Field(0.0, description="Value at the end of each cycle, and after the last.")
    cycle_mul: Growth = Field(1.0, description="Each cycle is cycle_mul times longer than the previous.")
    cycle_decay: Rate = Field(1.0, description="Each cycle's peak is cycle_decay times the previous.")
    cycle_limit: Count = Field(1, description="Number of cycles; lr_min afterwards.")
    warmup_prefix: Flag = Field(False, description="Start the cycles after the warm-up (else at step 0).")


_EXAMPLE = {"param_name": "lr", "t_in_epochs": False}


@register(
    "timm CosineLRScheduler",
    "timm's cosine decay from the group's lr to lr_min over t_initial steps, with warm-up, "
    "restarts (cycle_mul, cycle_decay, cycle_limit), k-decay and seeded noise.",
    {
        "type": "timm.scheduler.CosineLRScheduler",
        **_EXAMPLE,
        "t_initial": 1000,
        "lr_min": 1e-5,
        "warmup_t": 50,
        "warmup_lr_init": 1e-5,
    },  # fmt: skip
)
class CosineLRScheduler(_Cycles):
    type: Literal["timm.scheduler.CosineLRScheduler"]
    k_decay: KDecay = Field(1.0, description="k-decay: cos(pi * t_curr**k / t_i**k).")


@register(
    "timm TanhLRScheduler",
    "timm's hyperbolic-tangent decay from the group's lr to lr_min over t_initial steps "
    "(tanh from lb to ub), with warm-up, restarts and seeded noise.",
    {"type": "timm.scheduler.TanhLRScheduler", **_EXAMPLE, "t_initial": 1000, "warmup_t": 50},
)
class TanhLRScheduler(_Cycles):
    type: Literal["timm.scheduler.TanhLRScheduler"]
    lb: Value = Field(-7.0, description="tanh argument at the start of a cycle.")
    ub: Value = Field(3.0, description="tanh argument at the end of a cycle.")

    @model_validator(mode="after")
    def _bounds(self) -> TanhLRScheduler:
        if not self.lb < self.ub:
            raise ValueError(f"lb should be less than ub, but given lb={self.lb} and ub={self.ub}")
        return self


@register(
    "timm PolyLRScheduler",
    "timm's polynomial decay (1 - t/t_initial) ** power from the group's lr to lr_min, with "
    "warm-up, restarts, k-decay and seeded noise.",
    {
        "type": "timm.scheduler.PolyLRScheduler",
        **_EXAMPLE,
        "t_initial": 1000,
        "power": 2.0,
        "warmup_t": 50,
    },  # fmt: skip
)
class PolyLRScheduler(_Cycles):
    type: Literal["timm.scheduler.PolyLRScheduler"]
    power: Power = Field(0.5, description="Exponent of the decay.")
    k_decay: KDecay = Field(1.0, description="k-decay: (1 - t_curr**k / t_i**k) ** power.")


class _Steps(_Timm):
    decay_rate: Rate = Field(1.0, description="Factor applied at each decay.")
    warmup_prefix: Flag = Field(True, description="Count the decays after the warm-up (else from step 0).")


@register(
    "timm StepLRScheduler",
    "timm's step decay: the group's lr times decay_rate every decay_t steps, with warm-up and seeded noise.",
    {
        "type": "timm.scheduler.StepLRScheduler",
        **_EXAMPLE,
        "decay_t": 300.0,
        "decay_rate": 0.5,
        "warmup_t": 20,
    },  # fmt: skip
)
class StepLRScheduler(_Steps):
    type: Literal["timm.scheduler.StepLRScheduler"]
    decay_t: PosValue = Field(description="Steps between decays (t // decay_t decays).")


@register(
    "timm MultiStepLRScheduler",
    "timm's multi-step decay: the group's lr times decay_rate at each milestone of decay_t "
    "(a milestone m applies from step m - 1, timm's convention), with warm-up and seeded noise.",
    {
        "type": "timm.scheduler.MultiStepLRScheduler",
        **_EXAMPLE,
        "decay_t": [300, 600, 900],
        "decay_rate": 0.1,
    },  # fmt: skip
)
class MultiStepLRScheduler(_Steps):
    type: Literal["timm.scheduler.MultiStepLRScheduler"]
    decay_t: Annotated[list[Count], Field(max_length=1000)] = Field(
        description="Milestones, sorted (timm bisects them as they are)."
    )


@register(
    "timm PlateauLRScheduler",
    "timm's reduce-on-plateau: after each epoch, step(epoch, metric) with the metric curve named "
    "metric_name (value k after epoch k); warm-up over warmup_t epochs, then the lr times "
    "decay_rate when the metric stops improving, with seeded noise. Needs iterations_per_epoch.",
    {"type": "timm.scheduler.PlateauLRScheduler", "metric_name": "val_loss", "mode": "min", "patience_t": 2},
)
class PlateauLRScheduler(_Noise, _Attached):
    type: Literal["timm.scheduler.PlateauLRScheduler"]
    metric_name: MetricName = Field(
        description="The experiment's metric curve passed to step(epoch, metric)."
    )
    param_group_index: GroupIndex | None = Field(
        None, description="Only this param group (0-based); null = every group."
    )
    decay_rate: Factor = Field(0.1, description="The lr is multiplied by decay_rate on a plateau.")
    patience_t: Count = Field(10, description="Epochs without improvement before a reduction.")
    threshold: NonNegValue = Field(1e-4, description="Least relative improvement that counts.")
    cooldown_t: Count = Field(0, description="Epochs after a reduction during which none is counted.")
    warmup_t: Count = Field(0, description="Warm-up epochs (the metric is not used during them).")
    warmup_lr_init: NonNegValue = Field(0.0, description="Value at epoch 0 of the warm-up.")
    lr_min: NonNegValue = Field(0.0, description="The lr is never reduced below lr_min.")
    mode: Literal["min", "max"] = Field(
        "max", description="min: lower is better; max (timm's default): higher."
    )

    @property
    def param_name(self) -> str:
        """timm's plateau schedules ``lr``."""
        return "lr"

    @property
    def t_in_epochs(self) -> bool:
        """It steps at epoch ends (needs the experiment's iterations_per_epoch)."""
        return True
