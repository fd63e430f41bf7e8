"""POST /api/v1/code for optax schedules: the ``optax`` flavor's program runs real optax and
reproduces /series (float64: bit for bit; float32: within the float32 tolerance of
test_optax.py), the ``scheduler_core`` flavor's program too (bit for bit), and the flavors that
cannot write a type answer 422 naming the scheduler.

Under ``CI=true`` a missing jax/optax is a failure, elsewhere a skip.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

if os.environ.get("CI") == "true":
    import jax
    import optax  # noqa: F401
else:
    jax = pytest.importorskip("jax")
    pytest.importorskip("optax")

# optax imports absl, whose log handler keeps the sys.stderr of the moment (pytest's capture file)
# and closes it when a later test reconfigures logging (uvicorn's dictConfig): point it at the
# process's real stderr, which absl never closes.
from absl import logging as absl_logging  # noqa: E402

absl_logging.get_absl_handler().python_handler.stream = sys.__stderr__
from fastapi.testclient import TestClient  # noqa: E402

from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

SCHEDULES = [
    {"type": "optax.warmup_cosine_decay_schedule", "init_value": 0.0, "peak_value": 0.1, "warmup_steps": 30,
     "decay_steps": 250, "end_value": 1e-4, "exponent": 1.5},
    {"type": "optax.exponential_decay", "init_value": 0.1, "transition_steps": 17, "decay_rate": 0.8,
     "transition_begin": 5, "end_value": 0.01},
    {"type": "optax.piecewise_interpolate_schedule", "interpolate_type": "cosine", "init_value": 0.1,
     "boundaries_and_scales": {str(b): 0.9 for b in range(10, 200, 10)}},
    {"type": "optax.sgdr_schedule", "cosine_kwargs": [
        {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 10, "decay_steps": 90},
        {"init_value": 0.01, "peak_value": 0.05, "warmup_steps": 0, "decay_steps": 150, "exponent": 2.0}]},
    {"type": "optax.join_schedules", "schedules": [
        {"type": "optax.polynomial_schedule", "init_value": 0.0, "end_value": 0.1, "power": 2.5, "transition_steps": 40},
        {"type": "optax.piecewise_constant_schedule", "init_value": 0.1, "boundaries_and_scales": {"50": 0.5, "100": 0.1}},
        {"type": "optax.linear_onecycle_schedule", "transition_steps": 100, "peak_value": 0.2}],
     "boundaries": [40, 120]},
    {"type": "optax.cosine_onecycle_schedule", "transition_steps": 200, "peak_value": 0.3, "pct_start": 0.25},
]  # fmt: skip


def experiment(precision: str) -> dict:
    schedulers = [{**copy.deepcopy(s), "param_name": "lr", "precision": precision} for s in SCHEDULES]
    schedulers[1] |= {"param_name": "momentum", "param_group_index": 1}
    return {
        "num_events": 160,
        "param_groups": [
            {"name": "a", "lr": 0.1, "momentum": 0.9},
            {"name": "b", "lr": 0.2, "momentum": 0.8},
        ],
        "schedulers": schedulers,
    }


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path)), raise_server_exceptions=False) as c:
        yield c


def run(code: str) -> list[dict[str, list[float]]]:
    """Run a generated program in a fresh interpreter, as a user does (jax's default 32-bit
    mode; the program enables 64 bits itself when it needs them), and return its ``history``.

    Its own process also keeps jax's runtime out of the test process."""
    program = code + "\n\nimport json as _json, sys as _sys\n_json.dump(history, _sys.stdout)\n"
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("precision", ["float64", "float32"])
@pytest.mark.parametrize("flavor", ["optax", "scheduler_core"])
def test_export_reproduces_the_series(client, flavor, precision):
    exp = experiment(precision)
    r = client.post(f"/api/v1/code?flavor={flavor}", json=exp)
    assert r.status_code == 200, r.text
    code = r.json()["code"]
    if flavor == "optax":
        assert "import optax" in code and "scheduler_core" not in code
        assert ('jax.config.update("jax_enable_x64", True)' in code) == (precision == "float64")
    else:
        assert "from scheduler_core.optax import" in code and "import optax" not in code
    history = run(code)
    series = client.post("/api/v1/series", json=exp).json()["series"]
    assert len(series) == 4
    for s in series:
        got = np.asarray(history[s["param_group"]][s["param_name"]], dtype=np.float64)
        want = np.asarray(s["values"], dtype=np.float64)
        if precision == "float64" or flavor == "scheduler_core":
            assert np.array_equal(got, want), (s["group_name"], s["param_name"])
        else:  # optax's float32 cosf/powf against ours: a few float32 ulps (see test_optax.py)
            assert np.max(np.abs(got - want)) <= 8 * 2.0**-23 * 0.3, (s["group_name"], s["param_name"])


def test_flavors_refuse_other_libraries(client):
    exp = experiment("float64")
    exp["schedulers"].append(
        {"type": "CosineAnnealingScheduler", "start_value": 0.1, "end_value": 0.0, "cycle_size": 50}
    )
    r = client.post("/api/v1/code?flavor=optax", json=exp)
    assert r.status_code == 422
    item = r.json()["detail"][0]
    assert item["loc"] == ["body", "schedulers", 6, "type"] and "CosineAnnealingScheduler" in item["msg"]
    r = client.post("/api/v1/code?flavor=ignite", json=experiment("float64"))
    assert r.status_code == 422
    item = r.json()["detail"][0]
    assert item["loc"] == ["body", "schedulers", 0, "type"] and "optax" in item["msg"]
    assert client.post("/api/v1/code?flavor=scheduler_core", json=exp).status_code == 200


def test_optax_export_needs_one_precision(client):
    exp = experiment("float64")
    exp["schedulers"][2]["precision"] = "float32"
    r = client.post("/api/v1/code?flavor=optax", json=exp)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "schedulers", 2, "precision"]
