"""Shared helpers for the scheduler_core test-suite.

Every test here is written against pytorch-ignite 0.5.5's public API, so the same code drives
``ignite.handlers`` (the oracle, a hard test dependency) and ``scheduler_core`` (the library under
test). A scheduler configuration is plain data (``Sched`` / ``Torch`` nodes, see ``build``), built
twice over two identical fresh optimizers and stepped side by side.

The helpers are importable from the test modules as ``scheduler_testkit`` (this module registers
itself under that name, see the bottom of the file): the test directory is not a package, and a
bare ``import conftest`` would pick whichever conftest pytest imported last.
"""

from __future__ import annotations

import copy
import math
import numbers
import os
import pickle
import random
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import ignite.handlers as ignite_handlers
import torch
from hypothesis import HealthCheck, reject, settings
from hypothesis import strategies as st

import scheduler_core

if getattr(scheduler_core, "__file__", None) is None:  # pragma: no cover - environment check
    raise ImportError(
        "scheduler_core resolved to a namespace package "
        f"({list(scheduler_core.__path__)}): the editable install predates "
        "scheduler_core/__init__.py. Re-run `.venv/bin/pip install -e .` (or run from the "
        "repository root with PYTHONPATH=.)."
    )

# --------------------------------------------------------------------------------------------
# hypothesis profile
# --------------------------------------------------------------------------------------------
PROFILE = "scheduler_core"
settings.register_profile(
    PROFILE,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# Soak runs: SCHEDULER_CORE_EXAMPLES_SCALE=10 multiplies every example budget.
EXAMPLES_SCALE = float(os.environ.get("SCHEDULER_CORE_EXAMPLES_SCALE", "1"))


def profile(max_examples: int) -> settings:
    """The suite's hypothesis settings with a per-test example budget."""
    return settings(settings.get_profile(PROFILE), max_examples=max(1, int(max_examples * EXAMPLES_SCALE)))


# The two implementations, in the order used for parametrisation.
IMPLS: dict[str, Any] = {"ignite": ignite_handlers, "core": scheduler_core}

# Public names that take the optimizer as their first argument.
OPTIMIZER_CLASSES = frozenset(
    {
        "LinearCyclicalScheduler",
        "CosineAnnealingScheduler",
        "PiecewiseLinear",
        "ReduceLROnPlateauScheduler",
    }
)
STATE_CLASSES = frozenset(
    {
        "LambdaStateScheduler",
        "PiecewiseLinearStateScheduler",
        "ExpStateScheduler",
        "StepStateScheduler",
        "MultiStepStateScheduler",
    }
)


# --------------------------------------------------------------------------------------------
# configurations as data
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sched:
    """A public ignite / scheduler_core name (class or factory) and its keyword arguments.

    Argument values may be ``Sched`` / ``Torch`` nodes or lists of them; they are built first.
    Classes of ``OPTIMIZER_CLASSES`` receive ``optimizer=`` in addition.
    """

    cls: str
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Torch:
    """A ``torch.optim.lr_scheduler`` class name and its keyword arguments (after the optimizer)."""

    cls: str
    kwargs: dict = field(default_factory=dict)
    pre_steps: int = 0  # torch ``step()`` calls made by the user before handing it to ignite


@dataclass(frozen=True)
class SimOut:
    """Placeholder for ``output_simulated_values=[None] * n``; the filled list is kept."""

    n: int


@dataclass(frozen=True)
class NewEngine:
    """Placeholder for a fresh fake engine argument (e.g. ``trainer=``); the engine is kept."""


def make_optimizer(lrs: list[float], momentum: float = 0.9) -> torch.optim.SGD:
    """A fresh SGD with one single-tensor group per entry of ``lrs``."""
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    return torch.optim.SGD(groups, lr=lrs[0], momentum=momentum)


def build(mod: Any, node: Any, optimizer: Any, outputs: list | None = None) -> Any:
    """Build ``node`` with the public names of ``mod`` (``ignite.handlers`` or ``scheduler_core``)."""
    if isinstance(node, Torch):
        sched = getattr(torch.optim.lr_scheduler, node.cls)(optimizer, **copy.deepcopy(node.kwargs))
        for _ in range(node.pre_steps):
            sched.step()
        return sched
    if isinstance(node, Sched):
        kwargs = {k: _build_arg(mod, v, optimizer, outputs) for k, v in node.kwargs.items()}
        if node.cls in OPTIMIZER_CLASSES:
            kwargs = {"optimizer": optimizer, **kwargs}
        return getattr(mod, node.cls)(**kwargs)
    raise TypeError(f"not a configuration node: {node!r}")


def _build_arg(mod: Any, value: Any, optimizer: Any, outputs: list | None) -> Any:
    if isinstance(value, (Sched, Torch)):
        return build(mod, value, optimizer, outputs)
    if isinstance(value, SimOut):
        sink = [None] * value.n
        if outputs is not None:
            outputs.append(sink)
        return sink
    if isinstance(value, NewEngine):
        engine = fake_engine()
        if outputs is not None:
            outputs.append(engine)
        return engine
    if isinstance(value, list) and value and all(isinstance(v, (Sched, Torch)) for v in value):
        return [build(mod, v, optimizer, outputs) for v in value]
    return copy.deepcopy(value)


# --------------------------------------------------------------------------------------------
# canonical, bit-exact representation of values
# --------------------------------------------------------------------------------------------
def canon(x: Any) -> Any:
    """A hashable, type- and bit-exact image of ``x`` (floats by ``float.hex``; -0.0 != 0.0)."""
    if isinstance(x, bool):
        return ("bool", x)
    if isinstance(x, float):
        return ("float", x.hex())
    if isinstance(x, int):
        return ("int", x)
    if isinstance(x, torch.Tensor):
        return ("tensor", str(x.dtype), tuple(canon(v) for v in x.detach().flatten().tolist()))
    if isinstance(x, numbers.Real):
        return (type(x).__name__, float(x).hex())
    if x is None or isinstance(x, str):
        return (type(x).__name__, x)
    if isinstance(x, Mapping):
        return ("map", tuple((k, canon(v)) for k, v in x.items()))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(canon(v) for v in x))
    # functions, bound methods, ignite's CosineAnnealingWarmRestarts adapter ...: identity-free
    return ("object",)


