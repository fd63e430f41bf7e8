"""POST /code: Python source rebuilding the experiment (ignite or scheduler_core flavour)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request
from starlette.responses import Response

from ...contract.canonical import canonical_json, etag
from ...contract.flavors import FLAVORS, Flavor
from ...contract.schemas import CodeResponse, Experiment
from ...service import exports
from .. import deps
from . import ERRORS, NOT_MODIFIED, cached_reply, json_response
from .series import EXPERIMENT_EXAMPLES

router = APIRouter(tags=["code"])


@router.post(
    "/code",
    operation_id="code",
    summary="Python code that rebuilds the experiment",
    responses={
        200: {"model": CodeResponse, "content": {"text/x-python": {"schema": {"type": "string"}}}},
        **NOT_MODIFIED,
        **ERRORS,
    },
)
def post_code(
    request: Request,
    experiment: Annotated[Experiment, Body(openapi_examples=EXPERIMENT_EXAMPLES)],
    settings: deps.SettingsDep,
    flavor: Annotated[
        Flavor,
        Query(openapi_examples={name: {"value": name} for name in FLAVORS}),
    ] = FLAVORS[0],
    fmt: Annotated[
        Literal["json", "py"],
        Query(alias="format", openapi_examples={"json": {"value": "json"}, "py": {"value": "py"}}),
    ] = "json",
) -> Response:
    tag = etag("code", canonical_json(experiment), flavor=flavor, fmt=fmt)
    reply = cached_reply(request, tag, experiment, settings, output="code")
    if reply is not None:
        return reply
    code = exports.code(experiment, settings, flavor)
    filename = f"schedule_{flavor}.py"
    if fmt == "py":
        return Response(
            code,
            media_type="text/x-python",
            headers={"ETag": tag, "Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return json_response({"flavor": flavor, "filename": filename, "code": code}, headers={"ETag": tag})
