"""Metric curves and the plateau types in experiments, against the real libraries.

Differential, over random configurations (metric curves with exact plateaus, noise, ties and
jumps; modes min/max, thresholds rel/abs, patience, cooldown, min_lr, eps, factor; one to three
param groups, a group index, every attach event, epochs; sometimes a cosine writing the same lr
before or after it): an experiment's series (``simulate``: the plateau types are stepped) must
equal, with ``float.hex``, a real pytorch-ignite 0.5.5 ``Engine`` run in which a handler sets
``engine.state.metrics[name]`` to the curve's next value right before the scheduler, for

- ignite's ``ReduceLROnPlateauScheduler`` (``ignite.handlers``), and
- torch's ``ReduceLROnPlateau`` stepped by torch (``scheduler.step(metric)`` in the handler).

timm's ``PlateauLRScheduler`` is compared with timm in ``tests/ecosystem/test_timm_plateau.py``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import ignite.handlers as ignite_handlers
import numpy as np
import pytest
import torch
from hypothesis import event, given, note
from hypothesis import strategies as st
from ignite.engine import Engine, Events
from scheduler_testkit import profile

from scheduler_core.events import EVENTS, num_calls
from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, simulate
from scheduler_core.metrics import curve_values, metric_reads, read_calls
from scheduler_core.series import NoClosedForm

PLATEAU_TYPES = ("ReduceLROnPlateauScheduler", "ReduceLROnPlateau")


# ------------------------------------------------------------------------------------------------
# metric curves
# ------------------------------------------------------------------------------------------------
def test_exp_plateau_is_its_formula_with_numpys_operations():
    curve = {"kind": "exp_plateau", "start": 2.0, "plateau": 0.5, "rate": 0.3, "noise_std": 0.1, "seed": 7}
    got = curve_values(curve, 50)
    k = np.arange(50, dtype=np.float64)
    z = np.random.default_rng(7).standard_normal(50)
    assert [v.hex() for v in got.tolist()] == [
        v.hex() for v in (0.5 + (2.0 - 0.5) * np.exp(-0.3 * k) + 0.1 * z).tolist()
    ]
    for i in (0, 10, 49):  # each value is its formula, element by element
        assert math.isclose(got[i], 0.5 + 1.5 * math.exp(-0.3 * i) + 0.1 * z[i], rel_tol=1e-15)


@pytest.mark.parametrize("n", [1, 2, 7, 64, 1000])
def test_exp_plateau_is_prefix_stable(n):
    """The first n values do not depend on how many are drawn (the export draws as many as
    its reads, the series as many as theirs)."""
    curve = {"kind": "exp_plateau", "start": 1.0, "plateau": 0.2, "rate": 0.05, "noise_std": 0.3, "seed": 123}
    longer = curve_values(curve, 5000)
    assert [v.hex() for v in curve_values(curve, n).tolist()] == [v.hex() for v in longer[:n].tolist()]


def test_values_curve_and_its_errors():
    assert curve_values({"kind": "values", "values": [3.0, 2.0, 1.0]}, 2).tolist() == [3.0, 2.0]
    with pytest.raises(ValueError, match="at least 4 values"):
        curve_values({"kind": "values", "values": [3.0, 2.0, 1.0]}, 4)
    with pytest.raises(ValueError, match="kind"):
        curve_values({"kind": "sine"}, 1)


@pytest.mark.parametrize(
    "event, n, ipe, calls, events",
    [
        ("ITERATION_STARTED", 5, None, [0, 1, 2, 3, 4], [0, 1, 2, 3, 4]),
        ("ITERATION_COMPLETED", 5, None, [0, 1, 2, 3], [1, 2, 3, 4]),
        ("EPOCH_STARTED", 7, 3, [0, 1, 2], [0, 3, 6]),
        ("EPOCH_COMPLETED", 7, 3, [0, 1], [3, 6]),
    ],
)
def test_reads_follow_the_calls_and_are_placed_where_they_act(event, n, ipe, calls, events):
    spec = SchedulerSpec("ReduceLROnPlateauScheduler", {"metric_name": "m"}, event)
    exp = Experiment(
        n, (ParamGroupSpec("g", {"lr": 0.1}),), (spec,), ipe, {"m": {"kind": "values", "values": [1.0] * 9}}
    )
    (read,) = metric_reads(exp)
    assert list(read.calls) == calls and read.events.tolist() == events
    assert read.values.tolist() == [1.0] * len(calls)


def test_timm_plateau_reads_after_each_epoch():
    spec = SchedulerSpec("timm.scheduler.PlateauLRScheduler", {"metric_name": "m"})
    assert list(read_calls(spec, num_calls(spec.event, 10, 4), 4)) == [4, 8]


def test_a_missing_curve_and_a_short_one_are_value_errors():
    groups = (ParamGroupSpec("g", {"lr": 0.1}),)
    spec = SchedulerSpec("ReduceLROnPlateauScheduler", {"metric_name": "loss"})
    with pytest.raises(ValueError, match="metric_name should name one of the experiment's metrics"):
        simulate(Experiment(3, groups, (spec,)))
    with pytest.raises(ValueError, match="at least 3 values"):
        simulate(Experiment(3, groups, (spec,), metrics={"loss": {"kind": "values", "values": [1.0, 2.0]}}))


def test_a_metric_reader_inside_a_param_group_scheduler_is_refused():
    child = SchedulerSpec("ReduceLROnPlateauScheduler", {"metric_name": "loss"})
    spec = SchedulerSpec("ParamGroupScheduler", {"schedulers": [child]})
    exp = Experiment(
        3,
        (ParamGroupSpec("g", {"lr": 0.1}),),
        (spec,),
        metrics={"loss": {"kind": "values", "values": [1.0] * 3}},
    )
    with pytest.raises(ValueError, match="should not read a metric"):
        simulate(exp)


def test_plateau_types_are_stepping_only():
    spec = SchedulerSpec("ReduceLROnPlateau", {"metric_name": "loss"})
    exp = Experiment(
        3,
        (ParamGroupSpec("g", {"lr": 0.1}),),
        (spec,),
        metrics={"loss": {"kind": "values", "values": [1.0] * 3}},
    )
    with pytest.raises(NoClosedForm, match="stepping-only"):
        simulate(exp, "fast")
    assert simulate(exp, "auto")[0].values.tolist() == [0.1] * 3


# ------------------------------------------------------------------------------------------------
# random configurations
# ------------------------------------------------------------------------------------------------
@st.composite
def curves(draw: Any, length: int) -> list[float]:
    """A metric curve of ``length`` values: plateaus (exact repeats), a noisy trend, free values,
    or numpy's exp_plateau (the experiment's generated kind)."""
    kind = draw(st.sampled_from(["plateaus", "trend", "free", "exp_plateau"]))
    event(f"curve: {kind}")
    if kind == "plateaus":
        out: list[float] = []
        while len(out) < length:
            out += [draw(st.sampled_from([0.0, 1.0, 0.5, 0.9999, 1.0001]) | st.floats(-10, 10))] * draw(
                st.integers(1, 8)
            )
        return out[:length]
    if kind == "trend":
        slope = draw(st.floats(-0.2, 0.2))
        noise = draw(st.sampled_from([0.0, 1e-5, 0.01]) | st.floats(0, 1))
        z = np.random.default_rng(draw(st.integers(0, 1000))).standard_normal(length)
        return (1.0 + slope * np.arange(length) + noise * z).tolist()
    if kind == "free":
        return draw(st.lists(st.floats(-1e3, 1e3), min_size=length, max_size=length))
    curve = {
        "kind": "exp_plateau",
        "start": draw(st.floats(-5, 5)),
        "plateau": draw(st.floats(-5, 5)),
        "rate": draw(st.floats(1e-3, 3)),
        "noise_std": draw(st.sampled_from([0.0, 1e-3]) | st.floats(0, 0.5)),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }
    return curve_values(curve, length).tolist()


@st.composite
def configs(draw: Any, type_name: str) -> dict[str, Any]:
    n = draw(st.integers(1, 90))
    attach = draw(st.sampled_from(EVENTS))
    ipe = draw(st.integers(1, 7)) if attach.startswith("EPOCH") or draw(st.booleans()) else None
    groups = [
        draw(st.sampled_from([0.1, 1.0]) | st.floats(1e-4, 2.0)) for _ in range(draw(st.integers(1, 3)))
    ]
    kw: dict[str, Any] = {
        "mode": draw(st.sampled_from(["min", "max"])),
        "factor": draw(st.sampled_from([0.1, 0.5, 0.0]) | st.floats(0.0, 0.99)),
        "patience": draw(st.integers(0, 6)),
        "threshold": draw(st.sampled_from([1e-4, 0.0, 0.01, 0.5]) | st.floats(0.0, 2.0)),
        "threshold_mode": draw(st.sampled_from(["rel", "abs"])),
        "cooldown": draw(st.integers(0, 5)),
        "min_lr": draw(st.sampled_from([0.0, 1e-3]) | st.floats(0.0, 0.5)),
        "eps": draw(st.sampled_from([1e-8, 0.0, 1e-3]) | st.floats(0.0, 0.1)),
    }
    if type_name == "ReduceLROnPlateauScheduler" and len(groups) > 1 and draw(st.booleans()):
        kw["param_group_index"] = draw(st.integers(0, len(groups) - 1))
    cosine = draw(st.sampled_from([None, "before", "after"]))
    return {
        "type": type_name,
        "n": n,
        "event": attach,
        "ipe": ipe,
        "groups": groups,
        "kwargs": kw,
        "curve": draw(curves(n + 2)),  # the Engine's trailing *_COMPLETED calls read too
        "cosine": cosine,
    }


COSINE = {"param_name": "lr", "start_value": 0.5, "end_value": 0.01, "cycle_size": 9}


def engine_run(cfg: dict[str, Any]) -> list[list[float]]:
    """The lr of each group while each iteration runs, in a real ignite Engine: a handler sets
    engine.state.metrics["m"] to the curve's next value, then the scheduler runs."""
    optimizer = torch.optim.SGD(
        [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in cfg["groups"]]
    )
    if cfg["type"] == "ReduceLROnPlateauScheduler":
        handler = ignite_handlers.ReduceLROnPlateauScheduler(optimizer, metric_name="m", **cfg["kwargs"])
    else:
        plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **cfg["kwargs"])

        def handler(engine: Any) -> None:
            plateau.step(engine.state.metrics["m"])

    values = iter(cfg["curve"])

    def evaluate(engine: Any) -> None:
        engine.state.metrics["m"] = next(values)

    trainer = Engine(lambda engine, batch: None)
    cosine = ignite_handlers.CosineAnnealingScheduler(optimizer, **COSINE)
    if cfg["cosine"] == "before":
        trainer.add_event_handler(Events.ITERATION_STARTED, cosine)
    trainer.add_event_handler(Events[cfg["event"]], evaluate)
    trainer.add_event_handler(Events[cfg["event"]], handler)
    if cfg["cosine"] == "after":
        trainer.add_event_handler(Events.ITERATION_STARTED, cosine)
    seen: list[list[float]] = []
    trainer.add_event_handler(
        Events.ITERATION_STARTED, lambda e: seen.append([g["lr"] for g in optimizer.param_groups])
    )
    trainer.run(range(cfg["ipe"] or cfg["n"]), max_iters=cfg["n"])
    return seen