def snapshot_groups(optimizer: Any) -> tuple:
    """Every non-``params`` entry of every param group, canonicalised."""
    return tuple(
        tuple(sorted((k, canon(v)) for k, v in g.items() if k != "params")) for g in optimizer.param_groups
    )


def fake_engine(**state: Any) -> SimpleNamespace:
    """A minimal engine: ``state`` namespace plus a no-op ``add_event_handler``."""
    return SimpleNamespace(state=SimpleNamespace(**state), add_event_handler=lambda *a, **k: None)


# --------------------------------------------------------------------------------------------
# running a case
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One scheduler configuration plus how to drive it.

    kind: "param" (optimizer groups), "state" (engine.state attribute) or "plateau"
    (ReduceLROnPlateauScheduler fed ``metrics`` through ``engine.state.metrics["loss"]``).
    """

    cfg: Sched
    lrs: tuple[float, ...] = (0.1,)
    n_events: int = 100
    kind: str = "param"
    metrics: tuple[float, ...] = ()
    name: str | None = None  # ``name`` argument of __call__ (param schedulers only)


@dataclass
class Run:
    """What one implementation did with a case."""

    snapshots: list = field(default_factory=list)  # one per completed event
    error: type | None = None
    error_at: int | None = None  # -1: construction, k: raised by the (k+1)-th call
    exception: BaseException | None = None
    scheduler: Any = None
    optimizer: Any = None
    engine: Any = None
    outputs: list = field(default_factory=list)


def construct(mod: Any, case: Case, optimizer: Any = None) -> tuple[Any, Any, list]:
    """Build the case's scheduler; returns (scheduler, optimizer, SimOut sinks)."""
    if optimizer is None and case.kind != "state":
        optimizer = make_optimizer(list(case.lrs))
    outputs: list = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = build(mod, case.cfg, optimizer, outputs)
    return sched, optimizer, outputs


def make_engine(case: Case, with_history: bool) -> Any:
    if case.kind == "state":
        return fake_engine()
    if case.kind == "plateau":
        return fake_engine(metrics={})
    return fake_engine() if with_history else None


