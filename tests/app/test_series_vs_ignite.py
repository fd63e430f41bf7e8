"""POST /api/v1/series equals pytorch-ignite 0.5.5's own stepping, bit for bit.

Hypothesis builds random valid wire experiments (cyclical schedulers with warm-ups and growing
cycles, PiecewiseLinear, ConcatScheduler, LRScheduler over ten torch types, the warm-up helper;
1-3 param groups, lr and sometimes momentum). Each one is POSTed to ``/series`` (full values),
and built a second time, independently of the app, from the real ``ignite.handlers`` classes over
a ``torch.optim.SGD`` with one dummy parameter per group. An event is what the app defines
(``scheduler_core.experiment._step``, the ignite template of ``app/service/codegen.py``): every
scheduler is called once, in list order, then every group's value is recorded. The values must be
equal with ``==`` (floats parsed from JSON, which orjson writes round-trip exact).

A 422 from the API must match an ignite failure: its constructors or calls raise, or the values it
produces are not finite (the API refuses those); a 200 must match an ignite run without error.

Run with ``--hypothesis-show-statistics`` to see the ``hypothesis.event`` counts (cycle
boundaries crossed with ``cycle_mult > 1``, warm-ups, torch types, outcomes).
"""

from __future__ import annotations

import math
import os
import warnings
from typing import Any

import ignite.handlers as ih
import pytest
import torch
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

