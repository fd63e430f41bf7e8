"""Pydantic models of the wire format: one model per scheduler type, experiments, views, replies.

Every field carries bounds so that the JSON Schema tells a client what is valid; what a schema
cannot express (e.g. a param group index beyond the groups given) is checked in
:mod:`app.service.limits`, and what only the scheduler knows is raised by its constructor (→ 422).
Scalars are strict (``"1e-3"`` as a string, ``true`` as a number are rejected); floats are
finite. Nothing is ever evaluated as code: there are no callables over the wire.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    RootModel,
    Strict,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from scheduler_core.registry import Kind

from .registry import register, union

# ---------------------------------------------------------------- field types
MAX_SIZE = 1_000_000_000
"""Largest event count, cycle size, duration or milestone a field may hold."""

Value = Annotated[
    float, Strict(), Field(allow_inf_nan=False, ge=-1e12, le=1e12, description="A finite value.")
]
NonNegValue = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=1e12)]
PosValue = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, le=1e12)]
Multiplier = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=-1e3, le=1e3)]
Growth = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, le=1e3)]
Fraction = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=1)]
Gamma = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, le=1e3)]
Count = Annotated[int, Strict(), Field(ge=0, le=MAX_SIZE)]
PosCount = Annotated[int, Strict(), Field(ge=1, le=MAX_SIZE)]
CycleSize = Annotated[int, Strict(), Field(ge=2, le=MAX_SIZE)]
Flag = Annotated[bool, Strict()]
PARAM_NAME_RE = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
RESERVED_PARAM_NAMES = frozenset({"params", "name"})
ParamName = Annotated[
    str,
    Strict(),
    Field(
        pattern=PARAM_NAME_RE,
        description="An optimizer param-group key such as 'lr', 'momentum', 'weight_decay'.",
    ),
]
GroupIndex = Annotated[int, Strict(), Field(ge=0, le=1023)]
GroupName = Annotated[str, Strict(), Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- torch.optim.lr_scheduler
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
    total_iters: Count = 5
    power: Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=100)] = 1.0


@register(
    "CosineAnnealingLR",
    "Cosine decay from the lr to eta_min over T_max events.",
    {"type": "CosineAnnealingLR", "T_max": 1000, "eta_min": 0.0},
)
class CosineAnnealingLR(_Model):
    type: Literal["CosineAnnealingLR"]
    T_max: PosCount
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
    total_steps: PosCount | None = None
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


TorchScheduler = union("torch")


# ---------------------------------------------------------------- param schedulers
class _Targeted(BaseModel):
    param_name: ParamName = Field("lr", description="The param-group key to schedule.")
    param_group_index: GroupIndex | None = Field(
        None, description="Only this param group (0-based); null = every group."
    )


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


class PiecewiseLinearChild(_Model):
    type: Literal["PiecewiseLinear"]
    milestones_values: Annotated[list[Milestone], Field(min_length=1, max_length=1000)]

    @field_validator("milestones_values")
    @classmethod
    def _non_decreasing(cls, v: list[Milestone]) -> list[Milestone]:
        for i in range(1, len(v)):
            if v[i][0] < v[i - 1][0]:
                raise ValueError(
                    f"milestone events should not decrease, but event {v[i][0]} at index {i} "
                    f"follows {v[i - 1][0]}"
                )
        return v


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
                "cycle_size": 200,
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
class LRScheduler(_Model):
    type: Literal["LRScheduler"]
    lr_scheduler: TorchScheduler


@register(
    "Warm-up then torch lr_scheduler",
    "Linear warm-up of 'lr' from warmup_start_value, then a torch lr_scheduler.",
    {
        "type": "create_lr_scheduler_with_warmup",
        "lr_scheduler": {"type": "ExponentialLR", "gamma": 0.995},
        "warmup_start_value": 0.0,
        "warmup_duration": 100,
    },
)
class CreateLrSchedulerWithWarmup(_Model):
    type: Literal["create_lr_scheduler_with_warmup"]
    lr_scheduler: TorchScheduler
    warmup_start_value: Value
    warmup_duration: Annotated[int, Strict(), Field(ge=2, le=MAX_SIZE)]
    warmup_end_value: Value | None = None


Scheduler = union("param", "composite")


# ---------------------------------------------------------------- experiments
class ParamGroup(BaseModel):
    """A param group: its name plus its initial values, e.g. ``{"name": "fc", "lr": 0.01}``."""

    model_config = ConfigDict(
        extra="allow",
        frozen=True,
        json_schema_extra={
            "propertyNames": {"pattern": PARAM_NAME_RE, "not": {"const": "params"}},
            "maxProperties": 17,
        },
    )
    __pydantic_extra__: dict[str, Value] = Field(init=False)

    name: GroupName

    @model_validator(mode="after")
    def _keys(self) -> ParamGroup:
        extra = self.__pydantic_extra__ or {}
        if len(extra) > 16:
            raise ValueError(f"a param group holds at most 16 values, but given {len(extra)}")
        for key in extra:
            if not re.match(PARAM_NAME_RE, key) or key in RESERVED_PARAM_NAMES:
                raise ValueError(f"param name {key!r} is not allowed (letters, digits, _)")
        return self

    @property
    def values(self) -> dict[str, float]:
        return dict(self.__pydantic_extra__ or {})


class Experiment(_Model):
    """One experiment: events, the optimizer's param groups, schedulers called in list order."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "num_events": 1000,
                    "param_groups": [{"name": "base", "lr": 0.001}, {"name": "fc", "lr": 0.01}],
                    "schedulers": [
                        {
                            "type": "LinearCyclicalScheduler",
                            "param_name": "lr",
                            "start_value": 1e-7,
                            "end_value": 1e-5,
                            "cycle_size": 100,
                            "param_group_index": 0,
                        },
                        {
                            "type": "CosineAnnealingScheduler",
                            "param_name": "lr",
                            "start_value": 1e-5,
                            "end_value": 1e-3,
                            "cycle_size": 100,
                            "param_group_index": 1,
                        },
                    ],
                }
            ]
        },
    )

    num_events: Annotated[int, Strict(), Field(ge=1, le=MAX_SIZE)]
    param_groups: Annotated[list[ParamGroup], Field(min_length=1, max_length=1024)]
    schedulers: Annotated[list[Scheduler], Field(min_length=1, max_length=1024)]


