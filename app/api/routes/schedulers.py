"""GET /schedulers: the catalogue every form and client is built from.

Besides the types it carries what a client must not restate: the server's caps (``limits``, from
the app's settings), the view a fresh dashboard starts with (``view_defaults``) and the presets
gallery (``presets``, from :mod:`app.presets`).
"""

from __future__ import annotations

from functools import lru_cache

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from ... import __version__
from ...contract.canonical import etag
from ...contract.catalogue import catalogue
from ...contract.schemas import SEED_EXPERIMENT, Catalogue, Experiment, View
from ...presets import gallery
from ...settings import Settings
from .. import deps
from . import NOT_MODIFIED, not_modified, not_modified_response

router = APIRouter(tags=["schedulers"])

# The view a fresh dashboard starts with, stated here only: View's defaults except 100 iterations
# per epoch. View's own default (1) stays: it is in the canonical form, hence the id, of every
# stored link that does not name the option.
DASHBOARD_VIEW = View(iterations_per_epoch=100)


def limits(settings: Settings) -> dict[str, int]:
    """The caps a client must stay within: every ``max_*`` setting, e.g. ``max_variants``."""
    return {name: getattr(settings, name) for name in Settings.model_fields if name.startswith("max_")}


@lru_cache(maxsize=8)
def _catalogue_reply(caps: tuple[tuple[str, int], ...]) -> tuple[bytes, str]:
    """The reply body and its ETag for these caps (the rest is fixed for the process)."""
    body = orjson.dumps(
        {
            "version": __version__,
            "types": catalogue(),
            "experiment_schema": Experiment.model_json_schema(),
            "example": SEED_EXPERIMENT,
            "limits": dict(caps),
            "view_defaults": DASHBOARD_VIEW.model_dump(),
            "presets": gallery(),
        }
    )
    return body, etag("catalogue", body)


def catalogue_example() -> dict:
    """An abbreviated reply for the docs: no types, the Experiment schema's outline, default caps.

    No type entry: FastAPI drops every ``null`` from the OpenAPI document, examples included, and
    each entry has a nullable field (``stepping_only`` or ``child_json_schema``) that must be there.
    """
    return {
        "version": __version__,
        "types": [],
        "experiment_schema": {
            "title": "Experiment",
            "type": "object",
            "description": "(abbreviated here: the reply holds the whole JSON Schema of an experiment)",
        },
        "example": SEED_EXPERIMENT,
        "limits": {name: f.default for name, f in Settings.model_fields.items() if name.startswith("max_")},
        "view_defaults": DASHBOARD_VIEW.model_dump(),
    }


@router.get(
    "/schedulers",
    operation_id="schedulers",
    summary="Catalogue of scheduler types with JSON Schemas, defaults and examples; the server's "
    "caps and the dashboard's default view",
    responses={
        200: {
            "model": Catalogue,
            "content": {
                "application/json": {
                    "examples": {
                        "abbreviated": {
                            "summary": "Abbreviated: no types, the schema's outline (Try it out for all)",
                            "value": catalogue_example(),
                        }
                    }
                }
            },
        },
        **NOT_MODIFIED,
    },
)
def get_schedulers(request: Request) -> Response:
    # the settings straight from the app, not through Depends: this route is hot (every page load)
    body, tag = _catalogue_reply(tuple(limits(deps.settings(request)).items()))
    if not_modified(request, tag):
        return not_modified_response(tag)
    return Response(body, media_type="application/json", headers={"ETag": tag})