def step(case: Case, sched: Any, engine: Any, optimizer: Any, k: int) -> tuple:
    """Run event ``k`` and return the observed values."""
    if case.kind == "state":
        sched(engine)
        return canon(getattr(engine.state, case.cfg.kwargs["param_name"]))
    if case.kind == "plateau":
        engine.state.metrics["loss"] = case.metrics[k]
        sched(engine)
    elif case.name is None:
        sched(engine)
    else:
        sched(engine, case.name)
    return snapshot_groups(optimizer)


def skip_known_deviation(ignite_error: Any) -> None:
    """ignite's UnpicklingError on CosineAnnealingWarmRestarts state (its adapter object goes
    through ``torch.load(weights_only=True)``) is a documented deviation, tested on its own in
    test_errors.py: draws that hit it are rejected, not compared."""
    if ignite_error is pickle.UnpicklingError:
        reject()


def run(
    mod: Any,
    case: Case,
    *,
    with_history: bool = False,
    start: int = 0,
    stop: int | None = None,
    prebuilt: tuple | None = None,
) -> Run:
    """Build (unless ``prebuilt=(sched, optimizer, engine)``) and step events start..stop-1."""
    result = Run()
    if prebuilt is None:
        try:
            sched, optimizer, outputs = construct(mod, case)
        except Exception as exc:  # noqa: BLE001 - compared with the oracle's exception
            if mod is ignite_handlers:
                skip_known_deviation(type(exc))
            result.error, result.error_at, result.exception = type(exc), -1, exc
            return result
        engine = make_engine(case, with_history)
        if case.kind == "state" and with_history:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sched.attach(engine)
        result.outputs = outputs
    else:
        sched, optimizer, engine = prebuilt
    result.scheduler, result.optimizer, result.engine = sched, optimizer, engine
    stop = case.n_events if stop is None else stop
    for k in range(start, stop):
        try:
            result.snapshots.append(step(case, sched, engine, optimizer, k))
        except Exception as exc:  # noqa: BLE001
            result.error, result.error_at, result.exception = type(exc), k, exc
            break
    return result


def describe_diff(expected: Any, actual: Any) -> str:
    """The entries of two snapshots that differ (floats shown as ``float.hex``)."""
    if not (isinstance(expected, tuple) and isinstance(actual, tuple)) or len(expected) != len(actual):
        return f"\n  ignite: {expected!r}\n  core:   {actual!r}"
    lines = []
    for g, (eg, ag) in enumerate(zip(expected, actual, strict=True)):
        try:
            ed, ad = dict(eg), dict(ag)
        except (TypeError, ValueError):
            ed, ad = {"value": eg}, {"value": ag}
        for key in sorted(set(ed) | set(ad), key=str):
            if ed.get(key) != ad.get(key):
                lines.append(f"  group {g} {key!r}: ignite {ed.get(key)} core {ad.get(key)}")
    return "\n" + "\n".join(lines)


def short(exc: BaseException | None, limit: int = 160) -> str:
    text = repr(exc)
    return text if len(text) <= limit else text[:limit] + "..."


def assert_same_run(expected: Run, actual: Run, offset: int = 0, label: str = "", case: Any = None) -> None:
    """Equal observed values at every event and the same exception type at the same event."""
    where = f"{label}{case!r}\n" if case is not None else label
    for k, (e, a) in enumerate(zip(expected.snapshots, actual.snapshots, strict=False)):
        assert e == a, f"{where}values differ at event {k + offset}:{describe_diff(e, a)}"
    assert (expected.error, expected.error_at) == (actual.error, actual.error_at), (
        f"{where}exception differs: ignite raised {expected.error} at event "
        f"{expected.error_at}, core raised {actual.error} at event {actual.error_at} "
        f"(-1 = construction; events run: ignite {len(expected.snapshots)}, "
        f"core {len(actual.snapshots)}); messages: ignite {short(expected.exception)}, "
        f"core {short(actual.exception)}"
    )
    assert len(expected.snapshots) == len(actual.snapshots), where


def state_of(sched: Any) -> Any:
    return canon(sched.state_dict())


