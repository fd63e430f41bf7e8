"""A library error raised while stepping names the scheduler, and the field where it is clear."""

from __future__ import annotations

import pytest
from apitest_helpers import one_group

from app.contract.schemas import Experiment
from app.service import compute as compute_module
from scheduler_core.series import NoClosedForm

COSINE = {
    "type": "CosineAnnealingScheduler",
    "param_name": "lr",
    "start_value": 0.1,
    "end_value": 0.0,
    "cycle_size": 10,
}
MOMENTUM = {**COSINE, "param_name": "momentum", "start_value": 0.9, "end_value": 0.8}


def torch(kind: str, **kw) -> dict:
    return {"type": "LRScheduler", "lr_scheduler": {"type": kind, **kw}}


def one_cycle(total_steps: int) -> dict:
    return torch("OneCycleLR", max_lr=0.1, total_steps=total_steps)


def step_error(client, exp: dict) -> dict:
    r = client.post("/api/v1/series", json=exp)
    assert r.status_code == 422, r.text
    (e,) = r.json()["detail"]
    assert e["type"] == "scheduler_step_error"
    return e


@pytest.mark.parametrize(
    ("scheduler", "loc", "msg"),
    [
        (  # cycles truncated 10 -> 0 at the first restart
            {**COSINE, "cycle_mult": 5e-324},
            ["cycle_mult"],
            "ZeroDivisionError: division by zero",
        ),
        (
            {**COSINE, "cycle_size": 3, "cycle_mult": 0.5},
            ["cycle_mult"],
            "ZeroDivisionError: division by zero",
        ),
        (
            torch("PolynomialLR", total_iters=0),
            ["lr_scheduler", "total_iters"],
            "ZeroDivisionError: division by zero",
        ),
        (
            one_cycle(5),
            ["lr_scheduler", "total_steps"],
            "ValueError: Tried to step 6 times. The specified number of total steps is 5",
        ),
        (  # total_steps not given: no one field is clearly the cause -> the scheduler
            torch("OneCycleLR", max_lr=0.1, epochs=1, steps_per_epoch=5),
            [],
            "ValueError: Tried to step 6 times. The specified number of total steps is 5",
        ),
    ],
)
def test_one_scheduler(client, scheduler, loc, msg):
    e = step_error(client, one_group(scheduler, lr=0.1, momentum=0.9))
    assert e["loc"] == ["body", "schedulers", 0, *loc]
    assert e["msg"] == msg


@pytest.mark.parametrize(
    ("failing", "loc"),
    [
        ({**COSINE, "cycle_mult": 5e-324}, ["cycle_mult"]),
        (torch("PolynomialLR", total_iters=0), ["lr_scheduler", "total_iters"]),
        (one_cycle(5), ["lr_scheduler", "total_steps"]),
    ],
)
def test_the_second_of_two_schedulers_fails(client, failing, loc):
    e = step_error(client, one_group(MOMENTUM, failing, lr=0.1, momentum=0.9))
    assert e["loc"] == ["body", "schedulers", 1, *loc]


def test_the_scheduler_that_raised_first_is_named(client):
    # both fail alone; in the run, #1 (5 steps) raises before #0 (40 steps): the message is #1's
    e = step_error(client, one_group(one_cycle(40), one_cycle(5)))
    assert e["loc"] == ["body", "schedulers", 1, "lr_scheduler", "total_steps"]
    assert e["msg"].endswith("total steps is 5")


def test_no_culprit_alone_falls_back_to_the_list():
    # an error that no scheduler raises alone (an interaction) points at the list
    exp = Experiment.model_validate(one_group(COSINE, MOMENTUM, momentum=0.9))
    assert compute_module._locate_step_error(exp, ZeroDivisionError("x")) == ("body", "schedulers")


def test_one_scheduler_is_not_stepped_again(client, monkeypatch):
    def no_rerun(*a, **k):
        raise AssertionError("re-run for a single scheduler")

    monkeypatch.setattr(compute_module, "_step_culprit", no_rerun)
    e = step_error(client, one_group(one_cycle(5)))
    assert e["loc"] == ["body", "schedulers", 0, "lr_scheduler", "total_steps"]


def test_a_valid_stepped_experiment_is_unchanged(client, monkeypatch):
    exp = one_group(MOMENTUM, torch("PolynomialLR", total_iters=30, power=2.0), momentum=0.9)
    closed = client.post("/api/v1/series", json=exp)
    assert closed.status_code == 200

    real = compute_module.simulate_built

    def step_only(core, built, method="auto"):
        if method == "fast":
            raise NoClosedForm("test: step")
        return real(core, built, method)

    def not_called(*a, **k):
        raise AssertionError("error path entered")

    monkeypatch.setattr(compute_module, "simulate_built", step_only)
    monkeypatch.setattr(compute_module, "_locate_step_error", not_called)
    stepped = client.post("/api/v1/series", json={**exp, "num_events": 51})
    again = client.post("/api/v1/series", json={**exp, "num_events": 51})
    assert stepped.status_code == 200 and stepped.content == again.content
    body, ref = stepped.json(), closed.json()
    assert [s["values"][:50] for s in body["series"]] == [s["values"] for s in ref["series"]]
