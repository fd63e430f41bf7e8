"""Content-hashed URLs of the dashboard's files, cached for a year: ``/assets/{version}/{path}``.

``version`` is a hash of every file of ``static/`` and of the plotly version, so any change to
the dashboard makes new URLs; the page that names them (``index.html``, served with
``no-cache``) is rewritten to use them. A stale version (a page loaded before a deploy)
redirects to the file's plain, revalidated URL.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import RedirectResponse, Response

from . import not_modified, not_modified_response

router = APIRouter(include_in_schema=False)

IMMUTABLE = "public, max-age=31536000, immutable"
PLOTLY = "vendor/plotly.min.js"


def plotly_path() -> Path:
    """plotly.js as bundled in the plotly Python package (no CDN)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


COMPILE_HINT = b"//# allFunctionsCalledOnLoad\n"
"""V8's magic comment: compile the whole script eagerly while it is parsed off the main thread,
instead of lazily on the main thread as plotly.js runs (its run is nearly all of it)."""


def plotly_reply(request: Request, cache_control: str) -> Response:
    """plotly.js from the plotly package (its bytes after :data:`COMPILE_HINT`), 304 on a matching
    ETag. Built once and kept in memory, gzip-compressed (level 9) for clients that accept it: on
    a cold load the browser parses plotly.js as it arrives, so its bytes should not wait for the
    CPU."""
    path = plotly_path()
    stat = path.stat()
    tag = f'"plotly-{stat.st_mtime_ns:x}-{stat.st_size:x}-h"'
    if not_modified(request, tag):
        return not_modified_response(tag)
    headers = {"Cache-Control": cache_control, "ETag": tag, "Vary": "Accept-Encoding"}
    plain, gzipped = _plotly_bodies(path, stat.st_mtime_ns, stat.st_size)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(
            gzipped, media_type="text/javascript", headers={**headers, "Content-Encoding": "gzip"}
        )
    return Response(plain, media_type="text/javascript", headers=headers)


@lru_cache(maxsize=1)
def _plotly_bodies(path: Path, mtime_ns: int, size: int) -> tuple[bytes, bytes]:
    """plotly.js as sent: plain and gzip-compressed (keyed by the file's mtime and size)."""
    plain = COMPILE_HINT + path.read_bytes()
    return plain, gzip.compress(plain, compresslevel=9, mtime=0)


def asset_version(static_dir: Path) -> str:
    """12 hex digits of the SHA-256 of ``static_dir``'s files (paths and bytes) and plotly's
    version; recomputed only when a file's size or modification time changes (a checkout being
    edited gets new URLs at once)."""
    files = sorted(p for p in static_dir.rglob("*") if p.is_file())
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _version(static_dir, stamp)


@lru_cache(maxsize=4)
def _version(static_dir: Path, stamp: tuple[tuple[str, int, int], ...]) -> str:
    from importlib.metadata import version

    h = hashlib.sha256(f"plotly {version('plotly')}\n".encode())
    for name, _, _ in stamp:
        path = Path(name)
        h.update(str(path.relative_to(static_dir)).encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def hashed_html(page: Path, static_dir: Path) -> bytes:
    """``page`` with its ``/static/...`` and plotly URLs turned into content-hashed ones."""
    return _hashed_html(page, asset_version(static_dir))


@lru_cache(maxsize=4)
def _hashed_html(page: Path, version: str) -> bytes:
    base = f"/assets/{version}/"
    text = page.read_text(encoding="utf-8")
    return text.replace(f'"/{PLOTLY}"', f'"{base}{PLOTLY}"').replace('"/static/', f'"{base}').encode()


@lru_cache(maxsize=4)
def _files(static_dir: Path) -> StaticFiles:
    return StaticFiles(directory=static_dir, check_dir=False)


@router.get("/assets/{version}/{path:path}")
async def asset(request: Request, version: str, path: str) -> Response:
    static_dir = Path(request.app.state.settings.static_dir)
    if version != asset_version(static_dir):
        plain = f"/{PLOTLY}" if path == PLOTLY else f"/static/{path}"
        return RedirectResponse(plain, status_code=307, headers={"Cache-Control": "no-cache"})
    if path == PLOTLY:
        return plotly_reply(request, IMMUTABLE)
    response = await _files(static_dir).get_response(path, request.scope)
    if response.status_code == 200:
        response.headers["Cache-Control"] = IMMUTABLE
    return response
