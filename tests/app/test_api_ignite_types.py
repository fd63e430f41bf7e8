"""The ignite types added to the wire: expressions (LambdaLR, MultiplicativeLR,
LambdaStateScheduler, BatchSizeScheduler), the state schedulers, ParamGroupScheduler and the
warm-up around an ignite param scheduler.

For each: ``/series`` equals stepping the real schedulers bit for bit, and the exported code,
run with pytorch-ignite 0.5.5 in a real ``Engine`` (flavor ``ignite``) and with
``scheduler_core`` (flavor ``scheduler_core``), records exactly the same values (``==``),
including the series written outside the optimizer (``param_group`` -1, ``group_name`` the
holder: ``engine.state`` or ``dataloader``; ``state_history["<holder>.<name>"]`` in the code).
"""

from __future__ import annotations

import csv
import io
import warnings

import numpy as np
import pytest
from apitest_helpers import one_group

from app.contract.registry import REGISTRY
from app.contract.schemas import Experiment
from app.service.convert import to_core
from scheduler_core.experiment import simulate

COSINE_CHILD = {"type": "CosineAnnealingScheduler", "start_value": 0.1, "end_value": 0.0, "cycle_size": 40}
NEW_TYPES = (
    "LambdaLR",
    "MultiplicativeLR",
    "ExpStateScheduler",
    "StepStateScheduler",
    "MultiStepStateScheduler",
    "PiecewiseLinearStateScheduler",
    "LambdaStateScheduler",
    "BatchSizeScheduler",
    "ParamGroupScheduler",
)
TWO_GROUPS = [{"name": "base", "lr": 0.1, "momentum": 0.9}, {"name": "fc", "lr": 0.01, "momentum": 0.9}]


def example_experiment(name: str, num_events: int = 1000) -> dict:
    e = REGISTRY[name]
    sched = {"type": "LRScheduler", "lr_scheduler": e.example} if e.kind == "torch" else e.example
    return {"num_events": num_events, "param_groups": TWO_GROUPS, "schedulers": [sched]}


EXPERIMENTS = {
    **{name: example_experiment(name) for name in NEW_TYPES},
    "warm-up around cosine": one_group(
        {
            "type": "create_lr_scheduler_with_warmup",
            "lr_scheduler": COSINE_CHILD,
            "warmup_start_value": 0.0,
            "warmup_duration": 10,
        },
        num_events=150,
    ),
    "warm-up around cosine, end = first value": one_group(
        {
            "type": "create_lr_scheduler_with_warmup",
            "lr_scheduler": {**COSINE_CHILD, "cycle_mult": 1.5},
            "warmup_start_value": 0.0,
            "warmup_duration": 6,
            "warmup_end_value": 0.1,
        },
        num_events=150,
    ),
    "warm-up around LambdaLR": one_group(
        {
            "type": "create_lr_scheduler_with_warmup",
            "lr_scheduler": {"type": "LambdaLR", "lr_lambda": "0.5 ** (epoch // 20)"},
            "warmup_start_value": 0.0,
            "warmup_duration": 8,
        },
        num_events=100,
    ),
    "everything at once": {
        "num_events": 90,
        "param_groups": TWO_GROUPS,
        "schedulers": [
            {
                "type": "ParamGroupScheduler",
                "schedulers": [
                    {**COSINE_CHILD, "param_name": "lr", "param_group_index": 0},
                    {
                        "type": "LRScheduler",
                        "lr_scheduler": {
                            "type": "MultiplicativeLR",
                            "lr_lambda": "0.98 if epoch % 10 else 1.05",
                        },
                    },
                    {
                        "type": "PiecewiseLinear",
                        "param_name": "momentum",
                        "param_group_index": 1,
                        "milestones_values": [[0, 0.95], [45, 0.85]],
                    },
                ],
                "names": ["cosine", "torch", "momentum"],
            },
            {"type": "ExpStateScheduler", "param_name": "alpha", "initial_value": 1.0, "gamma": 0.97},
            {"type": "LambdaStateScheduler", "param_name": "alpha", "lambda_obj": "event / 90"},
            {"type": "BatchSizeScheduler", "scheduler_fn": "16 if event < 30 else 32 + event % 3"},
        ],
    },
}


def run(code: str) -> dict:
    namespace: dict = {"__name__": "generated"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, "<generated>", "exec"), namespace)  # noqa: S102 - the test's point
    return namespace


