"""Differential tests: ``scheduler_core.timm`` against the real timm (1.0.31) over random
configurations, bit for bit.

timm is installed with ``--no-deps`` (its torchvision would replace the CPU torch) and its
``timm.scheduler`` is loaded under a bare parent package, so that timm's top-level ``__init__``
(which imports torchvision) never runs. Under ``CI=true`` a missing timm fails the tests.

Each configuration runs timm's usual training loop on a torch SGD optimizer (record the lr of
update ``i``, ``step_update(num_updates=i + 1)`` after it, ``step(epoch + 1)`` after each epoch;
the loop stops after the last update's value is recorded)
with timm's class and with ours (same loop, same kwargs), and as an experiment
(``iterations_per_epoch`` events per epoch) both stepped and by the closed form. Every value
must be equal (``float.hex``); where timm raises, ours raises the same type at the same update.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import scheduler_core.timm as core_timm
from scheduler_core.base import GroupsOptimizer
from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, simulate
from scheduler_core.shapes import NoClosedForm

EXAMPLES = int(os.environ.get("TIMM_EXAMPLES", "200"))
"""Configurations per type in the normal run (TIMM_EXAMPLES=5000 for a soak run)."""
TYPES = ("CosineLRScheduler", "TanhLRScheduler", "PolyLRScheduler", "StepLRScheduler", "MultiStepLRScheduler")


def load_timm_scheduler() -> types.ModuleType:
    """``timm.scheduler`` without running timm's top-level ``__init__``."""
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
        parent.__spec__ = spec  # importlib.util.find_spec("timm") keeps working (transformers asks)
        sys.modules["timm"] = parent
    return importlib.import_module("timm.scheduler")


@pytest.fixture(scope="module")
def timm_scheduler() -> types.ModuleType:
    return load_timm_scheduler()


def test_the_reference_is_timm_1_0_31_and_torch_is_untouched(timm_scheduler):
    from importlib.metadata import version

    assert version("timm") == "1.0.31"
    assert torch.__version__.startswith("2.13.0")
    assert "torchvision" not in sys.modules


# ------------------------------------------------------------------------------------------------
# configurations
# ------------------------------------------------------------------------------------------------
floats = st.floats


@st.composite
def noise_kwargs(draw: Any, n: int) -> dict[str, Any]:
    if not draw(st.booleans()):
        return {}
    if draw(st.booleans()):
        lo = draw(st.integers(0, n))
        rng: Any = [lo, draw(st.integers(lo, n + 2))]
        if draw(st.booleans()):
            rng = tuple(rng)
    else:
        rng = draw(st.integers(0, n))
    pct = draw(floats(0.02, 1.0))
    return {
        "noise_range_t": rng,
        "noise_pct": pct,
        "noise_std": draw(floats(0.0, 10 * pct)),
        "noise_seed": draw(st.integers(0, 10_000)),
    }


