"""state_dict / load_state_dict: same keys in the same order as ignite, same validation, and a
run resumed mid-cycle continues with identical values (also across the two implementations)."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

import ignite.handlers as ignite_handlers
import pytest
import torch
from scheduler_testkit import IMPLS, canon, snapshot_groups
from torch.optim import lr_scheduler as tl

import scheduler_core


def sgd(*lrs: float) -> torch.optim.SGD:
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs or (0.1,)]
    return torch.optim.SGD(groups, lr=groups[0]["lr"], momentum=0.9)


def cosine(mod: Any, opt: Any) -> Any:
    return mod.CosineAnnealingScheduler(
        opt, "lr", 1.0, 0.1, 5, cycle_mult=1.5, start_value_mult=0.8, end_value_mult=0.5,
        warmup_duration=3,
    )  # fmt: skip


def concat(mod: Any, opt: Any) -> Any:
    group = mod.ParamGroupScheduler(
        [
            mod.PiecewiseLinear(opt, "lr", [(0, 0.0), (4, 1.0)], param_group_index=0),
            mod.LinearCyclicalScheduler(opt, "lr", 1.0, 0.0, 4, param_group_index=1),
        ]
    )
    return mod.ConcatScheduler([cosine(mod, opt), group, mod.LRScheduler(tl.StepLR(opt, 3))], [7, 6])


# Every public class, one representative configuration each: mod, optimizer -> scheduler.
FACTORIES: dict[str, Callable[[Any, Any], Any]] = {
    "CosineAnnealingScheduler": cosine,
    "LinearCyclicalScheduler": lambda mod, opt: mod.LinearCyclicalScheduler(
        opt, "momentum", 0.9, 0.8, 6, monotonic=True, warmup_duration=2, param_group_index=1
    ),
    "PiecewiseLinear": lambda mod, opt: mod.PiecewiseLinear(
        opt, "lr", [(2, 1.0), (5, 0.5), (5, 0.7), (9, 0.0)]
    ),
    "ConcatScheduler": concat,
    "ParamGroupScheduler": lambda mod, opt: mod.ParamGroupScheduler(
        [
            mod.PiecewiseLinear(opt, "lr", [(0, 0.0), (4, 1.0)], param_group_index=0),
            mod.CosineAnnealingScheduler(opt, "lr", 1.0, 0.0, 4, param_group_index=1),
        ],
        names=["warm", "cos"],
    ),
    "LRScheduler(StepLR)": lambda mod, opt: mod.LRScheduler(tl.StepLR(opt, 3, 0.5)),
    "LRScheduler(OneCycleLR)": lambda mod, opt: mod.LRScheduler(
        tl.OneCycleLR(opt, max_lr=1.0, total_steps=50)
    ),
    "create_lr_scheduler_with_warmup": lambda mod, opt: mod.create_lr_scheduler_with_warmup(
        tl.ExponentialLR(opt, 0.9), 0.0, 5, warmup_end_value=0.3
    ),
    "ReduceLROnPlateauScheduler": lambda mod, opt: mod.ReduceLROnPlateauScheduler(
        opt, "loss", patience=1, param_group_index=1, min_lr=0.01
    ),
    "LambdaStateScheduler": lambda mod, opt: mod.LambdaStateScheduler(lambda e: 0.5 * e, "alpha"),
    "PiecewiseLinearStateScheduler": lambda mod, opt: mod.PiecewiseLinearStateScheduler(
        [(0, 0.0), (5, 1.0), (9, 0.2)], "alpha"
    ),
    "ExpStateScheduler": lambda mod, opt: mod.ExpStateScheduler(1.0, 0.9, "alpha"),
    "StepStateScheduler": lambda mod, opt: mod.StepStateScheduler(1.0, 0.5, 3, "alpha"),
    "MultiStepStateScheduler": lambda mod, opt: mod.MultiStepStateScheduler(1.0, 0.5, [2, 5], "alpha"),
}
STATEFUL = {name for name in FACTORIES if "State" in name}


class Driver:
    """Builds one factory on one implementation and steps it the way it is meant to be used."""

    def __init__(self, mod: Any, name: str, opt: Any = None) -> None:
        self.name = name
        self.opt = opt if opt is not None else sgd(0.1, 0.2)
        self.engine = SimpleNamespace(state=SimpleNamespace(metrics={}))
        self.k = 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.sched = FACTORIES[name](mod, self.opt)

    def step(self, n: int) -> list:
        out = []
        for _ in range(n):
            if self.name in STATEFUL:
                self.sched(self.engine)
                out.append(canon(self.engine.state.alpha))
            else:
                if self.name == "ReduceLROnPlateauScheduler":
                    self.engine.state.metrics["loss"] = [1.0, 0.9, 0.9, 0.9, 0.8][self.k % 5]
                    self.sched(self.engine)
                else:
                    self.sched(None)
                out.append(snapshot_groups(self.opt))
            self.k += 1
        return out


def key_tree(sd: Any) -> Any:
    """The nested key structure of a state_dict (mappings, and lists/tuples holding them)."""
    if isinstance(sd, Mapping):
        return tuple((k, key_tree(v)) for k, v in sd.items())
    if isinstance(sd, (list, tuple)) and any(isinstance(v, (Mapping, list, tuple)) for v in sd):
        return (type(sd).__name__, tuple(key_tree(v) for v in sd))
    return type(sd).__name__ if isinstance(sd, (list, tuple)) else None


names = pytest.mark.parametrize("name", list(FACTORIES))


@names
@pytest.mark.parametrize("steps", [0, 8])
def test_state_dict_keys_order_and_values_equal_ignites(name: str, steps: int) -> None:
    drivers = {impl: Driver(mod, name) for impl, mod in IMPLS.items()}
    for d in drivers.values():
        d.step(steps)
    sds = {impl: d.sched.state_dict() for impl, d in drivers.items()}
    assert key_tree(sds["core"]) == key_tree(sds["ignite"])
    assert isinstance(sds["core"], Mapping)
    assert canon(sds["core"]) == canon(sds["ignite"])


def test_cyclical_state_dict_keys_are_the_documented_ones() -> None:
    sd = Driver(scheduler_core, "CosineAnnealingScheduler").sched.state_dict()
    assert list(sd) == [
        "event_index", "param_name", "save_history", "param_group_index", "start_value",
        "end_value", "cycle_size", "cycle_mult", "cycle", "start_value_mult", "end_value_mult",
        "warmup_duration", "total_cycle_size",
    ]  # fmt: skip


def test_concat_and_group_state_dict_layout() -> None:
    sd = Driver(scheduler_core, "ConcatScheduler").sched.state_dict()
    assert list(sd) == [
        "event_index", "param_name", "save_history", "param_group_index", "_current_duration",
        "durations", "_scheduler_index", "schedulers",
    ]  # fmt: skip
    group_sd = sd["schedulers"][1]
    assert list(group_sd) == ["schedulers"]
    assert [type(item) for item in group_sd["schedulers"]] == [tuple, tuple]
    assert [item[0] for item in group_sd["schedulers"]] == ["lr", "lr"]


def test_state_dict_is_a_copy() -> None:
    drv = Driver(scheduler_core, "PiecewiseLinear")
    sd = drv.sched.state_dict()
    sd["milestones"].append(100)
    sd["event_index"] = 50
    assert drv.sched.state_dict()["milestones"] == [2, 5, 5, 9]
    assert drv.sched.event_index == 0


# ------------------------------------------------------------------------------------------------
# load_state_dict validation
# ------------------------------------------------------------------------------------------------
def load_outcome(mod: Any, name: str, mutate: Callable[[Any], Any]) -> Any:
    drv = Driver(mod, name)
    drv.step(3)
    try:
        drv.sched.load_state_dict(mutate(drv.sched.state_dict()))
    except Exception as exc:  # noqa: BLE001 - compared with the oracle
        return type(exc)
    return None


@names
def test_load_state_dict_rejects_a_non_mapping(name: str) -> None:
    outcomes = {impl: load_outcome(m, name, lambda sd: list(sd.items())) for impl, m in IMPLS.items()}
    assert outcomes == {"ignite": TypeError, "core": TypeError}


MISSING_KEY_CASES = [
    (name, key) for name in FACTORIES for key in Driver(ignite_handlers, name).sched.state_dict()
]


@pytest.mark.parametrize(("name", "key"), MISSING_KEY_CASES)
def test_load_state_dict_rejects_a_missing_key(name: str, key: str) -> None:
    drop = lambda sd: {k: v for k, v in sd.items() if k != key}  # noqa: E731
    outcomes = {impl: load_outcome(m, name, drop) for impl, m in IMPLS.items()}
    assert outcomes["ignite"] is ValueError
    assert outcomes["core"] is outcomes["ignite"]


@names
def test_load_state_dict_ignores_extra_keys(name: str) -> None:
    outcomes = {impl: load_outcome(m, name, lambda sd: {**sd, "unexpected": 1}) for impl, m in IMPLS.items()}
    assert outcomes == {"ignite": None, "core": None}


# ------------------------------------------------------------------------------------------------
# resume mid-cycle
# ------------------------------------------------------------------------------------------------
def resumed_run(mod_from: Any, mod_to: Any, name: str, k: int, n: int, via_torch_save: bool):
    """Step ``k`` events on mod_from, move scheduler + optimizer state into fresh mod_to objects."""
    first = Driver(mod_from, name)
    first.step(k)
    sd = first.sched.state_dict()
    if via_torch_save:
        buf = io.BytesIO()
        torch.save(sd, buf)
        buf.seek(0)
        sd = torch.load(buf, weights_only=True)
    second = Driver(mod_to, name)
    second.opt.load_state_dict(first.opt.state_dict())
    second.sched.load_state_dict(sd)
    second.k = k
    second.engine = first.engine
    return second.step(n)


# Schedulers whose state_dict holds only plain data (ignite's loads with weights_only=True).
TORCH_SAVE_OK = [n for n in FACTORIES if n not in {"LambdaStateScheduler", "ReduceLROnPlateauScheduler"}]


# ignite's ReduceLROnPlateauScheduler cannot be resumed: the torch state_dict it saves carries
# the *old* scheduler's bound ``_reduce_lr``, which keeps reducing the old optimizer.
IGNITE_RESUME_BROKEN = {"ReduceLROnPlateauScheduler"}


@names
@pytest.mark.parametrize("k", [1, 4, 6, 11, 13])
def test_resume_mid_cycle_continues_identically(name: str, k: int) -> None:
    n = 25
    reference = Driver(ignite_handlers, name)
    reference.step(k)
    expected = reference.step(n)
    core_ref = Driver(scheduler_core, name)
    core_ref.step(k)
    assert core_ref.step(n) == expected
    resumed = resumed_run(scheduler_core, scheduler_core, name, k, n, False)
    assert resumed == resumed_run(ignite_handlers, ignite_handlers, name, k, n, False)
    if name not in IGNITE_RESUME_BROKEN:
        assert resumed == expected
    if name in TORCH_SAVE_OK:
        assert resumed_run(scheduler_core, scheduler_core, name, k, n, True) == expected


@pytest.mark.parametrize("name", [n for n in TORCH_SAVE_OK if not n.startswith(("LRS", "create"))])
@pytest.mark.parametrize("direction", ["ignite->core", "core->ignite"])
def test_state_dicts_are_interchangeable_with_ignite(name: str, direction: str) -> None:
    src, dst = (
        (ignite_handlers, scheduler_core)
        if direction == "ignite->core"
        else (scheduler_core, ignite_handlers)
    )
    reference = Driver(ignite_handlers, name)
    reference.step(9)
    assert resumed_run(src, dst, name, 9, 20, True) == reference.step(20)


def test_piecewise_cursor_never_moves_back_after_load() -> None:
    """Inherited quirk: loading an earlier event_index keeps the later segment cursor, so the
    first event inside the milestones walks the cursor off the end (IndexError in ignite)."""
    outcomes = {}
    for impl, mod in IMPLS.items():
        opt = sgd(0.1)
        sched = mod.PiecewiseLinear(opt, "lr", [(2, 0.0), (4, 1.0), (8, 0.0)])
        for _ in range(7):
            sched(None)
        sched.load_state_dict({**sched.state_dict(), "event_index": 0})
        outcomes[impl] = []
        try:
            for _ in range(4):
                sched(None)
                outcomes[impl].append(opt.param_groups[0]["lr"])
        except Exception as exc:  # noqa: BLE001 - compared with the oracle
            outcomes[impl].append(type(exc))
    assert outcomes["ignite"] == [0.0, 0.0, IndexError]
    assert outcomes["core"] == outcomes["ignite"]


def torch_save_outcome(mod: Any, name: str) -> Any:
    drv = Driver(mod, name)
    drv.step(5)
    buf = io.BytesIO()
    try:
        torch.save(drv.sched.state_dict(), buf)
        buf.seek(0)
        return canon(torch.load(buf, weights_only=True))
    except Exception as exc:  # noqa: BLE001 - compared with the oracle
        return type(exc)


@names
def test_state_dict_survives_torch_save_exactly_when_ignites_does(name: str) -> None:
    expected = torch_save_outcome(ignite_handlers, name)
    assert torch_save_outcome(scheduler_core, name) == expected
    assert isinstance(expected, type) == (name not in TORCH_SAVE_OK)
