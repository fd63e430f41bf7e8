"""Differential tests: scheduler_core's transformers schedules vs transformers 5.23 itself.

For each schedule, seeded random configurations (warm-ups, horizons and cycle counts sized to
end inside the run, 1-3 param groups with random lrs) run through the real transformers function
on a ``torch.optim.SGD`` in the usual loop (record the lrs, ``optimizer.step()``,
``scheduler.step()``). The same configuration as a ``scheduler_core`` experiment must give the
same values bit for bit (sign of zero included) by its closed form and by stepping, and
``scheduler_core.transformers``' own ``LambdaLR`` must too. Configurations transformers refuses
must be refused with the same error; runs that raise part-way must raise the same error.

A few long runs compare the closed forms with transformers' own ``lr_lambda`` over 200,000
updates, and the numpy functions the closed forms rely on (``np.cos``, ``np.float_power``,
``x - floor(x)``) with ``math.cos``, ``**`` and ``% 1.0`` on many inputs.

transformers is a test-only reference (the ``dev-ecosystem`` extra): missing, these tests skip,
except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import math
import os
import random
import warnings
from typing import Any

import numpy as np
import pytest

if os.environ.get("CI") != "true":
    pytest.importorskip("transformers", reason="the dev-ecosystem extra is not installed")
import torch  # noqa: E402
import transformers  # noqa: E402
import transformers.optimization as tro  # noqa: E402

import scheduler_core.transformers as sct  # noqa: E402
import scheduler_core.transformers_lambdas as lambdas  # noqa: E402
from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, simulate  # noqa: E402
from scheduler_core.registry import TYPES  # noqa: E402
from scheduler_core.shapes import NoClosedForm  # noqa: E402

SCALE = float(os.environ.get("SCHEDULER_CORE_EXAMPLES_SCALE", "1"))
CONFIGS = max(1, int(200 * SCALE))  # per schedule
FUNCTIONS = sorted(n.removeprefix("transformers.") for n in TYPES if n.startswith("transformers."))


def test_version():
    assert transformers.__version__ == "5.23.0"


def test_every_listed_schedule_is_registered():
    listed = {
        "get_constant_schedule",
        "get_constant_schedule_with_warmup",
        "get_linear_schedule_with_warmup",
        "get_cosine_schedule_with_warmup",
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        "get_polynomial_decay_schedule_with_warmup",
        "get_inverse_sqrt_schedule",
        "get_cosine_with_min_lr_schedule_with_warmup",
        "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
        "get_wsd_schedule",
    }
    assert set(FUNCTIONS) == listed
    for name in listed:  # the same keyword arguments as transformers
        import inspect

        ours, theirs = inspect.signature(getattr(sct, name)), inspect.signature(getattr(tro, name))
        assert list(ours.parameters) == list(theirs.parameters), name
        assert [p.default for p in ours.parameters.values()] == [
            p.default for p in theirs.parameters.values()
        ], name


# ------------------------------------------------------------------------------------------------
# random configurations
# ------------------------------------------------------------------------------------------------
def _steps(rng: random.Random) -> tuple[int, int, int]:
    """num_events, num_warmup_steps, num_training_steps, with edges inside the run."""
    n = rng.choice([1, 2, 5, rng.randint(1, 300), rng.randint(50, 300)])
    w = rng.choice([0, 1, 2, rng.randint(0, n), rng.randint(0, 40)])
    t = rng.choice([w, w + 1, rng.randint(0, n + 5), rng.randint(w, w + n), rng.randint(0, 3 * n)])
    return n, w, t


def _cycles(rng: random.Random) -> float:
    return rng.choice([0.5, 1.0, 0.25, 1.5, 2.0, 0.0, rng.uniform(0.0, 5.0)])


def _config(rng: random.Random, function: str, lr0: float) -> tuple[int, dict[str, Any]]:
    n, w, t = _steps(rng)
    if function == "get_constant_schedule":
        return n, {}
    if function == "get_constant_schedule_with_warmup":
        return n, {"num_warmup_steps": w}
    kw: dict[str, Any] = {"num_warmup_steps": w, "num_training_steps": t}
    if function == "get_linear_schedule_with_warmup":
        pass
    elif function == "get_cosine_schedule_with_warmup":
        kw["num_cycles"] = _cycles(rng)
    elif function == "get_cosine_with_hard_restarts_schedule_with_warmup":
        kw["num_cycles"] = rng.choice([1, 2, 3, 0, rng.randint(1, 12)])
    elif function == "get_polynomial_decay_schedule_with_warmup":
        kw["lr_end"] = rng.choice([1e-7, 0.0, rng.uniform(0.0, lr0), lr0 * 0.5, lr0])  # lr0: refused
        kw["power"] = rng.choice([1.0, 2.0, 0.5, 3.0, 0.0, rng.uniform(0.0, 4.0)])
    elif function == "get_inverse_sqrt_schedule":
        del kw["num_training_steps"]
        if rng.random() < 0.7:
            kw["timescale"] = rng.choice([1, w or 1, rng.randint(1, 500)])
    elif function.startswith("get_cosine_with_min_lr_schedule_with_warmup"):
        kw["num_cycles"] = _cycles(rng)
        which = rng.random()
        if which < 0.45:
            kw["min_lr"] = rng.choice([0.0, rng.uniform(0.0, lr0), lr0 * 0.1])
        elif which < 0.9:
            kw["min_lr_rate"] = rng.choice([0.0, 0.1, rng.uniform(0.0, 1.0)])
        elif which < 0.95:  # refused: both
            kw["min_lr"], kw["min_lr_rate"] = 1e-5, 0.1
        if function.endswith("_lr_rate") and rng.random() < 0.6:
            kw["warmup_lr_rate"] = rng.choice([0.0, 0.01, rng.uniform(0.0, 1.0)])
    elif function == "get_wsd_schedule":
        d = rng.choice([0, 1, rng.randint(0, n), rng.randint(0, 60)])
        kw = {"num_warmup_steps": w, "num_decay_steps": d}
        which = rng.random()
        if which < 0.45:
            kw["num_training_steps"] = rng.choice([w + d, rng.randint(0, n + 10), w + d + rng.randint(0, n)])
        elif which < 0.9:
            kw["num_stable_steps"] = rng.choice([0, rng.randint(0, n)])
        elif which < 0.95:  # both: transformers warns and uses num_stable_steps
            kw["num_training_steps"], kw["num_stable_steps"] = n, rng.randint(0, n)
        kw["warmup_type"] = rng.choice(sct.WARMUP_TYPES + (("exp",) if rng.random() < 0.03 else ()))
        kw["decay_type"] = rng.choice(sct.WARMUP_TYPES + (("step",) if rng.random() < 0.03 else ()))
        kw["min_lr_ratio"] = rng.choice([0, 0.0, 0.1, rng.uniform(0.0, 1.0)])
        kw["num_cycles"] = _cycles(rng)
    else:  # pragma: no cover
        raise AssertionError(function)
    return n, kw


def _lrs(rng: random.Random) -> list[float]:
    return [rng.choice([0.1, 1.0, 1e-3, 3e-4, rng.uniform(1e-6, 1.0)]) for _ in range(rng.randint(1, 3))]


def _optimizer(lrs: list[float]) -> torch.optim.Optimizer:
    """SGD whose default lr is the first group's (what an experiment assumes)."""
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    return torch.optim.SGD(groups, lr=lrs[0])


