"""optax.* schedules through the API (no jax needed): the float64 and float32 variants of one
schedule side by side, the wire's string boundaries, and the 422s of the wire checks."""

from __future__ import annotations

import numpy as np
from apitest_helpers import one_group

from scheduler_core import optax as core

WARMUP_COSINE = {
    "type": "optax.warmup_cosine_decay_schedule",
    "init_value": 0.0,
    "peak_value": 0.1,
    "warmup_steps": 10,
    "decay_steps": 100,
}


def values(client, sched: dict, n: int = 120) -> np.ndarray:
    r = client.post("/api/v1/series", json=one_group(sched, num_events=n))
    assert r.status_code == 200, r.text
    return np.asarray(r.json()["series"][0]["values"])


def test_both_precisions_are_variants_of_one_schedule(client):
    exact = values(client, WARMUP_COSINE)
    single = values(client, {**WARMUP_COSINE, "precision": "float32"})
    expected = core.warmup_cosine_decay_schedule(0.0, 0.1, 10, 100)(np.arange(120))
    assert np.array_equal(exact, expected)
    assert np.array_equal(single, single.astype(np.float32))  # float32 values
    assert not np.array_equal(exact, single)
    assert np.max(np.abs(exact - single)) < 1e-8


def test_piecewise_boundaries_are_strings_on_the_wire(client):
    sched = {
        "type": "optax.piecewise_constant_schedule",
        "init_value": 1.0,
        "boundaries_and_scales": {"20": 0.5, "5": 0.1},
    }
    got = values(client, sched, 30)
    assert got[4] == 1.0 and got[5] == 0.1 and got[19] == 0.1 and got[20] == 0.05
    bad = {**sched, "boundaries_and_scales": {"1e2": 0.5}}
    r = client.post("/api/v1/series", json=one_group(bad, num_events=30))
    assert r.status_code == 422
    assert "boundaries_and_scales" in r.json()["detail"][0]["loc"]
    assert "digits" in r.json()["detail"][0]["msg"]


def test_wire_checks_name_the_field(client):
    r = client.post("/api/v1/series", json=one_group({**WARMUP_COSINE, "decay_steps": 10}, num_events=30))
    assert r.status_code == 422
    item = r.json()["detail"][0]
    assert item["loc"][-1] == "decay_steps" and "warmup_steps" in item["msg"]
    join = {
        "type": "optax.join_schedules",
        "schedules": [{"type": "optax.constant_schedule", "value": 1.0}] * 2,
        "boundaries": [],
    }
    r = client.post("/api/v1/series", json=one_group(join, num_events=30))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "boundaries"
    r = client.post(
        "/api/v1/series", json=one_group({**WARMUP_COSINE, "precision": "float16"}, num_events=30)
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "precision"


def test_restart_markers_at_the_joins(client):
    sgdr = {
        "type": "optax.sgdr_schedule",
        "cosine_kwargs": [{"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 2, "decay_steps": 10}] * 3,
    }
    r = client.post("/api/v1/series", json=one_group(sgdr, num_events=40))
    assert r.json()["series"][0]["restarts"] == [10, 20]
