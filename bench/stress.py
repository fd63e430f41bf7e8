"""Stress test: the "Done when" figures of the reliability issue, against one uvicorn worker.

1. **Big downloads**: three parallel full ``/series`` downloads at the caps (32 param groups,
   as many events as the caps accept), as JSON and then as CSV: peak and after-reply resident
   memory of the worker, and ``/healthz`` latency meanwhile.
2. **Heavy next to cheap**: 32 wrk connections of varied (uncached) 10k-event ``/series`` for
   ``--duration`` seconds against ``--workers`` workers (2, as ``bench.load``) while one client
   loops the most expensive request the time budget accepts (a stepped warm-up around
   OneCycleLR on 32 groups, run in a child process): errors, p50/p99 of the cheap requests,
   and the heavy client's replies.

    python -m bench.stress                  # both parts, 60 s of load
    python -m bench.stress --part downloads
    python -m bench.stress --part load --duration 20

Needs Debian's ``wrk`` for part 2. Linux only (reads ``/proc``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.server import start_server, stop_server

MB = 2**20


def proc_kb(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` field in kB (``VmRSS``, ``VmHWM``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def download_experiment(start: float) -> dict:
    """The largest full download the server's caps accept: 32 param groups (the cap), one
    cosine schedule over all of them, as many events as the caps allow."""
    from app.contract.errors import ApiError
    from app.contract.schemas import Experiment
    from app.service.limits import check_caps
    from app.settings import Settings

    settings = Settings()
    groups = [{"name": f"g{i}", "lr": 0.1} for i in range(settings.max_param_groups)]
    sched = {"type": "CosineAnnealingScheduler", "param_name": "lr", "start_value": start,
             "end_value": 1e-4, "cycle_size": 1000, "cycle_mult": 1.5}  # fmt: skip

    def accepted(n: int, output: str) -> bool:
        exp = Experiment.model_validate({"num_events": n, "param_groups": groups, "schedulers": [sched]})
        try:
            check_caps(exp, settings, output=output)
        except ApiError:
            return False
        return True

    lo, hi = 1, settings.max_download_events
    while lo < hi:  # the largest n both outputs accept
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if accepted(mid, "series") and accepted(mid, "csv") else (lo, mid - 1)
    return {"num_events": lo, "param_groups": groups, "schedulers": [sched]}


def post(base_url: str, path: str, body: dict, timeout: float = 300) -> tuple[int, int]:
    """POST ``body``; read the reply in 1 MB pieces and drop it. Returns (status, bytes)."""
    url = urlsplit(base_url)
    con = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        con.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        reply = con.getresponse()
        size = 0
        while piece := reply.read(MB):
            size += len(piece)
        return reply.status, size
    finally:
        con.close()


def healthz_latencies(base_url: str, stop: threading.Event, out: list[float]) -> None:
    url = urlsplit(base_url)
    while not stop.is_set():
        con = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        t = time.perf_counter()
        con.request("GET", "/healthz")
        con.getresponse().read()
        out.append(time.perf_counter() - t)
        con.close()
        time.sleep(0.02)


def downloads(base_url: str, pid: int) -> bool:
    """Part 1; prints its table and returns whether the targets are met."""
    print("== 1. three parallel full downloads at the caps, one worker ==")
    small = {**download_experiment(0.1), "num_events": 1000}
    for fmt in ("json", "csv"):  # warm up: the first request imports the library
        post(base_url, f"/api/v1/series?format={fmt}", small)
    base_kb = proc_kb(pid, "VmRSS")
    stop, idle = threading.Event(), []
    threading.Timer(3.0, stop.set).start()
    healthz_latencies(base_url, stop, idle)  # the baseline, same run: no download
    idle_ms = sorted(x * 1000 for x in idle)
    print(
        f"worker RSS at start: {base_kb / 1024:.0f} MB; /healthz alone: p50 {statistics.median(idle_ms):.1f} ms, "
        f"p99 {idle_ms[min(len(idle_ms) - 1, int(0.99 * len(idle_ms)))]:.1f} ms, max {idle_ms[-1]:.1f} ms"
    )
    ok = True
    for fmt in ("json", "csv"):
        ok &= download_round(base_url, pid, fmt)
    return ok


def download_round(base_url: str, pid: int, fmt: str) -> bool:
    """Three parallel downloads as ``fmt``: one line of figures; whether the targets are met."""
    exps = [download_experiment(0.1 + i * 1e-3 + (fmt == "csv") * 1e-2) for i in range(3)]
    stop, lat, results, peak = threading.Event(), [], [], [0]

    def watch_rss() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], proc_kb(pid, "VmRSS"))
            time.sleep(0.01)

    def download(exp: dict) -> None:
        results.append(post(base_url, f"/api/v1/series?format={fmt}", exp))

    helpers = [
        threading.Thread(target=healthz_latencies, args=(base_url, stop, lat)),
        threading.Thread(target=watch_rss),
    ]
    clients = [threading.Thread(target=download, args=(e,)) for e in exps]
    for t in helpers + clients:
        t.start()
    t0 = time.perf_counter()
    for c in clients:
        c.join()
    wall = time.perf_counter() - t0
    stop.set()
    for t in helpers:
        t.join()
    time.sleep(0.5)
    after_kb = proc_kb(pid, "VmRSS")
    statuses = sorted(s for s, _ in results)
    size = max(n for _, n in results)
    lat_ms = sorted(x * 1000 for x in lat)
    p99 = lat_ms[min(len(lat_ms) - 1, int(0.99 * len(lat_ms)))]
    met = statuses == [200, 200, 200] and peak[0] < 400 * 1024 and p99 < 50
    print(
        f"{fmt:<4} {exps[0]['num_events']:>8} events x 32 groups: statuses {statuses}, "
        f"{size / MB:.0f} MB each, {wall:.1f} s; worker RSS peak {peak[0] / 1024:.0f} MB, "
        f"after {after_kb / 1024:.0f} MB; /healthz p50 {statistics.median(lat_ms):.1f} ms, "
        f"p99 {p99:.1f} ms, max {lat_ms[-1]:.1f} ms ({len(lat_ms)} probes) -> "
        f"{'met' if met else 'NOT met'} (peak < 400 MB, /healthz p99 < 50 ms)"
    )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("all", "downloads", "load"), default="all")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers of part 2")
    args = parser.parse_args()
    if args.part in ("all", "load") and shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other jobs skew times)")
    with tempfile.TemporaryDirectory() as tmp:
        if args.part in ("all", "downloads"):
            server, base_url = start_server(tmp, workers=1)
            try:
                downloads(base_url, server.pid)
            finally:
                stop_server(server)
        if args.part in ("all", "load"):
            server, base_url = start_server(tmp, workers=args.workers)
            try:
                heavy_next_to_cheap(base_url, Path(tmp), args.duration)
            finally:
                stop_server(server)


def heaviest_accepted() -> dict:
    """The most expensive request the time budget accepts: a warm-up around OneCycleLR (stepped:
    its closed form declines with several groups) on 32 groups, as many events as fit."""
    from app.contract.schemas import Experiment
    from app.service.limits import step_seconds_per_event
    from app.settings import Settings

    settings = Settings()
    body = {
        "num_events": 1,
        "param_groups": [{"name": f"g{i}", "lr": 0.1} for i in range(settings.max_param_groups)],
        "schedulers": [
            {"type": "create_lr_scheduler_with_warmup", "warmup_start_value": 0.0, "warmup_duration": 100,
             "lr_scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 10**7}}
        ],
    }  # fmt: skip
    per_event = step_seconds_per_event(Experiment.model_validate(body))
    body["num_events"] = int(settings.request_time_budget_s / per_event)
    return body


def loop_heavy(base_url: str, stop: threading.Event, out: list[tuple[int, float]]) -> None:
    body = heaviest_accepted()
    i = 0
    while not stop.is_set():
        i += 1
        body["schedulers"][0]["warmup_start_value"] = i * 1e-9  # a new experiment every time
        start = time.perf_counter()
        status, _ = post(base_url, "/api/v1/series?max_points=2000", body, timeout=120)
        out.append((status, time.perf_counter() - start))


def heavy_next_to_cheap(base_url: str, workdir: Path, duration: int) -> bool:
    """Part 2; prints its table and returns whether the targets are met."""
    from bench.load import LUA, SERIES_10K

    print(f"== 2. 32 connections of 10k-event /series for {duration} s, one client looping the heaviest ==")
    body = json.dumps(SERIES_10K).replace("1e-07", "%s")
    script = workdir / "series.lua"
    script.write_text(LUA % {"method": "POST", "path": "/api/v1/series", "body": body, "random": "true"})
    wrk = ["wrk", "-t2", "-c32", f"-d{duration}s", "--timeout", "10s", "-s", str(script), base_url]

    def cheap_load() -> dict:
        out = subprocess.run(wrk, capture_output=True, text=True, check=True).stdout
        return json.loads(next(x for x in out.splitlines() if x.startswith("{")))

    def line(label: str, r: dict) -> str:
        rps = r["requests"] / (r["duration_us"] / 1e6)
        return f"{label:<22} {rps:>6.0f} req/s, p50 {r['p50_us'] / 1e3:>6.1f} ms, p99 {r['p99_us'] / 1e3:>6.1f} ms, {r['errors']} errors"

    alone = cheap_load()  # the baseline, same run
    print(line("cheap alone:", alone))
    stop, heavy = threading.Event(), []
    looper = threading.Thread(target=loop_heavy, args=(base_url, stop, heavy))
    looper.start()
    time.sleep(1.0)  # the heavy client first: its child process is running when the load starts
    beside = cheap_load()
    stop.set()
    looper.join()
    p99 = beside["p99_us"] / 1e3
    statuses = sorted({s for s, _ in heavy})
    met = beside["errors"] == 0 and p99 < 250 and set(statuses) <= {200, 503}
    print(line("cheap beside heavy:", beside) + f" (p99 x{beside['p99_us'] / alone['p99_us']:.2f} of alone)")
    times = [t for _, t in heavy]
    print(
        f"heavy client: {heaviest_accepted()['num_events']} events x 32 groups, stepped in a child: "
        f"{len(heavy)} replies {statuses}, {statistics.median(times) if times else 0:.1f} s median"
    )
    print(f"target (0 errors, cheap p99 < 250 ms beside the heavy client): {'met' if met else 'NOT met'}")
    return met


if __name__ == "__main__":
    main()
