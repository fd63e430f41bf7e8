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
import re
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import ignite.handlers as ignite_handlers
import torch
from hypothesis import HealthCheck, event, reject, settings
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


# What differs between two correct implementations' messages, and nothing else (see below).
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")
_OWN_PATH = r"(?:ignite\.handlers|scheduler_core)(?:\.\w+)*\."
_OWN_CLASS_PATH = re.compile(rf"(?<=<class '){_OWN_PATH}(?=\w+'>)")
_OWN_OBJECT_PATH = re.compile(rf"(?<=<){_OWN_PATH}(?=\w+ object at)")


def normalized_message(exc: BaseException) -> str:
    """``str(exc)`` with what cannot be equal across implementations blanked out.

    Only two things are normalised, both found in messages that embed an argument's repr (for
    example ignite's ``"Argument schedulers should be ..., but given {schedulers}"``):

    - memory addresses (``<... object at 0x7f3a...>``, ``<function f at 0x...>``): each run has
      its own objects, so ``" at 0x..>"`` becomes ``" at 0x?>"``;
    - the module path of the implementations' *own* classes: ignite's
      ``<class 'ignite.handlers.param_scheduler.PiecewiseLinear'>`` is scheduler_core's
      ``<class 'scheduler_core.piecewise.PiecewiseLinear'>``; both become
      ``<class 'PiecewiseLinear'>`` (object reprs likewise). torch, builtin and user classes keep
      their full path.
    """
    text = _ADDRESS.sub(" at 0x?>", str(exc))
    return _OWN_OBJECT_PATH.sub("", _OWN_CLASS_PATH.sub("", text))


def assert_same_message(expected: BaseException, actual: BaseException, where: str = "") -> None:
    """ignite's and scheduler_core's messages are equal (``normalized_message``)."""
    e, a = normalized_message(expected), normalized_message(actual)
    assert e == a, (
        f"{where}same {type(expected).__name__}, different message:\n  ignite: {str(expected)!r}\n"
        f"  core:   {str(actual)!r}"
    )


def assert_same_run(expected: Run, actual: Run, offset: int = 0, label: str = "", case: Any = None) -> None:
    """Equal observed values at every event, the same exception type at the same event and
    (``assert_same_message``) the same message."""
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
    if expected.exception is not None:
        assert_same_message(expected.exception, actual.exception, where)


def state_of(sched: Any) -> Any:
    return canon(sched.state_dict())


# --------------------------------------------------------------------------------------------
# coverage events (``pytest --hypothesis-show-statistics`` shows how often each one fired)
# --------------------------------------------------------------------------------------------
def scheduler_tree(obj: Any) -> list:
    """``obj`` and every scheduler nested in it (composites' children, wrapped torch schedulers)."""
    found, stack = [], [obj]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(getattr(node, "schedulers", None) or [])
        inner = getattr(node, "lr_scheduler", None)
        if inner is not None:
            stack.append(getattr(inner, "_lr_scheduler", inner))  # ignite's CAWR adapter
    return found


def coverage_labels(result: Run) -> list[str]:
    """What one (oracle) run exercised, as ``hypothesis.event`` labels.

    Feature labels are only given to runs that completed every event without an exception: a
    configuration that raised half-way did not run "across" anything.
    """
    if result.error_at == -1:
        return [f"construction error: {result.error.__name__}"]
    if result.error is not None:
        return [f"error during run: {result.error.__name__}"]
    labels = ["ran to completion"]
    for node in scheduler_tree(result.scheduler):
        if isinstance(node, ignite_handlers.LRScheduler) and node.event_index > 0:
            torch_sched = getattr(node.lr_scheduler, "_lr_scheduler", node.lr_scheduler)
            labels.append(f"torch {type(torch_sched).__name__} ran to completion")
        if not hasattr(node, "cycle_mult"):
            continue
        cycles = node.cycle
        if node.cycle_mult > 1 and cycles >= 2:
            labels.append("cyclical: crossed 2+ grown cycles")
        if node.warmup_duration > 0 and cycles >= 1:
            labels.append("cyclical: warm-up")
        if getattr(node, "monotonic", True) is False and cycles >= 1:
            labels.append("cyclical: monotonic=False")
        if (node.start_value_mult != 1 or node.end_value_mult != 1) and cycles >= 1:
            labels.append("cyclical: start/end multipliers applied")
    return labels


def record_coverage(result: Run) -> None:
    for label in coverage_labels(result):
        event(label)


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
# (values, lr_values, multipliers, cycle_mults and cycle_sizes are also drawn by test_series.py)
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