def recorded(namespace: dict, s: dict) -> list:
    if s["param_group"] < 0:
        return namespace["state_history"][f"{s['group_name']}.{s['param_name']}"]
    return namespace["history"][s["param_group"]][s["param_name"]]


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_series_equal_stepping_and_the_exported_code(client, name):
    exp = EXPERIMENTS[name]
    r = client.post("/api/v1/series", json=exp)
    assert r.status_code == 200, r.text
    series = r.json()["series"]
    stepped = simulate(to_core(Experiment.model_validate(exp)), "step")
    assert [(s["param_group"], s["group_name"], s["param_name"]) for s in series] == [
        (s.param_group, s.group_name, s.param_name) for s in stepped
    ]
    for s, t in zip(series, stepped, strict=True):
        assert np.array(s["values"]).tobytes() == t.values.tobytes(), (name, s["param_name"])
        if name in NEW_TYPES:  # the catalogue's example draws a curve, not a constant
            assert len(set(s["values"])) > 2, (name, s["param_name"], "a flat curve")
    for flavor in ("ignite", "scheduler_core"):
        code = client.post(f"/api/v1/code?flavor={flavor}", json=exp).json()["code"]
        assert ("ignite" in code) == (flavor == "ignite")
        namespace = run(code)
        for s in series:
            assert [float(v) for v in recorded(namespace, s)] == s["values"], (name, flavor, s["param_name"])


def test_state_series_in_json_csv_and_figure(client):
    exp = EXPERIMENTS["everything at once"]
    series = client.post("/api/v1/series", json=exp).json()["series"]
    tail = [(s["param_group"], s["group_name"], s["param_name"]) for s in series[-2:]]
    assert tail == [(-1, "engine.state", "alpha"), (-1, "dataloader", "batch_size")]
    alpha = series[-2]["values"]
    assert alpha[:2] == [1 / 90, 2 / 90]  # the later LambdaStateScheduler wins, index from 1
    head = next(csv.reader(io.StringIO(client.post("/api/v1/series?format=csv", json=exp).text)))
    assert head[-2:] == ["engine.state/alpha", "dataloader/batch_size"]
    fig = client.post("/api/v1/figure", json=exp).json()
    names = [t.get("name", "") for t in fig["data"]]
    assert any("alpha" in n for n in names) and any("batch_size" in n for n in names)


@pytest.mark.parametrize(
    "sched, loc, position",
    [
        (
            {"type": "LRScheduler", "lr_scheduler": {"type": "LambdaLR", "lr_lambda": "0.9 ** epoc"}},
            ["lr_scheduler", "lr_lambda"],
            8,
        ),
        (
            {
                "type": "LRScheduler",
                "lr_scheduler": {"type": "MultiplicativeLR", "lr_lambda": "().__class__"},
            },
            ["lr_scheduler", "lr_lambda"],
            1,
        ),
        (
            {"type": "LambdaStateScheduler", "param_name": "a", "lambda_obj": "2 ** 2 ** 99"},
            ["lambda_obj"],
            1,
        ),
        ({"type": "BatchSizeScheduler", "scheduler_fn": "16 + __import__('os')"}, ["scheduler_fn"], 6),
    ],
)
def test_bad_expressions_are_422_at_the_field_with_the_position(client, sched, loc, position):
    r = client.post("/api/v1/series", json=one_group(sched))
    assert r.status_code == 422
    (item,) = r.json()["detail"]
    assert item["loc"] == ["body", "schedulers", 0, *loc]
    assert item["msg"].endswith(f"at position {position}")


def test_expression_errors_while_stepping_name_the_scheduler(client):
    r = client.post(
        "/api/v1/series", json=one_group({"type": "BatchSizeScheduler", "scheduler_fn": "8 - event"})
    )
    assert r.status_code == 422
    (item,) = r.json()["detail"]
    assert item["loc"][:3] == ["body", "schedulers", 0] and "positive integer" in item["msg"]


def test_param_group_scheduler_checks_its_children(client):
    exp = EXPERIMENTS["everything at once"] | {"param_groups": TWO_GROUPS[:1]}
    r = client.post("/api/v1/series", json=exp)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "schedulers", 0, "schedulers", 2, "param_group_index"]
    bad = {
        "type": "ParamGroupScheduler",
        "schedulers": [COSINE_CHILD | {"param_name": "lr"}],
        "names": ["a", "b"],
    }
    r = client.post("/api/v1/series", json=one_group(bad))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "names"


def test_state_names_the_engine_keeps_are_refused(client):
    sched = {"type": "ExpStateScheduler", "param_name": "iteration", "initial_value": 1.0, "gamma": 0.9}
    r = client.post("/api/v1/series", json=one_group(sched))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "param_name"


def test_a_stepping_error_beside_a_state_scheduler_is_located(client):
    """Locating the culprit steps each scheduler alone: state kinds get an engine there too."""
    shrinking = {"type": "LinearCyclicalScheduler", "param_name": "lr", "start_value": 0.1, "end_value": 0.0,
                 "cycle_size": 3, "cycle_mult": 0.5}  # fmt: skip
    state = {"type": "LambdaStateScheduler", "param_name": "alpha", "lambda_obj": "event / 100"}
    r = client.post("/api/v1/series", json=one_group(state, shrinking))
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "schedulers", 1, "cycle_mult"]
