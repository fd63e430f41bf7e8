"""POST /series: value series as JSON (optionally decimated) or CSV."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request
from starlette.responses import Response

from ...contract.canonical import canonical_json, etag
from ...contract.registry import REGISTRY
from ...contract.schemas import MAX_SIZE, SEED_EXPERIMENT, Experiment, SeriesResponse
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
