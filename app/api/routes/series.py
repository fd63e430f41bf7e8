"""POST /series: value series as JSON (optionally decimated) or CSV."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request
from starlette.responses import Response

from ...contract.canonical import canonical_json, etag
from ...contract.registry import REGISTRY
from ...contract.schemas import MAX_SIZE, SEED_EXPERIMENT, DashboardView, Experiment, SeriesResponse
from ...server.middleware import DISCONNECTED
from ...service import exports
from ...service.isolation import cancel_on
from .. import deps
from . import ERRORS, NOT_MODIFIED, cached_reply, chunked_reply

router = APIRouter(tags=["series"])

MaxPoints = Annotated[
    int | None,
    Query(
        ge=4,
        le=MAX_SIZE,
        description="Decimate each series to at most this many points.",
        openapi_examples={"decimated": {"summary": "200 points per series", "value": 200}},
    ),
]

EventBound = Annotated[
    int | None,
    Query(
        ge=0,
        le=MAX_SIZE,
        description="Event window [start, stop) of the reply (default: every event); decimated "
        "like the whole series when max_points is given.",
    ),
]


def _one_group(scheduler: dict) -> dict:
    """1,000 events of one param group (``lr`` 0.01) driven by ``scheduler``."""
    return {"num_events": 1000, "param_groups": [{"name": "base", "lr": 0.01}], "schedulers": [scheduler]}


EXPERIMENT_EXAMPLES = {
    "seed": {
        "summary": "The catalogue's example: cyclical and cosine schedules on two param groups",
        "value": SEED_EXPERIMENT,
    },
    "concat": {
        "summary": "ConcatScheduler: a linear ramp, then cosine annealing",
        "value": _one_group(REGISTRY["ConcatScheduler"].example),
    },
    "step_lr": {
        "summary": "LRScheduler wrapping torch's StepLR",
        "value": _one_group(REGISTRY["LRScheduler"].example),
    },
    "warmup": {
        "summary": "create_lr_scheduler_with_warmup: a linear warm-up, then ExponentialLR",
        "value": _one_group(REGISTRY["create_lr_scheduler_with_warmup"].example),
    },
    "two_groups": {
        "summary": "Two param groups, two params: lr of the head only, weight_decay of both",
        "value": {
            "num_events": 600,
            "param_groups": [
                {"name": "backbone", "lr": 0.001, "weight_decay": 0.0001},
                {"name": "head", "lr": 0.01, "weight_decay": 0.0001},
            ],
            "schedulers": [
                {
                    "type": "PiecewiseLinear",
                    "param_name": "lr",
                    "milestones_values": [[0, 0.0], [100, 0.01], [600, 0.0]],
                    "param_group_index": 1,
                },
                {
                    "type": "CosineAnnealingScheduler",
                    "param_name": "weight_decay",
                    "start_value": 0.0001,
                    "end_value": 0.001,
                    "cycle_size": 200,
                },
            ],
        },
    },
}
"""Request-body examples of an experiment (OpenAPI ``examples``: the docs and schemathesis)."""


def _view(*names: str) -> dict:
    """A view of the experiment examples ``names`` as variants A, B, ..."""
    return {
        "variants": [
            {"name": chr(65 + i), "experiment": EXPERIMENT_EXAMPLES[n]["value"]} for i, n in enumerate(names)
        ]
    }


VIEW_EXAMPLES = {
    "seed_and_step": {
        "summary": "The catalogue's example and a one-group StepLR",
        "value": _view("seed", "step_lr"),
    },
    "warmup_vs_concat": {
        "summary": "A warm-up helper against a ConcatScheduler",
        "value": _view("warmup", "concat"),
    },
    "one_variant": {"summary": "One variant: two groups, two params", "value": _view("two_groups")},
    "three_variants": {
        "summary": "Three variants of different lengths",
        "value": _view("seed", "two_groups", "concat"),
    },
    "every_example": {"summary": "Every experiment example", "value": _view(*EXPERIMENT_EXAMPLES)},
}
"""Request-body examples of a view (OpenAPI ``examples``)."""


def wants_csv(request: Request, fmt: str | None) -> bool:
    """``?format=`` wins; else CSV when the first acceptable media type is text/csv."""
    if fmt is not None:
        return fmt == "csv"
    for part in request.headers.get("accept", "").split(","):
        media = part.split(";")[0].strip().lower()
        if media == "text/csv":
            return True
        if media in ("application/json", "*/*", "application/*"):
            return False
    return False


@router.post(
    "/series",
    operation_id="series",
    summary="Value series of an experiment (JSON, decimated JSON or CSV)",
    responses={
        200: {
            "model": SeriesResponse,
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **NOT_MODIFIED,
        **ERRORS,
    },
)
def post_series(
    request: Request,
    experiment: Annotated[Experiment, Body(openapi_examples=EXPERIMENT_EXAMPLES)],
    settings: deps.SettingsDep,
    cache: deps.CacheDep,
    max_points: MaxPoints = None,
    fmt: Annotated[
        Literal["json", "csv"] | None,
        Query(
            alias="format",
            openapi_examples={"json": {"value": "json"}, "csv": {"value": "csv"}},
        ),
    ] = None,
    start: EventBound = None,
    stop: EventBound = None,
    summary: Annotated[
        bool,
        Query(
            description="Add each series' summary numbers (initial, final, min, max, peak_event, "
            "mean, area = sum over events, restarts, warmup_end); as CSV: the summary table instead."
        ),
    ] = False,
) -> Response:
    as_csv = wants_csv(request, fmt)
    key = canonical_json(experiment)
    # the window joins the ETag only when given, so the tags of whole series stay as they were
    window = {k: v for k, v in (("start", start), ("stop", stop)) if v is not None}
    extra = {"summary": True} if summary else {}  # likewise
    tag = etag("series", key, max_points=max_points, csv=as_csv, **window, **extra)
    output = "csv" if as_csv else "series"
    reply = cached_reply(request, tag, experiment, settings, output=output, max_points=max_points, **window)
    if reply is not None:
        return reply
    headers = {"ETag": tag}
    render = exports.series_csv_chunks if as_csv else exports.series_json_chunks
    with cancel_on(request.scope.get(DISCONNECTED)):  # heavy work stops if the client hangs up
        chunks = render(experiment, settings, cache, max_points, key=key, **window, **extra)
    if as_csv:
        name = "summary.csv" if summary else "series.csv"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return chunked_reply(chunks, "text/csv", headers)
    return chunked_reply(chunks, "application/json", headers)


@router.post(
    "/series/variants",
    operation_id="series_of_variants",
    summary="One CSV of every variant of a dashboard view, a column per variant/group/param",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **ERRORS},
    response_class=Response,
)
def post_series_of_variants(
    request: Request,
    view: Annotated[DashboardView, Body(openapi_examples=VIEW_EXAMPLES)],
    settings: deps.SettingsDep,
    cache: deps.CacheDep,
    max_points: MaxPoints = None,
    start: EventBound = None,
    stop: EventBound = None,
) -> Response:
    """A row per event (``event``, then a ``variant/group/param`` column per series, empty where
    a variant has fewer events); decimated with every series' min and max kept when
    ``max_points`` is given; ``start``/``stop`` over the longest variant. The caps of ``/series``
    apply to each variant and to all of them together; a draft variant is refused."""
    with cancel_on(request.scope.get(DISCONNECTED)):
        chunks = exports.variants_csv_chunks(view, settings, cache, max_points, start=start, stop=stop)
    headers = {"Content-Disposition": 'attachment; filename="variants.csv"'}
    return chunked_reply(chunks, "text/csv", headers)
