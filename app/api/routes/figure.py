"""POST /figure: a Plotly figure (JSON) or a standalone offline HTML page."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request
from starlette.responses import Response

from ...contract.canonical import canonical_json, etag
from ...contract.schemas import Experiment, FigureResponse
from ...server.middleware import DISCONNECTED
from ...service import exports
from ...service.isolation import cancel_on
from .. import deps
from . import ERRORS, NOT_MODIFIED, cached_reply
from .series import EXPERIMENT_EXAMPLES, MaxPoints

router = APIRouter(tags=["figure"])

HTML_CSP = (
    "sandbox allow-scripts allow-downloads; default-src 'none'; "
    "script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; frame-ancestors 'none'"
)
"""The HTML page inlines plotly.js and its own script: it runs sandboxed (opaque origin)."""


@router.post(
    "/figure",
    operation_id="figure",
    summary="Plotly figure of an experiment (JSON, or standalone HTML with ?format=html)",
    responses={
        200: {"model": FigureResponse, "content": {"text/html": {"schema": {"type": "string"}}}},
        **NOT_MODIFIED,
        **ERRORS,
    },
)
def post_figure(
    request: Request,
    experiment: Annotated[Experiment, Body(openapi_examples=EXPERIMENT_EXAMPLES)],
    settings: deps.SettingsDep,
    cache: deps.CacheDep,
    layout: Annotated[
        Literal["subplots", "overlay"],
        Query(openapi_examples={"subplots": {"value": "subplots"}, "overlay": {"value": "overlay"}}),
    ] = "subplots",
    log_y: Annotated[
        bool, Query(openapi_examples={"linear": {"value": False}, "log": {"value": True}})
    ] = False,
    max_points: MaxPoints = None,
    fmt: Annotated[
        Literal["json", "html"],
        Query(
            alias="format",
            openapi_examples={"json": {"value": "json"}, "html": {"value": "html"}},
        ),
    ] = "json",
) -> Response:
    points = max_points or settings.figure_points
    key = canonical_json(experiment)
    tag = etag("figure", key, layout=layout, log_y=log_y, points=points, fmt=fmt)
    reply = cached_reply(request, tag, experiment, settings, output="figure", max_points=max_points)
    if reply is not None:
        return reply
    with cancel_on(request.scope.get(DISCONNECTED)):  # heavy work stops if the client hangs up
        body = exports.figure(
            experiment, settings, cache, layout=layout, log_y=log_y, max_points=max_points, fmt=fmt, key=key
        )
    if fmt == "html":
        return Response(
            body,
            media_type="text/html",
            headers={
                "ETag": tag,
                "Content-Security-Policy": HTML_CSP,
                "Content-Disposition": 'inline; filename="schedule.html"',
            },
        )
    return Response(body, media_type="application/json", headers={"ETag": tag})
