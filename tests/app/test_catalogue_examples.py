"""Every catalogue example draws a sensible curve in the dashboard's default experiment: no jump
the example does not ask for, and every horizon that follows num_events marked in its schema."""

from __future__ import annotations

import numpy as np
import pytest

from app.contract.metrics import EXAMPLE_METRICS
from app.contract.registry import REGISTRY

NUM_EVENTS = 1000  # the dashboard's default experiment (the catalogue's example) has 1000 events


def experiment(entry) -> dict:
    sched = {"type": "LRScheduler", "lr_scheduler": entry.example} if entry.kind == "torch" else entry.example
    exp = {
        "num_events": NUM_EVENTS,
        "param_groups": [{"name": "base", "lr": 0.01, "momentum": 0.9}],
        "schedulers": [sched],
    }
    if entry.core.metric_reads is not None:  # a plateau scheduler reads the example's metric curve
        exp |= {"metrics": EXAMPLE_METRICS, "iterations_per_epoch": 10}
    return exp


def unasked_jumps(values: np.ndarray, restarts: list[int]) -> list[int]:
    """Events where the series jumps (a change above 20% of its range) in the middle of a moving
    stretch, other than a restart: a declared restart event (or a neighbour), a return to the
    series' initial value, or a full swing (at least 90% of the range: from the bottom of a cycle
    back to its top, as torch's warm restarts). A step between flat stretches (StepLR,
    MultiStepLR) is what was asked."""
    span = float(values.max() - values.min())
    if span == 0:
        return []
    d = np.diff(values)
    out = []
    for i in np.flatnonzero(np.abs(d) > 0.2 * span):
        e = int(i) + 1  # the event whose value jumps
        flat_before = i == 0 or d[i - 1] == 0
        flat_after = i + 1 >= len(d) or d[i + 1] == 0
        if flat_before and flat_after:
            continue
        if {e - 1, e, e + 1} & set(restarts) or values[e] == values[0] or abs(d[i]) >= 0.9 * span:
            continue
        out.append(e)
    return out


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_each_example_has_no_jump_it_did_not_ask_for(client, name):
    r = client.post("/api/v1/series", json=experiment(REGISTRY[name]))
    assert r.status_code == 200, r.text
    for s in r.json()["series"]:
        jumps = unasked_jumps(np.array(s["values"]), s["restarts"])
        assert jumps == [], f"{name}: {s['param_name']} jumps at events {jumps[:5]}"


def test_the_rule_catches_the_old_concat_example(client):
    old = {
        "type": "ConcatScheduler",
        "schedulers": [
            {"type": "LinearCyclicalScheduler", "start_value": 0.0, "end_value": 0.01, "cycle_size": 200,
             "monotonic": True},
            {"type": "CosineAnnealingScheduler", "start_value": 0.01, "end_value": 0.0, "cycle_size": 900},
        ],
        "durations": [100],
    }  # fmt: skip
    exp = {**experiment(REGISTRY["ConcatScheduler"]), "schedulers": [old]}
    (s,) = client.post("/api/v1/series", json=exp).json()["series"]
    assert unasked_jumps(np.array(s["values"]), []) == [100]


def test_horizons_follow_num_events_in_the_schema(client):
    types = {
        t["type"]: t["json_schema"]["properties"] for t in client.get("/api/v1/schedulers").json()["types"]
    }
    follows = {
        (t, f) for t, props in types.items() for f, p in props.items() if p.get("follows") == "num_events"
    }
    assert {
        ("OneCycleLR", "total_steps"),
        ("CosineAnnealingLR", "T_max"),
        ("PolynomialLR", "total_iters"),
    } <= follows
    trained = {t for t, props in types.items() if "num_training_steps" in props}  # transformers'
    assert trained and {(t, "num_training_steps") for t in trained} <= follows
