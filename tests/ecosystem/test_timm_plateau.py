"""``scheduler_core.timm.PlateauLRScheduler`` against timm 1.0.31's, bit for bit.

timm's training loop with a metric: record the lr of update ``i``; after each epoch's last
update ``step(epoch + 1, metric)`` with the curve's value ``epoch`` (``step_update`` does
nothing for this scheduler). Over random configurations (metric curves with plateaus, noise
and ties; modes, thresholds, patience, cooldown, lr_min, decay_rate, warm-up, timm's noise,
one to three groups, ``lr_scale``), timm's class and ours in that loop, and the experiment
(``iterations_per_epoch`` events per epoch, stepped, the curve as ``metrics``), must give
the same values (``float.hex``). Also: the exported programs (flavors ``timm`` and
``scheduler_core``) run with timm reproduce ``/series``.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from test_timm import client, hexes, load_timm_scheduler, run_export  # noqa: F401 (client: a fixture)

import scheduler_core.timm as core_timm
from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, simulate
from scheduler_core.metrics import curve_values

EXAMPLES = int(os.environ.get("TIMM_EXAMPLES", "200"))


@pytest.fixture(scope="module")
def timm_scheduler() -> Any:
    return load_timm_scheduler()


@st.composite
def curves(draw: Any, length: int) -> list[float]:
    kind = draw(st.sampled_from(["plateaus", "free", "exp_plateau"]))
    if kind == "plateaus":
        out: list[float] = []
        while len(out) < length:
            out += [draw(st.sampled_from([0.0, 1.0, 0.5, 1.0001]) | st.floats(-10, 10))] * draw(
                st.integers(1, 6)
            )
        return out[:length]
    if kind == "free":
        return draw(st.lists(st.floats(-1e3, 1e3), min_size=length, max_size=length))
    curve = {
        "kind": "exp_plateau",
        "start": draw(st.floats(-5, 5)),
        "plateau": draw(st.floats(-5, 5)),
        "rate": draw(st.floats(1e-3, 3)),
        "noise_std": draw(st.sampled_from([0.0]) | st.floats(0, 0.5)),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }
    return curve_values(curve, length).tolist()


@st.composite
def configs(draw: Any) -> dict[str, Any]:
    ipe = draw(st.integers(1, 5))
    n = draw(st.integers(1, 120))
    epochs = (n - 1) // ipe
    kw: dict[str, Any] = {
        "decay_rate": draw(st.sampled_from([0.1, 0.5]) | st.floats(0.0, 0.99)),
        "patience_t": draw(st.integers(0, 5)),
        "threshold": draw(st.sampled_from([1e-4, 0.0, 0.05]) | st.floats(0.0, 1.0)),
        "cooldown_t": draw(st.integers(0, 4)),
        "lr_min": draw(st.sampled_from([0.0, 1e-3]) | st.floats(0.0, 0.2)),
        "mode": draw(st.sampled_from(["min", "max"])),
    }
    if draw(st.booleans()):
        kw["warmup_t"] = draw(st.integers(0, 4))
        kw["warmup_lr_init"] = draw(st.sampled_from([0.0, 1e-4]) | st.floats(0.0, 0.05))
    if draw(st.booleans()):
        lo = draw(st.integers(0, epochs + 1))
        kw["noise_range_t"] = draw(st.just(lo) | st.integers(lo, epochs + 3).map(lambda hi: [lo, hi]))
        kw["noise_pct"] = pct = draw(st.floats(0.02, 1.0))
        kw["noise_std"] = draw(st.floats(0.0, 10 * pct))
        kw["noise_seed"] = draw(st.integers(0, 10_000))
    groups = [{"lr": draw(st.floats(1e-4, 1.0))} for _ in range(draw(st.integers(1, 3)))]
    if draw(st.integers(0, 7)) == 3:
        groups[0]["lr_scale"] = draw(st.floats(0.1, 2.0))
    return {"kwargs": kw, "groups": groups, "n": n, "ipe": ipe, "curve": draw(curves(epochs + 1))}


def timm_loop(cls: Any, cfg: dict[str, Any]) -> tuple[list[list[float]], dict[str, Any]]:
    """The lr of every group at each update in timm's loop, and the scheduler's state_dict."""
    params = [{"params": [torch.zeros(1, requires_grad=True)], **g} for g in cfg["groups"]]
    optimizer = torch.optim.SGD(params, lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # timm deprecates PlateauLRScheduler
        scheduler = cls(optimizer, **cfg["kwargs"])
    n, ipe = cfg["n"], cfg["ipe"]
    seen: list[list[float]] = []
    for epoch in range((n - 1) // ipe + 1):
        for b in range(ipe):
            i = epoch * ipe + b
            seen.append([float(g["lr"]) for g in optimizer.param_groups])
            if i + 1 == n:
                return seen, scheduler.state_dict()
            scheduler.step_update(num_updates=i + 1)
        scheduler.step(epoch + 1, cfg["curve"][epoch])
    return seen, scheduler.state_dict()


def experiment(cfg: dict[str, Any]) -> Experiment:
    spec = SchedulerSpec("timm.scheduler.PlateauLRScheduler", {"metric_name": "val", **cfg["kwargs"]})
    groups = tuple(ParamGroupSpec(f"g{i}", dict(g)) for i, g in enumerate(cfg["groups"]))
    metrics = {"val": {"kind": "values", "values": cfg["curve"]}}
    return Experiment(cfg["n"], groups, (spec,), iterations_per_epoch=cfg["ipe"], metrics=metrics)


def test_equal_to_timm_over_random_configurations(timm_scheduler):
    counts = {"runs": 0, "reduced": 0, "noisy": 0}

    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(configs())
    def run(cfg: dict[str, Any]) -> None:
        note(repr(cfg))
        ref, ref_state = timm_loop(timm_scheduler.PlateauLRScheduler, cfg)
        ours, our_state = timm_loop(core_timm.PlateauLRScheduler, cfg)
        assert hexes(ours) == hexes(ref)
        assert our_state == ref_state
        stepped = simulate(experiment(cfg))
        assert hexes([[float(s.values[i]) for s in stepped] for i in range(cfg["n"])]) == hexes(ref)
        counts["runs"] += 1
        if "noise_range_t" in cfg["kwargs"]:
            counts["noisy"] += 1
        elif len({tuple(r) for r in ref[(cfg["kwargs"].get("warmup_t", 0) + 1) * cfg["ipe"] :]}) > 1:
            counts["reduced"] += 1
            event("reduced")

    run()
    print("PlateauLRScheduler", counts)
    assert counts["reduced"] >= counts["runs"] // 6, counts


@pytest.mark.parametrize("kwargs", [{"decay_rate": 1.0}, {"mode": "best"}])
def test_torchs_errors_through_timm(timm_scheduler, kwargs):
    for cls in (timm_scheduler.PlateauLRScheduler, core_timm.PlateauLRScheduler):
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        with warnings.catch_warnings(), pytest.raises(ValueError):
            warnings.simplefilter("ignore", FutureWarning)
            cls(optimizer, **kwargs)


def test_param_group_index_is_timm_on_that_group_alone(timm_scheduler):
    cfg = {
        "kwargs": {"patience_t": 1, "mode": "min", "warmup_t": 2, "decay_rate": 0.5},
        "groups": [{"lr": 0.05}], "n": 40, "ipe": 3, "curve": [1.0, 0.9] + [0.95] * 12,
    }  # fmt: skip
    ref, _ = timm_loop(timm_scheduler.PlateauLRScheduler, cfg)
    spec = SchedulerSpec(
        "timm.scheduler.PlateauLRScheduler", {"metric_name": "val", "param_group_index": 1, **cfg["kwargs"]}
    )
    groups = (ParamGroupSpec("a", {"lr": 0.3}), ParamGroupSpec("b", {"lr": 0.05}))
    exp = Experiment(40, groups, (spec,), 3, {"val": {"kind": "values", "values": cfg["curve"]}})
    a, b = simulate(exp)
    assert a.values.tolist() == [0.3] * 40
    assert [v.hex() for v in b.values.tolist()] == [r[0].hex() for r in ref]
    assert len(set(b.values.tolist())) > 3  # warm-up, then reductions


# ------------------------------------------------------------------------------------------------
# the code export, run with timm
# ------------------------------------------------------------------------------------------------
def wire(cfg: dict[str, Any], curve: dict[str, Any]) -> dict[str, Any]:
    return {
        "num_events": cfg["n"],
        "iterations_per_epoch": cfg["ipe"],
        "param_groups": [{"name": f"g{i}", **g} for i, g in enumerate(cfg["groups"])],
        "metrics": {"val": curve},
        "schedulers": [{"type": "timm.scheduler.PlateauLRScheduler", "metric_name": "val", **cfg["kwargs"]}],
    }


def test_exported_code_run_with_timm_reproduces_the_series(timm_scheduler, client):  # noqa: F811
    runs = []

    @settings(
        max_examples=max(10, EXAMPLES // 10),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(configs(), st.booleans())
    def run(cfg: dict[str, Any], generated: bool) -> None:
        curve = (
            {
                "kind": "exp_plateau",
                "start": 1.0,
                "plateau": 0.3,
                "rate": 0.4,
                "noise_std": 0.02,
                "seed": cfg["n"],
            }
            if generated
            else {"kind": "values", "values": cfg["curve"]}
        )
        exp = wire(cfg, curve)
        series = client.post("/api/v1/series", json=exp)
        assert series.status_code == 200, series.text
        body = series.json()
        assert [m["name"] for m in body["metrics"]] == ["val"]
        for flavor in ("timm", "scheduler_core"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                code, history = run_export(client, exp, flavor)
            assert "scheduler.step(epoch, metrics[name][epoch - 1])" in code
            for s in body["series"]:
                got = [float(v).hex() for v in history[s["param_group"]][s["param_name"]]]
                assert got == [float(v).hex() for v in s["values"]], flavor
        runs.append(cfg["n"])

    run()
    assert len(runs) >= 10, runs


def test_timm_flavor_refuses_a_group_index_and_the_generic_program_refuses_timms_plateau(client):  # noqa: F811
    exp = {
        "num_events": 20,
        "iterations_per_epoch": 4,
        "param_groups": [{"name": "g", "lr": 0.1, "momentum": 0.9}],
        "metrics": {"val": {"kind": "values", "values": [1.0] * 4}},
        "schedulers": [
            {"type": "timm.scheduler.PlateauLRScheduler", "metric_name": "val", "param_group_index": 0}
        ],
    }
    r = client.post("/api/v1/code?flavor=timm", json=exp)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == [
        "body",
        "schedulers",
        0,
        "param_group_index",
    ]
    assert client.post("/api/v1/code?flavor=scheduler_core", json=exp).status_code == 200
    cosine = {"type": "CosineAnnealingScheduler", "param_name": "momentum", "start_value": 0.9, "end_value": 0.5,
              "cycle_size": 10}  # fmt: skip
    mixed = {**exp, "schedulers": [*exp["schedulers"], cosine]}
    r = client.post("/api/v1/code?flavor=scheduler_core", json=mixed)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "schedulers", 0, "type"]
    assert "timm" in r.json()["detail"][0]["msg"]


def test_same_constructor_as_timm(timm_scheduler):
    """Keyword names, order and defaults of timm 1.0.31's constructor."""
    import inspect

    ours = inspect.signature(core_timm.PlateauLRScheduler.__init__).parameters
    theirs = inspect.signature(timm_scheduler.PlateauLRScheduler.__init__).parameters
    assert [(p.name, p.default) for p in ours.values()] == [(p.name, p.default) for p in theirs.values()]
