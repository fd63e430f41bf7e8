"""Access logs and Prometheus metrics for every request: one pure-ASGI middleware.

A client that hangs up before its reply is complete is counted as status 499, not 500
(:class:`~app.server.middleware.DisconnectWatch` notices it). Every HTTP request gives one JSON line on the ``schedule_explorer.access`` logger (method, path,
route, status, latency_ms, bytes, request_id) and updates the counters served at ``/metrics``
in the Prometheus text format (version 0.0.4). The logger has no handler until
:data:`LOG_CONFIG` is applied (``schedule-explorer serve`` does), so importing or testing the app
prints nothing. Metrics are kept by ``prometheus_client`` (:mod:`app.server.metrics`); workers
sharing ``PROMETHEUS_MULTIPROC_DIR`` report their sum.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson
from starlette.requests import ClientDisconnect
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..contract.errors import ClientGone
from .metrics import CONTENT_TYPE, Metrics
from .middleware import DISCONNECTED, send_bytes

ACCESS_LOGGER = "schedule_explorer.access"
METRICS_PATH = "/metrics"
UNMATCHED = "<unmatched>"
CLIENT_CLOSED = 499
"""The status logged and counted for a request whose client hung up before its reply was
complete (nginx's "client closed request"; never sent, there is no one to send it to)."""
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


try:  # FastAPI >= 0.160 keeps included routers nested: this lists their routes, prefixed
    from fastapi.routing import iter_route_contexts as _flat_routes
except ImportError:  # pragma: no cover - older FastAPI: app.routes is flat already

    def _flat_routes(routes: Sequence[BaseRoute]) -> Iterable[BaseRoute]:
        return routes


_flat_cache: weakref.WeakKeyDictionary[Any, tuple[int, list[Any]]] = weakref.WeakKeyDictionary()


def _routes_of(app: Any) -> list[Any]:
    """Every route of ``app`` (a Starlette/FastAPI app), included routers unrolled.

    Cached per app, and listed again when ``app.routes`` changes length."""
    routes = getattr(app, "routes", None)
    if not routes:
        return []
    cached = _flat_cache.get(app)
    if cached is None or cached[0] != len(routes):
        cached = _flat_cache[app] = (len(routes), list(_flat_routes(routes)))
    return cached[1]


def route_template(scope: Scope) -> str:
    """The path template of the route that will serve ``scope`` (``/api/v1/links/{link_id}``).

    Matches the incoming scope against the app's routes (``scope["app"]``, set by Starlette
    before any middleware runs) with the public ``BaseRoute.matches``, as the router does: the
    first full match wins, else the first partial one (wrong method: a 405). Mounts give their
    prefix and ``{path}`` (``/static/{path}``); no match gives ``<unmatched>``. The labels are
    thus the app's templates and nothing a client chooses, so their number stays bounded. Call
    it before the app runs: the router rewrites ``root_path`` when it enters a mount.
    """
    partial = None
    for route in _routes_of(scope.get("app")):
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return getattr(route, "path_format", None) or route.path
        if match is Match.PARTIAL and partial is None:
            partial = getattr(route, "path_format", None) or route.path
    return partial or UNMATCHED


class Observability:
    """Log one JSON line per request, count it, and answer ``GET /metrics``.

    On lifespan shutdown it marks the worker dead in the shared metrics directory (a worker
    killed outright, or run without lifespan, keeps its in-progress requests in the sum).
    """

    def __init__(self, app: ASGIApp, metrics_dir: Path | None = None) -> None:
        self.app = app
        self.metrics = Metrics(metrics_dir)

    async def _serve_metrics(self, send: Send) -> None:
        body = self.metrics.render()
        await send_bytes(send, 200, body, CONTENT_TYPE.encode(), [(b"cache-control", b"no-store")])

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def on_shutdown(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                self.metrics.close()
            await send(message)

        await self.app(scope, receive, on_shutdown)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
            return
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
        route = METRICS_PATH if is_metrics else route_template(scope)
        self.metrics.in_progress.inc()
        try:
            if is_metrics:
                await self._serve_metrics(observed_send)
            else:
                await self.app(scope, receive, observed_send)
        except (ClientGone, ClientDisconnect):  # nobody left to answer: no traceback, a 499
            status = CLIENT_CLOSED
        finally:
            gone = scope.get(DISCONNECTED)
            if gone is not None and gone.is_set():
                status = CLIENT_CLOSED
            self.metrics.in_progress.dec()
            seconds = time.perf_counter() - start
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
