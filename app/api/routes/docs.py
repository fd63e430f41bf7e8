"""GET /docs: the API reference as a plain HTML page built from the OpenAPI schema.

FastAPI's Swagger UI loads its scripts from a CDN and runs an inline script, which the app's
Content-Security-Policy (scripts from the app itself only) forbids. This page has no script at
all: every operation with its summary, parameters and replies, escaped text, and a link to
``/openapi.json`` for tools (Swagger UI, Redoc, schemathesis, client generators).
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

METHODS = ("get", "post", "put", "patch", "delete")


def _operation(path: str, method: str, op: dict[str, Any]) -> str:
    params = ", ".join(f"{escape(p['name'])} ({escape(p.get('in', ''))})" for p in op.get("parameters", []))
    body = "JSON body; " if "requestBody" in op else ""
    replies = ", ".join(escape(str(code)) for code in op.get("responses", {}))
    return (
        f"<tr><td><code>{method.upper()} {escape(path)}</code></td>"
        f"<td>{escape(op.get('summary', ''))}</td>"
        f"<td>{body}{params or '—'}</td><td>{replies}</td></tr>"
    )


def render(schema: dict[str, Any]) -> str:
    """The HTML page for an OpenAPI ``schema`` (every string escaped)."""
    info = schema.get("info", {})
    rows = [
        _operation(path, method, op)
        for path, item in schema.get("paths", {}).items()
        for method, op in item.items()
        if method in METHODS
    ]
    title = escape(f"{info.get('title', 'API')} {info.get('version', '')}")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title} — API</title><link rel='stylesheet' href='/static/style.css'></head>"
        f"<body><main><h1>{title}</h1>"
        "<p>Machine-readable schema: <a href='/openapi.json'>/openapi.json</a> "
        "(open it in any OpenAPI viewer). Errors are JSON "
        '<code>{"detail": [{"loc", "msg", "type"}]}</code>.</p>'
        "<table><thead><tr><th>operation</th><th>summary</th><th>input</th><th>replies</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></main></body></html>"
    )


@router.get("/docs")
def api_docs(request: Request) -> HTMLResponse:
    return HTMLResponse(render(request.app.openapi()))
