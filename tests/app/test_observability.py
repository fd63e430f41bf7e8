"""Access logs (one JSON line per request) and the Prometheus ``/metrics`` endpoint."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest

from app.server.metrics import BUCKETS, MULTIPROC_ENV, Metrics
from app.server.observability import ACCESS_LOGGER
from bench.server import start_server

ROOT = Path(__file__).resolve().parents[2]

SAMPLE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$'
)
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Samples by metric name; asserts every line is valid Prometheus text (format 0.0.4)."""
    samples: dict[str, list[tuple[dict[str, str], float]]] = defaultdict(list)
    typed: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            assert kind in ("counter", "gauge", "histogram") and name not in typed
            typed[name] = kind
        elif line.startswith("# HELP "):
            continue
        else:
            m = SAMPLE.match(line)
            assert m, f"not a Prometheus sample: {line!r}"
            name, labels, value = m.group(1), dict(LABEL.findall(m.group(2) or "")), float(m.group(3))
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            assert name in typed or base in typed, f"{name} has no # TYPE"
            samples[name].append((labels, value))
    return samples


def count(samples, **labels) -> float:
    return sum(v for lab, v in samples["schedule_explorer_requests_total"] if labels.items() <= lab.items())


def test_one_json_line_per_request(client, seed, caplog):
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    r = client.post("/api/v1/series?max_points=50", json=seed)
    client.get("/api/v1/links/AAAAAAAAAAAA")
    lines = [json.loads(rec.getMessage()) for rec in caplog.records if rec.name == ACCESS_LOGGER]
    assert len(lines) == 3
    for line in lines:
        assert {"method", "path", "status", "latency_ms", "bytes", "request_id", "route"} <= line.keys()
        assert line["latency_ms"] >= 0
    health, series, link = lines
    assert health["request_id"] == "abc-123" and health["status"] == 200
    assert series["method"] == "POST" and series["path"] == "/api/v1/series"
    assert series["route"] == "/api/v1/series" and series["bytes"] == int(r.headers["content-length"])
    assert series["request_id"] == r.headers["x-request-id"] and len(series["request_id"]) == 32
    assert link["status"] == 404 and link["route"] == "/api/v1/links/{link_id}"


def test_hostile_request_id_is_replaced(client, caplog):
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    r = client.get("/healthz", headers={"X-Request-ID": 'a"b\\' + "x" * 100})
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"])


def test_no_access_log_output_without_configuration(client, capfd):
    client.get("/healthz")
    out, err = capfd.readouterr()
    assert '"request_id"' not in out + err


def test_metrics_count_requests_and_parse(client, seed):
    before = parse_metrics(client.get("/metrics").text)
    for _ in range(3):
        client.post("/api/v1/series?max_points=50", json=seed)
    client.post("/api/v1/series", json={"num_events": -1})
    client.get("/no/such/page")
    client.get("/api/v1/links/AAAAAAAAAAAA")
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain; version=0.0.4")
    after = parse_metrics(r.text)
    route = "/api/v1/series"
    assert count(after, route=route, status="200") - count(before, route=route, status="200") == 3
    assert count(after, route=route, status="422") - count(before, route=route, status="422") == 1
    assert count(after, route="<unmatched>", status="404") >= 1
    assert count(after, route="/api/v1/links/{link_id}", status="404") == 1
    assert count(after, route="/metrics", method="GET") >= 1
    assert {lab["route"] for lab, _ in after["schedule_explorer_requests_total"]} <= {
        route,
        "/metrics",
        "<unmatched>",
        "/api/v1/links/{link_id}",
    }
    assert "process_resident_memory_bytes" in after and "process_start_time_seconds" in after
    assert after["schedule_explorer_build_info"][0][0]["pid"] == str(os.getpid())


def test_histogram_buckets_are_monotone_and_match_count(client, seed):
    for n in (10, 50, 5000):
        client.post("/api/v1/series", json=seed | {"num_events": n})
    samples = parse_metrics(client.get("/metrics").text)
    buckets = [(lab, v) for lab, v in samples["schedule_explorer_request_duration_seconds_bucket"]]
    series_buckets = [(lab["le"], v) for lab, v in buckets if lab["route"] == "/api/v1/series"]
    assert [le for le, _ in series_buckets] == [*map(str, BUCKETS), "+Inf"]
    values = [v for _, v in series_buckets]
    assert values == sorted(values) and values[-1] == 3
    counts = {lab["route"]: v for lab, v in samples["schedule_explorer_request_duration_seconds_count"]}
    assert counts["/api/v1/series"] == 3
    sums = {lab["route"]: v for lab, v in samples["schedule_explorer_request_duration_seconds_sum"]}
    assert sums["/api/v1/series"] > 0


