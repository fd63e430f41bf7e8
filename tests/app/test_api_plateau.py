"""Metric curves over HTTP: validation (422 naming the field and the reason), ``/series`` JSON
``metrics`` and CSV ``metric/<name>`` columns, the link id of experiments without metrics.

The values themselves are held against the real libraries elsewhere
(``tests/scheduler_core/test_plateau.py``, ``tests/ecosystem/test_timm_plateau.py``,
``tests/app/test_engine_harness.py``); here the reply carries what the core reads.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from app.contract.metrics import MAX_METRIC_VALUES
from scheduler_core.metrics import curve_values

CURVE = {"kind": "exp_plateau", "start": 1.0, "plateau": 0.4, "rate": 1.5, "noise_std": 0.02, "seed": 5}


def experiment(**changes) -> dict:
    exp = {
        "num_events": 40,
        "iterations_per_epoch": 4,
        "param_groups": [{"name": "g", "lr": 0.1}],
        "metrics": {"val_loss": {"kind": "values", "values": [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8]}},
        "schedulers": [
            {
                "type": "ReduceLROnPlateauScheduler",
                "metric_name": "val_loss",
                "patience": 1,
                "event": "EPOCH_COMPLETED",
            }
        ],
    }
    exp.update(changes)
    return exp


def detail(r) -> dict:
    assert r.status_code == 422, r.text
    return r.json()["detail"][0]


# ---------------------------------------------------------------- 422s
def test_metric_name_naming_no_curve(client):
    sched = {"type": "ReduceLROnPlateau", "metric_name": "val_acc"}
    d = detail(client.post("/api/v1/series", json=experiment(schedulers=[{"type": "LinearCyclicalScheduler",
        "param_name": "lr", "start_value": 0.1, "end_value": 0.0, "cycle_size": 10}, sched])))  # fmt: skip
    assert d["loc"] == ["body", "schedulers", 1, "metric_name"] and d["type"] == "unknown_metric"
    assert "'val_acc'" in d["msg"] and "['val_loss']" in d["msg"]
    d = detail(client.post("/api/v1/series", json=experiment(metrics=None, schedulers=[sched])))
    assert d["loc"] == ["body", "schedulers", 0, "metric_name"] and "[]" in d["msg"]
    # every output checks it, the code export too
    assert detail(
        client.post("/api/v1/code?flavor=ignite", json=experiment(metrics=None, schedulers=[sched]))
    )


@pytest.mark.parametrize(
    "event, needed",
    [("EPOCH_COMPLETED", 9), ("EPOCH_STARTED", 10), ("ITERATION_STARTED", 40), ("ITERATION_COMPLETED", 39)],
)
def test_values_curve_shorter_than_its_reads(client, event, needed):
    exp = experiment()
    exp["schedulers"][0]["event"] = event
    exp["metrics"]["val_loss"]["values"] = [1.0] * (needed - 1)
    d = detail(client.post("/api/v1/series", json=exp))
    assert d["loc"] == ["body", "metrics", "val_loss", "values"] and d["type"] == "too_short"
    assert f"at least {needed} values" in d["msg"] and f"given {needed - 1}" in d["msg"]
    exp["metrics"]["val_loss"]["values"] = [1.0] * needed
    assert client.post("/api/v1/series", json=exp).status_code == 200


def test_timm_plateau_needs_a_value_per_epoch(client):
    exp = experiment(schedulers=[{"type": "timm.scheduler.PlateauLRScheduler", "metric_name": "val_loss"}])
    exp["metrics"]["val_loss"]["values"] = [1.0] * 8
    d = detail(client.post("/api/v1/series", json=exp))
    assert d["loc"] == ["body", "metrics", "val_loss", "values"] and "at least 9 values" in d["msg"]
    d = detail(
        client.post(
            "/api/v1/series", json={**experiment(schedulers=exp["schedulers"]), "iterations_per_epoch": None}
        )
    )
    assert d["loc"] == ["body", "iterations_per_epoch"] and "steps after each epoch" in d["msg"]


BAD_CURVES = [
    ({"bad name": CURVE}, ["body", "metrics", "bad name", "[key]"], "pattern"),
    ({"x" * 41: CURVE}, ["body", "metrics", "x" * 41, "[key]"], "at most 40"),
    ({"m": {"kind": "values", "values": []}}, ["body", "metrics", "m", "values", "values"], "at least 1"),
    ({"m": {"kind": "values", "values": [1.0, 1e13]}}, ["body", "metrics", "m", "values", "values", 1], "less than"),
    ({"m": {"kind": "values", "values": [1.0, "2"]}}, ["body", "metrics", "m", "values", "values", 1], "valid number"),
    ({"m": {"kind": "values", "values": [0.5] * (MAX_METRIC_VALUES + 1)}}, ["body", "metrics", "m", "values", "values"], "at most"),
    ({"m": {**CURVE, "rate": 0.0}}, ["body", "metrics", "m", "exp_plateau", "rate"], "greater than 0"),
    ({"m": {**CURVE, "noise_std": -1.0}}, ["body", "metrics", "m", "exp_plateau", "noise_std"], "greater than or equal"),
    ({"m": {**CURVE, "seed": 2**32}}, ["body", "metrics", "m", "exp_plateau", "seed"], "less than or equal"),
    ({"m": {k: v for k, v in CURVE.items() if k != "plateau"}}, ["body", "metrics", "m", "exp_plateau", "plateau"], "required"),
    ({"m": {**CURVE, "extra": 1}}, ["body", "metrics", "m", "exp_plateau", "extra"], "not permitted"),
    ({"m": {"kind": "sine"}}, ["body", "metrics", "m"], "does not match"),
    ({f"m{i}": CURVE for i in range(17)}, ["body", "metrics"], "at most 16"),
]  # fmt: skip


@pytest.mark.parametrize("metrics, loc, reason", BAD_CURVES)
def test_bad_curves_are_422_at_the_field(client, metrics, loc, reason):
    d = detail(client.post("/api/v1/series", json=experiment(metrics=metrics)))
    assert d["loc"] == loc and reason in d["msg"], d


def test_non_finite_values_are_refused(client):
    body = json.dumps(experiment()).replace("[1.0, 0.9,", "[NaN, 0.9,")
    r = client.post("/api/v1/series", content=body, headers={"content-type": "application/json"})
    d = detail(r)
    assert d["loc"][:4] == ["body", "metrics", "val_loss", "values"] and "finite" in d["msg"]


@pytest.mark.parametrize(
    "field, value, reason",
    [("factor", 1.0, "less than 1"), ("mode", "best", "'min' or 'max'"), ("patience", -1, "greater than or equal"),
     ("metric_name", "a b", "pattern"), ("threshold_mode", "pct", "'rel' or 'abs'")],
)  # fmt: skip
def test_plateau_fields_are_422_at_the_field(client, field, value, reason):
    for kind in ("ReduceLROnPlateauScheduler", "ReduceLROnPlateau"):
        sched = {"type": kind, "metric_name": "val_loss", field: value}
        d = detail(client.post("/api/v1/series", json=experiment(schedulers=[sched])))
        assert d["loc"][:3] == ["body", "schedulers", 0] and field in d["loc"] and reason in d["msg"], d


@pytest.mark.parametrize("kind", ["ReduceLROnPlateauScheduler", "ReduceLROnPlateau"])
def test_a_plateau_scheduler_inside_a_param_group_scheduler_is_refused(client, kind):
    """Its reads would follow the group's calls: attached on its own only (ignite's type is not
    among the group's members at all, torch's is refused by name)."""
    group = {"type": "ParamGroupScheduler", "schedulers": [{"type": kind, "metric_name": "val_loss"}]}
    d = detail(client.post("/api/v1/series", json=experiment(schedulers=[group])))
    assert d["loc"][:4] == ["body", "schedulers", 0, "schedulers"], d
    assert "reads a metric" in d["msg"] or "does not match any of the expected tags" in d["msg"]


# ---------------------------------------------------------------- replies
def test_series_json_carries_the_curve_read_where_it_acts(client):
    exp = experiment(metrics={"val_loss": CURVE, "unused": {"kind": "values", "values": [3.0]}})
    exp["schedulers"][0]["patience"] = 0
    body = client.post("/api/v1/series", json=exp).json()
    (metric,) = body["metrics"]  # only the curves read
    assert metric["name"] == "val_loss"
    assert metric["events"] == [
        4 * (k + 1) for k in range(9)
    ]  # after each epoch: the next epoch's first event
    assert metric["values"] == curve_values(CURVE, 9).tolist()
    lr = body["series"][0]["values"]
    changes = [i for i in range(1, 40) if lr[i] != lr[i - 1]]
    assert changes and set(changes) <= set(metric["events"])  # the lr changes only where a read acts


def test_series_json_windows_and_decimates_the_curve(client):
    exp = experiment(metrics={"val_loss": CURVE})
    exp["schedulers"][0]["event"] = "ITERATION_STARTED"
    body = client.post("/api/v1/series?start=10&stop=30", json=exp).json()
    (metric,) = body["metrics"]
    assert metric["events"] == list(range(10, 30)) and metric["decimated"] is False
    assert metric["values"] == curve_values(CURVE, 30).tolist()[10:30]
    body = client.post("/api/v1/series?max_points=4", json=exp).json()
    (metric,) = body["metrics"]
    full = curve_values(CURVE, 40).tolist()
    assert 0 < len(metric["events"]) < 40 and metric["values"] == [full[e] for e in metric["events"]]
    assert metric["decimated"] is True
    (few,) = client.post("/api/v1/series?max_points=4&start=0&stop=3", json=exp).json()["metrics"]
    assert few["events"] == [0, 1, 2] and few["decimated"] is False  # all kept: not decimated


def test_without_metrics_the_reply_has_no_metrics_key_and_unread_curves_give_an_empty_list(client):
    plain = {"num_events": 5, "param_groups": [{"name": "g", "lr": 0.1}], "schedulers": [
        {"type": "LinearCyclicalScheduler", "param_name": "lr", "start_value": 0.1, "end_value": 0.0, "cycle_size": 4}]}  # fmt: skip
    assert "metrics" not in client.post("/api/v1/series", json=plain).json()
    assert client.post("/api/v1/series", json={**plain, "metrics": {"m": CURVE}}).json()["metrics"] == []


def test_csv_has_a_column_per_curve_empty_where_nothing_was_read(client):
    r = client.post("/api/v1/series?format=csv", json=experiment())
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["event", "g/lr", "metric/val_loss"]
    read = {int(e): v for e, _, v in rows[1:] if v != ""}
    assert read == {4 * (k + 1): repr(v) for k, v in enumerate([1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8])}
    assert len(rows) == 41
    decimated = list(
        csv.reader(io.StringIO(client.post("/api/v1/series?format=csv&max_points=4", json=experiment()).text))
    )
    events = [int(r[0]) for r in decimated[1:]]
    assert events == sorted(set(events)) and {4, 8, 36} <= set(events)  # every kept read has its row


def test_link_ids_of_experiments_without_metrics_are_unchanged(client):
    """The field is left out of the canonical form when absent: the README's pinned id holds
    (tests/app/test_pinned_ids.py pins it), also when metrics is sent as null."""
    from test_pinned_ids import README

    a = client.post("/api/v1/links", json=README).json()["id"]
    b = client.post("/api/v1/links", json={**README, "metrics": None}).json()["id"]
    c = client.post("/api/v1/links", json={**README, "metrics": {"m": CURVE}}).json()["id"]
    assert a == b == "odL_5BVvNOYF" and c != a


@pytest.mark.parametrize(
    "kind", ["ReduceLROnPlateauScheduler", "ReduceLROnPlateau", "timm.scheduler.PlateauLRScheduler"]
)
def test_a_stepping_error_beside_a_plateau_scheduler_names_the_culprit(client, kind):
    """The culprit search steps each scheduler alone: a plateau scheduler is fed its curve there
    too (else it would raise, or be blamed, itself)."""
    shrinking = {"type": "LinearCyclicalScheduler", "param_name": "momentum", "start_value": 0.9, "end_value": 0.5,
                 "cycle_size": 10, "cycle_mult": 0.5}  # fmt: skip
    exp = experiment(
        num_events=300,
        metrics={"val_loss": CURVE},
        param_groups=[{"name": "g", "lr": 0.1, "momentum": 0.9}],
        schedulers=[{"type": kind, "metric_name": "val_loss"}, shrinking],
    )
    d = detail(client.post("/api/v1/series", json=exp))
    assert d["loc"] == ["body", "schedulers", 1, "cycle_mult"] and d["type"] == "scheduler_step_error"


def test_a_curve_read_counts_in_the_reply_size_cap():
    """Each curve read is one more series listing its events (JSON) or one more column (CSV)."""
    from app.contract.schemas import Experiment
    from app.service.limits import BYTES_PER_VALUE, reply_bytes

    exp = Experiment.model_validate(experiment(metrics={"val_loss": CURVE}))
    plain = Experiment.model_validate(
        experiment(
            metrics=None,
            schedulers=[{"type": "LRScheduler", "lr_scheduler": {"type": "StepLR", "step_size": 3}}],
        )
    )
    event_bytes = len("39") + 1
    assert reply_bytes(exp, "series") - reply_bytes(plain, "series") == 40 * (event_bytes + BYTES_PER_VALUE)
    assert reply_bytes(exp, "csv") - reply_bytes(plain, "csv") == 40 * BYTES_PER_VALUE
    assert reply_bytes(exp, "series", 4) == 2 * 4 * (event_bytes + BYTES_PER_VALUE)


@pytest.mark.parametrize(
    "attach", ["ITERATION_STARTED", "ITERATION_COMPLETED", "EPOCH_STARTED", "EPOCH_COMPLETED"]
)
@pytest.mark.parametrize("kind", ["ReduceLROnPlateauScheduler", "ReduceLROnPlateau"])
def test_scheduler_core_flavor_export_reproduces_the_series(client, kind, attach):
    """The scheduler_core program (its own loop, engine.state.metrics fed before each read)
    records /series bit for bit, pasted and generated curves, beside a state scheduler (the
    engine it sets attributes on is the one the metrics are fed to)."""
    for curve in (CURVE, {"kind": "values", "values": [1.0, 0.9, 0.95, 0.95, 0.97, 0.9, 0.91] * 6}):
        exp = experiment(
            metrics={"val_loss": curve},
            param_groups=[{"name": "g", "lr": 0.1}, {"name": "h", "lr": 0.5}],
            schedulers=[
                {"type": kind, "metric_name": "val_loss", "patience": 0, "event": attach},
                {"type": "ExpStateScheduler", "param_name": "alpha", "initial_value": 1.0, "gamma": 0.9},
            ],
        )
        series = client.post("/api/v1/series", json=exp)
        assert series.status_code == 200, series.text
        code = client.post("/api/v1/code?flavor=scheduler_core", json=exp).json()["code"]
        assert "evaluated('val_loss'" in code
        namespace: dict = {"__name__": "exported"}
        exec(compile(code, "<exported>", "exec"), namespace)  # noqa: S102 - the test's point
        lrs = [s for s in series.json()["series"] if s["param_group"] >= 0]
        assert len(set(lrs[0]["values"])) > 1  # reduced
        for s in lrs:
            assert namespace["history"][s["param_group"]]["lr"] == s["values"]
        state = next(s for s in series.json()["series"] if s["param_group"] == -1)
        assert namespace["state_history"]["engine.state.alpha"] == state["values"]
