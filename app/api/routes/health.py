"""GET /healthz: liveness (also served at the root path)."""

from __future__ import annotations

from fastapi import APIRouter

from ... import __version__
from ...contract.schemas import Health

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