@st.composite
def configs(draw: Any, name: str) -> dict[str, Any]:
    """One run: groups, events, iterations per epoch and the type's kwargs."""
    t_in_epochs = draw(st.booleans())
    ipe = draw(st.integers(1, 6)) if t_in_epochs else 1
    n = draw(st.integers(1, 150))
    steps = (n - 1) // ipe + 1
    kw: dict[str, Any] = {"t_in_epochs": t_in_epochs}
    if draw(st.booleans()):
        kw["warmup_t"] = draw(st.integers(0, max(1, steps // 3)))
        kw["warmup_lr_init"] = draw(st.sampled_from([0.0, 1e-4]) | floats(0.0, 0.05))
        kw["warmup_prefix"] = draw(st.booleans())
    if name in ("CosineLRScheduler", "TanhLRScheduler", "PolyLRScheduler"):
        kw["t_initial"] = draw(st.integers(1, max(1, steps)) | st.integers(1, 4))
        kw["lr_min"] = draw(st.sampled_from([0.0]) | floats(0.0, 0.01))
        kw["cycle_mul"] = draw(st.sampled_from([1.0, 2.0]) | floats(0.4, 3.0))
        kw["cycle_decay"] = draw(st.sampled_from([1.0, 0.5]) | floats(0.2, 1.5))
        kw["cycle_limit"] = draw(st.integers(0, 6) | st.integers(7, 200))  # > 8 live: one shape table
        if name != "TanhLRScheduler":
            kw["k_decay"] = draw(st.sampled_from([1.0]) | floats(0.2, 4.0))
        if name == "TanhLRScheduler":
            kw["lb"] = draw(floats(-10.0, 0.0))
            kw["ub"] = draw(floats(0.1, 10.0))
        if name == "PolyLRScheduler":
            kw["power"] = draw(st.sampled_from([0.5, 1.0, 2.0]) | floats(0.1, 4.0))
    elif name == "StepLRScheduler":
        kw["decay_t"] = draw(st.integers(1, 40) | floats(0.3, 40.0))
        kw["decay_rate"] = draw(floats(0.05, 1.5))
    else:
        kw["decay_t"] = sorted(draw(st.lists(st.integers(0, steps + 3), max_size=5)))
        if draw(st.integers(0, 11)) == 7:
            kw["decay_t"] = kw["decay_t"][::-1]  # timm does not sort: bisect on an unsorted list
        kw["decay_rate"] = draw(floats(0.05, 1.5))
    kw.update(draw(noise_kwargs(steps)))
    groups = [{"lr": draw(floats(1e-4, 1.0))} for _ in range(draw(st.integers(1, 3)))]
    if draw(st.integers(0, 11)) == 7:  # a middle value: hypothesis favours the ends
        groups[0]["lr_scale"] = draw(floats(0.1, 2.0))
    return {"name": name, "kwargs": kw, "groups": groups, "n": n, "ipe": ipe}


# ------------------------------------------------------------------------------------------------
# runs
# ------------------------------------------------------------------------------------------------
def timm_loop(cls: Any, cfg: dict[str, Any]) -> tuple[list[list[float]], Any]:
    """timm's training loop: the lr of every group at each update, and the error (or None)
    with the update it happened at (-1: the constructor)."""
    params = [{"params": [torch.zeros(1, requires_grad=True)], **g} for g in cfg["groups"]]
    optimizer = torch.optim.SGD(params, lr=0.1)
    seen: list[list[float]] = []
    try:
        scheduler = cls(optimizer, **cfg["kwargs"])
    except Exception as exc:  # noqa: BLE001 - the reference's own errors are compared
        return seen, (-1, exc)
    n, ipe = cfg["n"], cfg["ipe"]
    try:
        for epoch in range((n - 1) // ipe + 1):
            for b in range(ipe):
                i = epoch * ipe + b
                seen.append([float(g["lr"]) for g in optimizer.param_groups])
                if i + 1 == n:  # the values of updates 0 .. n-1 only
                    return seen, None
                scheduler.step_update(num_updates=i + 1)
            scheduler.step(epoch + 1)
    except Exception as exc:  # noqa: BLE001
        return seen, (len(seen), exc)
    return seen, None


def experiment(cfg: dict[str, Any]) -> Experiment:
    spec = SchedulerSpec(f"timm.scheduler.{cfg['name']}", {"param_name": "lr", **cfg["kwargs"]})
    groups = tuple(ParamGroupSpec(f"g{i}", dict(g)) for i, g in enumerate(cfg["groups"]))
    return Experiment(cfg["n"], groups, (spec,), iterations_per_epoch=cfg["ipe"])


def hexes(rows: list[list[float]]) -> list[list[str]]:
    return [[float(v).hex() for v in row] for row in rows]


def series_rows(series: list[Any], upto: int) -> list[list[float]]:
    return [[float(s.values[i]) for s in series] for i in range(upto)]


def check_config(timm_scheduler: Any, cfg: dict[str, Any]) -> str:
    """Compare timm's loop with ours (same loop), with the experiment stepped and the closed form."""
    ref, ref_err = timm_loop(getattr(timm_scheduler, cfg["name"]), cfg)
    ours, our_err = timm_loop(getattr(core_timm, cfg["name"]), cfg)
    assert hexes(ours) == hexes(ref)
    if ref_err is not None:
        assert our_err is not None, f"timm raised {ref_err[1]!r} at update {ref_err[0]}, ours did not"
        assert our_err[0] == ref_err[0], (our_err, ref_err)
        assert isinstance(our_err[1], type(ref_err[1])), (our_err, ref_err)
        if ref_err[0] == -1:  # a constructor error: the experiment refuses it as well
            with pytest.raises(type(ref_err[1])):
                simulate(experiment(cfg), "step")
            return "constructor error"
    exp = experiment(cfg)
    if ref_err is not None:
        with pytest.raises(type(ref_err[1])):
            simulate(exp, "step")
        with pytest.raises(type(ref_err[1])):
            simulate(exp, "auto")
        return "stepping error"
    stepped = simulate(exp, "step")
    assert hexes(series_rows(stepped, cfg["n"])) == hexes(ref)
    try:
        fast = simulate(exp, "fast")
    except NoClosedForm as exc:
        reason = str(exc)
        assert reason.startswith(core_timm.DECLINES) or reason.startswith("stepping raises"), reason
        return "declined: " + reason.split(":")[0]
    assert hexes(series_rows(fast, cfg["n"])) == hexes(ref)
    return "closed form"


@pytest.mark.parametrize("name", TYPES)
def test_equal_to_timm_over_random_configurations(timm_scheduler, name):
    outcomes: dict[str, int] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(configs(name))
    def run(cfg: dict[str, Any]) -> None:
        note(repr(cfg))
        outcome = check_config(timm_scheduler, cfg)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    run()
    print(name, outcomes)
    assert outcomes.get("closed form", 0) >= EXAMPLES // 3, outcomes  # mostly the fast path


# ------------------------------------------------------------------------------------------------
# targeted checks
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("CosineLRScheduler", {"t_initial": 0}),
        ("CosineLRScheduler", {"t_initial": 10, "lr_min": -1.0}),
        ("PolyLRScheduler", {"t_initial": -3}),
        ("TanhLRScheduler", {"t_initial": 10, "lb": 1.0, "ub": 1.0}),
        ("TanhLRScheduler", {"t_initial": 10, "cycle_limit": -1}),
        ("TanhLRScheduler", {"t_initial": 10, "warmup_t": -1}),
        ("TanhLRScheduler", {"t_initial": 10, "warmup_lr_init": -0.1}),
    ],
)
def test_timm_assertions_are_assertion_errors_and_value_errors(timm_scheduler, name, kwargs):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(AssertionError):
        getattr(timm_scheduler, name)(opt, **kwargs)
    with pytest.raises(AssertionError) as info:
        getattr(core_timm, name)(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), **kwargs)
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith("Argument ")


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("CosineLRScheduler", {"t_initial": 10, "warmup_t": 2, "noise_range_t": 3}),
        ("TanhLRScheduler", {"t_initial": 10, "warmup_t": 3}),
        ("PolyLRScheduler", {"t_initial": 5, "t_in_epochs": False}),
        ("StepLRScheduler", {"decay_t": 3}),
        ("MultiStepLRScheduler", {"decay_t": [3, 5]}),
    ],
)
def test_state_dict_is_timms_and_loads_into_timm(timm_scheduler, name, kwargs):
    def make(module: Any) -> Any:
        return getattr(module, name)(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), **kwargs)

    ref, ours = make(timm_scheduler), make(core_timm)
    for s in (ref, ours):
        s.step(4)
        s.step_update(7)
    assert ours.state_dict() == ref.state_dict()
    resumed = make(timm_scheduler)
    resumed.load_state_dict(ours.state_dict())
    assert resumed._get_lr(6) == ref._get_lr(6)


