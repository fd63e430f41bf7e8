"""GET /healthz: liveness (also served at the root path)."""

from __future__ import annotations

from fastapi import APIRouter

from app import __version__
from app.contract.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness check")
async def healthz() -> Health:
    return Health(status="ok", version=__version__)
