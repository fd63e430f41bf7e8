"""An in-process Prometheus registry: request counters, latency histograms, process info.

Thread-safe and dependency-free. With several uvicorn workers, give every worker the same
``shared_dir``: each one writes its counts there (at most once a second, within a second of a
change) and ``/metrics``, whichever worker answers it, reports the sum over all workers.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import threading
import time
from bisect import bisect_left
from pathlib import Path
from typing import Any

from app import __version__

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Upper bounds (seconds) of the latency histogram; ``+Inf`` is implied."""
FLUSH_DELAY_S = 1.0
_START_TIME = time.time()

Snapshot = dict[str, dict[str, Any]]
"""``{"requests": {"METHOD\\troute\\tstatus": n}, "bytes": {route: n},
"buckets": {route: [n per bucket, +Inf last]}, "sums": {route: seconds}}``."""


def _empty() -> Snapshot:
    return {"requests": {}, "bytes": {}, "buckets": {}, "sums": {}}


def merge(snapshots: list[Snapshot]) -> Snapshot:
    """The sum of several workers' snapshots."""
    out = _empty()
    for snap in snapshots:
        for kind in ("requests", "bytes", "sums"):
            for key, n in snap[kind].items():
                out[kind][key] = out[kind].get(key, 0) + n
        for route, counts in snap["buckets"].items():
            mine = out["buckets"].setdefault(route, [0] * len(counts))
            out["buckets"][route] = [a + b for a, b in zip(mine, counts, strict=True)]
    return out


class Metrics:
    """Counts finished requests; :meth:`render` gives the Prometheus text (format 0.0.4)."""

    def __init__(self, shared_dir: Path | None = None, worker: str | None = None) -> None:
        self.shared_dir = None if shared_dir is None else Path(shared_dir)
        self.worker = worker or str(os.getpid())
        self._lock = threading.Lock()
        self._data = _empty()
        self._flush_pending = False
        self.in_progress = 0

    def observe(self, method: str, route: str, status: int, seconds: float, nbytes: int) -> None:
        """Count one finished request (and schedule a flush to ``shared_dir``)."""
        with self._lock:
            d = self._data
            key = f"{method}\t{route}\t{status}"
            d["requests"][key] = d["requests"].get(key, 0) + 1
            d["bytes"][route] = d["bytes"].get(route, 0) + nbytes
            d["buckets"].setdefault(route, [0] * (len(BUCKETS) + 1))[bisect_left(BUCKETS, seconds)] += 1
            d["sums"][route] = d["sums"].get(route, 0.0) + seconds
        if self.shared_dir is not None and not self._flush_pending:
            self._flush_pending = True
            try:
                asyncio.get_running_loop().call_later(FLUSH_DELAY_S, self.flush)
            except RuntimeError:  # no event loop (called from a thread): write now
                self.flush()

    def snapshot(self) -> Snapshot:
        with self._lock:
            return json.loads(json.dumps(self._data))

    def flush(self) -> None:
        """Write this worker's counts to ``shared_dir/worker-<id>.json`` (atomically)."""
        self._flush_pending = False
        if self.shared_dir is None:
            return
        path = self.shared_dir / f"worker-{self.worker}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.snapshot()))
        os.replace(tmp, path)

    def totals(self) -> Snapshot:
        """This worker's counts, or every worker's summed when they share a directory."""
        if self.shared_dir is None:
            return self.snapshot()
        self.flush()
        snaps = []
        for path in self.shared_dir.glob("worker-*.json"):
            try:
                snaps.append(json.loads(path.read_text()))
            except (OSError, ValueError):  # pragma: no cover - a worker replacing its file
                continue
        return merge(snaps)

    def render(self) -> str:
        """The Prometheus text exposition of every metric, process info included."""
        data = self.totals()
        out = [
            "# HELP schedule_explorer_requests_total HTTP requests by method, route template and status.",
            "# TYPE schedule_explorer_requests_total counter",
        ]
        for key, n in sorted(data["requests"].items()):
            method, route, status = key.split("\t")
            labels = _labels(method=method, route=route, status=status)
            out.append(f"schedule_explorer_requests_total{labels} {n}")
        out += [
            "# HELP schedule_explorer_request_duration_seconds Request latency by route template.",
            "# TYPE schedule_explorer_request_duration_seconds histogram",
        ]
        for route, counts in sorted(data["buckets"].items()):
            cumulative = 0
            for le, n in zip((*map(str, BUCKETS), "+Inf"), counts, strict=True):
                cumulative += n
                labels = _labels(route=route, le=le)
                out.append(f"schedule_explorer_request_duration_seconds_bucket{labels} {cumulative}")
            total = float(data["sums"].get(route, 0.0))
            out.append(f"schedule_explorer_request_duration_seconds_sum{_labels(route=route)} {total!r}")
            out.append(f"schedule_explorer_request_duration_seconds_count{_labels(route=route)} {cumulative}")
        out += [
            "# HELP schedule_explorer_response_bytes_total Response body bytes sent by route template.",
            "# TYPE schedule_explorer_response_bytes_total counter",
            *(
                f"schedule_explorer_response_bytes_total{_labels(route=r)} {n}"
                for r, n in sorted(data["bytes"].items())
            ),
            "# HELP schedule_explorer_requests_in_progress Requests being served by this worker.",
            "# TYPE schedule_explorer_requests_in_progress gauge",
            f"schedule_explorer_requests_in_progress {self.in_progress}",
            *_process_lines(),
        ]
        return "\n".join(out) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


def _process_lines() -> list[str]:
    """Info on the answering worker, in the names of the Prometheus client libraries."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    python = ".".join(map(str, sys.version_info[:3]))
    info = _labels(version=__version__, python=python, pid=str(os.getpid()))
    lines = [
        "# HELP schedule_explorer_build_info Version of the app, Python and the answering worker's pid.",
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
