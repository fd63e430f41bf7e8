"""Every class of bad input gets a 4xx JSON error naming the field; never a 500."""

from __future__ import annotations

import json

import pytest
from apitest_helpers import one_group

COSINE = {
    "type": "CosineAnnealingScheduler",
    "param_name": "lr",
    "start_value": 0.1,
    "end_value": 0.0,
    "cycle_size": 10,
}


def errors(r) -> list[dict]:
    body = r.json()
    assert set(body) == {"detail"}
    for e in body["detail"]:
        assert set(e) == {"loc", "msg", "type"} and e["msg"]
    return body["detail"]


def locs(r) -> list[list]:
    return [e["loc"] for e in errors(r)]


def with_sched(**fields) -> dict:
    return one_group({**COSINE, **fields})


@pytest.mark.parametrize(
    ("exp", "loc"),
    [
        (with_sched(type="NoSuchScheduler"), ["body", "schedulers", 0]),
        (with_sched(cycle_size=0), ["body", "schedulers", 0, "cycle_size"]),
        (with_sched(cycle_size=-5), ["body", "schedulers", 0, "cycle_size"]),
        (with_sched(cycle_size=1), ["body", "schedulers", 0, "cycle_size"]),
        (with_sched(cycle_size=2.5), ["body", "schedulers", 0, "cycle_size"]),
        (with_sched(cycle_size="10"), ["body", "schedulers", 0, "cycle_size"]),
        (with_sched(cycle_size=True), ["body", "schedulers", 0, "cycle_size"]),
        (with_sched(start_value="1e-3"), ["body", "schedulers", 0, "start_value"]),
        (with_sched(start_value=1e308), ["body", "schedulers", 0, "start_value"]),
        (with_sched(end_value=-1e308), ["body", "schedulers", 0, "end_value"]),
        (with_sched(cycle_mult=0), ["body", "schedulers", 0, "cycle_mult"]),
        (with_sched(warmup_duration=-1), ["body", "schedulers", 0, "warmup_duration"]),
        (with_sched(param_group_index=-1), ["body", "schedulers", 0, "param_group_index"]),
        (with_sched(param_name="lr; import os"), ["body", "schedulers", 0, "param_name"]),
        (with_sched(optimizer="x"), ["body", "schedulers", 0, "optimizer"]),
        (with_sched(save_history=True), ["body", "schedulers", 0, "save_history"]),
        ({**one_group(COSINE), "num_events": 0}, ["body", "num_events"]),
        ({**one_group(COSINE), "num_events": -3}, ["body", "num_events"]),
        ({**one_group(COSINE), "num_events": 10**12}, ["body", "num_events"]),
        ({**one_group(COSINE), "num_events": 10**400}, ["body", "num_events"]),
        ({**one_group(COSINE), "param_groups": []}, ["body", "param_groups"]),
        ({**one_group(COSINE), "schedulers": []}, ["body", "schedulers"]),
        ({**one_group(), "schedulers": [COSINE] * 2000}, ["body", "schedulers"]),
        (
            {**one_group(COSINE), "param_groups": [{"name": "g", "lr": "0.1"}]},
            ["body", "param_groups", 0, "lr"],
        ),
        (
            {**one_group(COSINE), "param_groups": [{"name": "", "lr": 0.1}]},
            ["body", "param_groups", 0, "name"],
        ),
        ({**one_group(COSINE), "param_groups": [{"lr": 0.1}]}, ["body", "param_groups", 0, "name"]),
        ({**one_group(COSINE), "param_groups": [{"name": "g", "params": 0.1}]}, ["body", "param_groups", 0]),
        ({**one_group(COSINE), "extra": 1}, ["body", "extra"]),
        (
            one_group(
                {"type": "PiecewiseLinear", "param_name": "lr", "milestones_values": [[10, 0.1], [5, 0.2]]}
            ),
            ["body", "schedulers", 0, "milestones_values"],
        ),
        (
            one_group({"type": "PiecewiseLinear", "param_name": "lr", "milestones_values": [[1.5, 0.1]]}),
            ["body", "schedulers", 0, "milestones_values", 0, 0],
        ),
        (
            one_group({"type": "PiecewiseLinear", "param_name": "lr", "milestones_values": []}),
            ["body", "schedulers", 0, "milestones_values"],
        ),
        (
            one_group(
                {
                    "type": "ConcatScheduler",
                    "param_name": "lr",
                    "schedulers": [COSINE | {"param_name": "x"}, COSINE],
                    "durations": [5],
                }
            ),
            ["body", "schedulers", 0, "schedulers", 0, "param_name"],
        ),
        (
            one_group(
                {
                    "type": "ConcatScheduler",
                    "param_name": "lr",
                    "schedulers": [{k: v for k, v in COSINE.items() if k != "param_name"}] * 2,
                    "durations": [5, 6],
                }
            ),
            ["body", "schedulers", 0, "durations"],
        ),
        (
            one_group(
                {"type": "LRScheduler", "lr_scheduler": {"type": "LambdaLR", "lr_lambda": "lambda e: 1"}}
            ),
            ["body", "schedulers", 0, "lr_scheduler", "lr_lambda"],
        ),
        (
            one_group(
                {
                    "type": "LRScheduler",
                    "lr_scheduler": {
                        "type": "CyclicLR",
                        "base_lr": 0.1,
                        "max_lr": 1.0,
                        "scale_fn": "__import__('os')",
                    },
                }
            ),
            ["body", "schedulers", 0, "lr_scheduler", "scale_fn"],
        ),
        (
            one_group({"type": "LRScheduler", "lr_scheduler": {"type": "StepLR", "step_size": 0}}),
            ["body", "schedulers", 0, "lr_scheduler", "step_size"],
        ),
        (
            one_group(
                {
                    "type": "create_lr_scheduler_with_warmup",
                    "lr_scheduler": {"type": "StepLR", "step_size": 3},
                    "warmup_start_value": 0.0,
                    "warmup_duration": 1,
                }
            ),
            ["body", "schedulers", 0, "warmup_duration"],
        ),
    ],
)
def test_schema_errors_name_the_field(client, exp, loc):
    r = client.post("/api/v1/series", json=exp)
    assert r.status_code == 422, r.text
    assert loc in locs(r), errors(r)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_literals(client, literal):
    body = json.dumps(with_sched()).replace('"start_value": 0.1', f'"start_value": {literal}')
    assert literal in body
    r = client.post("/api/v1/series", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert ["body", "schedulers", 0, "start_value"] in locs(r)


def test_param_group_index_beyond_the_groups(client):
    r = client.post("/api/v1/series", json=with_sched(param_group_index=3))
    assert r.status_code == 422
    assert locs(r) == [["body", "schedulers", 0, "param_group_index"]]
    assert "number of param groups (1)" in errors(r)[0]["msg"]


def test_missing_initial_value(client):
    r = client.post("/api/v1/series", json=with_sched(param_name="momentum"))
    assert r.status_code == 422
    assert locs(r) == [["body", "param_groups", 0]]
    assert "'momentum'" in errors(r)[0]["msg"]


def test_scheduler_constructor_error_points_at_the_scheduler(client):
    # ignite: LinearCyclicalScheduler with warm-up needs monotonic=True (a constructor ValueError)
    lin = {**COSINE, "type": "LinearCyclicalScheduler", "warmup_duration": 3}
    r = client.post("/api/v1/series", json=one_group(COSINE, lin))
    assert r.status_code == 422
    (e,) = errors(r)
    assert e["loc"] == ["body", "schedulers", 1] and e["type"] == "scheduler_error"
    assert e["msg"].startswith("ValueError")


def test_scheduler_step_error_is_a_422(client):
    # cycle sizes 3 -> 1 -> 0: ZeroDivisionError while stepping (as in ignite)
    r = client.post("/api/v1/series", json=with_sched(cycle_size=3, cycle_mult=0.5))
    assert r.status_code == 422
    (e,) = errors(r)
    assert e["loc"][:2] == ["body", "schedulers"] and "ZeroDivisionError" in e["msg"]


def test_torch_error_is_a_422(client):
    # OneCycleLR stepped past total_steps raises ValueError inside torch
    exp = one_group(
        {"type": "LRScheduler", "lr_scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 5}}
    )
    r = client.post("/api/v1/series", json=exp)
    assert r.status_code == 422 and "ValueError" in errors(r)[0]["msg"]


def test_overflow_to_infinity_is_a_422(client):
    exp = with_sched(
        start_value=1e12, end_value=1e12, start_value_mult=1000.0, end_value_mult=1000.0, cycle_size=2
    )
    exp["num_events"] = 400
    r = client.post("/api/v1/series", json=exp)
    assert r.status_code == 422
    (e,) = errors(r)
    assert e["type"] == "non_finite" and "event" in e["msg"]


def test_caps(make_client):
    c = make_client(
        max_schedulers=2, max_param_groups=1, max_download_events=100, max_events=1000, max_points=50
    )
    r = c.post("/api/v1/series", json=one_group(COSINE, COSINE, COSINE))
    assert r.status_code == 422 and locs(r) == [["body", "schedulers"]]
    exp = one_group(COSINE)
    exp["param_groups"].append({"name": "h", "lr": 0.1})
    assert locs(c.post("/api/v1/series", json=exp)) == [["body", "param_groups"]]
    big = one_group(COSINE, num_events=500)
    r = c.post("/api/v1/series", json=big)
    assert r.status_code == 422 and locs(r) == [["body", "num_events"]]
    assert c.post("/api/v1/series?max_points=40", json=big).status_code == 200
    r = c.post("/api/v1/series?max_points=51", json=big)
    assert r.status_code == 422 and locs(r) == [["query", "max_points"]]
    r = c.post("/api/v1/series?max_points=3", json=big)
    assert r.status_code == 422 and locs(r) == [["query", "max_points"]]
    r = c.post("/api/v1/figure", json=one_group(COSINE, num_events=5000))
    assert r.status_code == 422 and locs(r) == [["body", "num_events"]]


def test_values_cap_counts_every_series(make_client):
    c = make_client(max_values=1000)
    exp = one_group(COSINE, num_events=600)
    assert c.post("/api/v1/series", json=exp).status_code == 200
    exp["param_groups"].append({"name": "h", "lr": 0.1})
    r = c.post("/api/v1/series", json=exp)
    assert r.status_code == 422 and "1200" in errors(r)[0]["msg"]


def test_time_budget(make_client):
    c = make_client(request_time_budget_s=0.5)
    # two torch schedulers on one optimizer have no closed form: stepping, ~30k events/s
    exp = one_group(
        {"type": "LRScheduler", "lr_scheduler": {"type": "StepLR", "step_size": 3}},
        {"type": "LRScheduler", "lr_scheduler": {"type": "ExponentialLR", "gamma": 0.9}},
        num_events=1_000_000,
    )
    r = c.post("/api/v1/series?max_points=100", json=exp)
    assert r.status_code == 422 and errors(r)[0]["type"] == "over_time_budget"


def test_body_too_large_by_content_length(make_client):
    c = make_client(max_body_bytes=2048)
    exp = one_group(COSINE)
    exp["param_groups"][0]["name"] = "x" * 3000
    r = c.post("/api/v1/series", json=exp)
    assert r.status_code == 413
    assert errors(r)[0]["loc"] == ["body"] and errors(r)[0]["type"] == "body_too_large"


def test_body_too_large_while_streaming(make_client):
    c = make_client(max_body_bytes=2048)

    def chunks():
        yield b'{"num_events": 10, "param_groups": ['
        for _ in range(200):
            yield b'{"name": "aaaaaaaaaa", "lr": 0.1},'
        yield b'{"name": "b", "lr": 0.1}], "schedulers": []}'

    r = c.post("/api/v1/series", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert errors(r)[0]["type"] == "body_too_large"


def test_malformed_and_deeply_nested_json(client):
    r = client.post("/api/v1/series", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    deep = b"[" * 100_000 + b"]" * 100_000
    r = client.post("/api/v1/series", content=deep, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500


def test_unknown_link_is_404(client):
    for lid in ("AAAAAAAAAAAA", "x", "../../etc/passwd", "%00"):
        r = client.get(f"/api/v1/links/{lid}")
        assert r.status_code == 404, lid
        assert r.json()["detail"][0]["type"] in ("not_found", "http_404")


def test_unknown_route_and_method(client):
    assert client.get("/api/v1/nope").status_code == 404
    assert client.get("/api/v1/series").status_code == 405