def test_missing_field_is_a_key_error_like_timm(timm_scheduler):
    for module in (timm_scheduler, core_timm):
        with pytest.raises(KeyError, match="lr missing from param_groups"):
            module.StepLRScheduler(GroupsOptimizer([{"momentum": 0.9}]), decay_t=3)


def test_noise_without_room_is_refused_instead_of_looping_forever():
    with pytest.raises(ValueError, match="noise_pct"):
        core_timm.CosineLRScheduler(
            GroupsOptimizer([{"lr": 0.1}]), t_initial=10, noise_range_t=0, noise_pct=0.0
        )


def test_without_noise_torch_is_not_needed():
    code = (
        "import sys\n"
        "from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, simulate\n"
        "spec = SchedulerSpec('timm.scheduler.CosineLRScheduler', {'param_name': 'lr', 't_initial': 50, 'warmup_t': 5})\n"
        "exp = Experiment(500, (ParamGroupSpec('g', {'lr': 0.1}),), (spec,), iterations_per_epoch=10)\n"
        "simulate(exp, 'step'); simulate(exp, 'fast')\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_t_in_epochs_needs_the_experiments_iterations_per_epoch():
    spec = SchedulerSpec("timm.scheduler.StepLRScheduler", {"param_name": "lr", "decay_t": 3})
    exp = Experiment(10, (ParamGroupSpec("g", {"lr": 0.1}),), (spec,))
    with pytest.raises(ValueError, match="iterations_per_epoch"):
        simulate(exp)
    per_update = SchedulerSpec("timm.scheduler.StepLRScheduler", {**spec.kwargs, "t_in_epochs": False})
    assert simulate(Experiment(4, exp.param_groups, (per_update,)))[0].values.tolist() == [0.1] * 4


def test_param_group_index_schedules_one_group_like_timm_on_that_group(timm_scheduler):
    kw = {"t_initial": 7, "warmup_t": 2, "t_in_epochs": False, "cycle_limit": 3}
    groups = (ParamGroupSpec("a", {"lr": 0.3}), ParamGroupSpec("b", {"lr": 0.05}))
    spec = SchedulerSpec(
        "timm.scheduler.CosineLRScheduler", {"param_name": "lr", "param_group_index": 1, **kw}
    )
    ref, _ = timm_loop(
        timm_scheduler.CosineLRScheduler, {"groups": [{"lr": 0.05}], "kwargs": kw, "n": 30, "ipe": 1}
    )
    for method in ("step", "fast"):
        a, b = simulate(Experiment(30, groups, (spec,)), method)
        assert a.values.tolist() == [0.3] * 30
        assert [v.hex() for v in b.values.tolist()] == [r[0].hex() for r in ref]


def test_the_last_writer_wins_at_every_event_as_with_other_types():
    """A timm scheduler after an ignite one on the same lr writes update i's value at every
    event (its value holds), stepped and closed form alike."""
    groups = (ParamGroupSpec("g", {"lr": 0.1}),)
    ignite = SchedulerSpec(
        "LinearCyclicalScheduler", {"param_name": "lr", "start_value": 0.0, "end_value": 1.0, "cycle_size": 4}
    )
    timm = SchedulerSpec(
        "timm.scheduler.StepLRScheduler", {"param_name": "lr", "decay_t": 2, "decay_rate": 0.5}
    )
    exp = Experiment(12, groups, (ignite, timm), iterations_per_epoch=3)
    expected = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05]
    assert simulate(exp, "step")[0].values.tolist() == expected
    assert simulate(exp, "fast")[0].values.tolist() == expected


