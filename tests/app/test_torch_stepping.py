"""Torch schedulers stepped by torch itself (``LRScheduler.stepping = "torch"``), ``SequentialLR``
and ``ChainedScheduler``, and the ``/series`` notices where ignite's wrapper differs.

The reference here is real torch 2.13, built from the wire JSON by this test (not by
``scheduler_core``): an SGD with one dummy parameter per group, the torch scheduler(s), and an
ignite-like run of iterations calling ``scheduler.step()`` at the scheduler's event and
recording every group's values while each iteration is processed. ``/series`` (closed forms
where they apply) and ``scheduler_core.experiment.simulate(method="step")`` must equal it with
``==``. Hypothesis counts: ``budget(150)`` random single-scheduler experiments (every torch type,
SequentialLR and ChainedScheduler of random children, the four events) and ``budget(80)`` for
the notices.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_series_vs_ignite import SETTINGS, budget, lr_values, momentum_values, torch_scheduler

from app.contract.schemas import Experiment
from app.service.convert import to_core
from app.service.limits import step_seconds_per_event
from scheduler_core.events import EVENTS
from scheduler_core.experiment import simulate

LAMBDAS = {  # the wire's expression of epoch, and the Python lambda torch gets
    "0.95 ** epoch": lambda epoch: 0.95**epoch,
    "min(1, (epoch + 1) / 7)": lambda epoch: min(1, (epoch + 1) / 7),
    "0.99 if epoch < 10 else 0.9": lambda epoch: 0.99 if epoch < 10 else 0.9,
}


@st.composite
def torch_child(draw) -> dict:
    """Any torch scheduler of the wire but the two schedulers of schedulers."""
    if draw(st.integers(0, 5)) == 0:
        kind = draw(st.sampled_from(["LambdaLR", "MultiplicativeLR"]))
        return {"type": kind, "lr_lambda": draw(st.sampled_from(sorted(LAMBDAS)))}
    return draw(torch_scheduler())


@st.composite
def any_torch(draw, parents: bool = False) -> dict:
    kind = draw(st.sampled_from([*(() if parents else ("one",) * 3), "SequentialLR", "ChainedScheduler"]))
    if kind == "one":
        return draw(torch_child())
    children = draw(st.lists(torch_child(), min_size=1, max_size=3))
    if kind == "ChainedScheduler":
        return {"type": kind, "schedulers": children}
    milestones = sorted(
        draw(st.sets(st.integers(1, 80), min_size=len(children) - 1, max_size=len(children) - 1))
    )
    return {"type": kind, "schedulers": children, "milestones": milestones}


@st.composite
def stepped_experiments(draw, stepping: str | None = "torch", parents: bool = False) -> dict:
    n_groups = draw(st.sampled_from([1, 1, 2, 3]))
    groups = [
        {"name": f"g{i}", "lr": draw(lr_values), "momentum": draw(momentum_values)} for i in range(n_groups)
    ]
    top: dict[str, Any] = {"type": "LRScheduler", "lr_scheduler": draw(any_torch(parents))}
    if stepping is not None:
        top["stepping"] = stepping
    top["event"] = draw(st.sampled_from(EVENTS))
    exp = {"num_events": draw(st.integers(1, 200)), "param_groups": groups, "schedulers": [top]}
    if top["event"].startswith("EPOCH") or draw(st.booleans()):
        exp["iterations_per_epoch"] = draw(st.integers(1, 20))
    return exp


# ------------------------------------------------------------------------------------------------
# the reference: real torch objects, stepped at the event
# ------------------------------------------------------------------------------------------------
def _torch(spec: dict, optimizer: torch.optim.Optimizer) -> Any:
    kw = {k: v for k, v in spec.items() if k != "type"}
    cls = getattr(torch.optim.lr_scheduler, spec["type"])
    if "schedulers" in kw:
        kw["schedulers"] = [_torch(c, optimizer) for c in kw["schedulers"]]
        return cls(**kw) if spec["type"] == "ChainedScheduler" else cls(optimizer, **kw)
    if "lr_lambda" in kw:
        kw["lr_lambda"] = LAMBDAS[kw["lr_lambda"]]
    return cls(optimizer, **kw)


def torch_run(exp: dict) -> tuple[dict[tuple[int, str], list[float]], BaseException | None]:
    """Values per (group, param) while each iteration is processed, and the error that stopped
    the run before its last iteration (if any)."""
    groups = [{k: v for k, v in g.items() if k != "name"} for g in exp["param_groups"]]
    optimizer = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)], **g} for g in groups])
    (top,) = exp["schedulers"]
    out: dict[tuple[int, str], list[float]] = {
        (g, k): [] for g in range(len(groups)) for k in ("lr", "momentum")
    }
    n, ipe, at = exp["num_events"], exp.get("iterations_per_epoch"), top["event"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            scheduler = _torch(top["lr_scheduler"], optimizer)
            for i in range(n):
                if at == "EPOCH_STARTED" and i % ipe == 0 or at == "ITERATION_STARTED":
                    scheduler.step()
                for g, group in enumerate(optimizer.param_groups):
                    out[(g, "lr")].append(group["lr"])
                    out[(g, "momentum")].append(group["momentum"])
                if i == n - 1:
                    break
                if at == "ITERATION_COMPLETED" or at == "EPOCH_COMPLETED" and (i + 1) % ipe == 0:
                    scheduler.step()
        except Exception as exc:  # noqa: BLE001 - compared with the API's answer
            return out, exc
    return out, None


def check_against_torch(client, exp: dict) -> str:
    reference, error = torch_run(exp)
    r = client.post("/api/v1/series", json=exp)
    assert r.status_code in (200, 422), r.text
    if r.status_code == 422:
        finite = error is None and all(math.isfinite(x) for v in reference.values() for x in v)
        assert not finite, f"/series refused {r.json()} but torch ran\n{exp}"
        return "422"
    assert error is None, f"/series answered but torch raised {error!r}\n{exp}"
    series = r.json()["series"]
    for s in series:
        got, expected = s["values"], reference[(s["param_group"], s["param_name"])]
        assert got == expected, f"{s['param_name']} of group {s['param_group']}\n{exp}"
    stepped = simulate(to_core(Experiment.model_validate(exp)), method="step")  # the stepping path too
    for s in stepped:
        assert s.values.tolist() == reference[(s.param_group, s.param_name)], exp
    moving = {name for (g, name), v in reference.items() if v != [exp["param_groups"][g][name]] * len(v)}
    assert moving <= {s["param_name"] for s in series}, "a param torch moves is missing"
    return "200"


@settings(SETTINGS, max_examples=budget(150))
@given(stepped_experiments())
def test_torch_stepping_equals_real_torch(client, exp):
    event(exp["schedulers"][0]["lr_scheduler"]["type"])
    event(check_against_torch(client, exp))


@settings(SETTINGS, max_examples=budget(40))
@given(stepped_experiments(stepping=None, parents=True))
def test_sequential_and_chained_are_torch_stepped_by_default(client, exp):
    event(check_against_torch(client, exp))


def test_the_issue_linear_lr(client):
    """LinearLR(start_factor=0.25), lr 0.1: ignite ends at 0.025, torch at 0.1 (issue 13)."""
    base = {"num_events": 10, "param_groups": [{"name": "g", "lr": 0.1}]}
    lin = {"type": "LinearLR", "start_factor": 0.25, "total_iters": 5}
    ignite = client.post(
        "/api/v1/series", json={**base, "schedulers": [{"type": "LRScheduler", "lr_scheduler": lin}]}
    )
    torch_loop = {
        "type": "LRScheduler",
        "lr_scheduler": lin,
        "stepping": "torch",
        "event": "ITERATION_COMPLETED",
    }
    own = client.post("/api/v1/series", json={**base, "schedulers": [torch_loop]})
    assert ignite.json()["series"][0]["values"][-1] == 0.025
    assert own.json()["series"][0]["values"][-1] == 0.1
    assert own.json()["series"][0]["values"] == torch_run({**base, "schedulers": [torch_loop]})[0][(0, "lr")]
    (notice,) = ignite.json()["notices"]
    assert notice["switch"] == {"stepping": "torch", "event": "ITERATION_COMPLETED"}
    assert (
        notice["first_event"] == 0 and notice["torch_type"] == "LinearLR" and "LinearLR" in notice["message"]
    )
    assert "notices" not in own.json()  # torch's own stepping: nothing to say


# ------------------------------------------------------------------------------------------------
# notices: present exactly when the switch changes a value
# ------------------------------------------------------------------------------------------------
@settings(SETTINGS, max_examples=budget(80))
@given(stepped_experiments(stepping=None))
def test_notice_exactly_when_torch_stepping_differs(client, exp):
    top = exp["schedulers"][0]
    r = client.post("/api/v1/series", json=exp)
    if r.status_code == 422 or top["lr_scheduler"]["type"] in ("SequentialLR", "ChainedScheduler"):
        assert r.status_code == 422 or "notices" not in r.json()  # torch steps those: no notice
        return
    notices = r.json().get("notices", [])
    paired = top["event"].replace("STARTED", "COMPLETED")
    other = client.post(
        "/api/v1/series", json={**exp, "schedulers": [{**top, "stepping": "torch", "event": paired}]}
    )
    if other.status_code == 422:
        assert len(notices) == 1 and notices[0]["first_event"] is None
        event("torch's own stepping refused")
        return
    a = np.array([s["values"] for s in r.json()["series"]])
    b = np.array([s["values"] for s in other.json()["series"]])
    differ = (a != b).any(axis=0)
    if not differ.any():
        assert notices == []
        event("no notice")
        return
    (notice,) = notices
    assert notice["scheduler"] == 0 and notice["switch"] == {"stepping": "torch", "event": paired}
    assert notice["first_event"] == int(np.argmax(differ))
    assert notice["max_abs_diff"] == float(np.max(np.abs(a - b)))
    event(f"notice ({top['lr_scheduler']['type']})")


def test_notice_per_scheduler_and_only_for_ignite_stepping(client):
    lin = {"type": "LinearLR", "start_factor": 0.5, "total_iters": 4}
    step = {"type": "StepLR", "step_size": 3}
    exp = {
        "num_events": 20,
        "param_groups": [{"name": "g", "lr": 0.1, "momentum": 0.9}],
        "schedulers": [
            {"type": "LRScheduler", "lr_scheduler": step},  # equal to torch's loop: no notice
            {"type": "LRScheduler", "lr_scheduler": lin, "event": "ITERATION_COMPLETED"},
            {"type": "LRScheduler", "lr_scheduler": lin, "stepping": "torch"},
            {"type": "CosineAnnealingScheduler", "param_name": "momentum", "start_value": 0.9,
             "end_value": 0.8, "cycle_size": 10},
        ],
    }  # fmt: skip
    notices = client.post("/api/v1/series", json=exp).json()["notices"]
    assert [n["scheduler"] for n in notices] == [1]
    assert notices[0]["switch"] == {"stepping": "torch", "event": "ITERATION_COMPLETED"}


# ------------------------------------------------------------------------------------------------
# the wire: 422s naming the field and the reason; link ids unchanged
# ------------------------------------------------------------------------------------------------
SEQ = {
    "type": "SequentialLR",
    "schedulers": [
        {"type": "LinearLR", "start_factor": 0.25, "total_iters": 4},
        {"type": "ExponentialLR", "gamma": 0.9},
    ],
    "milestones": [4],
}
REFUSED = [
    (
        {"type": "LRScheduler", "lr_scheduler": SEQ, "stepping": "ignite"},
        ["stepping"],
        "get_lr()",
    ),
    (
        {"type": "LRScheduler", "lr_scheduler": {**SEQ, "type": "ChainedScheduler"}},  # no milestones
        ["lr_scheduler", "milestones"],
        "Extra inputs",
    ),
    (
        {"type": "create_lr_scheduler_with_warmup", "lr_scheduler": {"type": "LinearLR"}, "stepping": "torch",
         "warmup_start_value": 0.0, "warmup_duration": 3},
        ["stepping"],
        "SequentialLR([LinearLR",
    ),
    (
        {"type": "create_lr_scheduler_with_warmup", "lr_scheduler": SEQ, "warmup_start_value": 0.0,
         "warmup_duration": 3},
        ["lr_scheduler", "type"],
        "NotImplementedError",
    ),
    (
        {"type": "ParamGroupScheduler",
         "schedulers": [{"type": "LRScheduler", "lr_scheduler": {"type": "LinearLR"}, "stepping": "torch"}]},
        ["schedulers", 0, "stepping"],
        "ParamGroupScheduler calls ignite param schedulers only",
    ),
    (
        {"type": "ParamGroupScheduler", "schedulers": [{"type": "LRScheduler", "lr_scheduler": SEQ}]},
        ["schedulers", 0, "lr_scheduler", "type"],
        "NotImplementedError",
    ),
    (
        {"type": "LRScheduler", "lr_scheduler": {**SEQ, "milestones": [4, 8]}},
        ["lr_scheduler", "milestones"],
        "one entry less than schedulers",
    ),
    (
        {"type": "LRScheduler",
         "lr_scheduler": {**SEQ, "schedulers": [*SEQ["schedulers"], {"type": "StepLR", "step_size": 2}],
                          "milestones": [4, 4]}},
        ["lr_scheduler", "milestones"],
        "should increase",
    ),
    (
        {"type": "LRScheduler", "lr_scheduler": {"type": "ChainedScheduler", "schedulers": [SEQ]}},
        ["lr_scheduler", "schedulers", 0],
        "SequentialLR",
    ),
    (
        {"type": "LRScheduler", "lr_scheduler": {"type": "StepLR", "step_size": 2}, "stepping": "both"},
        ["stepping"],
        "'ignite' or 'torch'",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("scheduler", "loc", "reason"), REFUSED)
def test_refused_with_field_and_reason(client, scheduler, loc, reason):
    body = {"num_events": 10, "param_groups": [{"name": "g", "lr": 0.1}], "schedulers": [scheduler]}
    r = client.post("/api/v1/series", json=body)
    assert r.status_code == 422, r.text
    item = r.json()["detail"][0]
    assert item["loc"] == ["body", "schedulers", 0, *loc], item
    assert reason in item["msg"], item


def test_stepping_left_out_keeps_the_canonical_form(client):
    """Existing links carry no ``stepping``: their canonical JSON (hence ids and ETags) stays."""
    from app.contract.canonical import canonical_json

    body = {"num_events": 10, "param_groups": [{"name": "g", "lr": 0.1}],
            "schedulers": [{"type": "LRScheduler", "lr_scheduler": {"type": "StepLR", "step_size": 2}}]}  # fmt: skip
    assert b"stepping" not in canonical_json(Experiment.model_validate(body))
    body["schedulers"][0]["stepping"] = "ignite"
    assert b'"stepping":"ignite"' in canonical_json(Experiment.model_validate(body))


def test_cost_model_steps_every_chained_child():
    """ChainedScheduler steps all its children per call; SequentialLR only the active one."""

    def per_event(inner: dict) -> float:
        return step_seconds_per_event(
            Experiment.model_validate(
                {
                    "num_events": 10,
                    "param_groups": [{"name": "g", "lr": 0.1}],
                    "schedulers": [{"type": "LRScheduler", "lr_scheduler": inner}],
                }  # fmt: skip
            )
        )

    one = {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 100}
    two = [one, {"type": "StepLR", "step_size": 3}]
    chained = per_event({"type": "ChainedScheduler", "schedulers": two})
    sequential = per_event({"type": "SequentialLR", "schedulers": two, "milestones": [5]})
    alone = per_event(one)
    assert chained > sequential > alone


def test_notice_when_torch_stepping_is_over_half_the_budget(make_client):
    """CosineAnnealingLR is stepped either way; torch's own stepping gets half the time budget:
    over it, the notice says it could not be compared (and the series still come)."""
    top = {"type": "LRScheduler", "lr_scheduler": {"type": "CosineAnnealingLR", "T_max": 100}}
    body = {"num_events": 4000, "param_groups": [{"name": "g", "lr": 0.1}], "schedulers": [top]}
    switched = {**body, "schedulers": [{**top, "stepping": "torch", "event": "ITERATION_COMPLETED"}]}

    def seconds(b: dict) -> float:
        exp = Experiment.model_validate(b)
        return exp.num_events * step_seconds_per_event(exp)

    assert seconds(switched) >= seconds(body)  # torch's step() calls cost more
    client = make_client(request_time_budget_s=1.5 * seconds(switched))  # half of it is too little
    r = client.post("/api/v1/series", json=body)
    assert r.status_code == 200, r.text
    (notice,) = r.json()["notices"]
    assert notice["first_event"] is None and notice["max_abs_diff"] is None
    assert "could not be compared" in notice["message"] and "budget" in notice["message"]
    roomy = make_client(request_time_budget_s=4 * seconds(switched)).post("/api/v1/series", json=body).json()
    assert roomy["notices"][0]["first_event"] == 0