# --------------------------------------------------------------------------------------------
# hypothesis strategies
# --------------------------------------------------------------------------------------------
values = st.one_of(
    st.sampled_from([0.0, 1.0, 0.1, 1e-3, 0.5, -0.25]),
    st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False),
    st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False),
    st.integers(-3, 3),  # ints stay ints where ignite's arithmetic keeps them
)
lr_values = st.one_of(st.sampled_from([0.1, 0.01, 1.0]), st.floats(1e-5, 1.0))
multipliers = st.one_of(
    st.just(1.0),
    st.sampled_from([0.5, 0.9, 1.5, 2.0, 2, -1.0, 0.0]),
    st.floats(-1.5, 2.5, allow_nan=False),
)
cycle_mults = st.one_of(
    st.just(1.0),
    st.sampled_from([1.5, 2, 2.0, 1.25, 3.0]),
    st.floats(1.0, 3.0),
    st.sampled_from([0.5, 0.9, 0.0, -1.0]),  # shrinking cycles: ZeroDivisionError eventually
)
cycle_sizes = st.one_of(
    st.integers(2, 40),
    st.integers(2, 12),
    st.integers(2, 40),
    st.integers(2, 12),
    st.sampled_from([1, 0, 2.5, 4.0, 10.0]),
)
LR_NAMES = st.sampled_from(["lr", "lr", "lr", "momentum", "lr (base)"])


def lambda_decay(epoch: int) -> float:
    return 0.97**epoch


