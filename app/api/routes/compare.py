"""POST /compare: is b the same schedule as a? Per param group and param, the differences."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from starlette.responses import Response

from ...contract.compare import COMPARE_EXAMPLES, CompareRequest, CompareResponse
from ...service.compare import compare_json
from .. import deps
from . import ERRORS
from .series import MaxPoints

router = APIRouter(tags=["compare"])


@router.post(
    "/compare",
    operation_id="compare",
    summary="Compare two experiments: max differences, first differing event, b − a curves",
    description=(
        "Series are paired by (param group index, param name) over the events both experiments "
        "have. Events where `|b − a| <= max(rtol · max(|a|, |b|), atol)` count as equal "
        "(`math.isclose`'s rule; defaults rtol 1e-12, atol 0). The difference curves are "
        "decimated like `/series` when `max_points` is given. The caps of `/series` apply to each "
        "experiment (errors located under `body.a` / `body.b`) and to both together."
    ),
    responses={200: {"model": CompareResponse}, **ERRORS},
)
def post_compare(
    body: Annotated[CompareRequest, Body(openapi_examples=COMPARE_EXAMPLES)],
    settings: deps.SettingsDep,
    cache: deps.CacheDep,
    max_points: MaxPoints = None,
) -> Response:
    return Response(compare_json(body, settings, cache, max_points), media_type="application/json")
