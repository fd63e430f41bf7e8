"""POST /series: value series as JSON (optionally decimated) or CSV."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.api import deps
from app.api.routes import ERRORS, NOT_MODIFIED, not_modified, not_modified_response
from app.contract.canonical import canonical_json, etag
from app.contract.schemas import MAX_SIZE, Experiment, SeriesResponse
from app.service import exports

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
    as_csv = wants_csv(request, fmt)
    key = canonical_json(experiment)
    tag = etag("series", key, max_points=max_points, csv=as_csv)
    if not_modified(request, tag):
        return not_modified_response(tag)
    headers = {"ETag": tag}
    if as_csv:
        headers["Content-Disposition"] = 'attachment; filename="series.csv"'
        body = exports.series_csv(experiment, settings, cache, max_points, key=key)
        return Response(body, media_type="text/csv", headers=headers)
    body = exports.series_json(experiment, settings, cache, max_points, key=key)
    return Response(body, media_type="application/json", headers=headers)