def weighted(choices: Mapping[str, int]) -> st.SearchStrategy:
    """One key of ``choices``, drawn with the given integer weights (percentages, say)."""
    return st.sampled_from([key for key, weight in choices.items() for _ in range(weight)])


# --- validity ---------------------------------------------------------------------------------
# Every configuration strategy takes ``invalid``: True (make exactly this configuration invalid),
# False (make it valid) or None (decide: invalid with INVALID_PERCENT % chance). A composite
# decides once for itself and its children, then makes one target invalid (one of its own
# arguments, or one child) and every other child valid; so nesting does not multiply the share of
# invalid draws. Invalid draws are there for error parity (type, event and message); a few of
# them are odd rather than wrong and ignite accepts them (warmup_duration=-1, durations 0 or -1).
INVALID_PERCENT = 6


def _decide_invalid(draw: Callable, invalid: bool | None) -> bool:
    if invalid is not None:
        return invalid
    # a band in the middle: hypothesis favours small and boundary integers
    return 40 <= draw(st.integers(0, 99)) < 40 + INVALID_PERCENT


def _group_index(draw: Callable, kwargs: dict, n_groups: int, invalid: bool = False) -> None:
    """Optional ``param_group_index``: valid (incl. negative) unless ``invalid`` (out of range)."""
    if invalid:
        kwargs["param_group_index"] = draw(st.sampled_from([n_groups, -n_groups - 1]))
    elif draw(st.booleans()):
        kwargs["param_group_index"] = draw(st.integers(-n_groups, n_groups - 1))


# --- run length -------------------------------------------------------------------------------
# Strategies also take ``horizon``: the number of events the case runs (``cases`` passes it), so
# cycles and schedules are sized to end inside the run. Without it: this default.
DEFAULT_HORIZON = 150


def cycle_ends(cycle_size: int, cycle_mult: float, warmup_duration: int, count: int) -> list[int]:
    """The events at which the first ``count`` cycles of a cyclical scheduler end.

    ignite grows ``cycle_size`` and ``warmup_duration`` with ``int(x * cycle_mult)`` at every
    boundary; a run of ``n`` events crosses the boundaries ``<= n - 1``.
    """
    ends, at = [], 0
    for _ in range(count):
        if cycle_size < 2:
            break
        at += cycle_size + warmup_duration
        ends.append(at)
        cycle_size, warmup_duration = int(cycle_size * cycle_mult), int(warmup_duration * cycle_mult)
    return ends


def fitting_cycle_size(horizon: int, cycle_mult: float, warmup_duration: int, limit: int = 40) -> int:
    """The largest ``cycle_size <= limit`` with which ``horizon`` events cross three cycle
    boundaries (else two; else 2)."""
    for count in (3, 2):
        best = 0
        for size in range(2, limit + 1):
            ends = cycle_ends(size, cycle_mult, warmup_duration, count)
            if len(ends) < count or ends[-1] > horizon - 1:
                break
            best = size
        if best:
            return best
    return 2


grown_cycle_mults = st.one_of(st.sampled_from([1.5, 2, 2.0, 1.25, 3.0]), st.floats(1.01, 3.0))
shrinking_cycle_mults = st.one_of(st.sampled_from([0.5, 0.9, 0.0, -1.0]), st.floats(0.5, 1.0))
changing_multipliers = st.one_of(
    st.sampled_from([0.5, 0.9, 1.5, 2.0, 2, -1.0, 0.0]),
    st.floats(-1.5, 2.5, allow_nan=False),
)