SETTINGS = settings(
    deadline=None,
    database=None,
    print_blob=True,  # a failure prints how to reproduce it (@reproduce_failure)
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Soak runs: SCHEDULER_CORE_EXAMPLES_SCALE=10 multiplies every example budget (as in tests/scheduler_core).
SCALE = float(os.environ.get("SCHEDULER_CORE_EXAMPLES_SCALE", "1"))


def budget(n: int) -> int:
    return max(1, int(n * SCALE))


TORCH_TYPES = (
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "OneCycleLR",
    "CyclicLR",
    "CosineAnnealingWarmRestarts",
    "LinearLR",
    "ConstantLR",
    "PolynomialLR",
    "CosineAnnealingLR",
)


# ------------------------------------------------------------------------------------------------
# strategies: valid wire experiments (plain JSON dicts)
# ------------------------------------------------------------------------------------------------
finite = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
values = st.one_of(st.sampled_from([0.0, 1.0, 0.1, 1e-3, 0.5, -0.25]), finite)
lr_values = st.one_of(st.sampled_from([0.1, 0.01, 1.0]), st.floats(1e-5, 1.0))
momentum_values = st.one_of(st.sampled_from([0.9, 0.0, 0.5]), st.floats(0.0, 0.99))
multipliers = st.one_of(st.just(1.0), st.sampled_from([0.5, 0.9, 1.5, 2.0, -1.0, 0.0]), finite)
growths = st.one_of(
    st.sampled_from([1.5, 2.0, 1.25, 3.0]),
    st.floats(1.0, 3.0, exclude_min=True),
    st.sampled_from([0.5, 0.9]),  # shrinking cycles: ignite divides by zero eventually
)


def _maybe(draw, d: dict, key: str, strategy: st.SearchStrategy) -> None:
    if draw(st.booleans()):
        d[key] = draw(strategy)


@st.composite
def cyclical(draw, top: dict | None = None) -> dict:
    """A Linear/Cosine cyclical scheduler (``top``: its param_name / param_group_index, if any)."""
    kind = draw(st.sampled_from(["LinearCyclicalScheduler", "CosineAnnealingScheduler"]))
    s: dict[str, Any] = {
        "type": kind,
        **(top or {}),
        "start_value": draw(values),
        "end_value": draw(values),
        "cycle_size": draw(st.one_of(st.integers(2, 12), st.integers(2, 40))),
    }
    _maybe(draw, s, "cycle_mult", growths)
    _maybe(draw, s, "start_value_mult", multipliers)
    _maybe(draw, s, "end_value_mult", multipliers)
    _maybe(draw, s, "warmup_duration", st.integers(0, 12))
    if kind == "LinearCyclicalScheduler" and (s.get("warmup_duration", 0) > 0 or draw(st.booleans())):
        # a warm-up needs monotonic=True: False with a warm-up is an ignite construction error
        s["monotonic"] = draw(st.sampled_from([True, True, True, True, False]))
    return s


@st.composite
def piecewise(draw, top: dict | None = None) -> dict:
    n = draw(st.integers(1, 6))
    events = sorted(draw(st.lists(st.integers(0, 150), min_size=n, max_size=n)))
    if n > 1 and draw(st.integers(0, 4)) == 0:  # a repeated milestone: a jump
        i = draw(st.integers(1, n - 1))
        events[i] = events[i - 1]
    vals = draw(st.lists(values, min_size=n, max_size=n))
    return {
        "type": "PiecewiseLinear",
        **(top or {}),
        "milestones_values": [list(p) for p in zip(events, vals)],
    }


@st.composite
def concat(draw, top: dict) -> dict:
    n = draw(st.integers(2, 3))
    children = [draw(st.one_of(cyclical(), cyclical(), piecewise())) for _ in range(n)]
    durations = draw(st.lists(st.integers(1, 80), min_size=n - 1, max_size=n - 1))
    return {"type": "ConcatScheduler", **top, "schedulers": children, "durations": durations}


@st.composite
def torch_scheduler(draw, only: str | None = None) -> dict:
    name = only or draw(st.sampled_from(TORCH_TYPES))
    gamma = st.floats(0.5, 1.0)
    kw: dict[str, Any]
    if name == "StepLR":
        kw = {"step_size": draw(st.integers(1, 30)), "gamma": draw(gamma)}
    elif name == "MultiStepLR":
        milestones = draw(st.lists(st.integers(0, 120), min_size=1, max_size=5))  # any order
        if draw(st.booleans()):  # a repeated milestone: gamma applied twice there
            milestones.append(draw(st.sampled_from(milestones)))
        kw = {"milestones": milestones, "gamma": draw(gamma)}
    elif name == "ExponentialLR":
        kw = {"gamma": draw(st.floats(0.95, 1.0))}
    elif name == "ConstantLR":
        kw = {"factor": draw(st.floats(0.05, 1.0)), "total_iters": draw(st.integers(0, 40))}
    elif name == "LinearLR":
        kw = {
            "start_factor": draw(st.floats(0.05, 1.0)),
            "end_factor": draw(st.floats(0.0, 1.0)),
            "total_iters": draw(st.integers(0, 40)),
        }
    elif name == "PolynomialLR":
        kw = {"total_iters": draw(st.integers(0, 60)), "power": draw(st.floats(0.0, 3.0))}
    elif name == "CosineAnnealingLR":
        kw = {"T_max": draw(st.integers(1, 60)), "eta_min": draw(st.sampled_from([0.0, 1e-4]))}
    elif name == "CosineAnnealingWarmRestarts":
        kw = {
            "T_0": draw(st.integers(1, 25)),
            "T_mult": draw(st.integers(1, 3)),
            "eta_min": draw(st.sampled_from([0.0, 1e-4])),
        }
    elif name == "OneCycleLR":
        kw = {"max_lr": draw(lr_values)}
        if draw(st.integers(0, 3)):
            kw["total_steps"] = draw(st.integers(10, 320))  # fewer than num_events: torch raises
        else:
            kw["epochs"] = draw(st.integers(1, 10))
            kw["steps_per_epoch"] = draw(st.integers(5, 40))
        _maybe(draw, kw, "pct_start", st.floats(0.1, 0.6))
        _maybe(draw, kw, "anneal_strategy", st.sampled_from(["cos", "linear"]))
        _maybe(draw, kw, "three_phase", st.booleans())
        _maybe(draw, kw, "cycle_momentum", st.booleans())
        _maybe(draw, kw, "div_factor", st.sampled_from([25.0, 10.0, 1.0]))
        _maybe(draw, kw, "final_div_factor", st.sampled_from([1e4, 100.0]))
    else:  # CyclicLR
        kw = {
            "base_lr": draw(st.floats(1e-4, 0.05)),
            "max_lr": draw(st.floats(0.05, 1.0)),
            "step_size_up": draw(st.integers(1, 40)),
        }
        _maybe(draw, kw, "step_size_down", st.integers(1, 40))
        _maybe(draw, kw, "mode", st.sampled_from(["triangular", "triangular2", "exp_range"]))
        _maybe(draw, kw, "gamma", st.floats(0.95, 1.0))
        _maybe(draw, kw, "scale_mode", st.sampled_from(["cycle", "iterations"]))
        _maybe(draw, kw, "cycle_momentum", st.booleans())
    return {"type": name, **kw}


@st.composite
def lr_scheduler(draw, only: str | None = None) -> dict:
    return {"type": "LRScheduler", "lr_scheduler": draw(torch_scheduler(only))}


@st.composite
def warmup(draw, group_lrs: list[float]) -> dict:
    s: dict[str, Any] = {
        "type": "create_lr_scheduler_with_warmup",
        "lr_scheduler": draw(torch_scheduler()),
        "warmup_start_value": draw(st.one_of(st.sampled_from([0.0, 1e-3]), st.floats(0.0, 0.5))),
        "warmup_duration": draw(st.integers(2, 30)),
    }
    end = draw(st.sampled_from(["none", "random", "random", "group lr"]))
    if end == "random":
        s["warmup_end_value"] = draw(lr_values)
    elif end == "group lr":  # equal to the first group's lr: the torch start, no extra event
        s["warmup_end_value"] = group_lrs[0]
    return s


@st.composite
def targeted(draw, n_groups: int, family: str) -> dict:
    """A param scheduler (or a ConcatScheduler) on lr or momentum, all groups or one."""
    top: dict[str, Any] = {"param_name": draw(st.sampled_from(["lr", "lr", "momentum"]))}
    if draw(st.booleans()):
        top["param_group_index"] = draw(st.integers(0, n_groups - 1))
    if family == "cyclical":
        return draw(cyclical(top))
    if family == "piecewise":
        return draw(piecewise(top))
    return draw(concat(top))


SHORT = st.integers(1, 300)


@st.composite
def experiments(
    draw, families: tuple[str, ...], n_events: st.SearchStrategy = SHORT, torch_type: str | None = None
) -> dict:
    """1-3 groups (each with lr and momentum), 1-3 schedulers of ``families`` (the first one
    wrapping ``torch_type`` if given)."""
    n_groups = draw(st.sampled_from([1, 1, 2, 3]))
    lrs = draw(st.lists(lr_values, min_size=n_groups, max_size=n_groups))
    groups = [{"name": f"g{i}", "lr": lr, "momentum": draw(momentum_values)} for i, lr in enumerate(lrs)]
    schedulers = []
    for _ in range(draw(st.sampled_from([1, 1, 2, 3]))):  # one alone: its closed form is used
        family = draw(st.sampled_from(families))
        if family == "lr_scheduler":
            schedulers.append(draw(lr_scheduler(None if schedulers else torch_type)))
        elif family == "warmup":
            schedulers.append(draw(warmup(lrs)))
        else:
            schedulers.append(draw(targeted(n_groups, family)))
    return {"num_events": draw(n_events), "param_groups": groups, "schedulers": schedulers}


# ------------------------------------------------------------------------------------------------
# the reference: real ignite handlers over a torch SGD, stepped as the app defines an event
# ------------------------------------------------------------------------------------------------
PARAM_TYPES = ("LinearCyclicalScheduler", "CosineAnnealingScheduler", "PiecewiseLinear")


def _torch(spec: dict, optimizer: torch.optim.Optimizer) -> Any:
    kwargs = {k: v for k, v in spec.items() if k != "type"}
    return getattr(torch.optim.lr_scheduler, spec["type"])(optimizer, **kwargs)


def _ignite(spec: dict, optimizer: torch.optim.Optimizer, inherited: dict | None = None) -> Any:
    kind = spec["type"]
    kwargs = {k: v for k, v in spec.items() if k != "type" and v is not None}
    if inherited is None and kind in ("ConcatScheduler", *PARAM_TYPES):
        kwargs.setdefault("param_name", "lr")  # the wire's default
    if kind in PARAM_TYPES:
        if "milestones_values" in kwargs:
            kwargs["milestones_values"] = [tuple(p) for p in kwargs["milestones_values"]]
        return getattr(ih, kind)(optimizer, **(inherited or {}), **kwargs)
    if kind == "ConcatScheduler":
        down = {k: kwargs.pop(k) for k in ("param_name", "param_group_index") if k in kwargs}
        children = [_ignite(c, optimizer, down) for c in kwargs.pop("schedulers")]
        return ih.ConcatScheduler(children, **kwargs)
    if kind == "LRScheduler":
        return ih.LRScheduler(_torch(kwargs["lr_scheduler"], optimizer))
    if kind == "create_lr_scheduler_with_warmup":
        inner = _torch(kwargs.pop("lr_scheduler"), optimizer)
        return ih.create_lr_scheduler_with_warmup(inner, **kwargs)
    raise AssertionError(f"unknown type {kind}")


def _torch_inside(s: dict) -> list[dict]:
    if "lr_scheduler" in s:
        return [s["lr_scheduler"]]
    return [t for c in s.get("schedulers", ()) for t in _torch_inside(c)]


def scheduled_names(exp: dict) -> list[str]:
    """Each scheduler's param, then momentum if a torch OneCycleLR / CyclicLR inside it cycles
    it (torch writes SGD's momentum unless cycle_momentum is False)."""
    names = []
    for s in exp["schedulers"]:
        own = [s.get("param_name", "lr")]  # torch-based schedulers write lr
        for t in _torch_inside(s):
            if t["type"] in ("OneCycleLR", "CyclicLR") and t.get("cycle_momentum", True):
                own.append("momentum")
        for name in own:
            if name not in names:
                names.append(name)
    return names


def ignite_run(exp: dict) -> tuple[str, Any]:
    """``("ok", {(group, name): values})`` or ``("raised", exception)`` from real ignite."""
    groups = [{k: v for k, v in g.items() if k != "name"} for g in exp["param_groups"]]
    names = scheduled_names(exp)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            optimizer = torch.optim.SGD(
                [{"params": [torch.zeros(1, requires_grad=True)], **g} for g in groups]
            )
            schedulers = [_ignite(s, optimizer) for s in exp["schedulers"]]
            history: dict[tuple[int, str], list] = {
                (g, name): [] for g in range(len(groups)) for name in names
            }
            for _ in range(exp["num_events"]):
                for scheduler in schedulers:
                    scheduler(None)
                for (g, name), out in history.items():
                    out.append(optimizer.param_groups[g][name])
        except Exception as exc:  # noqa: BLE001 - compared with the API's answer
            return "raised", exc
    return "ok", history


def _finite(history: dict) -> bool:
    return all(math.isfinite(float(v)) for vs in history.values() for v in vs)


# ------------------------------------------------------------------------------------------------
# events for --hypothesis-show-statistics
# ------------------------------------------------------------------------------------------------
def _cyclical_crossings(s: dict, length: int) -> bool:
    """Whether a cyclical scheduler run for ``length`` events starts a second cycle."""
    return length > s["cycle_size"] + s.get("warmup_duration", 0)


def report_events(exp: dict, outcome: str) -> None:
    n = exp["num_events"]
    event(f"groups: {len(exp['param_groups'])}")
    event(f"outcome: {outcome}")
    for s in exp["schedulers"]:
        kind = s["type"]
        runs: list[tuple[dict, int]] = []
        if kind in ("LinearCyclicalScheduler", "CosineAnnealingScheduler"):
            runs.append((s, n))
        elif kind == "ConcatScheduler":
            start = 0
            for i, child in enumerate(s["schedulers"]):
                stop = start + s["durations"][i] if i < len(s["durations"]) else n
                if "cycle_size" in child and start < n:
                    runs.append((child, min(stop, n) - start))
                start = stop
        for child, length in runs:
            if child.get("cycle_mult", 1.0) > 1 and _cyclical_crossings(child, length):
                event("cyclical: crossed a cycle boundary with cycle_mult > 1")
            if child.get("warmup_duration", 0) > 0:
                event("warm-up: cyclical warmup_duration > 0")
        if kind == "create_lr_scheduler_with_warmup":
            event("warm-up: create_lr_scheduler_with_warmup")
        if "lr_scheduler" in s:
            event(f"torch: {s['lr_scheduler']['type']}")
        if s.get("param_group_index") is not None:
            event("param_group_index set")
        if s.get("param_name") == "momentum":
            event("momentum scheduled")


# ------------------------------------------------------------------------------------------------
# the check
# ------------------------------------------------------------------------------------------------
def check_against_ignite(client, exp: dict) -> None:
    r = client.post("/api/v1/series", json=exp)
    assert r.status_code in (200, 422), (r.status_code, r.text, exp)
    outcome, ref = ignite_run(exp)
    if r.status_code == 422:
        ignite_fails = outcome == "raised" or not _finite(ref)
        report_events(exp, f"422 ({type(ref).__name__ if outcome == 'raised' else 'non-finite'})")
        assert ignite_fails, f"API answered 422 but ignite runs fine: {r.json()}\n{exp}"
        return
    report_events(exp, "200")
    assert outcome == "ok", f"ignite raises {ref!r} but the API answered 200\n{exp}"
    body = r.json()
    assert body["decimated"] is False and body["num_events"] == exp["num_events"]
    got = {(s["param_group"], s["param_name"]): s for s in body["series"]}
    assert set(got) == set(ref), (sorted(got), sorted(ref))
    for key, expected in ref.items():
        s = got[key]
        assert s["events"] is None
        assert s["group_name"] == exp["param_groups"][key[0]]["name"]
        actual = s["values"]
        if actual != expected:
            k = next(i for i, (a, e) in enumerate(zip(actual, expected, strict=True)) if a != e)
            pytest.fail(
                f"group {key[0]} {key[1]!r} differs from ignite first at event {k}: "
                f"API {actual[k]!r} ignite {expected[k]!r}\n{exp}"
            )


@settings(SETTINGS, max_examples=budget(40))
@given(experiments(("cyclical", "cyclical", "piecewise")))
def test_cyclical_and_piecewise_equal_ignite(client, exp):
    check_against_ignite(client, exp)


@settings(SETTINGS, max_examples=budget(30))
@given(experiments(("concat", "concat", "cyclical")))
def test_concat_equals_ignite(client, exp):
    check_against_ignite(client, exp)


@pytest.mark.parametrize("torch_type", TORCH_TYPES)
@settings(SETTINGS, max_examples=budget(5))
@given(data=st.data())
def test_lr_scheduler_equals_ignite(client, torch_type, data):
    """Each torch type (in the first LRScheduler), possibly followed by more LRSchedulers."""
    exp = data.draw(experiments(("lr_scheduler",), torch_type=torch_type), label="experiment")
    check_against_ignite(client, exp)


@settings(SETTINGS, max_examples=budget(25))
@given(experiments(("warmup",)))
def test_warmup_helper_equals_ignite(client, exp):
    check_against_ignite(client, exp)


ALL = ("cyclical", "piecewise", "concat", "lr_scheduler", "warmup")


def _groups(*lrs: float, momentum: float = 0.9) -> list[dict]:
    return [{"name": f"g{i}", "lr": lr, "momentum": momentum} for i, lr in enumerate(lrs)]


GROWING_COSINE = {
    "type": "CosineAnnealingScheduler",
    "param_name": "momentum",
    "param_group_index": 1,
    "start_value": 0.95,
    "end_value": 0.8,
    "cycle_size": 7,
    "cycle_mult": 1.5,
    "start_value_mult": 0.9,
    "end_value_mult": 0.5,
    "warmup_duration": 3,
}


@settings(SETTINGS, max_examples=budget(25))
@given(experiments(ALL))
@example(  # growing cycles with warm-ups on one group's momentum, a monotonic warm-up on lr
    {
        "num_events": 300,
        "param_groups": _groups(0.1, 0.05, 0.01),
        "schedulers": [
            GROWING_COSINE,
            {
                "type": "LinearCyclicalScheduler",
                "param_group_index": 0,
                "start_value": 0.0,
                "end_value": 0.2,
                "cycle_size": 10,
                "cycle_mult": 2.0,
                "warmup_duration": 5,
                "monotonic": True,
            },
        ],
    }
)
@example(  # OneCycleLR cycles momentum too; a cosine on group 0's momentum runs after it
    {
        "num_events": 100,
        "param_groups": _groups(0.1, 0.2),
        "schedulers": [
            {
                "type": "LRScheduler",
                "lr_scheduler": {"type": "OneCycleLR", "max_lr": 0.5, "total_steps": 100},
            },
            {**GROWING_COSINE, "param_group_index": 0},
        ],
    }
)
@example(  # CyclicLR (cycle_momentum by default) after a cosine on momentum: CyclicLR wins
    {
        "num_events": 120,
        "param_groups": _groups(0.1, 0.2),
        "schedulers": [
            GROWING_COSINE,
            {
                "type": "LRScheduler",
                "lr_scheduler": {"type": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 9},
            },
        ],
    }
)
@example(  # two chainable torch schedulers on one optimizer: each reads the other's lr
    {
        "num_events": 80,
        "param_groups": _groups(0.1, 0.3),
        "schedulers": [
            {"type": "LRScheduler", "lr_scheduler": {"type": "StepLR", "step_size": 7, "gamma": 0.5}},
            {"type": "LRScheduler", "lr_scheduler": {"type": "ExponentialLR", "gamma": 0.97}},
        ],
    }
)
@example(  # a repeated milestone (gamma twice there), milestones unsorted
    {
        "num_events": 40,
        "param_groups": _groups(0.1),
        "schedulers": [
            {
                "type": "LRScheduler",
                "lr_scheduler": {"type": "MultiStepLR", "milestones": [9, 5, 5], "gamma": 0.5},
            }
        ],
    }
)
@example(  # one group, warm-up ending away from its lr: the extra event (d, lr) before StepLR
    {
        "num_events": 20,
        "param_groups": _groups(0.1),
        "schedulers": [
            {
                "type": "create_lr_scheduler_with_warmup",
                "lr_scheduler": {"type": "StepLR", "step_size": 3, "gamma": 0.5},
                "warmup_start_value": 0.0,
                "warmup_duration": 4,
                "warmup_end_value": 0.3,
            }
        ],
    }
)
@example(  # warm-up ending at group 0's lr, group 1's lr differs (per-group extra event)
    {
        "num_events": 60,
        "param_groups": _groups(0.1, 0.3),
        "schedulers": [
            {
                "type": "create_lr_scheduler_with_warmup",
                "lr_scheduler": {"type": "CosineAnnealingLR", "T_max": 20, "eta_min": 0.001},
                "warmup_start_value": 0.0,
                "warmup_duration": 6,
                "warmup_end_value": 0.1,
            }
        ],
    }
)
@example(  # 422 on both sides: warm-up with monotonic=False is an ignite construction error
    {
        "num_events": 10,
        "param_groups": _groups(0.1),
        "schedulers": [
            {
                "type": "LinearCyclicalScheduler",
                "start_value": 0.0,
                "end_value": 1.0,
                "cycle_size": 4,
                "warmup_duration": 2,
                "monotonic": False,
            }
        ],
    }
)
@example(  # 422 on both sides: shrinking cycles end in a ZeroDivisionError
    {
        "num_events": 40,
        "param_groups": _groups(0.1),
        "schedulers": [
            {
                "type": "CosineAnnealingScheduler",
                "start_value": 0.0,
                "end_value": 1.0,
                "cycle_size": 4,
                "cycle_mult": 0.5,
            }
        ],
    }
)
@example(  # 422 on both sides: ignite's values overflow to inf, then nan (the API refuses them)
    {
        "num_events": 400,
        "param_groups": _groups(0.1),
        "schedulers": [
            {
                "type": "CosineAnnealingScheduler",
                "start_value": 1e12,
                "end_value": 0.0,
                "cycle_size": 2,
                "start_value_mult": 1000.0,
            }
        ],
    }
)
def test_mixed_experiments_equal_ignite(client, exp):
    check_against_ignite(client, exp)


@settings(SETTINGS, max_examples=budget(10))
@given(experiments(ALL, n_events=st.integers(2_000, 20_000)))
def test_long_runs_equal_ignite(client, exp):
    """Thousands of events: many cycles (repeated value multipliers, truncated growth)."""
    check_against_ignite(client, exp)
