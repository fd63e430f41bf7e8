"""Pydantic models of the wire format: experiments, views, replies; the scheduler union.

The scheduler types' models live in :mod:`app.contract.wire` (one module per library family),
their bounded field types in :mod:`app.contract.fields`.

Every field carries bounds so that the JSON Schema tells a client what is valid; what a schema
cannot express (e.g. a param group index beyond the groups given) is checked in
:mod:`app.service.limits`, and what only the scheduler knows is raised by its constructor (→ 422).
Scalars are strict (``"1e-3"`` as a string, ``true`` as a number are rejected); floats are
finite. Nothing is ever evaluated as code: the callables of LambdaLR, MultiplicativeLR,
LambdaStateScheduler and BatchSizeScheduler are expressions of a small grammar
(:mod:`scheduler_core.expressions`), parsed and checked, never run as Python.
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
    model_validator,
)

from scheduler_core.registry import Kind

from . import wire  # noqa: F401  (registers every scheduler model before the union is built)
from .drafts import DraftVariant
from .fields import (
    MAX_SIZE,
    PARAM_NAME_RE,
    RESERVED_PARAM_NAMES,
    Flag,
    GroupName,
    PosCount,
    Value,
    VariantName,
    _Model,
)
from .flavors import Flavor
from .metrics import Metrics
from .notices import SeriesNotice
from .registry import union

Scheduler = union("param", "composite", "state")


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
    iterations_per_epoch: Annotated[
        PosCount | None,
        Field(
            exclude_if=lambda v: v is None,
            description="Events (iterations) per epoch, for schedules that count epochs.",
        ),
    ] = None
    metrics: Metrics = None


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

    name: VariantName
    experiment: Experiment


class View(BaseModel):
    """Dashboard view options; unknown options are kept if they are plain scalars."""

    model_config = ConfigDict(extra="allow", frozen=True, json_schema_extra={"maxProperties": 32})
    __pydantic_extra__: dict[str, ViewScalar] = Field(init=False)

    layout: Literal["subplots", "overlay"] = "subplots"
    log_y: Flag = False
    x_axis: Literal["events", "epochs", "samples"] = "events"
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


def _variant_kind(v: Any) -> str:
    return "DraftVariant" if (("draft" in v) if isinstance(v, dict) else hasattr(v, "draft")) else "Variant"


AnyVariant = Annotated[
    Annotated[Variant, Tag("Variant")] | Annotated[DraftVariant, Tag("DraftVariant")],
    Discriminator(_variant_kind),
]
"""A variant: a valid experiment, or (in a share link) a draft kept as typed."""


class DashboardView(_Model):
    """A dashboard view: experiment variants (A, B, …) and view options."""

    variants: Annotated[list[AnyVariant], Field(min_length=1, max_length=64)]
    view: View = Field(default_factory=View)


DOCUMENT_TAGS = ("Experiment", "DashboardView", "Variant", "DraftVariant")


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
    param_group: int = Field(
        description="The param group's index; -1 for values set outside the optimizer (state "
        "schedulers: group_name 'engine.state'; BatchSizeScheduler: 'dataloader')."
    )
    group_name: str
    param_name: str
    values: list[float]
    events: list[int] | None = Field(
        None, description="Event index of each value when decimated; null = 0..num_events-1."
    )
    restarts: list[int] = Field(
        default_factory=list,
        description="Events where the group's schedule restarts (new cycle, next concatenated "
        "scheduler, end of a warm-up, a milestone), at most 300.",
    )
    summary: dict[str, float | int | None] | None = Field(
        None, description="Summary numbers of the whole series (?summary=true)."
    )


class MetricItem(BaseModel):
    name: str = Field(description="The metric curve's name (a key of the experiment's metrics).")
    events: list[int] = Field(
        description="The first event (iteration) processed after each read: where the lr it "
        "drives can change."
    )
    values: list[float] = Field(description="The value read at each of those events.")
    decimated: bool = Field(
        description="Whether reads in the window were left out (max_points): if false, every read "
        "in the window is listed."
    )


class SeriesResponse(BaseModel):
    num_events: int
    decimated: bool
    series: list[SeriesItem]
    metrics: list[MetricItem] | None = Field(
        None,
        description="The metric curves read by plateau schedulers (experiments with metrics only), "
        "each at the reads of the first scheduler reading it; decimated and windowed as the series.",
    )
    start: int | None = Field(None, description="First event of the window asked for (?start=).")
    stop: int | None = Field(None, description="End (excluded) of the window asked for (?stop=).")
    area_rule: str | None = Field(None, description="How summary areas are computed (?summary=true).")
    notices: list[SeriesNotice] | None = Field(
        None,
        description="Torch schedulers whose values ignite runs differently than torch steps them (left out: none).",
    )


class FigureResponse(BaseModel):
    data: list[dict[str, Any]]
    layout: dict[str, Any]


class CodeResponse(BaseModel):
    flavor: Flavor
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
    presets: list[dict[str, Any]] | None = Field(
        None,
        description="The presets gallery: documented recipes, each {name, description, source, experiment}.",
    )


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class StoredDocument(RootModel[LinkDocument]):
    """What a share link holds: an experiment, or a dashboard view of several variants."""