def lambda_steps(epoch: int) -> float:
    return 1.0 / (1 + epoch // 7)


LR_LAMBDAS = [lambda_decay, lambda_steps, lambda e: 1.0 + math.sin(e / 5.0) / 2]


class StatefulLambda:
    """A ``lambda_obj`` with its own state: ignite saves and restores it via state_dict."""

    def __init__(self, scale: float = 0.5) -> None:
        self.scale = scale
        self.calls = 0

    def __call__(self, event_index: int) -> float:
        self.calls += 1
        return self.scale * event_index + self.calls

    def state_dict(self) -> dict:
        return {"scale": self.scale, "calls": self.calls}

    def load_state_dict(self, sd: Mapping) -> None:
        self.scale, self.calls = sd["scale"], sd["calls"]


def group_indices(n_groups: int) -> st.SearchStrategy:
    """None (all groups), any valid (incl. negative) index, rarely an out-of-range one."""
    return st.one_of(
        st.none(),
        st.none(),
        st.integers(-n_groups, n_groups - 1),
        st.integers(-n_groups, n_groups - 1),
        st.just(n_groups),
    )


def _maybe(draw: Callable, kwargs: dict, key: str, strategy: st.SearchStrategy) -> None:
    if draw(st.booleans()):
        kwargs[key] = draw(strategy)


@st.composite
def cyclical_cfgs(
    draw: Callable, n_groups: int = 1, param_name: str | None = None, group_index: bool = True
) -> Sched:
    cls = draw(st.sampled_from(["CosineAnnealingScheduler", "LinearCyclicalScheduler"]))
    kwargs: dict[str, Any] = {
        "param_name": param_name if param_name is not None else draw(LR_NAMES),
        "start_value": draw(values),
        "end_value": draw(values),
        "cycle_size": draw(cycle_sizes),
    }
    _maybe(draw, kwargs, "cycle_mult", cycle_mults)
    _maybe(draw, kwargs, "start_value_mult", multipliers)
    _maybe(draw, kwargs, "end_value_mult", multipliers)
    if draw(st.booleans()):
        kwargs["warmup_duration"] = draw(st.one_of(st.integers(0, 12), st.just(-1)))
    if cls == "LinearCyclicalScheduler" and (draw(st.booleans()) or "warmup_duration" in kwargs):
        # warm-up needs monotonic=True; monotonic=False with warm-up is a construction error
        kwargs["monotonic"] = draw(st.sampled_from([True, True, True, False]))
    if group_index:
        _maybe(draw, kwargs, "param_group_index", group_indices(n_groups))
    return Sched(cls, kwargs)


@st.composite
def milestones_values(draw: Callable, max_event: int = 150) -> list:
    n = draw(st.integers(1, 6))
    events = sorted(draw(st.lists(st.integers(-20, max_event), min_size=n, max_size=n)))
    if n > 1 and draw(st.integers(0, 9)) == 0:  # duplicate milestone: a jump
        i = draw(st.integers(1, n - 1))
        events[i] = events[i - 1]
    vals = draw(st.lists(values, min_size=n, max_size=n))
    return list(zip(events, vals, strict=True))


@st.composite
def piecewise_cfgs(
    draw: Callable, n_groups: int = 1, param_name: str | None = None, group_index: bool = True
) -> Sched:
    kwargs: dict[str, Any] = {
        "param_name": param_name if param_name is not None else draw(LR_NAMES),
        "milestones_values": draw(milestones_values()),
    }
    if group_index:
        _maybe(draw, kwargs, "param_group_index", group_indices(n_groups))
    return Sched("PiecewiseLinear", kwargs)


def param_cfgs(n_groups: int = 1, param_name: str | None = None, group_index: bool = True):
    return st.one_of(
        cyclical_cfgs(n_groups, param_name, group_index),
        piecewise_cfgs(n_groups, param_name, group_index),
    )


@st.composite
def torch_cfgs(draw: Callable, n_groups: int = 1) -> Torch:
    name = draw(
        st.sampled_from(
            [
                "StepLR",
                "MultiStepLR",
                "ExponentialLR",
                "ConstantLR",
                "LinearLR",
                "PolynomialLR",
                "CosineAnnealingLR",
                "CosineAnnealingWarmRestarts",
                "OneCycleLR",
                "CyclicLR",
                "LambdaLR",
                "MultiplicativeLR",
            ]
        )
    )
    gamma = st.floats(0.5, 1.0)
    kw: dict[str, Any]
    if name == "StepLR":
        kw = {"step_size": draw(st.integers(1, 30)), "gamma": draw(gamma)}
    elif name == "MultiStepLR":
        kw = {
            "milestones": sorted(draw(st.lists(st.integers(1, 300), min_size=1, max_size=5))),
            "gamma": draw(gamma),
        }
    elif name == "ExponentialLR":
        kw = {"gamma": draw(st.floats(0.95, 1.0))}
    elif name == "ConstantLR":
        kw = {"factor": draw(st.floats(0.05, 1.0)), "total_iters": draw(st.integers(0, 40))}
    elif name == "LinearLR":
        kw = {
            "start_factor": draw(st.floats(0.05, 1.0)),
            "end_factor": draw(st.floats(0.05, 1.0)),
            "total_iters": draw(st.integers(1, 40)),
        }
    elif name == "PolynomialLR":
        kw = {"total_iters": draw(st.integers(1, 60)), "power": draw(st.floats(0.5, 3.0))}
    elif name == "CosineAnnealingLR":
        kw = {"T_max": draw(st.integers(1, 60)), "eta_min": draw(st.sampled_from([0.0, 1e-4]))}
    elif name == "CosineAnnealingWarmRestarts":
        kw = {
            "T_0": draw(st.integers(1, 25)),
            "T_mult": draw(st.integers(1, 3)),
            "eta_min": draw(st.sampled_from([0.0, 1e-4])),
        }
    elif name == "OneCycleLR":
        max_lr = draw(st.one_of(lr_values, st.lists(lr_values, min_size=n_groups, max_size=n_groups)))
        kw = {
            "max_lr": max_lr,
            "total_steps": draw(st.integers(10, 450)),
            "pct_start": draw(st.floats(0.1, 0.6)),
            "anneal_strategy": draw(st.sampled_from(["cos", "linear"])),
            "three_phase": draw(st.booleans()),
            "cycle_momentum": draw(st.booleans()),
        }
    elif name == "CyclicLR":
        kw = {
            "base_lr": draw(st.floats(1e-4, 0.05)),
            "max_lr": draw(st.floats(0.05, 1.0)),
            "step_size_up": draw(st.integers(1, 40)),
            "step_size_down": draw(st.one_of(st.none(), st.integers(1, 40))),
            "mode": draw(st.sampled_from(["triangular", "triangular2", "exp_range"])),
            "gamma": draw(st.floats(0.95, 1.0)),
            "cycle_momentum": draw(st.booleans()),
        }
    elif name == "LambdaLR":
        kw = {"lr_lambda": draw(st.sampled_from(LR_LAMBDAS))}
    else:  # MultiplicativeLR
        kw = {"lr_lambda": draw(st.sampled_from([lambda e: 0.99, lambda_decay]))}
    pre_steps = draw(st.sampled_from([0, 0, 0, 1, 3, 10]))
    return Torch(name, kw, pre_steps)


@st.composite
def lr_scheduler_cfgs(draw: Callable, n_groups: int = 1) -> Sched:
    kwargs: dict[str, Any] = {"lr_scheduler": draw(torch_cfgs(n_groups))}
    if draw(st.integers(0, 4)) == 0:
        kwargs["use_legacy"] = True
    return Sched("LRScheduler", kwargs)


@st.composite
def group_cfgs(draw: Callable, n_groups: int, param_name: str | None = "lr") -> Sched:
    """ParamGroupScheduler: one child per (distinct) group, optional explicit names."""
    n = draw(st.integers(1, n_groups))
    idx = draw(st.permutations(range(n_groups)))[:n]
    children = [
        Sched(c.cls, {**c.kwargs, "param_group_index": i})
        for c, i in zip(
            [draw(param_cfgs(n_groups, param_name, group_index=False)) for _ in range(n)],
            idx,
            strict=True,
        )
    ]
    kwargs: dict[str, Any] = {"schedulers": children}
    if draw(st.booleans()):
        kwargs["names"] = [f"sched_{i}" for i in range(n)]
    return Sched("ParamGroupScheduler", kwargs)


@st.composite
def concat_cfgs(draw: Callable, n_groups: int = 1, depth: int = 0) -> Sched:
    n = draw(st.integers(2, 3))
    options = [
        param_cfgs(n_groups, "lr"),
        param_cfgs(n_groups, "lr"),
        group_cfgs(n_groups),
        lr_scheduler_cfgs(n_groups),
    ]
    if depth == 0:  # nested composites: a warm-up helper or another concat as a child
        options += [warmup_cfgs(n_groups, depth=1), concat_cfgs(n_groups, depth=1)]
    children = [draw(st.one_of(*options)) for _ in range(n)]
    durations = draw(
        st.lists(st.one_of(st.integers(1, 80), st.sampled_from([0, -1])), min_size=n - 1, max_size=n - 1)
    )
    return Sched("ConcatScheduler", {"schedulers": children, "durations": durations})


@st.composite
def warmup_cfgs(draw: Callable, n_groups: int = 1, depth: int = 0) -> Sched:
    options = [
        torch_cfgs(n_groups),
        torch_cfgs(n_groups),
        cyclical_cfgs(n_groups, "lr", group_index=False),
        piecewise_cfgs(n_groups, "lr", group_index=False),
        lr_scheduler_cfgs(n_groups),  # a ParamScheduler whose get_param() calls torch's get_lr
    ]
    if depth == 0:
        options.append(concat_cfgs(n_groups, depth=1))
    inner = draw(st.one_of(*options))
    kwargs: dict[str, Any] = {
        "lr_scheduler": inner,
        "warmup_start_value": draw(st.sampled_from([0.0, 1e-3]) | st.floats(0.0, 0.5)),
        "warmup_duration": draw(st.integers(2, 30)),
    }
    choice = draw(st.sampled_from(["none", "random", "inner start", "group lr"]))
    if choice == "random":
        kwargs["warmup_end_value"] = draw(lr_values)
    elif choice == "inner start":  # equal to the inner scheduler's first value: shortened warm-up
        kwargs["warmup_end_value"] = inner.kwargs.get("start_value", 0.1)
    elif choice == "group lr":  # equal to the default group lr of ``cases``
        kwargs["warmup_end_value"] = 0.1
    if draw(st.integers(0, 5)) == 0:
        kwargs["output_simulated_values"] = SimOut(draw(st.integers(1, 60)))
    return Sched("create_lr_scheduler_with_warmup", kwargs)


@st.composite
def state_cfgs(draw: Callable) -> Sched:
    cls = draw(st.sampled_from(sorted(STATE_CLASSES)))
    name = draw(st.sampled_from(["alpha", "beta"]))
    gamma = st.one_of(st.floats(0.5, 1.05), st.floats(0.5, 1.05), st.sampled_from([1, 2]))
    if cls == "LambdaStateScheduler":
        kw = {
            "lambda_obj": draw(st.sampled_from([*LR_LAMBDAS, lambda e: [e, 2.0 * e], StatefulLambda(0.25)]))
        }
    elif cls == "PiecewiseLinearStateScheduler":
        kw = {"milestones_values": draw(milestones_values())}
    elif cls == "ExpStateScheduler":
        kw = {"initial_value": draw(values), "gamma": draw(gamma)}
    elif cls == "StepStateScheduler":
        kw = {
            "initial_value": draw(values),
            "gamma": draw(gamma),
            "step_size": draw(st.integers(1, 30)),
        }
    else:
        kw = {
            "initial_value": draw(values),
            "gamma": draw(gamma),
            "milestones": sorted(draw(st.lists(st.integers(0, 300), max_size=5))),
        }
    if draw(st.booleans()):
        kw["create_new"] = True
    return Sched(cls, {**kw, "param_name": name})


def metric_sequence(seed: int, n: int) -> tuple[float, ...]:
    """Deterministic loss-like values with plateaus, rises and drops."""
    rnd = random.Random(seed)
    value, out = 1.0, []
    for _ in range(n):
        r = rnd.random()
        if r < 0.45:
            pass  # plateau
        elif r < 0.8:
            value *= rnd.uniform(0.9, 1.0)
        else:
            value *= rnd.uniform(1.0, 1.1)
        out.append(value)
    return tuple(out)


@st.composite
def plateau_cases(draw: Callable, n_events: st.SearchStrategy | None = None) -> Case:
    n_groups = draw(st.integers(1, 3))
    kwargs: dict[str, Any] = {"metric_name": "loss"}
    _maybe(draw, kwargs, "param_group_index", st.integers(0, n_groups - 1))
    _maybe(draw, kwargs, "mode", st.sampled_from(["min", "max"]))
    _maybe(draw, kwargs, "factor", st.floats(0.1, 0.9))
    _maybe(draw, kwargs, "patience", st.integers(0, 6))
    _maybe(draw, kwargs, "threshold", st.sampled_from([1e-4, 1e-2, 0.0]))
    _maybe(draw, kwargs, "threshold_mode", st.sampled_from(["rel", "abs"]))
    _maybe(draw, kwargs, "cooldown", st.integers(0, 4))
    _maybe(draw, kwargs, "min_lr", st.sampled_from([1e-3, 0.05, 1]))
    _maybe(draw, kwargs, "eps", st.sampled_from([1e-8, 1e-3]))
    n = draw(n_events if n_events is not None else st.integers(100, 200))
    return Case(
        cfg=Sched("ReduceLROnPlateauScheduler", kwargs),
        lrs=tuple(draw(st.lists(lr_values, min_size=n_groups, max_size=n_groups))),
        n_events=n,
        kind="plateau",
        metrics=metric_sequence(draw(st.integers(0, 2**32)), n),
    )


@st.composite
def cases(draw: Callable, cfg_strategy: Callable, n_events: st.SearchStrategy | None = None):
    """A param-scheduler case: 1-3 groups, ``cfg_strategy(n_groups)`` config, 100-400 events."""
    n_groups = draw(st.integers(1, 3))
    return Case(
        cfg=draw(cfg_strategy(n_groups)),
        lrs=tuple(draw(st.lists(lr_values, min_size=n_groups, max_size=n_groups))),
        n_events=draw(n_events if n_events is not None else st.integers(100, 400)),
        name=draw(st.sampled_from([None, None, None, "custom"])),
    )


@st.composite
def state_cases(draw: Callable) -> Case:
    return Case(cfg=draw(state_cfgs()), n_events=draw(st.integers(100, 400)), kind="state")


def with_save_history(cfg: Sched) -> Sched:
    """The same configuration with ``save_history=True`` on the outermost scheduler."""
    return Sched(cfg.cls, {**cfg.kwargs, "save_history": True})


# Importable as ``scheduler_testkit`` (see module docstring).
sys.modules["scheduler_testkit"] = sys.modules[__name__]
