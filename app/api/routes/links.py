"""POST /links and GET /links/{link_id}: share links to experiments and dashboard views."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Body, Path, Request
from starlette.responses import Response

from ...contract.canonical import is_link_id
from ...contract.canonical import link_id as canonical_link_id
from ...contract.errors import ApiError
from ...contract.schemas import ErrorResponse, LinkCreated, StoredDocument
from ...service.exports import link_document
from .. import deps
from . import ERRORS, NOT_MODIFIED, json_response, not_modified, not_modified_response
from .series import EXPERIMENT_EXAMPLES

router = APIRouter(tags=["links"])

LinkId = Annotated[
    str,
    Path(
        max_length=64,
        description="A link id as returned by POST /links.",
        openapi_examples={
            "seed": {"summary": "The link of the catalogue's example experiment", "value": "odL_5BVvNOYF"}
        },
    ),
]

DOCUMENT_EXAMPLES = {
    **EXPERIMENT_EXAMPLES,
    "dashboard_view": {
        "summary": "A dashboard view: two variants overlaid, log y axis, x in epochs",
        "value": {
            "variants": [
                {"name": "A", "experiment": EXPERIMENT_EXAMPLES["seed"]["value"]},
                {"name": "B", "experiment": EXPERIMENT_EXAMPLES["warmup"]["value"]},
            ],
            "view": {
                "layout": "overlay",
                "log_y": True,
                "x_axis": "epochs",
                "iterations_per_epoch": 100,
                "cycle_markers": True,
            },
        },
    },
}
"""Request-body examples of a stored document (OpenAPI ``examples``: the docs and schemathesis)."""


def _unknown(link_id: str) -> ApiError:
    return ApiError(404, ("path", "link_id"), "unknown link id", "not_found")


@router.post(
    "/links",
    operation_id="create_link",
    status_code=201,
    summary="Store an experiment or a dashboard view; the same document gets the same id",
    responses={
        201: {"model": LinkCreated},
        **ERRORS,
        429: {"model": ErrorResponse, "description": "Too many new links from this client (Retry-After)"},
        503: {"model": ErrorResponse, "description": "The link store is unavailable (reason in msg)"},
        507: {"model": ErrorResponse, "description": "The link store is full"},
    },
)
def create_link(
    request: Request,
    document: Annotated[StoredDocument, Body(openapi_examples=DOCUMENT_EXAMPLES)],
    settings: deps.SettingsDep,
    store: deps.StoreDep,
    rate: deps.LinkRateDep,
) -> Response:
    wait = rate.wait_s(request.client.host if request.client else "")
    if wait:
        retry = math.ceil(wait)
        raise ApiError(
            429,
            ("body",),
            f"more than {settings.link_rate_per_minute} new links a minute from this client: "
            f"try again in {retry} s",
            "rate_limited",
            headers={"Retry-After": str(retry)},
        )
    doc = link_document(document, settings)
    if (
        store.size_bytes() + len(doc) > settings.max_link_store_bytes
        and store.get(canonical_link_id(doc)) is None
    ):
        raise ApiError(
            507,
            ("body",),
            f"the link store is full (over {settings.max_link_store_bytes / 2**20:g} MB): no new "
            "links for now; existing links still work",
            "link_store_full",
        )
    link_id = store.put(doc)
    # never from the request's Host header: the configured public base URL, else a relative URL
    url = settings.public_base_url + request.app.url_path_for("dashboard_link", link_id=link_id)
    return json_response(
        {"id": link_id, "url": url}, status=201, headers={"Location": f"{request.url.path}/{link_id}"}
    )


@router.get(
    "/links/{link_id}",
    operation_id="get_link",
    summary="The stored document (canonical JSON)",
    responses={
        200: {"model": StoredDocument},
        **NOT_MODIFIED,
        404: {"model": ErrorResponse, "description": "Unknown link id"},
    },
)
def get_link(request: Request, link_id: LinkId, store: deps.StoreDep) -> Response:
    if not is_link_id(link_id):
        raise _unknown(link_id)
    tag = f'"{link_id}"'
    if not_modified(request, tag):
        return not_modified_response(tag)
    doc = store.get(link_id)
    if doc is None:
        raise _unknown(link_id)
    return Response(
        doc,
        media_type="application/json",
        headers={"ETag": tag, "Cache-Control": "public, max-age=31536000, immutable"},
    )
