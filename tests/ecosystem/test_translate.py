"""transformers and timm schedules → ignite compositions (``scheduler_core.translate``), checked
against the REAL transformers ``LambdaLR`` stepped on a torch optimizer and the real timm loop.

Over random warm-up lengths, horizons, cycle counts and base lrs (two param groups), every value of
the ignite composition (``scheduler_core``'s ignite schedulers, themselves checked bit for bit
against pytorch-ignite elsewhere) is within 1e-15 x the peak lr of transformers' value at the same
update, and the linear warm-up is bit for bit. Past one half cosine (``num_cycles`` other than 0.5,
or a horizon past ``num_training_steps``) transformers' own argument ``pi * num_cycles * 2 *
progress`` carries a rounding error growing with it: the bound is 1e-15 x peak x the argument's
largest value in units of pi there. Configurations without an exact equivalent are
reported as such. ``SCHEDULE_EXPLORER_TRANSLATE_CASES`` sets the number of random cases per schedule
(default 12; 300 for a soak run); under ``CI=true`` a missing transformers fails instead of skipping.
"""

from __future__ import annotations

import importlib
import os
import random
import sys
import types
import warnings

import numpy as np
import pytest

from scheduler_core.experiment import simulate
from scheduler_core.spec import Experiment, ParamGroupSpec, SchedulerSpec
from scheduler_core.translate import ignite_equivalent, translate

if os.environ.get("CI") == "true":
    import transformers
else:
    transformers = pytest.importorskip("transformers")
torch = pytest.importorskip("torch")

CASES = int(os.environ.get("SCHEDULE_EXPLORER_TRANSLATE_CASES", "12"))
TOLERANCE = 1e-15
"""Largest |ignite - transformers| allowed, times the peak lr (the issue's measure)."""


