"""The app's Prometheus metrics, kept by ``prometheus_client``: requests, latency, bytes, process info.

One process: each :class:`Metrics` has its own registry (two apps in one process count apart).

Several uvicorn workers: ``prometheus_client``'s multiprocess mode. Every worker writes its
values to memory-mapped files (one set per pid) in the directory named by the environment
variable ``PROMETHEUS_MULTIPROC_DIR``, and ``/metrics``, whichever worker answers it, reports
the sum over all workers, dead ones included (their counts stay; their in-progress gauge
leaves the sum once :meth:`Metrics.close` marks them dead). ``prometheus_client`` reads the
variable once, when it is imported, so it must be set before the worker starts:
``schedule-explorer serve`` sets it to the ``metrics_dir`` setting (a fresh temporary directory
when there are several workers and no ``metrics_dir``). Start with an empty directory.

Example::

    >>> m = Metrics()
    >>> m.observe("GET", "/healthz", 200, 0.002, 15)
    >>> 'schedule_explorer_requests_total{method="GET",route="/healthz",status="200"} 1.0' in m.render().decode()
    True
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import InfoMetricFamily, Metric

from .. import __version__

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Upper bounds (seconds) of the latency histogram; ``+Inf`` is implied."""
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""What :meth:`Metrics.render` gives: the Prometheus text format 0.0.4."""

disable_created_metrics()  # no *_created series: the multiprocess collector has none either


def multiprocess_mode() -> bool:
    """Whether ``prometheus_client`` keeps values in per-process files (it chose on import)."""
    return values.ValueClass is not values.MutexValue


def _shared_dir(metrics_dir: Path | None) -> Path | None:
    """The directory the workers share, or ``None`` for one process; checks it can work."""
    env = os.environ.get(MULTIPROC_ENV)
    if not multiprocess_mode():
        if metrics_dir is None:
            return None
        raise ValueError(
            f"metrics_dir {str(metrics_dir)!r} needs {MULTIPROC_ENV}={metrics_dir} in the environment "
            "before the process starts (prometheus_client reads it once, on import); "
            "`schedule-explorer serve` sets it"
        )
    directory = Path(env) if env else metrics_dir
    if directory is None or not directory.is_dir():
        raise ValueError(f"{MULTIPROC_ENV} should be an existing directory, but given {env!r}")
    if metrics_dir is not None and Path(metrics_dir).resolve() != directory.resolve():
        raise ValueError(f"metrics_dir should be {MULTIPROC_ENV} ({env!r}), but given {str(metrics_dir)!r}")
    return directory


class _BuildInfo:
    """``schedule_explorer_build_info{version,python,pid} 1`` of the answering worker."""

    def collect(self) -> Iterator[Metric]:
        python = ".".join(map(str, sys.version_info[:3]))
        yield InfoMetricFamily(
            "schedule_explorer_build",
            "Version of the app, Python and the answering worker's pid.",
            value={"version": __version__, "python": python, "pid": str(os.getpid())},
        )


class Metrics:
    """The request metrics of one app; :meth:`render` gives the Prometheus text (format 0.0.4).

    Args:
        metrics_dir: the directory the workers share (must be ``$PROMETHEUS_MULTIPROC_DIR``);
            ``None``: that variable's directory in multiprocess mode, else this process alone.

    Raises:
        ValueError: ``metrics_dir`` is given but ``prometheus_client`` was not imported in
            multiprocess mode, or the variable names another directory.
    """

    def __init__(self, metrics_dir: Path | None = None) -> None:
        self.shared_dir = _shared_dir(metrics_dir)
        self.registry = CollectorRegistry()
        # Multiprocess mode: the metrics write to the shared files and the registry reads all of
        # them back (registering the metrics too would count this worker twice).
        own = None if self.shared_dir is not None else self.registry
        self.requests = Counter(
            "schedule_explorer_requests_total",
            "HTTP requests by method, route template and status.",
            ("method", "route", "status"),
            registry=own,
        )
        self.duration = Histogram(
            "schedule_explorer_request_duration_seconds",
            "Request latency by route template.",
            ("route",),
            buckets=BUCKETS,
            registry=own,
        )
        self.response_bytes = Counter(
            "schedule_explorer_response_bytes_total",
            "Response body bytes sent by route template.",
            ("route",),
            registry=own,
        )
        self.in_progress = Gauge(
            "schedule_explorer_requests_in_progress",
            "Requests being served (summed over the live workers).",
            registry=own,
            multiprocess_mode="livesum",
        )
        if self.shared_dir is not None:
            multiprocess.MultiProcessCollector(self.registry, path=str(self.shared_dir))
        ProcessCollector(registry=self.registry)  # process_*: the answering worker (Linux)
        self.registry.register(_BuildInfo())

    def observe(self, method: str, route: str, status: int, seconds: float, nbytes: int) -> None:
        """Count one finished request."""
        self.requests.labels(method, route, str(status)).inc()
        self.duration.labels(route).observe(seconds)
        self.response_bytes.labels(route).inc(nbytes)

    def render(self) -> bytes:
        """Every metric in the Prometheus text format (:data:`CONTENT_TYPE`), workers summed."""
        return generate_latest(self.registry)

    def close(self) -> None:
        """On worker exit: drop this worker's in-progress gauge from the sum (its counts stay)."""
        if self.shared_dir is not None:
            multiprocess.mark_process_dead(os.getpid(), str(self.shared_dir))
