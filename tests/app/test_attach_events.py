"""The wire side of attach events, side-written params and restart markers."""

from __future__ import annotations

import pytest
from apitest_helpers import one_group

from app.contract.registry import REGISTRY
from app.contract.schemas import Experiment
from scheduler_core.events import EVENTS

STEP_PER_EPOCH = {
    "type": "LRScheduler",
    "event": "EPOCH_COMPLETED",
    "lr_scheduler": {"type": "StepLR", "step_size": 1, "gamma": 0.5},
}
ONE_CYCLE = {"type": "LRScheduler", "lr_scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 100}}


def test_every_top_level_type_is_attachable() -> None:
    """Each top-level model has ``event`` with ignite's four events (a new top-level type needs
    the ``_Attached`` base of app/contract/fields.py)."""
    for name, entry in REGISTRY.items():
        if entry.kind in ("param", "composite"):
            field = entry.model.model_fields.get("event")
            assert field is not None, f"{name} has no event field"
            assert entry.model.model_json_schema()["properties"]["event"]["enum"] == list(EVENTS)
            assert field.default == "ITERATION_STARTED"


def test_epoch_events_need_iterations_per_epoch(client) -> None:
    exp = one_group(STEP_PER_EPOCH, num_events=30)
    for route in ("series", "code", "figure"):
        r = client.post(f"/api/v1/{route}", json=exp)
        assert r.status_code == 422
        (item,) = r.json()["detail"]
        assert item["loc"] == ["body", "iterations_per_epoch"]
        assert "EPOCH_COMPLETED" in item["msg"]
    r = client.post("/api/v1/series", json={**exp, "iterations_per_epoch": 10})
    assert r.status_code == 200
    assert r.json()["series"][0]["values"] == [0.1] * 20 + [0.05] * 10


def test_bad_event_is_refused(client) -> None:
    r = client.post("/api/v1/series", json=one_group({**ONE_CYCLE, "event": "EPOCH"}))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][:3] == ["body", "schedulers", 0]


def test_default_event_keeps_link_ids(client) -> None:
    plain = one_group(ONE_CYCLE)
    explicit = one_group({**ONE_CYCLE, "event": "ITERATION_STARTED"})
    ids = [client.post("/api/v1/links", json=e).json()["id"] for e in (plain, explicit)]
    assert ids[0] == ids[1]
    moved = client.post("/api/v1/links", json=one_group({**ONE_CYCLE, "event": "ITERATION_COMPLETED"}))
    assert moved.json()["id"] != ids[0]
    assert "event" not in Experiment.model_validate(plain).model_dump(mode="json")["schedulers"][0]


def test_momentum_is_a_series_everywhere(client) -> None:
    exp = one_group(ONE_CYCLE, num_events=100, momentum=0.9)
    series = client.post("/api/v1/series", json=exp).json()["series"]
    assert [s["param_name"] for s in series] == ["lr", "momentum"]
    assert series[1]["values"][0] == 0.95 and min(series[1]["values"]) == pytest.approx(0.85)
    csv = client.post("/api/v1/series?format=csv", json=exp)
    assert csv.status_code == 200 and csv.text.splitlines()[0] == "event,g/lr,g/momentum"
    figure = client.post("/api/v1/figure", json=exp).json()
    assert [t["name"].split(" · ")[-1] for t in figure["data"]] == ["lr", "momentum"]
    assert figure["data"][1]["y"][0] == 0.95
    code = client.post("/api/v1/code?flavor=ignite", json=exp).json()["code"]
    assert "param_names = ['lr', 'momentum']" in code
    # without cycle_momentum nothing but lr is written
    quiet = one_group(
        {"type": "LRScheduler", "lr_scheduler": {**ONE_CYCLE["lr_scheduler"], "cycle_momentum": False}}
    )
    assert [s["param_name"] for s in client.post("/api/v1/series", json=quiet).json()["series"]] == ["lr"]


@pytest.mark.parametrize(
    ("scheduler", "num_events", "ipe", "restarts"),
    [
        # ignite's adapter skips the initial value: T_cur is at 0 again on calls 49 and 149
        ({"type": "CosineAnnealingWarmRestarts", "T_0": 50, "T_mult": 2}, 300, None, [49, 149]),
        ({"type": "MultiStepLR", "milestones": [30, 80]}, 100, None, [30, 80]),
        ({"type": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 20}, 100, None, [40, 80]),
    ],
)
def test_restart_markers_of_torch_types(client, scheduler, num_events, ipe, restarts) -> None:
    exp = one_group({"type": "LRScheduler", "lr_scheduler": scheduler}, num_events=num_events, momentum=0.9)
    for s in client.post("/api/v1/series", json=exp).json()["series"]:
        assert s["restarts"] == restarts, s["param_name"]


