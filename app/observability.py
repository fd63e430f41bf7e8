"""Access logs and Prometheus metrics: one pure-ASGI middleware and its in-process registry.

Every HTTP request gives one JSON line on the ``schedule_explorer.access`` logger (method, path,
route, status, latency_ms, bytes, request_id) and updates the counters served at ``/metrics``
in the Prometheus text format (version 0.0.4). The logger has no handler until
:data:`LOG_CONFIG` is applied (``schedule-explorer serve`` does), so importing or testing the app
prints nothing. Metrics live in the process: with several uvicorn workers each worker answers
``/metrics`` with its own numbers (labelled with its ``pid``).
"""

from __future__ import annotations

import logging
import os
import re
import resource
import sys
import threading
import time
import uuid
from bisect import bisect_left
from collections import defaultdict
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import __version__

ACCESS_LOGGER = "schedule_explorer.access"
METRICS_PATH = "/metrics"
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Upper bounds (seconds) of the latency histogram; ``+Inf`` is implied."""
UNMATCHED = "<unmatched>"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_START_TIME = time.time()

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


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


def _number(x: float) -> str:
    return repr(float(x)) if isinstance(x, float) else str(x)


class Metrics:
    """Request counters and latency histograms (thread-safe), rendered as Prometheus text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        self.response_bytes: defaultdict[str, int] = defaultdict(int)
        self.buckets: defaultdict[str, list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self.latency_sum: defaultdict[str, float] = defaultdict(float)
        self.in_progress = 0

    def observe(self, method: str, route: str, status: int, seconds: float, nbytes: int) -> None:
        """Count one finished request."""
        with self._lock:
            self.requests[(method, route, str(status))] += 1
            self.response_bytes[route] += nbytes
            self.buckets[route][bisect_left(BUCKETS, seconds)] += 1
            self.latency_sum[route] += seconds

    def render(self) -> str:
        """The Prometheus text exposition of every metric, process info included."""
        with self._lock:
            requests = sorted(self.requests.items())
            sent = sorted(self.response_bytes.items())
            hist = sorted((r, list(c), self.latency_sum[r]) for r, c in self.buckets.items())
            in_progress = self.in_progress
        out = [
            "# HELP schedule_explorer_requests_total HTTP requests by method, route template and status.",
            "# TYPE schedule_explorer_requests_total counter",
        ]
        for (method, route, status), n in requests:
            out.append(
                f"schedule_explorer_requests_total{_labels(method=method, route=route, status=status)} {n}"
            )
        out += [
            "# HELP schedule_explorer_request_duration_seconds Request latency by route template.",
            "# TYPE schedule_explorer_request_duration_seconds histogram",
        ]
        for route, counts, total in hist:
            cumulative = 0
            for le, n in zip((*map(str, BUCKETS), "+Inf"), counts, strict=True):
                cumulative += n
                out.append(
                    f"schedule_explorer_request_duration_seconds_bucket{_labels(route=route, le=le)} {cumulative}"
                )
            out.append(f"schedule_explorer_request_duration_seconds_sum{_labels(route=route)} {total!r}")
            out.append(f"schedule_explorer_request_duration_seconds_count{_labels(route=route)} {cumulative}")
        out += [
            "# HELP schedule_explorer_response_bytes_total Response body bytes sent by route template.",
            "# TYPE schedule_explorer_response_bytes_total counter",
            *(f"schedule_explorer_response_bytes_total{_labels(route=r)} {n}" for r, n in sent),
            "# HELP schedule_explorer_requests_in_progress Requests being served by this process.",
            "# TYPE schedule_explorer_requests_in_progress gauge",
            f"schedule_explorer_requests_in_progress {in_progress}",
            *_process_lines(),
        ]
        return "\n".join(out) + "\n"


def _process_lines() -> list[str]:
    """Process info in the names of the Prometheus client libraries."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    python = ".".join(map(str, sys.version_info[:3]))
    info = _labels(version=__version__, python=python, pid=str(os.getpid()))
    lines = [
        "# HELP schedule_explorer_build_info Version of the app, Python and the worker's pid.",
        "# TYPE schedule_explorer_build_info gauge",
        f"schedule_explorer_build_info{info} 1",
        "# HELP process_start_time_seconds Start time of the process since the Unix epoch.",
        "# TYPE process_start_time_seconds gauge",
        f"process_start_time_seconds {_START_TIME!r}",
        "# HELP process_cpu_seconds_total User and system CPU time spent, in seconds.",
        "# TYPE process_cpu_seconds_total counter",
        f"process_cpu_seconds_total {usage.ru_utime + usage.ru_stime!r}",
    ]
    try:
        with open("/proc/self/statm") as f:
            rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # pragma: no cover - not Linux
        return lines
    return lines + [
        "# HELP process_resident_memory_bytes Resident memory size in bytes.",
        "# TYPE process_resident_memory_bytes gauge",
        f"process_resident_memory_bytes {rss}",
    ]


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/api/v1/links/{link_id}``), bounded in number."""
    included = (scope.get("fastapi") or {}).get("effective_route_context")  # FastAPI >= 0.160
    path = getattr(included, "path", None) or getattr(scope.get("route"), "path", None)
    if path:
        return path
    if scope.get("path", "").startswith("/static/"):
        return "/static/{path}"
    if "endpoint" in scope:  # a plain Starlette route (/docs, /openapi.json): fixed paths
        return scope["path"]
    return UNMATCHED


class Observability:
    """Log one JSON line per request, count it, and answer ``GET /metrics``."""

    def __init__(self, app: ASGIApp, metrics: Metrics | None = None) -> None:
        self.app = app
        self.metrics = metrics or Metrics()

    async def _serve_metrics(self, send: Send) -> None:
        body = self.metrics.render().encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/plain; version=0.0.4; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

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
