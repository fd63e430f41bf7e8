"""GET /docs (Swagger UI) and GET /redoc (ReDoc): interactive API docs, offline and under the CSP.

The app's Content-Security-Policy allows scripts from the app itself only (no CDN, no inline
script, no ``eval``). So the viewers' files come from the installed ``fastapi-offline`` package
(Swagger UI 5 and ReDoc 2, read from its ``static/`` folder, never copied into this repository)
and are served under ``/docs/assets/``; Swagger UI is started by ``/docs/swagger-init.js``, a
same-origin file that reads its settings from ``data-`` attributes of the page. ReDoc starts
itself from its ``<redoc spec-url=...>`` element, search off (its search runs in a ``blob:``
worker, which ``script-src 'self'`` forbids); its bundle is served with its one outside URL (a
logo on a CDN) replaced. Without JavaScript, /docs still lists every operation (``<noscript>``).
``tests/browser/test_docs_browser.py`` proves both pages render in Chromium under the real policy
with no violation, and that "Try it out" works.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import FileResponse, HTMLResponse, Response

router = APIRouter(include_in_schema=False)

METHODS = ("get", "post", "put", "patch", "delete")
ASSET_PACKAGE = "fastapi_offline"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
"""The files served under /docs/assets/, from the asset package's ``static/`` folder."""
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"

SWAGGER_INIT = """\
// Starts Swagger UI on #swagger-ui (a file, not an inline script: the CSP allows no inline script).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    displayRequestDuration: true,
    validatorUrl: null, // offline: no badge fetched from the public validator
  });
})();
"""


@lru_cache(maxsize=1)
def asset_dir() -> Path:
    """The ``static/`` folder of the installed asset package (found without importing it)."""
    spec = importlib.util.find_spec(ASSET_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"/docs needs the {ASSET_PACKAGE} package: pip install fastapi-offline")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def _operation(path: str, method: str, op: dict[str, Any]) -> str:
    params = ", ".join(f"{escape(p['name'])} ({escape(p.get('in', ''))})" for p in op.get("parameters", []))
    body = "JSON body; " if "requestBody" in op else ""
    replies = ", ".join(escape(str(code)) for code in op.get("responses", {}))
    return (
        f"<tr><td><code>{method.upper()} {escape(path)}</code></td>"
        f"<td>{escape(op.get('summary', ''))}</td>"
        f"<td>{body}{params or '—'}</td><td>{replies}</td></tr>"
    )


def operations_table(schema: dict[str, Any]) -> str:
    """Every operation of an OpenAPI ``schema`` as an HTML table (every string escaped)."""
    rows = [
        _operation(path, method, op)
        for path, item in schema.get("paths", {}).items()
        for method, op in item.items()
        if method in METHODS
    ]
    return (
        "<table><thead><tr><th>operation</th><th>summary</th><th>input</th><th>replies</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _title(schema: dict[str, Any]) -> str:
    info = schema.get("info", {})
    return escape(f"{info.get('title', 'API')} {info.get('version', '')}".strip())


def render(schema: dict[str, Any], root: str = "", openapi_url: str = "/openapi.json") -> str:
    """The Swagger UI page for an OpenAPI ``schema`` served under the path prefix ``root``."""
    assets = f"{root}/docs/assets"
    url = escape(root + openapi_url)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_title(schema)} — API</title>"
        f"<link rel='icon' href='{assets}/favicon.png'>"
        f"<link rel='stylesheet' href='{assets}/swagger-ui.css'></head><body>"
        f"<div id='swagger-ui' data-openapi-url='{url}'></div>"
        f"<noscript><main><h1>{_title(schema)}</h1><p>Machine-readable schema: "
        f"<a href='{url}'>{url}</a>. Errors are JSON "
        '<code>{"detail": [{"loc", "msg", "type"}]}</code>.</p>'
        f"{operations_table(schema)}</main></noscript>"
        f"<script src='{assets}/swagger-ui-bundle.js'></script>"
        f"<script src='{root}/docs/swagger-init.js'></script></body></html>"
    )


def render_redoc(schema: dict[str, Any], root: str = "", openapi_url: str = "/openapi.json") -> str:
    """The ReDoc page: ReDoc reads its options from the ``<redoc>`` element's attributes."""
    assets = f"{root}/docs/assets"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_title(schema)} — API (ReDoc)</title>"
        f"<link rel='icon' href='{assets}/favicon.png'></head><body>"
        f"<redoc spec-url='{escape(root + openapi_url)}' disable-search></redoc>"
        f"<noscript><p>ReDoc needs JavaScript: <a href='{root}/docs'>{root}/docs</a> lists every "
        "operation without it.</p></noscript>"
        f"<script src='{assets}/redoc.standalone.js'></script></body></html>"
    )


def _root(request: Request) -> str:
    return request.scope.get("root_path", "").rstrip("/")


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    return HTMLResponse(render(request.app.openapi(), _root(request), request.app.openapi_url))


@router.get("/docs/swagger-init.js")
def swagger_init() -> Response:
    return Response(SWAGGER_INIT, media_type="text/javascript; charset=utf-8")


@lru_cache(maxsize=1)
def redoc_js() -> bytes:
    """ReDoc's bundle with its one outside URL, the side menu's logo, made an empty image.

    The logo is fetched from a CDN on every page view; the CSP blocks it (a console error) and
    offline it fails anyway. ``data:,`` fails to decode and ReDoc drops the ``<img>`` on error.
    """
    js = (asset_dir() / "redoc.standalone.js").read_bytes()
    if js.count(REDOC_LOGO) != 1:
        raise RuntimeError(f"{ASSET_PACKAGE}'s ReDoc no longer has one {REDOC_LOGO.decode()}: check /redoc")
    return js.replace(REDOC_LOGO, b"data:,")


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> Response:
    media_type = ASSETS.get(name)
    if media_type is None:
        raise HTTPException(404, "Not Found")
    if name == "redoc.standalone.js":
        return Response(redoc_js(), media_type=media_type)
    return FileResponse(asset_dir() / name, media_type=media_type)


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    return HTMLResponse(render_redoc(request.app.openapi(), _root(request), request.app.openapi_url))
