"""Access logs and Prometheus metrics for every request: one pure-ASGI middleware.

Every HTTP request gives one JSON line on the ``schedule_explorer.access`` logger (method, path,
route, status, latency_ms, bytes, request_id) and updates the counters served at ``/metrics``
in the Prometheus text format (version 0.0.4). The logger has no handler until
:data:`LOG_CONFIG` is applied (``schedule-explorer serve`` does), so importing or testing the app
prints nothing. Metrics are counted in the process (:mod:`app.server.metrics`); workers given the same
``metrics_dir`` report their sum.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.server.metrics import Metrics
from app.server.middleware import send_bytes

ACCESS_LOGGER = "schedule_explorer.access"
METRICS_PATH = "/metrics"
UNMATCHED = "<unmatched>"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(message)s"},
        "default": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "access": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"},
        "default": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"},
    },
    "loggers": {
        ACCESS_LOGGER: {"handlers": ["access"], "level": "INFO", "propagate": False},
        "app": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}
"""``logging.config.dictConfig`` for serving: access lines as bare JSON on stderr, uvicorn's
own access log silenced (this module logs every request instead)."""

access_log = logging.getLogger(ACCESS_LOGGER)


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/api/v1/links/{link_id}``), bounded in number."""
    included = (scope.get("fastapi") or {}).get("effective_route_context")  # FastAPI >= 0.160
    path = getattr(included, "path", None) or getattr(scope.get("route"), "path", None)
    if path:
        return path
    if scope.get("path", "").startswith("/static/"):
        return "/static/{path}"
    if "endpoint" in scope and not scope.get("path_params"):  # a fixed Starlette route (/docs)
        return scope["path"]
    return UNMATCHED


class Observability:
    """Log one JSON line per request, count it, and answer ``GET /metrics``."""

    def __init__(self, app: ASGIApp, metrics_dir: Path | None = None) -> None:
        self.app = app
        self.metrics = Metrics(metrics_dir)

    async def _serve_metrics(self, send: Send) -> None:
        body = self.metrics.render().encode()
        content_type = b"text/plain; version=0.0.4; charset=utf-8"
        await send_bytes(send, 200, body, content_type, [(b"cache-control", b"no-store")])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        given = dict(scope.get("headers", ())).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID_RE.match(given) else uuid.uuid4().hex
        status, sent = 500, 0

        async def observed_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        is_metrics = scope["path"] == METRICS_PATH and scope["method"] in ("GET", "HEAD")
        self.metrics.in_progress += 1
        try:
            if is_metrics:
                await self._serve_metrics(observed_send)
            else:
                await self.app(scope, receive, observed_send)
        finally:
            self.metrics.in_progress -= 1
            seconds = time.perf_counter() - start
            route = METRICS_PATH if is_metrics else route_template(scope)
            self.metrics.observe(scope["method"], route, status, seconds, sent)
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    orjson.dumps(
                        {
                            "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                            "method": scope["method"],
                            "path": scope["path"],
                            "route": route,
                            "status": status,
                            "latency_ms": round(seconds * 1000, 3),
                            "bytes": sent,
                            "request_id": request_id,
                            "client": (scope.get("client") or ("", 0))[0],
                        }
                    ).decode()
                )