def test_many_noisy_updates_are_stepped_not_drawn_by_the_closed_form():
    n = core_timm.NOISE_DRAWS_MAX + 2
    spec = SchedulerSpec(
        "timm.scheduler.StepLRScheduler",
        {"param_name": "lr", "decay_t": 100, "t_in_epochs": False, "noise_range_t": 0},
    )
    exp = Experiment(n, (ParamGroupSpec("g", {"lr": 0.1}),), (spec,))
    with pytest.raises(NoClosedForm, match="noise drawn at more than"):
        simulate(exp, "fast")


def test_too_many_cycles_are_stepped_not_searched_by_the_closed_form():
    cases = (
        {"t_initial": 1, "cycle_limit": 10**6},
        {"t_initial": 1, "cycle_mul": 1.0001, "cycle_limit": 10**6},
    )
    for kw, n in zip(cases, (core_timm.CYCLES_MAX + 100, 100_000)):  # ~24,000 grown cycles
        spec = SchedulerSpec(
            "timm.scheduler.CosineLRScheduler", {"param_name": "lr", "t_in_epochs": False, **kw}
        )
        exp = Experiment(n, (ParamGroupSpec("g", {"lr": 0.1}),), (spec,))
        with pytest.raises(NoClosedForm, match=f"more than {core_timm.CYCLES_MAX} cycles"):
            simulate(exp, "fast")


def test_closed_form_is_vectorised_for_long_runs(timm_scheduler):
    """1e5 updates of each type (defaults, per update): closed form == timm, spot-checked."""
    n = 100_000
    cases = {
        "CosineLRScheduler": {"t_initial": n, "warmup_t": 100, "lr_min": 1e-5},
        "TanhLRScheduler": {"t_initial": 30_000, "cycle_limit": 4, "cycle_decay": 0.5},
        "PolyLRScheduler": {"t_initial": 20_000, "cycle_mul": 1.5, "cycle_limit": 3, "power": 2.0},
        "StepLRScheduler": {"decay_t": 3_000, "decay_rate": 0.9},
        "MultiStepLRScheduler": {"decay_t": [10_000, 50_000, 80_000], "decay_rate": 0.1},
    }
    rng = np.random.default_rng(0)
    for name, kw in cases.items():
        kw = {**kw, "t_in_epochs": False}
        spec = SchedulerSpec(f"timm.scheduler.{name}", {"param_name": "lr", **kw})
        exp = Experiment(n, (ParamGroupSpec("g", {"lr": 0.1}),), (spec,))
        values = simulate(exp, "fast")[0].values
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        ref = getattr(timm_scheduler, name)(opt, **kw)
        for i in sorted(set(rng.integers(1, n, 300).tolist()) | {1, n - 1}):
            expected = ref._get_lr(i)[0]
            assert values[i].hex() == float(expected).hex(), (name, i)
        assert math.isfinite(float(values.sum()))


