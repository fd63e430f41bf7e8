"""The dashboard: ``/`` and ``/s/{link_id}`` serve static/index.html; plotly.js is vendored."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, RedirectResponse, Response

from ...contract.canonical import is_link_id
from ...contract.errors import ApiError
from .. import deps
from . import not_modified, not_modified_response

router = APIRouter(include_in_schema=False)


def _index(request: Request) -> Response:
    index = Path(request.app.state.settings.static_dir) / "index.html"
    if not index.is_file():
        raise ApiError(404, ("path",), "the dashboard is not installed (static/index.html)", "not_found")
    return FileResponse(index, media_type="text/html", headers={"Cache-Control": "no-cache"})


@router.get("/")
def dashboard(request: Request) -> Response:
    return _index(request)


@router.get("/s/{link_id}", name="dashboard_link")
def dashboard_link(request: Request, link_id: str, store: deps.StoreDep) -> Response:
    if not is_link_id(link_id) or store.get(link_id) is None:
        raise ApiError(404, ("path", "link_id"), "unknown link id", "not_found")
    return _index(request)


@router.get("/static/vendor/plotly.min.js")
@router.get("/vendor/plotly.min.js")
def plotly_js(request: Request) -> Response:
    """plotly.js as bundled in the plotly Python package (no CDN); 304 on a matching ETag."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    reply = FileResponse(
        path,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
        stat_result=path.stat(),  # FileResponse's ETag, known now
    )
    tag = reply.headers["etag"]
    return not_modified_response(tag) if not_modified(request, tag) else reply


@router.get("/favicon.ico")
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=308)