def test_413_is_counted(make_client):
    client = make_client(max_body_bytes=2048)
    assert client.post("/api/v1/series", content=b"x" * 5000).status_code == 413
    samples = parse_metrics(client.get("/metrics").text)
    assert count(samples, status="413") == 1


def test_route_labels_are_templates_of_the_app(client, caplog):
    """Mounts, fixed routes and wrong methods are labelled by template, as the router matched."""
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    client.get("/static/no-such-file.js")
    client.get("/docs")
    client.put("/api/v1/series")
    client.get("/s/AAAAAAAAAAAA")
    client.get("/api/v1/links/a/b")
    routes = [json.loads(r.getMessage())["route"] for r in caplog.records if r.name == ACCESS_LOGGER]
    assert routes == ["/static/{path}", "/docs", "/api/v1/series", "/s/{link_id}", "<unmatched>"]


def test_in_progress_gauge_is_back_to_zero(client):
    client.get("/healthz")
    samples = parse_metrics(client.get("/metrics").text)
    assert samples["schedule_explorer_requests_in_progress"] == [({}, 1.0)]  # the scrape itself
    assert samples["schedule_explorer_response_bytes_total"]


def test_metrics_dir_needs_prometheus_multiproc_dir_on_import(tmp_path):
    with pytest.raises(ValueError, match="PROMETHEUS_MULTIPROC_DIR"):
        Metrics(tmp_path)


WORKER = """
import sys
from pathlib import Path
from app.server.metrics import Metrics
m = Metrics(Path(sys.argv[1]))
for spec in sys.argv[2:]:
    method, route, status, seconds = spec.split()
    m.observe(method, route, int(status), float(seconds), 10)
m.in_progress.inc()  # a request still in flight when the worker stops
sys.stdout.write(m.render().decode())
m.close()
"""


def test_worker_processes_sharing_a_directory_report_their_sum(tmp_path):
    """prometheus_client's multiprocess mode: each worker process writes files, any one sums them."""

    def worker(*requests: str) -> str:
        env = {**os.environ, MULTIPROC_ENV: str(tmp_path)}
        cmd = [sys.executable, "-c", WORKER, str(tmp_path), *requests]
        return subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=True).stdout

    first = parse_metrics(worker(*["GET /healthz 200 0.001"] * 3))
    assert count(first, route="/healthz") == 3
    assert first["schedule_explorer_requests_in_progress"] == [({}, 1.0)]
    second = parse_metrics(worker("GET /healthz 200 0.2", "POST /api/v1/series 422 0.02"))
    assert count(second, route="/healthz") == 4 and count(second, status="422") == 1
    hist = {
        lab["le"]: v
        for lab, v in second["schedule_explorer_request_duration_seconds_bucket"]
        if lab["route"] == "/healthz"
    }
    assert (hist["0.005"], hist["0.25"], hist["+Inf"]) == (3, 4, 4)
    bytes_sent = {lab["route"]: v for lab, v in second["schedule_explorer_response_bytes_total"]}
    assert bytes_sent == {"/healthz": 40, "/api/v1/series": 10}
    # the first worker was marked dead on exit: its in-flight request left the sum
    assert second["schedule_explorer_requests_in_progress"] == [({}, 1.0)]
    assert not list(tmp_path.glob("gauge_livesum_*.db")), "both workers marked dead on exit"
    assert len(list(tmp_path.glob("counter_*.db"))) == 2


def test_serve_logs_json_lines_and_no_uvicorn_access_log(tmp_path):
    """``schedule-explorer serve --workers 2``: JSON lines on stderr (not uvicorn's access lines),
    /metrics summed over the workers."""
    proc, base_url = start_server(
        tmp_path,
        command=[sys.executable, "-m", "app.cli", "serve", "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(5):
            urllib.request.urlopen(f"{base_url}/healthz", timeout=5).read()
        text = urllib.request.urlopen(f"{base_url}/metrics", timeout=5).read().decode()
        assert count(parse_metrics(text), route="/healthz", status="200") >= 6, "summed over workers"
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(line["path"] == "/healthz" and line["status"] == 200 for line in lines)
    assert not [line for line in err.splitlines() if '"GET /healthz HTTP/1.1"' in line]