@st.composite
def cyclical_cfgs(
    draw: Callable,
    n_groups: int = 1,
    param_name: str | None = None,
    group_index: bool = True,
    horizon: int | None = None,
    invalid: bool | None = None,
) -> Sched:
    """A cosine or linear cyclical scheduler that mostly crosses 2-3 cycle boundaries within
    ``horizon`` events; grown cycles (cycle_mult > 1), warm-ups, monotonic=False and start/end
    multipliers each come in a large share of the draws."""
    horizon = DEFAULT_HORIZON if horizon is None else horizon
    cls = draw(st.sampled_from(["CosineAnnealingScheduler", "LinearCyclicalScheduler"]))
    linear = cls == "LinearCyclicalScheduler"
    kwargs: dict[str, Any] = {
        "param_name": param_name if param_name is not None else draw(LR_NAMES),
        "start_value": draw(values),
        "end_value": draw(values),
    }
    growth = draw(weighted({"grown": 50, "constant": 44, "shrinking": 6}))
    if growth == "grown":
        kwargs["cycle_mult"] = draw(grown_cycle_mults)
    elif growth == "shrinking":  # truncated to 0 or 1 sooner or later: ZeroDivisionError
        kwargs["cycle_mult"] = draw(shrinking_cycle_mults)
    else:
        _maybe(draw, kwargs, "cycle_mult", st.just(1.0))
    if draw(weighted({"warm-up": 35, "none": 65})) == "warm-up":
        kwargs["warmup_duration"] = draw(st.integers(1, 12))
        if linear:
            kwargs["monotonic"] = True  # ignite's default (False) refuses a warm-up
    else:
        _maybe(draw, kwargs, "warmup_duration", st.just(0))
        if linear:  # monotonic=False is the default
            monotonic = draw(weighted({"False": 55, "default": 30, "True": 15}))
            if monotonic != "default":
                kwargs["monotonic"] = monotonic == "True"
    for key in ("start_value_mult", "end_value_mult"):
        _maybe(draw, kwargs, key, changing_multipliers)
    if draw(weighted({"fit": 85, "any": 15})) == "fit":
        mult = max(kwargs.get("cycle_mult", 1.0), 1.0)
        limit = fitting_cycle_size(horizon, mult, kwargs.get("warmup_duration", 0))
        kwargs["cycle_size"] = draw(st.integers(2, limit))
    else:
        kwargs["cycle_size"] = draw(st.one_of(st.integers(2, 40), st.sampled_from([2.5, 4.0, 10.0])))
    kind = None
    if _decide_invalid(draw, invalid):
        kinds = ["cycle_size", "warmup_duration"]
        kinds += ["warm-up with monotonic=False"] if linear else []
        kinds += ["param_group_index"] if group_index else []
        kind = draw(st.sampled_from(kinds))
    if kind == "cycle_size":
        kwargs["cycle_size"] = draw(st.sampled_from([1, 0, -3]))
    elif kind == "warmup_duration":
        kwargs["warmup_duration"] = -1
    elif kind == "warm-up with monotonic=False":
        kwargs.update(
            warmup_duration=draw(st.integers(1, 12)), monotonic=draw(st.sampled_from([False, None]))
        )
        if kwargs["monotonic"] is None:
            del kwargs["monotonic"]
    if group_index:
        _group_index(draw, kwargs, n_groups, kind == "param_group_index")
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
    draw: Callable,
    n_groups: int = 1,
    param_name: str | None = None,
    group_index: bool = True,
    horizon: int | None = None,
    invalid: bool | None = None,
) -> Sched:
    milestones = draw(milestones_values(max_event=DEFAULT_HORIZON if horizon is None else horizon))
    kind = None
    if _decide_invalid(draw, invalid):
        kind = draw(st.sampled_from(["milestone", "param_group_index"] if group_index else ["milestone"]))
    if kind == "milestone":  # smaller than the previous one (ValueError) or not an int (TypeError)
        if len(milestones) > 1 and draw(st.booleans()):
            milestones[-1] = (milestones[-2][0] - draw(st.integers(1, 5)), milestones[-1][1])
        else:
            milestones[0] = (milestones[0][0] + 0.5, milestones[0][1])
    kwargs: dict[str, Any] = {
        "param_name": param_name if param_name is not None else draw(LR_NAMES),
        "milestones_values": milestones,
    }
    if group_index:
        _group_index(draw, kwargs, n_groups, kind == "param_group_index")
    return Sched("PiecewiseLinear", kwargs)


def param_cfgs(
    n_groups: int = 1,
    param_name: str | None = None,
    group_index: bool = True,
    horizon: int | None = None,
    invalid: bool | None = None,
) -> st.SearchStrategy:
    return st.one_of(
        cyclical_cfgs(n_groups, param_name, group_index, horizon, invalid),
        piecewise_cfgs(n_groups, param_name, group_index, horizon, invalid),
    )


TORCH_SCHEDULERS = (
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
)


