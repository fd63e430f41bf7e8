"""Hostile requests get a 4xx quickly, never a 500, without the process's memory growing.

The battery runs in a fresh subprocess (this file as a script) so that ``ru_maxrss`` measures
only it: after one warm-up request per endpoint (imports, caches), the peak RSS may grow by
less than 200 MB across every hostile request. Time bounds are generous (< 5 s per request):
they catch a request that computes instead of refusing, not a slow machine.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = ("/api/v1/series", "/api/v1/figure", "/api/v1/code", "/api/v1/links")
COSINE = {"type": "CosineAnnealingScheduler", "start_value": 0.1, "end_value": 0.0, "cycle_size": 10}


def exp(num_events=100, groups=None, schedulers=None) -> dict:
    return {
        "num_events": num_events,
        "param_groups": groups or [{"name": "g", "lr": 0.1}],
        "schedulers": schedulers or [COSINE],
    }


def raw(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def bodies() -> dict[str, bytes]:
    """Name → request body of every hostile case."""
    seed = json.dumps(exp())
    overflow = {**COSINE, "start_value": 1e12, "end_value": 1e12, "cycle_size": 2}
    overflow |= {"start_value_mult": 1000.0, "end_value_mult": 1000.0}
    return {
        "nested_arrays_100k": b"[" * 100_000 + b"]" * 100_000,
        "nested_objects_50k": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        "nested_in_a_field": raw(seed.replace('"g"', "[" * 100_000 + "]" * 100_000)),
        "nan": raw(seed.replace("0.1", "NaN", 1)),
        "infinity": raw(seed.replace("0.1", "Infinity", 1)),
        "minus_infinity": raw(seed.replace("0.1", "-Infinity", 1)),
        "1e308": raw(seed.replace("0.1", "1e308", 1)),
        "1e999": raw(seed.replace("0.1", "1e999", 1)),
        "int_5000_digits": raw(seed.replace("100", "1" + "0" * 5000, 1)),
        "overflow_to_inf": raw(json.dumps(exp(400, schedulers=[overflow]))),
        "zero_events": raw(json.dumps(exp(0))),
        "negative_events": raw(json.dumps(exp(-5))),
        "events_1e12": raw(json.dumps(exp(10**12))),
        "events_1e400": raw(seed.replace("100", "1" + "0" * 400, 1)),
        "cycle_size_zero": raw(json.dumps(exp(schedulers=[{**COSINE, "cycle_size": 0}]))),
        "cycle_size_negative": raw(json.dumps(exp(schedulers=[{**COSINE, "cycle_size": -10}]))),
        "1000_schedulers": raw(json.dumps(exp(schedulers=[COSINE] * 1000))),
        "5000_schedulers": raw(json.dumps(exp(schedulers=[COSINE] * 5000))),
        "1000_groups": raw(json.dumps(exp(groups=[{"name": f"g{i}", "lr": 0.1} for i in range(1000)]))),
        "5000_groups": raw(json.dumps(exp(groups=[{"name": "g", "lr": 0.1}] * 5000))),
        "10k_keys_in_group": raw(
            json.dumps(exp(groups=[{"name": "g", **{f"p{i}": 0.1 for i in range(10_000)}}]))
        ),
        "long_name_100k": raw(json.dumps(exp(groups=[{"name": "x" * 100_000, "lr": 0.1}]))),
        "lone_surrogate": raw(seed.replace('"g"', '"\\ud800"')),
        "nul_in_name": raw(seed.replace('"g"', '"a\\u0000b"')),
        "not_utf8": b'{"num_events": "\xff\xfe"}',
        "not_json": b"{not json",
        "empty": b"",
        "null": b"null",
        "huge_2mb": b'{"num_events": 1, "x": "' + b"a" * 2_000_000 + b'"}',
        "20M_values_over_budget": raw(
            json.dumps(exp(10_000_000, [{"name": f"g{i}", "lr": 0.1} for i in range(32)], [COSINE] * 32))
        ),
    }


ACCEPTED = {
    "/api/v1/code overflow_to_inf",  # code export and links compute nothing: valid documents
    "/api/v1/code 20M_values_over_budget",
    "/api/v1/links overflow_to_inf",
}
LINK_IDS = ["..%2F..%2Fetc%2Fpasswd", "a" * 10_000, "é" * 12, "%F0%9F%98%80" * 4, "%00" * 12, "AAAAAAAAAAA="]


def battery() -> dict:
    """Run every case against a TestClient; return statuses, times and the RSS growth."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from app.main import create_app
    from app.settings import Settings

    client = TestClient(create_app(Settings(data_dir=tempfile.mkdtemp())), raise_server_exceptions=False)
    for path in ENDPOINTS:  # warm-up: imports (torch, plotly), first allocations
        assert client.post(path, json=exp()).status_code < 300
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results = {}
    headers = {"Content-Type": "application/json"}
    for name, body in bodies().items():
        for path in ENDPOINTS:
            t = time.perf_counter()
            r = client.post(path, content=body, headers=headers)
            results[f"{path} {name}"] = (r.status_code, time.perf_counter() - t, r.text[:300])
    for lid in LINK_IDS:
        for prefix in ("/api/v1/links/", "/s/"):
            t = time.perf_counter()
            r = client.get(prefix + lid)
            results[f"GET {prefix}{lid[:20]}"] = (r.status_code, time.perf_counter() - t)
    rss_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    return {"results": results, "rss_growth_mb": rss_mb}


def test_hostile_battery_is_refused_fast_without_memory_growth():
    proc = subprocess.run(
        [sys.executable, __file__], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.splitlines()[-1])
    ok = {k for k, (status, seconds, *_) in out["results"].items() if 400 <= status < 500 and seconds < 5}
    bad = {k: v for k, v in out["results"].items() if k not in ok and k not in ACCEPTED}
    assert bad == {}
    assert len(out["results"]) == len(bodies()) * len(ENDPOINTS) + 2 * len(LINK_IDS)
    assert {v[0] for k, v in out["results"].items() if "huge_2mb" in k} == {413}
    for name, problem in (("nested_arrays_100k", "nested too deeply"), ("int_5000_digits", "digits")):
        assert {problem in v[2] for k, v in out["results"].items() if name in k} == {True}
    assert out["rss_growth_mb"] < 200, out["rss_growth_mb"]


def test_time_budget_refuses_closed_form_work_before_computing(make_client):
    c = make_client(request_time_budget_s=0.01)
    big = exp(1_000_000)
    for path in ("/api/v1/series?max_points=100", "/api/v1/figure", "/api/v1/links"):
        t = time.perf_counter()
        r = c.post(path, json=big)
        assert r.status_code == 422, r.text
        (e,) = r.json()["detail"]
        assert e["type"] == "over_time_budget" and e["loc"][-1] == "num_events"
        assert "0.01 s budget" in e["msg"]
        assert time.perf_counter() - t < 5
    assert c.post("/api/v1/series?max_points=100", json=exp(1000)).status_code == 200
    assert c.post("/api/v1/code", json=big).status_code == 200  # nothing computed


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(battery()))
