"""GET /healthz: liveness; GET /readyz: readiness, the link store included (both also served at
the root path)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from ... import __version__
from ...contract.schemas import ErrorResponse, Health
from ...storage.links import StoreUnavailable
from .. import deps
from . import json_response

router = APIRouter(tags=["health"])

HEALTH_EXAMPLES = {"up": {"summary": "The server answers", "value": {"status": "ok", "version": __version__}}}
"""Response examples (the operation has no input to give an example of)."""


@router.get(
    "/healthz",
    operation_id="healthz",
    response_model=Health,
    summary="Liveness check",
    responses={200: {"content": {"application/json": {"examples": HEALTH_EXAMPLES}}}},
)
async def healthz() -> Health:
    return Health(status="ok", version=__version__)


READY_EXAMPLES = {
    "ready": {
        "summary": "The link store can be read and written",
        "value": {"status": "ready", "version": __version__, "link_store": "ok"},
    }
}


@router.get(
    "/readyz",
    operation_id="readyz",
    summary="Readiness check: the link store can be read and written",
    responses={
        200: {"content": {"application/json": {"examples": READY_EXAMPLES}}},
        503: {"model": ErrorResponse, "description": "Not ready; `link_store` says why"},
    },
)
def readyz(request: Request) -> Response:
    try:
        deps.link_store(request).check()
    except StoreUnavailable as exc:
        body = {"status": "unavailable", "version": __version__, "link_store": str(exc)}
        return json_response(body, status=503, headers={"Cache-Control": "no-store"})
    body = {"status": "ready", "version": __version__, "link_store": "ok"}
    return json_response(body, headers={"Cache-Control": "no-store"})