# ------------------------------------------------------------------------------------------------
# the code export (POST /api/v1/code?flavor=timm), run against timm
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import warnings

    with warnings.catch_warnings():  # starlette's TestClient deprecation (as in tests/app)
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def wire_experiment(cfg: dict[str, Any]) -> dict[str, Any]:
    kwargs = dict(cfg["kwargs"])
    if isinstance(kwargs.get("noise_range_t"), tuple):
        kwargs["noise_range_t"] = list(kwargs["noise_range_t"])
    exp = {
        "num_events": cfg["n"],
        "param_groups": [{"name": f"g{i}", **g} for i, g in enumerate(cfg["groups"])],
        "schedulers": [{"type": f"timm.scheduler.{cfg['name']}", **kwargs}],
    }
    if cfg["kwargs"]["t_in_epochs"]:
        exp["iterations_per_epoch"] = cfg["ipe"]
    return exp


def run_export(client: Any, exp: dict[str, Any], flavor: str) -> tuple[str, list[dict[str, list[float]]]]:
    r = client.post(f"/api/v1/code?flavor={flavor}", json=exp)
    assert r.status_code == 200, r.text
    code = r.json()["code"]
    namespace: dict[str, Any] = {"__name__": "generated"}
    exec(compile(code, "<generated>", "exec"), namespace)  # noqa: S102 - the test's point
    return code, namespace["history"]


def assert_export_reproduces_series(client: Any, exp: dict[str, Any]) -> None:
    series = client.post("/api/v1/series", json=exp)
    assert series.status_code == 200, series.text
    for flavor, module in (
        ("timm", "from timm.scheduler import"),
        ("scheduler_core", "from scheduler_core.timm import"),
    ):
        code, history = run_export(client, exp, flavor)
        assert module in code and ".step_update(num_updates=update + 1)" in code
        for s in series.json()["series"]:
            got = [float(v).hex() for v in history[s["param_group"]][s["param_name"]]]
            assert got == [float(v).hex() for v in s["values"]], (flavor, s["group_name"])


@pytest.mark.parametrize("name", TYPES)
def test_exported_code_run_with_timm_reproduces_the_series(timm_scheduler, client, name):
    @settings(
        max_examples=EXAMPLES // 10, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(configs(name))
    def run(cfg: dict[str, Any]) -> None:
        ref, err = timm_loop(getattr(timm_scheduler, cfg["name"]), cfg)
        if err is not None:
            return  # /series answers 422 (tested with the experiments above)
        assert_export_reproduces_series(client, wire_experiment(cfg))

    run()


def test_exported_code_with_a_group_index_and_two_schedulers(timm_scheduler, client):
    exp = {
        "num_events": 90,
        "iterations_per_epoch": 7,
        "param_groups": [{"name": "body", "lr": 0.1, "weight_decay": 0.05}, {"name": "head", "lr": 0.5}],
        "schedulers": [
            {"type": "timm.scheduler.CosineLRScheduler", "param_group_index": 0, "t_initial": 8, "warmup_t": 2},
            {"type": "timm.scheduler.MultiStepLRScheduler", "param_group_index": 1, "decay_t": [20, 50],
             "decay_rate": 0.3, "t_in_epochs": False, "noise_range_t": [10, 60], "noise_pct": 0.2},
        ],
    }  # fmt: skip
    assert_export_reproduces_series(client, exp)


def test_flavors_refuse_what_they_cannot_write(client):
    timm_exp = {
        "num_events": 10,
        "param_groups": [{"name": "g", "lr": 0.1, "momentum": 0.9}],
        "schedulers": [{"type": "timm.scheduler.StepLRScheduler", "decay_t": 3.0, "t_in_epochs": False}],
    }
    r = client.post("/api/v1/code?flavor=ignite", json=timm_exp)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "schedulers", 0, "type"]
    ignite = {"type": "LinearCyclicalScheduler", "param_name": "momentum", "start_value": 0.9,
              "end_value": 0.8, "cycle_size": 4}  # fmt: skip
    mixed = {**timm_exp, "schedulers": [*timm_exp["schedulers"], ignite]}
    r = client.post("/api/v1/code?flavor=timm", json=mixed)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "schedulers", 1, "type"]
    r = client.post("/api/v1/code?flavor=timm", json={**timm_exp, "schedulers": [ignite]})
    assert r.status_code == 422 and "LinearCyclicalScheduler" in r.json()["detail"][0]["msg"]
    momentum = {**timm_exp, "schedulers": [{**timm_exp["schedulers"][0], "param_name": "momentum"}]}
    r = client.post("/api/v1/code?flavor=timm", json=momentum)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "schedulers", 0, "param_name"]
    assert client.post("/api/v1/code?flavor=scheduler_core", json=momentum).status_code == 200
    twice = {**timm_exp, "schedulers": timm_exp["schedulers"] * 2}
    r = client.post("/api/v1/code?flavor=timm", json=twice)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "schedulers", 1]
    epochs = {**timm_exp, "schedulers": [{"type": "timm.scheduler.StepLRScheduler", "decay_t": 3.0}]}
    r = client.post("/api/v1/code?flavor=timm", json=epochs)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "iterations_per_epoch"]
    r = client.post("/api/v1/series", json=epochs)
    assert r.status_code == 422 and "iterations_per_epoch" in r.json()["detail"][0]["msg"]