SEED_EXPERIMENT: dict[str, Any] = Experiment.model_config["json_schema_extra"]["examples"][0]

ViewScalar = (
    Annotated[str, Strict(), Field(max_length=200)]
    | Annotated[bool, Strict()]
    | Annotated[int, Strict(), Field(ge=-(2**53), le=2**53)]
    | Annotated[float, Strict(), Field(allow_inf_nan=False, ge=-1e12, le=1e12)]
    | None
)


class Variant(_Model):
    """One experiment of a dashboard view, with its legend name (A, B, …)."""

    name: Annotated[str, Strict(), Field(min_length=1, max_length=40)]
    experiment: Experiment


class View(BaseModel):
    """Dashboard view options; unknown options are kept if they are plain scalars."""

    model_config = ConfigDict(extra="allow", frozen=True, json_schema_extra={"maxProperties": 32})
    __pydantic_extra__: dict[str, ViewScalar] = Field(init=False)

    layout: Literal["subplots", "overlay"] = "subplots"
    log_y: Flag = False
    x_axis: Literal["events", "epochs"] = "events"
    iterations_per_epoch: Annotated[int, Strict(), Field(ge=1, le=MAX_SIZE)] = 1
    cycle_markers: Flag = False

    @model_validator(mode="after")
    def _extra_keys(self) -> View:
        extra = self.__pydantic_extra__ or {}
        if len(extra) > 16:
            raise ValueError(f"at most 16 extra view options, but given {len(extra)}")
        for key in extra:
            if not re.match(PARAM_NAME_RE, key):
                raise ValueError(f"view option name {key!r} is not allowed (letters, digits, _)")
        return self


class DashboardView(_Model):
    """A dashboard view: experiment variants (A, B, …) and view options."""

    variants: Annotated[list[Variant], Field(min_length=1, max_length=64)]
    view: View = Field(default_factory=View)


DOCUMENT_TAGS = ("Experiment", "DashboardView")


def _doc_kind(v: Any) -> str:
    if isinstance(v, dict):
        return "DashboardView" if "variants" in v else "Experiment"
    return "DashboardView" if hasattr(v, "variants") else "Experiment"


LinkDocument = Annotated[
    Annotated[Experiment, Tag("Experiment")] | Annotated[DashboardView, Tag("DashboardView")],
    Discriminator(_doc_kind),
]


# ---------------------------------------------------------------- replies
class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorResponse(BaseModel):
    """Every 4xx/5xx body: a list of problems, each naming the field path (``loc``)."""

    detail: list[ErrorItem]


class SeriesItem(BaseModel):
    param_group: int
    group_name: str
    param_name: str
    values: list[float]
    events: list[int] | None = Field(
        None, description="Event index of each value when decimated; null = 0..num_events-1."
    )
    restarts: list[int] = Field(
        default_factory=list,
        description="Events where the group's schedule restarts (new cycle or next concatenated "
        "scheduler), at most 300.",
    )


class SeriesResponse(BaseModel):
    num_events: int
    decimated: bool
    series: list[SeriesItem]


class FigureResponse(BaseModel):
    data: list[dict[str, Any]]
    layout: dict[str, Any]


class CodeResponse(BaseModel):
    flavor: Literal["ignite", "scheduler_core"]
    filename: str
    code: str


class LinkCreated(BaseModel):
    id: str
    url: str


class CatalogueEntry(BaseModel):
    type: str
    kind: Kind = Field(
        description="param: optimizer param scheduler (also a ConcatScheduler child); "
        "composite: built from other schedulers; torch: usable as `lr_scheduler`."
    )
    title: str
    description: str
    json_schema: dict[str, Any] = Field(description="JSON Schema of the top-level form.")
    defaults: dict[str, Any] = Field(description="Default of each optional field.")
    example: dict[str, Any] = Field(description="A valid configuration of the type.")
    child_json_schema: dict[str, Any] | None = Field(
        description="JSON Schema inside ConcatScheduler.schedulers (param kinds only)."
    )
    closed_form: bool = Field(
        description="Series come from an exact vectorised closed form (bit for bit equal to stepping)."
    )
    stepping_only: str | None = Field(
        description="Why the type has no closed form and is stepped event by event (null if it has one)."
    )
    declines: list[str] = Field(
        description="Configurations whose series are stepped although the type has a closed form."
    )


class Catalogue(BaseModel):
    version: str
    types: list[CatalogueEntry]
    experiment_schema: dict[str, Any]
    example: dict[str, Any]
    limits: dict[str, int] | None = Field(
        None,
        description="The server's caps, i.e. its `max_*` settings (max_events, max_points, "
        "max_schedulers, max_param_groups, max_variants, ...).",
    )
    view_defaults: View | None = Field(
        None,
        description="The view options a fresh dashboard starts with (a stored view lacking an "
        "option still reads View's own default).",
    )


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class StoredDocument(RootModel[LinkDocument]):
    """What a share link holds: an experiment, or a dashboard view of several variants."""
