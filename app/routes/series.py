"""POST /series: value series as JSON (optionally decimated) or CSV."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app import deps
from app.compute import (
    SeriesData,
    canonical_json,
    decimated,
    etag,
    not_modified,
    series_for,
)
from app.errors import ApiError
from app.routes import ERRORS, NOT_MODIFIED, json_response, not_modified_response
from app.schemas import MAX_SIZE, Experiment, SeriesResponse
from app.settings import Settings

router = APIRouter(tags=["series"])

MaxPoints = Annotated[
    int | None,
    Query(ge=4, le=MAX_SIZE, description="Decimate each series to at most this many points."),
]


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


def check_max_points(max_points: int | None, settings: Settings) -> None:
    if max_points is not None and max_points > settings.max_points:
        raise ApiError(
            422,
            ("query", "max_points"),
            f"max_points should be at most {settings.max_points}, but given {max_points}",
            "too_many_points",
        )


def _csv_cell(text: str) -> str:
    """A header cell that spreadsheets will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(series: list[SeriesData], events: np.ndarray) -> bytes:
    """One row per event in ``events``, one column per group/param (``group/param``)."""
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow(
        ["event", *(_csv_cell(f"{s.group_name}/{s.param_name}") for s in series)]
    )
    table = np.column_stack([events.astype(np.float64), *(s.values[events] for s in series)])
    body = io.StringIO()
    np.savetxt(body, table, fmt=["%d"] + ["%.17g"] * len(series), delimiter=",")
    return (head.getvalue() + body.getvalue()).encode()


@router.post(
    "/series",
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
    experiment: Experiment,
    settings: deps.SettingsDep,
    cache: deps.CacheDep,
    max_points: MaxPoints = None,
    fmt: Annotated[Literal["json", "csv"] | None, Query(alias="format")] = None,
) -> Response:
    check_max_points(max_points, settings)
    as_csv = wants_csv(request, fmt)
    tag = etag("series", canonical_json(experiment), max_points=max_points, csv=as_csv)
    if not_modified(request, tag):
        return not_modified_response(tag)
    cap = settings.max_download_events if max_points is None else settings.max_events
    series = series_for(experiment, settings, cache, max_events=cap)
    headers = {"ETag": tag}
    if as_csv:
        if max_points is None:
            events = np.arange(experiment.num_events)
        else:
            events = np.unique(np.concatenate([ev for ev, _ in decimated(series, max_points)]))
        headers["Content-Disposition"] = 'attachment; filename="series.csv"'
        return Response(to_csv(series, events), media_type="text/csv", headers=headers)
    if max_points is None:
        items = [
            {
                "param_group": s.param_group,
                "group_name": s.group_name,
                "param_name": s.param_name,
                "values": s.values,
                "events": None,
            }
            for s in series
        ]
    else:
        items = [
            {
                "param_group": s.param_group,
                "group_name": s.group_name,
                "param_name": s.param_name,
                "values": va,
                "events": ev,
            }
            for s, (ev, va) in zip(series, decimated(series, max_points), strict=True)
        ]
    return json_response(
        {"num_events": experiment.num_events, "decimated": max_points is not None, "series": items},
        headers=headers,
    )