def experiment(cfg: dict[str, Any]) -> Experiment:
    plateau = SchedulerSpec(cfg["type"], {"metric_name": "m", **cfg["kwargs"]}, cfg["event"])
    cosine = SchedulerSpec("CosineAnnealingScheduler", COSINE)
    schedulers = {None: (plateau,), "before": (cosine, plateau), "after": (plateau, cosine)}[cfg["cosine"]]
    groups = tuple(ParamGroupSpec(f"g{i}", {"lr": lr}) for i, lr in enumerate(cfg["groups"]))
    metrics = {"m": {"kind": "values", "values": cfg["curve"]}}
    return Experiment(cfg["n"], groups, schedulers, cfg["ipe"], metrics)


def hexes(rows: list[list[float]]) -> list[list[str]]:
    return [[float(v).hex() for v in row] for row in rows]


@pytest.mark.parametrize("type_name", PLATEAU_TYPES)
def test_equal_to_a_real_engine_run_over_random_configurations(type_name):
    reductions = {"runs": 0, "alone": 0, "with a reduction": 0}

    @profile(300)
    @given(configs(type_name))
    def run(cfg: dict[str, Any]) -> None:
        note(repr(cfg))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = engine_run(cfg)
        series = simulate(experiment(cfg))
        ours = [[float(s.values[i]) for s in series] for i in range(cfg["n"])]
        assert hexes(ours) == hexes(ref)
        reductions["runs"] += 1
        if cfg["cosine"] is None:
            reductions["alone"] += 1
            if any(row != ref[0] for row in ref):
                reductions["with a reduction"] += 1
                event("reduced")

    run()
    print(type_name, reductions)
    assert reductions["with a reduction"] >= reductions["alone"] // 3, reductions  # plateaus are met


def test_ignite_min_lr_needs_param_group_index_as_ignite_does():
    """ignite forces min_lr to 0 without param_group_index (and reads min_lrs[0] with one): the
    experiment reproduces it (the differential test draws min_lr with and without an index)."""
    cfg = {
        "type": "ReduceLROnPlateauScheduler", "n": 12, "event": "ITERATION_STARTED", "ipe": None,
        "groups": [0.1], "kwargs": {"patience": 0, "min_lr": 0.05}, "curve": [1.0] * 14, "cosine": None,
    }  # fmt: skip
    values = simulate(experiment(cfg))[0].values.tolist()
    assert values == [v for (v,) in engine_run(cfg)] and min(values) < 0.05
    cfg["type"] = "ReduceLROnPlateau"  # torch honours it
    values = simulate(experiment(cfg))[0].values.tolist()
    assert values == [v for (v,) in engine_run(cfg)] and min(values) == 0.05
