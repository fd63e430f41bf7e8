"""GET /schedulers: the catalogue every form and client is built from."""

from __future__ import annotations

from functools import lru_cache

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from app import __version__
from app.api.routes import NOT_MODIFIED, not_modified, not_modified_response
from app.contract.canonical import etag
from app.contract.catalogue import catalogue
from app.contract.schemas import SEED_EXPERIMENT, Catalogue, Experiment

router = APIRouter(tags=["schedulers"])


@lru_cache(maxsize=1)
def _catalogue_bytes() -> tuple[bytes, str]:
    body = orjson.dumps(
        {
            "version": __version__,
            "types": catalogue(),
            "experiment_schema": Experiment.model_json_schema(),
            "example": SEED_EXPERIMENT,
        }
    )
    return body, etag("catalogue", body)


@router.get(
    "/schedulers",
    summary="Catalogue of scheduler types with JSON Schemas, defaults and examples",
    responses={200: {"model": Catalogue}, **NOT_MODIFIED},
)
def get_schedulers(request: Request) -> Response:
    body, tag = _catalogue_bytes()
    if not_modified(request, tag):
        return not_modified_response(tag)
    return Response(body, media_type="application/json", headers={"ETag": tag})