def test_restart_markers_of_milestones_warmups_and_epochs(client) -> None:
    piecewise = {"type": "PiecewiseLinear", "milestones_values": [[0, 0.0], [10, 0.1], [60, 0.0]]}
    warmup = {
        "type": "create_lr_scheduler_with_warmup",
        "lr_scheduler": {"type": "MultiStepLR", "milestones": [30]},
        "warmup_start_value": 0.0,
        "warmup_duration": 10,
    }
    per_epoch = {**STEP_PER_EPOCH, "lr_scheduler": {"type": "MultiStepLR", "milestones": [3, 8]}}
    for scheduler, ipe, expected in (
        (piecewise, None, [10, 60]),
        (warmup, None, [10, 39]),
        (per_epoch, 10, [40, 90]),
    ):
        exp = {**one_group(scheduler, num_events=100), "iterations_per_epoch": ipe}
        if ipe is None:
            del exp["iterations_per_epoch"]
        series = client.post("/api/v1/series", json=exp).json()["series"]
        assert series[0]["restarts"] == expected, scheduler["type"]


def test_a_stepping_error_names_the_scheduler_that_reaches_it(client) -> None:
    """An epoch-level OneCycleLR is called 9 times in 100 iterations (10 per epoch): the
    iteration-level one, stepped past its 50 steps, is the culprit."""

    def one_cycle(total: int, event: str) -> dict:
        return {
            "type": "LRScheduler",
            "event": event,
            "lr_scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": total},
        }

    exp = {
        **one_group(one_cycle(20, "EPOCH_COMPLETED"), one_cycle(50, "ITERATION_STARTED"), num_events=100),
        "iterations_per_epoch": 10,
    }
    r = client.post("/api/v1/series", json=exp)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "schedulers", 1, "lr_scheduler", "total_steps"]


@pytest.mark.parametrize("flavor", ["scheduler_core", "ignite"])
def test_both_code_flavors_call_each_scheduler_at_its_event(client, flavor) -> None:
    cosine = {
        "type": "CosineAnnealingScheduler",
        "param_name": "lr",
        "param_group_index": 0,
        "start_value": 0.1,
        "end_value": 0.0,
        "cycle_size": 13,
        "event": "EPOCH_STARTED",
    }
    exp = {
        **one_group(
            {**ONE_CYCLE, "event": "ITERATION_COMPLETED"}, cosine, STEP_PER_EPOCH, num_events=95, momentum=0.9
        ),
        "iterations_per_epoch": 7,
    }
    code = client.post(f"/api/v1/code?flavor={flavor}", json=exp).json()["code"]
    assert ("Events.EPOCH_STARTED" in code) == (flavor == "ignite")
    namespace: dict = {"__name__": "exported"}
    exec(compile(code, "<exported>", "exec"), namespace)  # noqa: S102 - the test's point
    series = client.post("/api/v1/series", json=exp).json()["series"]
    assert [s["param_name"] for s in series] == ["lr", "momentum"]
    for s in series:
        assert namespace["history"][0][s["param_name"]] == s["values"]


def test_transformers_export_refuses_other_events(client) -> None:
    """transformers' idiom steps each LambdaLR after every update: another event is a 422."""
    warmup = {"type": "transformers.get_constant_schedule_with_warmup", "num_warmup_steps": 5}
    exp = {**one_group({**warmup, "event": "EPOCH_STARTED"}, num_events=40), "iterations_per_epoch": 4}
    assert client.post("/api/v1/series", json=exp).status_code == 200
    r = client.post("/api/v1/code?flavor=transformers", json=exp)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "schedulers", 0, "event"]
    del exp["schedulers"][0]["event"]
    assert client.post("/api/v1/code?flavor=transformers", json=exp).status_code == 200


def test_optax_schedules_at_other_events(client) -> None:
    """The optax flavor evaluates schedule(i) per update: another event is a 422 there, while
    the scheduler_core flavor calls the schedule at its event and reproduces /series."""
    linear = {"type": "optax.linear_schedule", "init_value": 0.1, "end_value": 0.0, "transition_steps": 6}
    exp = {**one_group({**linear, "event": "EPOCH_COMPLETED"}, num_events=40), "iterations_per_epoch": 5}
    series = client.post("/api/v1/series", json=exp).json()["series"]
    assert series[0]["values"][:12] == [0.1] * 10 + [series[0]["values"][10]] * 2
    r = client.post("/api/v1/code?flavor=optax", json=exp)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "schedulers", 0, "event"]
    code = client.post("/api/v1/code?flavor=scheduler_core", json=exp).json()["code"]
    namespace: dict = {"__name__": "exported"}
    exec(compile(code, "<exported>", "exec"), namespace)  # noqa: S102 - the test's point
    assert namespace["history"][0]["lr"] == series[0]["values"]