HOSTILE = [
    {"type": "timm.scheduler.CosineLRScheduler", "t_initial": 1, "cycle_mul": 1e-300, "cycle_limit": 10**9},
    {"type": "timm.scheduler.CosineLRScheduler", "t_initial": 3, "cycle_mul": 0.5, "cycle_limit": 10**9},
    {"type": "timm.scheduler.CosineLRScheduler", "t_initial": 10**9, "k_decay": 1e-300},
    {"type": "timm.scheduler.CosineLRScheduler", "t_initial": 2, "k_decay": 20.0, "cycle_limit": 10**9},
    {"type": "timm.scheduler.CosineLRScheduler", "t_initial": 1, "cycle_decay": 1e3, "cycle_limit": 10**9},
    {"type": "timm.scheduler.CosineLRScheduler", "t_initial": 1, "cycle_mul": 1e3, "cycle_decay": 0.0},
    {"type": "timm.scheduler.TanhLRScheduler", "t_initial": 5, "lb": -1e12, "ub": 1e12, "cycle_mul": 0.9},
    {"type": "timm.scheduler.PolyLRScheduler", "t_initial": 7, "power": 100.0, "k_decay": 0.01, "cycle_mul": 1.5},
    {"type": "timm.scheduler.PolyLRScheduler", "t_initial": 7, "power": 0.0, "cycle_mul": 0.99, "cycle_limit": 10**9},
    {"type": "timm.scheduler.StepLRScheduler", "decay_t": 1e-12, "decay_rate": 1e3},
    {"type": "timm.scheduler.StepLRScheduler", "decay_t": 1e-12, "decay_rate": 0.5},
    {"type": "timm.scheduler.MultiStepLRScheduler", "decay_t": [10**9, 0, 5] * 300, "decay_rate": 1e3},
    {"type": "timm.scheduler.StepLRScheduler", "decay_t": 2.0, "noise_range_t": 0, "noise_pct": 1e-3,
     "noise_std": 1e-2, "noise_seed": 10**9},
    {"type": "timm.scheduler.CosineLRScheduler", "t_initial": 9, "noise_range_t": [0, 10**9], "noise_pct": 1e3,
     "noise_std": 1e3, "warmup_t": 10**9, "warmup_lr_init": 1e12},
]  # fmt: skip


@pytest.mark.parametrize("t_in_epochs", [False, True])
@pytest.mark.parametrize("sched", HOSTILE)
def test_hostile_configurations_answer_200_or_422(client, sched, t_in_epochs):
    exp = {
        "num_events": 30_000,
        "iterations_per_epoch": 3,
        "param_groups": [{"name": "g", "lr": 1e12}, {"name": "h", "lr": 1e-12}],
        "schedulers": [{**sched, "t_in_epochs": t_in_epochs}],
    }
    for path in ("/api/v1/series?max_points=100", "/api/v1/code?flavor=timm", "/api/v1/code"):
        r = client.post(path, json=exp)
        assert r.status_code in (200, 422), (path, r.text)