@st.composite
def torch_cfgs(
    draw: Callable,
    n_groups: int = 1,
    horizon: int | None = None,
    name: str | None = None,
    invalid: bool | None = None,
) -> Torch:
    """A ``torch.optim.lr_scheduler`` configuration (``name``, else any of ``TORCH_SCHEDULERS``).

    With a ``horizon`` it runs that many events without error (MultiStepLR's milestones and
    OneCycleLR's end fall inside or just after the run), but for invalid OneCycleLR draws, whose
    ``total_steps`` may end before the run (ValueError) or leave a phase empty
    (ZeroDivisionError); the other types have no invalid variant. Without a ``horizon``:
    milestones up to 300 and ``total_steps`` 10-450, whatever the run.
    """
    name = draw(st.sampled_from(TORCH_SCHEDULERS)) if name is None else name
    gamma = st.floats(0.5, 1.0)
    pre_steps = draw(st.sampled_from([0, 0, 0, 1, 3, 10]))
    kw: dict[str, Any]
    if name == "StepLR":
        kw = {"step_size": draw(st.integers(1, 30)), "gamma": draw(gamma)}
    elif name == "MultiStepLR":
        last = 300 if horizon is None else horizon
        kw = {
            "milestones": sorted(draw(st.lists(st.integers(1, last), min_size=1, max_size=5))),
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
        if horizon is None:
            total_steps = draw(st.integers(10, 450))
        elif _decide_invalid(draw, invalid):  # may be too short for the run, or for its phases
            total_steps = draw(st.integers(2, horizon))
        else:  # the run's events, + 1 for use_legacy, + up to 40
            total_steps = horizon + pre_steps + 1 + draw(st.integers(0, 40))
        kw = {
            "max_lr": max_lr,
            "total_steps": total_steps,
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
    return Torch(name, kw, pre_steps)


@st.composite
def lr_scheduler_cfgs(
    draw: Callable,
    n_groups: int = 1,
    horizon: int | None = None,
    name: str | None = None,
    invalid: bool | None = None,
) -> Sched:
    kwargs: dict[str, Any] = {"lr_scheduler": draw(torch_cfgs(n_groups, horizon, name, invalid))}
    if draw(st.integers(0, 4)) == 0:
        kwargs["use_legacy"] = True
    return Sched("LRScheduler", kwargs)


def _invalid_target(draw: Callable, invalid: bool | None, n_children: int, own: list[str]) -> Any:
    """None (all valid), one of the composite's ``own`` arguments, or a child's index."""
    if not _decide_invalid(draw, invalid):
        return None
    return draw(st.sampled_from([*own, *range(n_children)]))


@st.composite
def group_cfgs(
    draw: Callable,
    n_groups: int,
    param_name: str | None = "lr",
    horizon: int | None = None,
    invalid: bool | None = None,
) -> Sched:
    """ParamGroupScheduler: one child per (distinct) group, optional explicit names."""
    n = draw(st.integers(1, n_groups))
    target = _invalid_target(draw, invalid, n, ["names"])
    idx = draw(st.permutations(range(n_groups)))[:n]
    children = [
        Sched(c.cls, {**c.kwargs, "param_group_index": i})
        for c, i in zip(
            [draw(param_cfgs(n_groups, param_name, False, horizon, invalid=target == k)) for k in range(n)],
            idx,
            strict=True,
        )
    ]
    kwargs: dict[str, Any] = {"schedulers": children}
    if target == "names":  # one name too many: ValueError
        kwargs["names"] = [f"sched_{i}" for i in range(n + 1)]
    elif draw(st.booleans()):
        kwargs["names"] = [f"sched_{i}" for i in range(n)]
    return Sched("ParamGroupScheduler", kwargs)


@st.composite
def concat_cfgs(
    draw: Callable,
    n_groups: int = 1,
    depth: int = 0,
    horizon: int | None = None,
    invalid: bool | None = None,
) -> Sched:
    n = draw(st.integers(2, 3))
    target = _invalid_target(draw, invalid, n, ["durations"])

    def child(k: int) -> st.SearchStrategy:
        bad = target == k
        options = [
            param_cfgs(n_groups, "lr", horizon=horizon, invalid=bad),
            param_cfgs(n_groups, "lr", horizon=horizon, invalid=bad),
            group_cfgs(n_groups, horizon=horizon, invalid=bad),
            lr_scheduler_cfgs(n_groups, horizon, invalid=bad),
        ]
        if depth == 0:  # nested composites: a warm-up helper or another concat as a child
            options += [
                warmup_cfgs(n_groups, depth=1, horizon=horizon, invalid=bad),
                concat_cfgs(n_groups, depth=1, horizon=horizon, invalid=bad),
            ]
        return st.one_of(*options)

    children = [draw(child(k)) for k in range(n)]
    durations = draw(st.lists(st.integers(1, 80), min_size=n - 1, max_size=n - 1))
    if target == "durations":  # 2.5 is refused; 0 and -1 are accepted by ignite
        durations[draw(st.integers(0, n - 2))] = draw(st.sampled_from([2.5, 0, -1]))
    return Sched("ConcatScheduler", {"schedulers": children, "durations": durations})


@st.composite
def warmup_cfgs(
    draw: Callable,
    n_groups: int = 1,
    depth: int = 0,
    horizon: int | None = None,
    invalid: bool | None = None,
) -> Sched:
    target = _invalid_target(draw, invalid, 1, ["warmup_duration"])
    bad = target == 0
    options = [
        torch_cfgs(n_groups, horizon, invalid=bad),
        torch_cfgs(n_groups, horizon, invalid=bad),
        cyclical_cfgs(n_groups, "lr", group_index=False, horizon=horizon, invalid=bad),
        piecewise_cfgs(n_groups, "lr", group_index=False, horizon=horizon, invalid=bad),
        # a ParamScheduler whose get_param() calls torch's get_lr
        lr_scheduler_cfgs(n_groups, horizon, invalid=bad),
    ]
    if depth == 0:
        options.append(concat_cfgs(n_groups, depth=1, horizon=horizon, invalid=bad))
    inner = draw(st.one_of(*options))
    if target == "warmup_duration":  # below 2 (ValueError) or not an int (TypeError)
        warmup_duration = draw(st.sampled_from([1, 0, 2.5]))
    else:
        warmup_duration = draw(st.integers(2, 30))
    kwargs: dict[str, Any] = {
        "lr_scheduler": inner,
        "warmup_start_value": draw(st.sampled_from([0.0, 1e-3]) | st.floats(0.0, 0.5)),
        "warmup_duration": warmup_duration,
    }
    choice = draw(st.sampled_from(["none", "random", "inner start", "group lr"]))
    if choice == "random":
        kwargs["warmup_end_value"] = draw(lr_values)
    elif choice == "inner start":  # equal to the inner scheduler's first value: shortened warm-up
        kwargs["warmup_end_value"] = inner.kwargs.get("start_value", 0.1)
    elif choice == "group lr":  # equal to the default group lr of ``cases``
        kwargs["warmup_end_value"] = 0.1
    # ignite cannot simulate a CosineAnnealingWarmRestarts (UnpicklingError): such draws are
    # rejected by skip_known_deviation, so they are not made
    if draw(st.integers(0, 5)) == 0 and "CosineAnnealingWarmRestarts" not in repr(inner):
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
def plateau_cases(
    draw: Callable, n_events: st.SearchStrategy | None = None, invalid: bool | None = None
) -> Case:
    n_groups = draw(st.integers(1, 3))
    kwargs: dict[str, Any] = {"metric_name": "loss"}
    invalid = _decide_invalid(draw, invalid)
    if invalid:
        kwargs["param_group_index"] = draw(st.integers(0, n_groups - 1))
    else:
        _maybe(draw, kwargs, "param_group_index", st.integers(0, n_groups - 1))
    _maybe(draw, kwargs, "mode", st.sampled_from(["min", "max"]))
    _maybe(draw, kwargs, "factor", st.floats(0.1, 0.9))
    _maybe(draw, kwargs, "patience", st.integers(0, 6))
    _maybe(draw, kwargs, "threshold", st.sampled_from([1e-4, 1e-2, 0.0]))
    _maybe(draw, kwargs, "threshold_mode", st.sampled_from(["rel", "abs"]))
    _maybe(draw, kwargs, "cooldown", st.integers(0, 4))
    if invalid:  # an int min_lr with param_group_index: TypeError
        kwargs["min_lr"] = 1
    else:  # an int is fine without param_group_index
        ints = [] if "param_group_index" in kwargs else [1]
        _maybe(draw, kwargs, "min_lr", st.sampled_from([1e-3, 0.05, 1.0, *ints]))
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
    """A param-scheduler case: 1-3 groups, 60-300 events (``n_events``) and the configuration
    ``cfg_strategy(n_groups, horizon=events)``, which sizes cycles and schedules to the run."""
    n_groups = draw(st.integers(1, 3))
    n = draw(n_events if n_events is not None else st.integers(60, 300))
    return Case(
        cfg=draw(cfg_strategy(n_groups, horizon=n)),
        lrs=tuple(draw(st.lists(lr_values, min_size=n_groups, max_size=n_groups))),
        n_events=n,
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
