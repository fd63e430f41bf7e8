"""The dashboard: ``/`` and ``/s/{link_id}`` serve static/index.html (with content-hashed file
URLs, see :mod:`.assets`); plotly.js is vendored."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, RedirectResponse, Response

from ...contract.canonical import is_link_id
from ...contract.errors import ApiError
from .. import deps
from . import not_modified, not_modified_response
from .assets import asset_version, hashed_html, plotly_reply
from .assets import router as assets_router

router = APIRouter(include_in_schema=False)
router.include_router(assets_router)


def _index(request: Request) -> Response:
    static_dir = Path(request.app.state.settings.static_dir)
    index = static_dir / "index.html"
    if not index.is_file():
        raise ApiError(404, ("path",), "the dashboard is not installed (static/index.html)", "not_found")
    # the page names its files by content-hashed URLs (cached for a year); it is revalidated
    tag = f'"index-{asset_version(static_dir)}"'
    if not_modified(request, tag):
        return not_modified_response(tag)
    return Response(
        hashed_html(index, static_dir),
        media_type="text/html",
        headers={"Cache-Control": "no-cache", "ETag": tag},
    )


@router.get("/")
def dashboard(request: Request) -> Response:
    return _index(request)


@router.get("/s/{link_id}", name="dashboard_link")
def dashboard_link(request: Request, link_id: str, store: deps.StoreDep) -> Response:
    if not is_link_id(link_id) or store.get(link_id) is None:
        page = Path(request.app.state.settings.static_dir) / "link-not-found.html"
        if not page.is_file():
            raise ApiError(404, ("path", "link_id"), "unknown link id", "not_found")
        # a person followed a link: a page saying so, not the API's JSON (the id is not echoed)
        return FileResponse(
            page, status_code=404, media_type="text/html", headers={"Cache-Control": "no-cache"}
        )
    return _index(request)


@router.get("/static/vendor/plotly.min.js")
@router.get("/vendor/plotly.min.js")
def plotly_js(request: Request) -> Response:
    """plotly.js as bundled in the plotly Python package (no CDN); 304 on a matching ETag."""
    return plotly_reply(request, "public, max-age=86400")


@router.get("/favicon.ico")
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=308)
