"""POST /translate: an experiment's transformers schedules as ignite compositions, compared."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from starlette.responses import Response

from ...contract.compare import TRANSLATE_EXAMPLES, TranslateResponse
from ...contract.schemas import Experiment
from ...service.translate import translate_json
from .. import deps
from . import ERRORS
from .series import MaxPoints

router = APIRouter(tags=["compare"])


@router.post(
    "/translate",
    operation_id="translate",
    summary="Translate transformers schedules into ignite compositions, with the comparison",
    description=(
        "Each top-level transformers scheduler becomes its exact ignite equivalent (a "
        "`ConcatScheduler` of linear ramps, half cosines and constants, cycle sizes right to the "
        "event; one scheduler per param group when their values differ) or, where none exists, "
        "the closest composition (a `PiecewiseLinear` through its values; its note says why). "
        "`comparison` is `/compare` of the original (`a`) and the translation (`b`)."
    ),
    responses={200: {"model": TranslateResponse}, **ERRORS},
)
def post_translate(
    experiment: Annotated[Experiment, Body(openapi_examples=TRANSLATE_EXAMPLES)],
    settings: deps.SettingsDep,
    cache: deps.CacheDep,
    max_points: MaxPoints = None,
    rtol: Annotated[
        float | None,
        Query(ge=0, le=1e12, description="Relative tolerance of the comparison (default 1e-12)."),
    ] = None,
    atol: Annotated[
        float | None,
        Query(ge=0, le=1e12, description="Absolute tolerance (default 1e-15 x the largest initial value)."),
    ] = None,
) -> Response:
    body = translate_json(experiment, settings, cache, max_points, rtol=rtol, atol=atol)
    return Response(body, media_type="application/json")