@pytest.mark.parametrize(
    "field, value",
    [
        ("noise_std", 7.0),
        ("lb", 5.0),
        ("cycle_mul", 0.0),
        ("t_initial", 0),
        ("k_decay", 0.0),
        ("decay_t", -1.0),
    ],
)
def test_wire_bounds_are_422_naming_the_field(client, field, value):
    kinds = {"lb": "TanhLRScheduler", "decay_t": "StepLRScheduler"}
    sched = {
        "type": f"timm.scheduler.{kinds.get(field, 'CosineLRScheduler')}",
        "t_initial": 5,
        "decay_t": 2.0,
    }
    if kinds.get(field) == "StepLRScheduler":
        del sched["t_initial"]
    else:
        del sched["decay_t"]
    sched |= {field: value, "noise_range_t": 0, "noise_pct": 0.5, "t_in_epochs": False}
    r = client.post(
        "/api/v1/series",
        json={"num_events": 5, "param_groups": [{"name": "g", "lr": 0.1}], "schedulers": [sched]},
    )
    assert r.status_code == 422, r.text
    assert any(field in str(d["loc"]) + d["msg"] for d in r.json()["detail"]), r.text


@pytest.mark.parametrize("name", ["CosineLRScheduler", "TanhLRScheduler", "PolyLRScheduler"])
@pytest.mark.parametrize("cycle_mul", [1.0, 2.0, 3.0])
@pytest.mark.parametrize("ipe", [None, 3])
def test_restart_markers_are_timms_cycle_lengths(timm_scheduler, name, cycle_mul, ipe):
    """Cycle starts: timm's ``get_cycle_length(c)`` steps (warm-up included with warmup_prefix)
    for the cycles within ``cycle_limit``, in events (times iterations_per_epoch)."""
    from scheduler_core.restarts import restart_events

    kw = {"t_initial": 4, "cycle_mul": cycle_mul, "cycle_limit": 6, "warmup_t": 3, "warmup_prefix": True}
    kw["t_in_epochs"] = ipe is not None
    n, per = 300, ipe or 1
    spec = SchedulerSpec(f"timm.scheduler.{name}", {"param_name": "lr", **kw})
    markers = restart_events(
        Experiment(n, (ParamGroupSpec("g", {"lr": 0.1}),), (spec,), iterations_per_epoch=ipe), 0, "lr"
    )
    ref = getattr(timm_scheduler, name)(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), **kw)
    expected = [ref.get_cycle_length(c) * per for c in range(1, kw["cycle_limit"])]
    assert markers == [e for e in expected if e < n]
    assert markers  # some cycles restart within the run


def test_scheduler_core_export_mixing_libraries_runs_timm_types_per_event(client):
    """flavor scheduler_core with timm and ignite types: the generic program, timm's types in
    ``UpdateDriver`` (the experiment's own stepping); values equal /series bit for bit."""
    exp = {
        "num_events": 70,
        "iterations_per_epoch": 6,
        "param_groups": [{"name": "a", "lr": 0.1, "momentum": 0.9}, {"name": "b", "lr": 0.2, "momentum": 0.8}],
        "schedulers": [
            {"type": "timm.scheduler.TanhLRScheduler", "t_initial": 5, "cycle_limit": 3, "warmup_t": 1},
            {"type": "timm.scheduler.PolyLRScheduler", "param_group_index": 1, "t_initial": 40, "t_in_epochs": False,
             "param_name": "momentum", "power": 2.0},
            {"type": "CosineAnnealingScheduler", "param_name": "momentum", "param_group_index": 0,
             "start_value": 0.9, "end_value": 0.5, "cycle_size": 10},
        ],
    }  # fmt: skip
    series = client.post("/api/v1/series", json=exp)
    assert series.status_code == 200, series.text
    code, history = run_export(client, exp, "scheduler_core")
    assert "UpdateDriver(" in code and "from scheduler_core.timm import" in code
    for s in series.json()["series"]:
        got = [float(v).hex() for v in history[s["param_group"]][s["param_name"]]]
        assert got == [float(v).hex() for v in s["values"]], s["group_name"]
    r = client.post("/api/v1/code?flavor=scheduler_core", json={**exp, "iterations_per_epoch": None})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "iterations_per_epoch"]