def reference(name: str, kwargs: dict, lrs: list[float], n: int) -> np.ndarray:
    """lr of each group at updates 0..n-1 under the real transformers schedule: read before
    each ``optimizer.step(); scheduler.step()``. Rows: groups."""
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in lrs]
    opt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs, strict=True)], lr=lrs[0])
    sched = getattr(transformers, name)(opt, **kwargs)
    out = np.empty((len(lrs), n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(n):
            out[:, i] = [g["lr"] for g in opt.param_groups]
            opt.step()
            sched.step()
    return out


def ours(name: str, kwargs: dict, lrs: list[float], n: int):
    """The ignite equivalent and its values (rows: groups)."""
    groups = tuple(ParamGroupSpec(f"g{i}", {"lr": lr}) for i, lr in enumerate(lrs))
    exp = Experiment(n, groups, (SchedulerSpec(f"transformers.{name}", kwargs),))
    eq = ignite_equivalent(exp.schedulers[0], exp)
    if not eq.exact:
        return eq, None
    series = simulate(Experiment(n, groups, eq.schedulers))
    return eq, np.stack([s.values for s in series])


def check(name: str, kwargs: dict, lrs: list[float], n: int, halves: float = 1.0) -> None:
    """Every value within ``TOLERANCE x peak lr x halves``: ``halves`` (>= 1) is the largest
    argument of transformers' cosine in units of pi, whose own rounding grows with it."""
    eq, got = ours(name, kwargs, lrs, n)
    assert eq.exact, (name, kwargs, n, eq.reason)
    want = reference(name, kwargs, lrs, n)
    peak = max(lrs)
    worst = np.max(np.abs(got - want))
    assert worst <= TOLERANCE * peak * max(1.0, halves), (
        name,
        kwargs,
        lrs,
        n,
        worst / peak,
        int(np.argmax(np.abs(got - want))),
    )
    w = kwargs.get("num_warmup_steps", 0)
    if name != "get_wsd_schedule":  # the linear warm-up from 0 is bit for bit
        assert [v.hex() for v in got[:, :w].ravel()] == [v.hex() for v in want[:, :w].ravel()]


def draw(rng: random.Random) -> tuple[list[float], int, int]:
    """Two base lrs, a warm-up length and a training horizon."""
    lrs = [10 ** rng.uniform(-6, 0), 10 ** rng.uniform(-6, 0)]
    w = rng.choice([0, 1, 2, rng.randint(3, 50), rng.randint(50, 400)])
    t = w + rng.choice([1, 2, 3, rng.randint(4, 100), rng.randint(100, 2000)])
    return lrs, w, t


def horizon(rng: random.Random, t: int) -> int:
    """Usually the training horizon; sometimes shorter, sometimes past it."""
    return rng.choice([t, t, max(1, rng.randint(1, t)), t + rng.randint(1, t)])


@pytest.mark.parametrize("seed", range(CASES))
def test_cosine_with_warmup_is_a_concat_of_a_linear_warmup_and_cosine(seed):
    rng = random.Random(seed)
    lrs, w, t = draw(rng)
    n = rng.choice([t, max(1, rng.randint(1, t))])  # within num_training_steps: at most 2 children
    check("get_cosine_schedule_with_warmup", {"num_warmup_steps": w, "num_training_steps": t}, lrs, n)
    eq, _ = ours("get_cosine_schedule_with_warmup", {"num_warmup_steps": w, "num_training_steps": t}, lrs, t)
    for spec in eq.schedulers:  # one per group: lrs differ
        if w >= 2 and t - w >= 2:
            assert spec.type == "ConcatScheduler" and spec.kwargs["durations"] == [w]
            warm, cos = spec.kwargs["schedulers"]
            assert (warm.type, warm.kwargs["cycle_size"], warm.kwargs["monotonic"]) == (
                "LinearCyclicalScheduler", w, True)  # fmt: skip
            assert (cos.type, cos.kwargs["cycle_size"]) == ("CosineAnnealingScheduler", t - w)


@pytest.mark.parametrize("seed", range(CASES))
def test_cosine_past_the_horizon_and_other_cycle_counts(seed):
    rng = random.Random(1000 + seed)
    lrs, w, _ = draw(rng)
    cycles = rng.choice([0.5, 1, 1.5, 2, 3])
    half = rng.randint(2, 300)
    t = w + int(2 * cycles * half)
    kwargs = {"num_warmup_steps": w, "num_training_steps": t, "num_cycles": cycles}
    n = min(horizon(rng, t), w + 14 * half)
    check("get_cosine_schedule_with_warmup", kwargs, lrs, n, halves=(n - w) / half)


@pytest.mark.parametrize("seed", range(CASES))
def test_cosine_with_min_lr(seed):
    rng = random.Random(2000 + seed)
    lrs, w, t = draw(rng)
    floor = {"min_lr_rate": rng.uniform(0, 0.5)} if seed % 2 else {"min_lr": lrs[0] * rng.uniform(0, 0.5)}
    kwargs = {"num_warmup_steps": w, "num_training_steps": t, **floor}
    check("get_cosine_with_min_lr_schedule_with_warmup", kwargs, lrs, max(1, rng.randint(1, t)))


@pytest.mark.parametrize("seed", range(CASES))
def test_cosine_with_min_lr_rate_warmup_one_event_ahead(seed):
    rng = random.Random(2500 + seed)
    lrs, w, t = draw(rng)
    w = max(w, 2)
    t = max(t, w + 1)
    kwargs = {"num_warmup_steps": w, "num_training_steps": t, "min_lr_rate": rng.uniform(0, 0.5)}
    if seed % 2:
        kwargs["warmup_lr_rate"] = rng.uniform(0, 1)
    n = max(1, rng.randint(1, t - 1))  # the progress reaches 1 at t - 1
    # the warm-up ramps from warmup_lr_rate (or 1 / w), not from 0: rounding, not bits
    eq, got = ours("get_cosine_with_min_lr_schedule_with_warmup_lr_rate", kwargs, lrs, n)
    assert eq.exact, eq.reason
    want = reference("get_cosine_with_min_lr_schedule_with_warmup_lr_rate", kwargs, lrs, n)
    assert np.max(np.abs(got - want)) <= TOLERANCE * max(lrs)


@pytest.mark.parametrize("seed", range(CASES))
def test_linear_and_constant_with_warmup(seed):
    rng = random.Random(3000 + seed)
    lrs, w, t = draw(rng)
    t = rng.choice([t, rng.randint(0, w + 1)])  # sometimes a horizon within the warm-up
    n = horizon(rng, max(t, w, 1))
    check("get_linear_schedule_with_warmup", {"num_warmup_steps": w, "num_training_steps": t}, lrs, n)
    check("get_constant_schedule_with_warmup", {"num_warmup_steps": w}, lrs, n)
    check("get_constant_schedule", {}, lrs, min(n, 50))


@pytest.mark.parametrize("seed", range(CASES))
def test_hard_restarts(seed):
    rng = random.Random(4000 + seed)
    lrs, w, _ = draw(rng)
    k = rng.randint(1, 6)
    t = w + k * rng.randint(2, 300)
    kwargs = {"num_warmup_steps": w, "num_training_steps": t, "num_cycles": k}
    eq, _ = ours("get_cosine_with_hard_restarts_schedule_with_warmup", kwargs, lrs, t)
    if eq.exact:  # else transformers' own rounding moves a restart (checked below)
        # transformers' (k * progress) % 1 keeps the rounding of k * progress: bound x k
        check("get_cosine_with_hard_restarts_schedule_with_warmup", kwargs, lrs, horizon(rng, t), halves=k)
    else:
        assert "one event late" in eq.reason
        want = reference("get_cosine_with_hard_restarts_schedule_with_warmup", kwargs, lrs, t)
        restarts = [w + m * ((t - w) // k) for m in range(1, k)]
        assert any(want[0, e] < 0.5 * lrs[0] for e in restarts)  # a "restart" at the cycle's end


@pytest.mark.parametrize("seed", range(CASES))
def test_warmup_stable_decay(seed):
    rng = random.Random(5000 + seed)
    lrs, w, _ = draw(rng)
    half = rng.randint(2, 200)
    kwargs = {
        "num_warmup_steps": w,
        "num_stable_steps": rng.randint(0, 300),
        "num_decay_steps": rng.choice([0, 1, 2 * half, half * rng.randint(1, 4)]),
        "warmup_type": rng.choice(["linear", "cosine"]),
        "decay_type": rng.choice(["linear", "cosine"]),
        "min_lr_ratio": rng.choice([0.0, rng.uniform(0, 0.5)]),
    }
    total = w + kwargs["num_stable_steps"] + kwargs["num_decay_steps"]
    check("get_wsd_schedule", kwargs, lrs, horizon(rng, max(total, 1)))


@pytest.mark.parametrize(
    "name, kwargs, why",
    [
        ("get_inverse_sqrt_schedule", {"num_warmup_steps": 10}, "inverse square root"),
        (
            "get_cosine_schedule_with_warmup",
            {"num_warmup_steps": 10, "num_training_steps": 110, "num_cycles": 0.3},
            "whole number",
        ),  # fmt: skip
        (
            "get_cosine_with_hard_restarts_schedule_with_warmup",
            {"num_warmup_steps": 10, "num_training_steps": 110, "num_cycles": 3},
            "cycles of whole events",
        ),  # fmt: skip
        (
            "get_wsd_schedule",
            {"num_warmup_steps": 10, "num_decay_steps": 10, "num_stable_steps": 5, "decay_type": "1-sqrt"},
            "1 - sqrt",
        ),  # fmt: skip
        (
            "get_polynomial_decay_schedule_with_warmup",
            {"num_warmup_steps": 10, "num_training_steps": 100},
            "default lr",
        ),  # fmt: skip
    ],
)
def test_no_exact_equivalent_is_said_plainly(name, kwargs, why):
    eq, _ = ours(name, kwargs, [0.1], 200)
    assert not eq.exact and eq.schedulers == ()
    assert eq.reason.startswith("no exact ignite equivalent: ") and why in eq.reason, eq.reason


# ---------------------------------------------------------------- whole experiments
def _exp(n: int, *schedulers: SchedulerSpec, lrs=(0.1, 0.02)) -> Experiment:
    groups = tuple(ParamGroupSpec(f"g{i}", {"lr": lr, "momentum": 0.9}) for i, lr in enumerate(lrs))
    return Experiment(n, groups, schedulers)


def test_translate_replaces_each_transformers_scheduler_and_measures_it():
    cosine = SchedulerSpec(
        "transformers.get_cosine_schedule_with_warmup",
        {"param_name": "lr", "num_warmup_steps": 37, "num_training_steps": 1000},
    )
    momentum = SchedulerSpec(
        "PiecewiseLinear", {"param_name": "momentum", "milestones_values": [(0, 0.9), (500, 0.8)]}
    )
    exp = _exp(1000, cosine, momentum)
    t = translate(exp)
    assert [s.type for s in t.experiment.schedulers] == [
        "ConcatScheduler",
        "ConcatScheduler",
        "PiecewiseLinear",
    ]
    assert t.notes[1] is None and t.notes[0]["exact"] is True and t.notes[0]["peak"] == 0.1
    before, after = simulate(exp), simulate(t.experiment)
    worst = max(float(np.max(np.abs(a.values - b.values))) for a, b in zip(before, after, strict=True))
    assert worst == t.notes[0]["max_abs_diff"] and 0 < worst <= TOLERANCE * 0.1
    # the real transformers agrees with the registered type the translation was measured against
    want = reference("get_cosine_schedule_with_warmup", {"num_warmup_steps": 37, "num_training_steps": 1000},
                     [0.1, 0.02], 1000)  # fmt: skip
    assert np.array_equal(np.stack([s.values for s in before if s.param_name == "lr"]), want)


def test_translate_without_exact_equivalent_gives_the_closest_and_its_distance():
    spec = SchedulerSpec(
        "transformers.get_inverse_sqrt_schedule", {"param_name": "lr", "num_warmup_steps": 100}
    )
    exp = _exp(5000, spec, lrs=(0.1,))
    t = translate(exp)
    (note,) = t.notes
    assert note["exact"] is False and "inverse square root" in note["reason"] and "closest" in note["reason"]
    (closest,) = t.experiment.schedulers
    assert closest.type == "PiecewiseLinear" and len(closest.kwargs["milestones_values"]) == 1000
    measured = float(np.max(np.abs(simulate(t.experiment)[0].values - simulate(exp)[0].values)))
    assert note["max_abs_diff"] == measured and 0 < measured < 1e-3 * 0.1


def test_translate_keeps_other_types_and_says_so_for_nested_ones():
    child = SchedulerSpec("transformers.get_constant_schedule", {})
    concat = SchedulerSpec(
        "ConcatScheduler",
        {"param_name": "lr", "schedulers": [SchedulerSpec("PiecewiseLinear", {"milestones_values": [(0, 0.1)]}), child],
         "durations": [10]},
    )  # fmt: skip
    t = translate(_exp(50, concat), measure=False)
    assert t.experiment.schedulers == (concat,) and "kept" in t.notes[0]["reason"]


# ---------------------------------------------------------------- timm, against the real timm
def timm_scheduler():
    """``timm.scheduler`` without timm's top-level ``__init__`` (which imports torchvision)."""
    if "timm.scheduler" in sys.modules:
        return sys.modules["timm.scheduler"]
    spec = importlib.util.find_spec("timm")
    if spec is None or spec.submodule_search_locations is None:
        message = "timm is not installed: pip install --no-deps timm==1.0.31 (see the Makefile)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    if "timm" not in sys.modules:
        parent = types.ModuleType("timm")
        parent.__path__ = list(spec.submodule_search_locations)
        sys.modules["timm"] = parent
    return importlib.import_module("timm.scheduler")


def timm_reference(name: str, kwargs: dict, lrs: list[float], n: int, ipe: int) -> np.ndarray:
    """lr of each group at updates 0..n-1 in timm's loop: ``step_update(i + 1)`` after each
    update, ``step(epoch + 1)`` after each epoch's last."""
    params = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    opt = torch.optim.SGD(params, lr=0.1)
    sched = getattr(timm_scheduler(), name)(opt, **kwargs)
    out = np.empty((len(lrs), n))
    for i in range(n):
        out[:, i] = [g["lr"] for g in opt.param_groups]
        sched.step_update(num_updates=i + 1)
        if (i + 1) % ipe == 0:
            sched.step((i + 1) // ipe)
    return out


def timm_translated(name: str, kwargs: dict, lrs: list[float], n: int, ipe: int) -> tuple[dict, np.ndarray]:
    groups = tuple(ParamGroupSpec(f"g{i}", {"lr": lr}) for i, lr in enumerate(lrs))
    exp = Experiment(
        n, groups, (SchedulerSpec(f"timm.scheduler.{name}", {"param_name": "lr", **kwargs}),), ipe
    )
    t = translate(exp, measure=False)
    assert all(not s.type.startswith("timm.") for s in t.experiment.schedulers)
    return t.notes[0], np.stack([s.values for s in simulate(t.experiment)])


@pytest.mark.parametrize("seed", range(CASES))
def test_timm_cosine_is_a_concat_of_warmup_and_decaying_cosine_cycles(seed):
    rng = random.Random(6000 + seed)
    lrs = [10 ** rng.uniform(-6, 0), 10 ** rng.uniform(-6, 0)]
    t0, limit = rng.randint(2, 400), rng.randint(1, 4)
    kwargs = {
        "t_initial": t0,
        "lr_min": min(lrs) * rng.choice([0.0, rng.uniform(0, 0.5)]),
        "warmup_t": rng.choice([0, 1, rng.randint(2, 60)]),
        "warmup_lr_init": min(lrs) * rng.choice([0.0, rng.uniform(0, 0.5)]),
        "warmup_prefix": True,
        "cycle_limit": limit,
        "cycle_decay": rng.choice([1.0, rng.uniform(0.3, 1.0)]),
        "t_in_epochs": False,
    }
    n = rng.randint(1, kwargs["warmup_t"] + t0 * limit + 50)
    note, got = timm_translated("CosineLRScheduler", kwargs, lrs, n, 1)
    assert note["exact"] and note["reason"] == "", note
    want = timm_reference("CosineLRScheduler", kwargs, lrs, n, 1)
    worst = float(np.max(np.abs(got - want)))
    assert worst <= TOLERANCE * max(lrs), (kwargs, n, worst / max(lrs))


@pytest.mark.parametrize("seed", range(CASES))
def test_timm_steps_become_a_piecewise_linear_staircase_bit_for_bit(seed):
    rng = random.Random(7000 + seed)
    lrs = [10 ** rng.uniform(-6, 0), 10 ** rng.uniform(-6, 0)]
    ipe = rng.choice([1, rng.randint(2, 50)])
    common = {"decay_rate": rng.uniform(0.1, 0.9), "t_in_epochs": ipe > 1, "warmup_t": rng.choice([0, 3]),
              "warmup_lr_init": 0.0}  # fmt: skip
    if seed % 2:
        name, kwargs = "StepLRScheduler", {**common, "decay_t": rng.randint(1, 40)}
    else:
        name, kwargs = "MultiStepLRScheduler", {**common, "decay_t": sorted(rng.sample(range(1, 120), 3))}
    n = rng.randint(1, 120 * ipe)
    note, got = timm_translated(name, kwargs, lrs, n, ipe)
    assert note["exact"] and "piecewise constant" in note["reason"], note
    want = timm_reference(name, kwargs, lrs, n, ipe)
    assert [v.hex() for v in got.ravel()] == [v.hex() for v in want.ravel()]


@pytest.mark.parametrize(
    "kwargs, why",
    [
        (
            {
                "t_initial": 100,
                "warmup_t": 10,
                "warmup_prefix": False,
                "t_in_epochs": False,
                "cycle_limit": 99,
            },
            "warmup_prefix",
        ),
        ({"t_initial": 100, "cycle_mul": 2.0, "t_in_epochs": False, "cycle_limit": 99}, "cycle_mul"),
        ({"t_initial": 100, "noise_range_t": 10, "t_in_epochs": False, "cycle_limit": 99}, "noise"),
    ],
)
def test_timm_cosine_without_exact_equivalent(kwargs, why):
    groups = (ParamGroupSpec("g", {"lr": 0.1}),)
    exp = Experiment(
        3000, groups, (SchedulerSpec("timm.scheduler.CosineLRScheduler", {"param_name": "lr", **kwargs}),)
    )
    eq = ignite_equivalent(exp.schedulers[0], exp)
    assert not eq.exact and why in eq.reason
    note = translate(exp).notes[0]
    assert not note["exact"] and "closest" in note["reason"] and note["max_abs_diff"] > 0
