"""POST /api/v1/code: the generated programs run (ignite and scheduler_core) and reproduce
/series exactly."""

from __future__ import annotations

import warnings

import pytest
from apitest_helpers import one_group

CHILD_LIN = {
    "type": "LinearCyclicalScheduler",
    "start_value": 0.0,
    "end_value": 0.1,
    "cycle_size": 20,
    "monotonic": True,
}
CHILD_COS = {
    "type": "CosineAnnealingScheduler",
    "start_value": 0.1,
    "end_value": 0.0,
    "cycle_size": 30,
    "cycle_mult": 1.5,
}
EXPERIMENTS = {
    "seed": None,
    "cyclical-mults-warmup": one_group(
        {
            "type": "CosineAnnealingScheduler",
            "param_name": "lr",
            "start_value": 0.1,
            "end_value": 0.01,
            "cycle_size": 7,
            "cycle_mult": 1.5,
            "start_value_mult": 0.9,
            "end_value_mult": 0.5,
            "warmup_duration": 3,
        },
        {
            "type": "LinearCyclicalScheduler",
            "param_name": "momentum",
            "start_value": 0.95,
            "end_value": 0.85,
            "cycle_size": 10,
        },
        num_events=120,
        momentum=0.9,
    ),
    "piecewise": one_group(
        {
            "type": "PiecewiseLinear",
            "param_name": "lr",
            "milestones_values": [[0, 0.0], [10, 0.1], [10, 0.05], [40, 0.0]],
        },
        num_events=60,
    ),
    "concat": {
        "num_events": 100,
        "param_groups": [{"name": "a", "lr": 0.1}, {"name": "b", "lr": 0.2}],
        "schedulers": [
            {
                "type": "ConcatScheduler",
                "param_name": "lr",
                "param_group_index": 1,
                "schedulers": [CHILD_LIN, CHILD_COS],
                "durations": [10],
            }
        ],
    },
    "lr_scheduler": {
        "num_events": 60,
        "param_groups": [{"name": "a", "lr": 0.1}, {"name": "b", "lr": 0.01}],
        "schedulers": [
            {
                "type": "LRScheduler",
                "lr_scheduler": {"type": "MultiStepLR", "milestones": [5, 20], "gamma": 0.5},
            }
        ],
    },
    "warmup": one_group(
        {
            "type": "create_lr_scheduler_with_warmup",
            "lr_scheduler": {"type": "CosineAnnealingWarmRestarts", "T_0": 10, "T_mult": 2},
            "warmup_start_value": 0.0,
            "warmup_duration": 5,
            "warmup_end_value": 0.2,
        },
        num_events=80,
    ),
    "onecycle": one_group(
        {
            "type": "LRScheduler",
            "lr_scheduler": {
                "type": "OneCycleLR",
                "max_lr": 0.5,
                "total_steps": 100,
                "anneal_strategy": "linear",
            },
        },
        num_events=100,
        momentum=0.9,
    ),
}


def run(code: str) -> list[dict[str, list[float]]]:
    namespace: dict = {"__name__": "generated"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, "<generated>", "exec"), namespace)  # noqa: S102 - the test's point
    return namespace["history"]


@pytest.mark.parametrize("flavor", ["scheduler_core", "ignite"])
@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_generated_code_reproduces_series(client, seed, flavor, name):
    exp = EXPERIMENTS[name] or seed
    r = client.post(f"/api/v1/code?flavor={flavor}", json=exp)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["flavor"] == flavor and body["filename"].endswith(".py")
    code = body["code"]
    if flavor == "ignite":
        assert "from ignite.engine import Engine, Events" in code
        assert "Events.ITERATION_STARTED" in code and "scheduler_core" not in code
    else:
        assert "ignite" not in code
    history = run(code)
    series = client.post("/api/v1/series", json=exp).json()["series"]
    for s in series:
        got = history[s["param_group"]][s["param_name"]]
        assert got == pytest.approx(s["values"], rel=1e-12, abs=0), (s["group_name"], s["param_name"])


def test_user_strings_are_only_literals(client):
    exp = one_group(
        {"type": "CosineAnnealingScheduler", "start_value": 1.0, "end_value": 0.0, "cycle_size": 4},
        num_events=3,
    )
    evil = "x'''\"\"\"); import os; os.system('echo pwned'); ('"
    exp["param_groups"][0]["name"] = evil
    code = client.post("/api/v1/code", json=exp).json()["code"]
    compile(code, "<generated>", "exec")
    assert repr(evil) in code
    ns: dict = {}
    exec(code.split("# One dummy")[0], ns)  # noqa: S102 - only the data part
    assert ns["param_groups"][0]["name"] == evil


def test_plain_python_download(client, seed):
    r = client.post("/api/v1/code?flavor=ignite&format=py", json=seed)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/x-python")
    assert 'filename="schedule_ignite.py"' in r.headers["content-disposition"]
    compile(r.text, "<generated>", "exec")
    tag = r.headers["etag"]
    again = client.post("/api/v1/code?flavor=ignite&format=py", json=seed, headers={"If-None-Match": tag})
    assert again.status_code == 304


def test_code_validates_but_does_not_compute(client, seed):
    seed["num_events"] = 900_000_000  # never computed: fine for code export
    assert client.post("/api/v1/code", json=seed).status_code == 200
    seed["schedulers"][0]["param_group_index"] = 7
    r = client.post("/api/v1/code", json=seed)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "schedulers", 0, "param_group_index"]
    assert client.post("/api/v1/code?flavor=keras", json=seed).status_code == 422