def _run_torch(make: Any, lrs: list[float], n: int, kw: dict[str, Any]) -> tuple[list[list[float]], Any]:
    """The usual loop over ``n`` updates; returns the lrs seen at each update and the error
    raised (or None)."""
    opt = _optimizer(lrs)
    seen: list[list[float]] = [[] for _ in lrs]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scheduler = make(opt, **kw)
            for i in range(n):
                for g, group in enumerate(opt.param_groups):
                    seen[g].append(group["lr"])
                opt.step()
                if i < n - 1:  # the last step computes the lr of an update beyond the run
                    scheduler.step()
    except (ValueError, TypeError, ArithmeticError) as exc:
        return seen, exc
    return seen, None


def _experiment(function: str, lrs: list[float], n: int, kw: dict[str, Any], index: int | None) -> Experiment:
    spec = {"param_name": "lr", **kw}
    if index is not None:
        spec["param_group_index"] = index
    groups = tuple(ParamGroupSpec(f"g{i}", {"lr": lr}) for i, lr in enumerate(lrs))
    return Experiment(n, groups, (SchedulerSpec("transformers." + function, spec),))


def bits(values: Any) -> list[str]:
    return [float(v).hex() for v in values]


def same_bits(a: Any, b: Any) -> bool:
    """Equal float64 bit patterns (as ``float.hex``, sign of zero included), fast."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.array_equal(a.view(np.int64), b.view(np.int64)))


def _same_error(ours: BaseException, theirs: BaseException) -> None:
    assert type(ours) is type(theirs)
    assert str(ours) == str(theirs)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_same_values_as_transformers(function):
    rng = random.Random(f"transformers-{function}")
    outcomes = {"values": 0, "refused": 0, "raised": 0}
    for _ in range(CONFIGS):
        lrs = _lrs(rng)
        n, kw = _config(rng, function, lrs[0])
        index = rng.choice([None, None, rng.randrange(len(lrs))])
        theirs, error = _run_torch(getattr(tro, function), lrs, n, kw)
        ours_lambda, our_error = _run_torch(getattr(sct, function), lrs, n, kw)
        assert (our_error is None) == (error is None), (kw, error, our_error)
        if error is not None:
            _same_error(our_error, error)
        assert [bits(v) for v in ours_lambda] == [bits(v) for v in theirs], kw
        exp = _experiment(function, lrs, n, kw, index)
        if error is not None and not theirs[0]:  # refused at construction
            outcomes["refused"] += 1
            with pytest.raises(type(error)) as info, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                simulate(exp)
            assert str(info.value) == str(error)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if error is not None:  # raised at update len(theirs[0])
                outcomes["raised"] += 1
                with pytest.raises(NoClosedForm):
                    simulate(exp, "fast")
                with pytest.raises(type(error)) as info:
                    simulate(exp, "step")
                assert str(info.value) == str(error)
                continue
            outcomes["values"] += 1
            fast, step = simulate(exp, "fast"), simulate(exp, "step")
        for g, lr in enumerate(lrs):
            expected = bits(theirs[g]) if index in (None, g) else bits([lr] * n)
            assert bits(fast[g].values) == expected, (kw, lrs, index, g)
            assert bits(step[g].values) == expected, (kw, lrs, index, g)
    assert outcomes["values"] >= CONFIGS // 2, outcomes


LONG = [
    ("get_cosine_schedule_with_warmup", {"num_warmup_steps": 3000, "num_training_steps": 190_000}),
    (
        "get_cosine_schedule_with_warmup",
        {"num_warmup_steps": 7, "num_training_steps": 123_457, "num_cycles": 3.3},
    ),
    (
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        {"num_warmup_steps": 1000, "num_training_steps": 180_001, "num_cycles": 7},
    ),
    (
        "get_polynomial_decay_schedule_with_warmup",
        {"num_warmup_steps": 999, "num_training_steps": 170_000, "lr_end": 1e-5, "power": 1.7},
    ),
    ("get_inverse_sqrt_schedule", {"num_warmup_steps": 4000}),
    ("get_linear_schedule_with_warmup", {"num_warmup_steps": 100, "num_training_steps": 199_999}),
    (
        "get_cosine_with_min_lr_schedule_with_warmup",
        {"num_warmup_steps": 500, "num_training_steps": 150_000, "min_lr": 1e-5},
    ),
    (
        "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
        {
            "num_warmup_steps": 500,
            "num_training_steps": 150_000,
            "min_lr_rate": 0.05,
            "warmup_lr_rate": 0.001,
        },
    ),
    *[
        (
            "get_wsd_schedule",
            {
                "num_warmup_steps": 5000,
                "num_decay_steps": 60_000,
                "num_training_steps": 190_000,
                "warmup_type": wt,
                "decay_type": dt,
                "min_lr_ratio": 0.03,
            },
        )
        for wt in sct.WARMUP_TYPES
        for dt in sct.WARMUP_TYPES
    ],
]


@pytest.mark.parametrize("function, kw", LONG)
def test_long_runs_equal_transformers_lambda(function, kw):
    """200,000 updates: the closed form against ``base_lr * lr_lambda(i)`` of transformers' own
    LambdaLR (what its ``get_lr`` computes)."""
    n, lrs = 200_000, [3e-4, 0.05]
    scheduler = getattr(tro, function)(_optimizer(lrs), **kw)
    lam = scheduler.lr_lambdas[0]
    factors = [lam(i) for i in range(n)]
    [fast_a, fast_b] = simulate(_experiment(function, lrs, n, kw, None), "fast")
    assert same_bits(fast_a.values, [lrs[0] * f for f in factors])
    assert same_bits(fast_b.values, [lrs[1] * f for f in factors])


# ------------------------------------------------------------------------------------------------
# numpy against libm, where the closed forms rely on it
# ------------------------------------------------------------------------------------------------
def test_numpy_cos_pow_mod_equal_python():
    rng = np.random.default_rng(13)
    x = np.concatenate(
        [
            rng.uniform(0.0, math.pi, 400_000),  # cos(pi * p), p in [0, 1)
            rng.uniform(0.0, 40 * math.pi, 200_000),  # several cosine waves
            np.linspace(0.0, 2 * math.pi, 100_001),
            rng.uniform(0.0, 2e7, 100_000),  # num_cycles up to 1e6 (the wire's bound)
        ]
    )
    assert same_bits(np.cos(x), [math.cos(v) for v in x.tolist()])
    base, power = rng.uniform(0.0, 1.0, 200_000), rng.uniform(0.0, 5.0, 200_000)
    base[:100] = 0.0
    assert same_bits(np.float_power(base, power), [b**p for b, p in zip(base.tolist(), power.tolist())])
    for p in (0.5, 1.0, 2.0, 3.0):
        assert same_bits(np.float_power(base, p), [b**p for b in base.tolist()])
    assert same_bits(base, [b**1.0 for b in base.tolist()])  # the polynomial decay skips pow there
    y = np.concatenate(
        [rng.uniform(0.0, 50.0, 200_000), rng.uniform(-3.0, 3.0, 1000), -(2.0 ** -np.arange(80))]
    )
    y[:1000] = np.round(y[:1000])  # whole numbers
    z = y.copy()
    lambdas.mod1_v(z)
    assert same_bits(z, [v % 1.0 for v in y.tolist()])


# ------------------------------------------------------------------------------------------------
# restart markers
# ------------------------------------------------------------------------------------------------
def test_hard_restart_markers_are_where_the_lr_jumps_back_up():
    from scheduler_core.restarts import restart_events

    rng = random.Random(7)
    for _ in range(100):
        n, w, cycles = rng.randint(2, 400), rng.randint(0, 50), rng.randint(0, 9)
        # more than one update per cycle, so that every wrap is a jump up
        kw = {
            "num_warmup_steps": w,
            "num_training_steps": w + cycles + rng.randint(1, 400),
            "num_cycles": cycles,
        }
        exp = _experiment("get_cosine_with_hard_restarts_schedule_with_warmup", [1.0], n, kw, None)
        values = simulate(exp)[0].values
        jumps = [i for i in range(max(1, w + 1), n) if values[i] > values[i - 1]]
        assert restart_events(exp, 0, "lr") == jumps, kw


# ------------------------------------------------------------------------------------------------
# through the API: /series, the catalogue's examples, /code executed with the real library
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings

    with TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("data")))) as c:
        yield c


def _wire(function: str, lrs: list[float], n: int, kw: dict[str, Any]) -> dict[str, Any]:
    return {
        "num_events": n,
        "param_groups": [{"name": f"g{i}", "lr": lr} for i, lr in enumerate(lrs)],
        "schedulers": [{"type": "transformers." + function, "param_name": "lr", **kw}],
    }


def _wire_configs() -> list[tuple[str, list[float], int, dict[str, Any]]]:
    """Each catalogue example (1,200 updates, two groups), plus two random valid configurations
    per schedule."""
    from app.contract.registry import REGISTRY

    out = []
    for name, entry in REGISTRY.items():
        if entry.core.family == "transformers":
            kw = {k: v for k, v in entry.example.items() if k not in ("type", "param_name")}
            out.append((name.removeprefix("transformers."), [0.1, 0.02], 1200, kw))
    rng = random.Random("transformers-api")
    for function in FUNCTIONS:
        found = 0
        while found < 2:
            lrs = _lrs(rng)
            n, kw = _config(rng, function, lrs[0])
            kw = {k: float(v) if k in ("min_lr_ratio",) else v for k, v in kw.items()}
            if _run_torch(getattr(tro, function), lrs, n, kw)[1] is None and "exp" not in kw.values():
                out.append((function, lrs, n, kw))
                found += 1
    return out


WIRE_CONFIGS = _wire_configs()


def _real(function: str, lrs: list[float], n: int, kw: dict[str, Any]) -> list[list[float]]:
    seen, error = _run_torch(getattr(tro, function), lrs, n, kw)
    assert error is None
    return seen


@pytest.mark.parametrize("function, lrs, n, kw", WIRE_CONFIGS)
def test_api_series_equals_transformers(client, function, lrs, n, kw):
    r = client.post("/api/v1/series", json=_wire(function, lrs, n, kw))
    assert r.status_code == 200, r.text
    series = r.json()["series"]
    theirs = _real(function, lrs, n, kw)
    assert [bits(s["values"]) for s in series] == [bits(v) for v in theirs]


@pytest.mark.parametrize("flavor", ["transformers", "scheduler_core"])
@pytest.mark.parametrize("function, lrs, n, kw", WIRE_CONFIGS[:: max(1, len(WIRE_CONFIGS) // 12)])
def test_exported_code_reproduces_transformers(client, flavor, function, lrs, n, kw):
    r = client.post(f"/api/v1/code?flavor={flavor}", json=_wire(function, lrs, n, kw))
    assert r.status_code == 200, r.text
    code = r.json()["code"]
    module = "transformers" if flavor == "transformers" else "scheduler_core.transformers"
    imports = code.split("\nnum_events")[0]
    assert f"from {module} import " in imports and function in imports and "ignite" not in code
    namespace: dict = {"__name__": "generated"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, "<generated>", "exec"), namespace)  # noqa: S102 - the test's point
    history = [h["lr"] for h in namespace["history"]]
    series = client.post("/api/v1/series", json=_wire(function, lrs, n, kw)).json()["series"]
    assert [bits(h) for h in history] == [bits(s["values"]) for s in series]
    assert [bits(h) for h in history] == [bits(v) for v in _real(function, lrs, n, kw)]


def test_export_refuses_what_a_lambda_lr_cannot_express(client):
    cosine = {"type": "transformers.get_cosine_schedule_with_warmup", "param_name": "lr"}
    cosine |= {"num_warmup_steps": 5, "num_training_steps": 50}
    ignite = {"type": "CosineAnnealingScheduler", "param_name": "lr", "start_value": 0.1}
    ignite |= {"end_value": 0.0, "cycle_size": 10}
    groups = [{"name": "a", "lr": 0.1, "momentum": 0.9}, {"name": "b", "lr": 0.2, "momentum": 0.9}]

    def post(flavor: str, *schedulers: dict) -> tuple[int, list]:
        r = client.post(
            f"/api/v1/code?flavor={flavor}",
            json={"num_events": 9, "param_groups": groups, "schedulers": list(schedulers)},
        )
        return r.status_code, r.json().get("detail", [{}])[0].get("loc")

    assert post("ignite", cosine) == (422, ["body", "schedulers", 0, "type"])
    assert post("transformers", ignite) == (422, ["body", "schedulers", 0, "type"])
    assert post("scheduler_core", cosine, ignite) == (422, ["body", "schedulers", 1, "type"])
    assert post("transformers", {**cosine, "param_name": "momentum"}) == (
        422,
        ["body", "schedulers", 0, "param_name"],
    )
    assert post("transformers", {**cosine, "param_group_index": 1}) == (
        422,
        ["body", "schedulers", 0, "param_group_index"],
    )
    assert post("scheduler_core", ignite)[0] == 200  # without transformers types: the usual export
    assert post("transformers", cosine, cosine)[0] == 200


def test_api_refuses_bad_arguments_naming_them(client):
    base = _wire("get_cosine_with_min_lr_schedule_with_warmup", [0.1], 10, {"num_warmup_steps": 2})
    base["schedulers"][0]["num_training_steps"] = 10
    r = client.post("/api/v1/series", json=base)  # neither min_lr nor min_lr_rate
    assert r.status_code == 422
    assert "One of min_lr or min_lr_rate should be set" in r.json()["detail"][0]["msg"]
    assert r.json()["detail"][0]["loc"][:3] == ["body", "schedulers", 0]
    bad = _wire(
        "get_wsd_schedule", [0.1], 10, {"num_warmup_steps": 2, "num_decay_steps": 3, "decay_type": "exp"}
    )
    r = client.post("/api/v1/series", json=bad)
    assert r.status_code == 422 and "decay_type" in r.json()["detail"][0]["loc"]
    bad = _wire("get_polynomial_decay_schedule_with_warmup", [0.1], 10, {"num_warmup_steps": 2})
    bad["schedulers"][0] |= {"num_training_steps": 8, "lr_end": 0.5}
    r = client.post("/api/v1/series", json=bad)
    assert (
        r.status_code == 422
        and "lr_end (0.5) must be smaller than initial lr (0.1)" in r.json()["detail"][0]["msg"]
    )
    bad = _wire(
        "get_linear_schedule_with_warmup", [0.1], 10, {"num_warmup_steps": -1, "num_training_steps": 5}
    )
    r = client.post("/api/v1/series", json=bad)
    assert r.status_code == 422 and "num_warmup_steps" in r.json()["detail"][0]["loc"]
    bad = _wire("get_polynomial_decay_schedule_with_warmup", [0.1], 50, {"num_warmup_steps": 10})
    bad["schedulers"][0]["num_training_steps"] = 10  # transformers divides 0 by 0 at update 10
    r = client.post("/api/v1/series", json=bad)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "schedulers", 0, "num_training_steps"]
    assert r.json()["detail"][0]["msg"] == "ZeroDivisionError: division by zero"
    bad["num_events"] = 10  # update 10 is not reached
    assert client.post("/api/v1/series", json=bad).status_code == 200


@pytest.mark.parametrize("function", FUNCTIONS)
def test_other_params_scale_like_lr(function):
    """``param_name="momentum"``: each group's initial momentum times transformers' lambda (the
    default lr that some schedules read is the first group's momentum then)."""
    rng = random.Random(f"momentum-{function}")
    for _ in range(20):
        momenta = [rng.uniform(0.5, 0.99) for _ in range(2)]
        n, kw = _config(rng, function, momenta[0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                lam = getattr(tro, function)(_optimizer(momenta), **kw).lr_lambdas[0]
                factors = [lam(i) for i in range(n)]
            except (ValueError, ArithmeticError):
                continue
            spec = SchedulerSpec("transformers." + function, {"param_name": "momentum", **kw})
            groups = tuple(ParamGroupSpec(f"g{i}", {"lr": 0.1, "momentum": m}) for i, m in enumerate(momenta))
            exp = Experiment(n, groups, (spec,))
            for method in ("fast", "step"):
                series = simulate(exp, method)
                assert [s.param_name for s in series] == ["momentum", "momentum"]
                for s, m in zip(series, momenta, strict=True):
                    assert same_bits(s.values, [m * f for f in factors]), (kw, method)
