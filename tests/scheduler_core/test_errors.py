"""The error table of ignite-reference.md (sections 11 and 15), row by row.

Each row is one bad (or surprisingly accepted) use of the public API. It is played on ignite 0.5.5
and on scheduler_core; the outcome — where it raised (construction/immediately, or the n-th call),
the exception type and its message (``assert_same_message``) — must be identical, and ignite's
outcome must be the one the table states.
"""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import ignite.handlers as ignite_handlers
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scheduler_testkit import IMPLS, assert_same_message, canon, profile
from torch.optim import lr_scheduler as tl

OK = "accepted"
NOW = "construct"  # raised by the constructor / function / method itself
CALL = "call"  # raised by a later sched(engine) call


def sgd(*lrs: float) -> torch.optim.SGD:
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs or (0.1,)]
    return torch.optim.SGD(groups, lr=groups[0]["lr"])


def fake_engine(**state: Any) -> SimpleNamespace:
    return SimpleNamespace(state=SimpleNamespace(**state), add_event_handler=lambda *a, **k: None)


@dataclass(frozen=True)
class Row:
    make: Callable[[Any], Any]  # mod -> scheduler (or performs the bad operation)
    expect: tuple  # (OK,), (NOW, Exc), (CALL, Exc) or (CALL, Exc, call number)
    calls: int = 0  # how many calls to make after construction
    engine: Callable[[], Any] = lambda: None
    # A documented, deliberate difference (README "Deliberate differences"): what scheduler_core
    # does instead of ignite's outcome.
    core_expect: tuple | None = None


def outcome(mod: Any, row: Row) -> tuple[tuple, BaseException | None]:
    """(OK,), (NOW, type) or (CALL, type, call number) for ``row`` on ``mod``, and the exception."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched = row.make(mod)
    except Exception as exc:  # noqa: BLE001
        return (NOW, type(exc)), exc
    engine = row.engine()
    for k in range(row.calls):
        try:
            sched(engine)
        except Exception as exc:  # noqa: BLE001
            return (CALL, type(exc), k + 1), exc
    return (OK,), None


def cos(opt: Any, **kw: Any) -> Callable[[Any], Any]:
    args = {"param_name": "lr", "start_value": 1.0, "end_value": 0.0, "cycle_size": 4} | kw
    return lambda mod: mod.CosineAnnealingScheduler(opt(), **args)


def lin(opt: Any, **kw: Any) -> Callable[[Any], Any]:
    args = {"param_name": "lr", "start_value": 1.0, "end_value": 0.0, "cycle_size": 4} | kw
    return lambda mod: mod.LinearCyclicalScheduler(opt(), **args)


def pw(milestones: Any, opt: Any = sgd) -> Callable[[Any], Any]:
    return lambda mod: mod.PiecewiseLinear(opt(), "lr", milestones)


def two_cos(mod: Any, opt: Any = None, other_opt: bool = False, other_name: bool = False):
    opt = opt or sgd()
    a = mod.CosineAnnealingScheduler(opt, "lr", 1.0, 0.0, 4)
    b = mod.LinearCyclicalScheduler(
        sgd() if other_opt else opt, "momentum" if other_name else "lr", 1.0, 0.0, 4
    )
    return [a, b]


def concat_load(mod: Any, mutate: Callable[[dict], Any]) -> None:
    sched = mod.ConcatScheduler(two_cos(mod), durations=[3])
    sd = sched.state_dict()
    sched.load_state_dict(mutate(sd))


def group(mod: Any, names: Any = None, n: int = 2) -> Any:
    opt = sgd(0.1, 0.2)
    children = [mod.PiecewiseLinear(opt, "lr", [(0, 1.0), (3, 0.0)], param_group_index=i) for i in range(n)]
    return mod.ParamGroupScheduler(children, names=names)


def group_load(mod: Any, mutate: Callable[[Any], Any]) -> None:
    sched = group(mod, names=["a", "b"])
    sched.load_state_dict(mutate(sched.state_dict()))


def load(mod: Any, mutate: Callable[[dict], Any]) -> None:
    sched = mod.CosineAnnealingScheduler(sgd(), "lr", 1.0, 0.0, 4)
    sched.load_state_dict(mutate(sched.state_dict()))


def without(key: str) -> Callable[[dict], dict]:
    return lambda sd: {k: v for k, v in sd.items() if k != key}


def warmup(lr_scheduler: Callable[[Any, Any], Any], **kw: Any) -> Callable[[Any], Any]:
    def make(mod: Any) -> Any:
        opt = sgd()
        args = {"warmup_start_value": 0.0, "warmup_duration": 3} | kw
        return mod.create_lr_scheduler_with_warmup(lr_scheduler(mod, opt), **args)

    return make


def torch_wrap(make_torch: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def make(mod: Any) -> Any:
        opt = sgd()
        return mod.LRScheduler(make_torch(opt))

    return make


def cawr_children(mod: Any, opt: Any = None) -> list:
    opt = sgd() if opt is None else opt
    return [
        mod.PiecewiseLinear(opt, "lr", [(0, 1.0)]),
        mod.LRScheduler(tl.CosineAnnealingWarmRestarts(opt, 3)),
    ]


def plateau(**kw: Any) -> Callable[[Any], Any]:
    return lambda mod: mod.ReduceLROnPlateauScheduler(sgd(0.1, 0.2), "loss", **kw)


def state_attach(mod: Any) -> None:
    engine = fake_engine(alpha=1.0)
    mod.ExpStateScheduler(1.0, 0.5, "alpha", create_new=True).attach(engine)


ROWS: dict[str, Row] = {
    # --- cyclical -------------------------------------------------------------------------------
    **{
        f"{kind} cycle_size={c}": Row(maker(sgd, cycle_size=c), (NOW, ValueError))
        for kind, maker in (("cosine", cos), ("linear", lin))
        for c in (1, 0, -3, 1.5, True)
    },
    **{
        f"{kind} cycle_size={c!r}": Row(maker(sgd, cycle_size=c), (NOW, TypeError))
        for kind, maker in (("cosine", cos), ("linear", lin))
        for c in (None, "10")
    },
    "linear warmup_duration>0 with monotonic=False": Row(lin(sgd, warmup_duration=2), (NOW, ValueError)),
    "linear warmup_duration>0 with monotonic=True": Row(
        lin(sgd, warmup_duration=2, monotonic=True), (OK,), calls=20
    ),
    "cosine cycle_mult=-1": Row(cos(sgd, cycle_mult=-1), (CALL, ZeroDivisionError), calls=12),
    "cosine cycle_mult=0": Row(cos(sgd, cycle_mult=0), (CALL, ZeroDivisionError), calls=12),
    "linear cycle_mult=0": Row(lin(sgd, cycle_mult=0), (CALL, ZeroDivisionError), calls=12),
    "cosine cycle_mult=0.5 cycle_size=3 (5th call)": Row(
        cos(sgd, cycle_mult=0.5, cycle_size=3), (CALL, ZeroDivisionError, 5), calls=12
    ),
    "negative multipliers, warmup_duration=-1": Row(
        cos(sgd, start_value_mult=-0.5, end_value_mult=-2.0, warmup_duration=-1), (OK,), calls=30
    ),
    "cosine float cycle_size 2.5": Row(cos(sgd, cycle_size=2.5), (CALL, ZeroDivisionError, 4), calls=6),
    "cosine float cycle_size 2.5 with warm-up never wraps": Row(
        cos(sgd, cycle_size=2.5, warmup_duration=2), (OK,), calls=30
    ),
    "list start_value (unsupported by ignite)": Row(
        cos(sgd, start_value=[1.0, 0.5]), (CALL, TypeError, 1), calls=3
    ),
    # --- param_group_index / optimizer ---------------------------------------------------------
    "param_group_index 5 on 2 groups": Row(
        cos(lambda: sgd(0.1, 0.2), param_group_index=5), (CALL, IndexError), calls=2
    ),
    'param_group_index "0"': Row(
        cos(lambda: sgd(0.1, 0.2), param_group_index="0"), (CALL, TypeError), calls=2
    ),
    "param_group_index -1": Row(cos(lambda: sgd(0.1, 0.2), param_group_index=-1), (OK,), calls=5),
    "unknown param_name": Row(cos(sgd, param_name="not a key"), (OK,), calls=3),
    "optimizer None": Row(cos(lambda: None), (NOW, TypeError)),
    "optimizer object()": Row(cos(object), (NOW, TypeError)),
    "optimizer with dict param_groups": Row(
        cos(lambda: SimpleNamespace(param_groups={"lr": 0.1})), (NOW, TypeError)
    ),
    "duck-typed optimizer (list)": Row(
        cos(lambda: SimpleNamespace(param_groups=[{"lr": 0.1}])), (OK,), calls=5
    ),
    "duck-typed optimizer (tuple)": Row(
        cos(lambda: SimpleNamespace(param_groups=({"lr": 0.1},))), (OK,), calls=5
    ),
    "PiecewiseLinear on object()": Row(pw([(0, 1.0)], object), (NOW, TypeError)),
    # --- PiecewiseLinear ------------------------------------------------------------------------
    "piecewise decreasing milestones": Row(pw([(0, 1.0), (5, 0.5), (3, 0.1)]), (NOW, ValueError)),
    "piecewise empty": Row(pw([]), (NOW, ValueError)),
    "piecewise list pairs": Row(pw([[0, 1.0], [5, 0.5]]), (NOW, ValueError)),
    "piecewise 3-tuples": Row(pw([(0, 1.0, 2.0)]), (NOW, ValueError)),
    "piecewise not a sequence": Row(pw(5), (NOW, TypeError)),
    "piecewise None": Row(pw(None), (NOW, TypeError)),
    "piecewise float milestone": Row(pw([(0, 1.0), (2.5, 0.0)]), (NOW, TypeError)),
    "piecewise equal milestones": Row(pw([(0, 1.0), (3, 0.5), (3, 0.2)]), (OK,), calls=6),
    "piecewise negative milestones": Row(pw([(-5, 1.0), (3, 0.5)]), (OK,), calls=6),
    "piecewise bool milestone": Row(pw([(False, 1.0), (True, 0.5)]), (OK,), calls=3),
    # --- ConcatScheduler ------------------------------------------------------------------------
    "concat schedulers not a sequence": Row(
        lambda mod: mod.ConcatScheduler(iter(two_cos(mod)), durations=[3]), (NOW, TypeError)
    ),
    "concat one scheduler": Row(
        lambda mod: mod.ConcatScheduler(two_cos(mod)[:1], durations=[]), (NOW, ValueError)
    ),
    "concat durations not a list": Row(
        lambda mod: mod.ConcatScheduler(two_cos(mod), durations=3), (NOW, TypeError)
    ),
    "concat float duration": Row(
        lambda mod: mod.ConcatScheduler(two_cos(mod), durations=[2.5]), (NOW, ValueError)
    ),
    "concat count mismatch": Row(
        lambda mod: mod.ConcatScheduler(two_cos(mod), durations=[2, 3]), (NOW, ValueError)
    ),
    "concat non-scheduler element": Row(
        lambda mod: mod.ConcatScheduler([two_cos(mod)[0], 1], durations=[2]), (NOW, TypeError)
    ),
    "concat different optimizers": Row(
        lambda mod: mod.ConcatScheduler(two_cos(mod, other_opt=True), durations=[2]),
        (NOW, ValueError),
    ),
    "concat different param_names": Row(
        lambda mod: mod.ConcatScheduler(two_cos(mod, other_name=True), durations=[2]),
        (NOW, ValueError),
    ),
    "concat negative duration never switches": Row(
        lambda mod: mod.ConcatScheduler(two_cos(mod), durations=[-1]), (OK,), calls=10
    ),
    "concat simulate_values param_names str": Row(
        lambda mod: mod.ConcatScheduler.simulate_values(
            5, schedulers=two_cos(mod), durations=[2], param_names="lr"
        ),
        (NOW, TypeError),
    ),
    "concat simulate_values param_names [1]": Row(
        lambda mod: mod.ConcatScheduler.simulate_values(
            5, schedulers=two_cos(mod), durations=[2], param_names=[1]
        ),
        (NOW, ValueError),
    ),
    "concat simulate_values different optimizers": Row(
        lambda mod: mod.ConcatScheduler.simulate_values(
            5, schedulers=two_cos(mod, other_opt=True), durations=[2]
        ),
        (NOW, ValueError),
    ),
    "concat load_state_dict without schedulers": Row(
        lambda mod: concat_load(mod, without("schedulers")), (NOW, ValueError)
    ),
    "concat load_state_dict wrong count": Row(
        lambda mod: concat_load(mod, lambda sd: {**sd, "schedulers": sd["schedulers"][:1]}),
        (NOW, ValueError),
    ),
    "concat load_state_dict not a mapping": Row(
        lambda mod: concat_load(mod, lambda sd: list(sd.items())), (NOW, TypeError)
    ),
    # --- LRScheduler ------------------------------------------------------------------------------
    "LRScheduler(123)": Row(lambda mod: mod.LRScheduler(123), (NOW, TypeError)),
    "LRScheduler(ignite-style scheduler)": Row(
        lambda mod: mod.LRScheduler(mod.CosineAnnealingScheduler(sgd(), "lr", 1.0, 0.0, 4)),
        (NOW, TypeError),
    ),
    "LRScheduler.simulate_values(lr_scheduler=123)": Row(
        lambda mod: mod.LRScheduler.simulate_values(5, lr_scheduler=123), (NOW, TypeError)
    ),
    "LRScheduler(ReduceLROnPlateau)": Row(
        torch_wrap(lambda o: tl.ReduceLROnPlateau(o)), (CALL, NotImplementedError, 1), calls=3
    ),
    "LRScheduler(SequentialLR)": Row(
        torch_wrap(
            lambda o: tl.SequentialLR(o, [tl.ConstantLR(o, 0.5, 2), tl.ExponentialLR(o, 0.9)], milestones=[2])
        ),
        (CALL, NotImplementedError),
        calls=3,
    ),
    "LRScheduler(ChainedScheduler)": Row(
        torch_wrap(lambda o: tl.ChainedScheduler([tl.ConstantLR(o, 0.5, 2)])),
        (CALL, NotImplementedError),
        calls=3,
    ),
    "LRScheduler(OneCycleLR(total_steps=3)) (5th call)": Row(
        torch_wrap(lambda o: tl.OneCycleLR(o, max_lr=1.0, total_steps=3)),
        (CALL, ValueError, 5),
        calls=8,
    ),
    # --- create_lr_scheduler_with_warmup --------------------------------------------------------
    "warmup lr_scheduler=12": Row(warmup(lambda mod, o: 12), (NOW, TypeError)),
    "warmup duration 2.5": Row(
        warmup(lambda mod, o: tl.ExponentialLR(o, 0.9), warmup_duration=2.5), (NOW, TypeError)
    ),
    "warmup duration 1": Row(
        warmup(lambda mod, o: tl.ExponentialLR(o, 0.9), warmup_duration=1), (NOW, ValueError)
    ),
    "warmup duration 0": Row(
        warmup(lambda mod, o: tl.ExponentialLR(o, 0.9), warmup_duration=0), (NOW, ValueError)
    ),
    "warmup output_simulated_values tuple": Row(
        warmup(lambda mod, o: tl.ExponentialLR(o, 0.9), output_simulated_values=(None,) * 5),
        (NOW, TypeError),
    ),
    "warmup(CosineAnnealingWarmRestarts) with output_simulated_values": Row(
        warmup(lambda mod, o: tl.CosineAnnealingWarmRestarts(o, 3), output_simulated_values=[None]),
        (NOW, pickle.UnpicklingError),  # ignite's adapter lands in the weights_only torch.load
        core_expect=(OK,),  # scheduler_core snapshots state in memory: no torch.save round trip
    ),
    "concat simulate_values with an LRScheduler(CosineAnnealingWarmRestarts) child": Row(
        lambda mod: mod.ConcatScheduler.simulate_values(4, schedulers=cawr_children(mod), durations=[2]),
        (NOW, pickle.UnpicklingError),
        core_expect=(OK,),
    ),
    # --- ParamGroupScheduler --------------------------------------------------------------------
    "group non-sequence": Row(
        lambda mod: mod.ParamGroupScheduler(iter(group(mod).schedulers)), (NOW, TypeError)
    ),
    "group non-scheduler": Row(
        lambda mod: mod.ParamGroupScheduler([group(mod).schedulers[0], 3]), (NOW, ValueError)
    ),
    "group names str": Row(lambda mod: group(mod, names="ab"), (NOW, TypeError)),
    "group non-str names": Row(lambda mod: group(mod, names=["a", 1]), (NOW, ValueError)),
    "group wrong names length": Row(lambda mod: group(mod, names=["a"]), (NOW, ValueError)),
    "group load_state_dict wrong name": Row(
        lambda mod: group_load(mod, lambda sd: {"schedulers": [("x", s) for _, s in sd["schedulers"]]}),
        (NOW, ValueError),
    ),
    "group load_state_dict not a mapping": Row(
        lambda mod: group_load(mod, lambda sd: sd["schedulers"]), (NOW, TypeError)
    ),
    "group load_state_dict without schedulers": Row(
        lambda mod: group_load(mod, lambda sd: {}), (NOW, ValueError)
    ),
    "group load_state_dict wrong count": Row(
        lambda mod: group_load(mod, lambda sd: {"schedulers": sd["schedulers"][:1]}),
        (NOW, ValueError),
    ),
    # --- load_state_dict ----------------------------------------------------------------------
    "load_state_dict(list)": Row(lambda mod: load(mod, lambda sd: list(sd.items())), (NOW, TypeError)),
    "load_state_dict missing key": Row(lambda mod: load(mod, without("cycle")), (NOW, ValueError)),
    "load_state_dict extra key ignored": Row(lambda mod: load(mod, lambda sd: {**sd, "extra": 1}), (OK,)),
    # --- ReduceLROnPlateauScheduler -------------------------------------------------------------
    "plateau int min_lr with param_group_index": Row(
        plateau(param_group_index=0, min_lr=1), (NOW, TypeError)
    ),
    "plateau float min_lr with param_group_index": Row(plateau(param_group_index=1, min_lr=0.01), (OK,)),
    "plateau bad mode": Row(plateau(mode="sideways"), (NOW, ValueError)),
    "plateau verbose": Row(plateau(verbose=True), (NOW, TypeError)),
    "plateau call without the metric": Row(
        plateau(), (CALL, ValueError), calls=1, engine=lambda: fake_engine(metrics={})
    ),
    "plateau call without metrics": Row(plateau(), (CALL, ValueError), calls=1, engine=lambda: fake_engine()),
    "plateau call with engine=None": Row(plateau(), (CALL, AttributeError), calls=1),
    "plateau simulate_values length mismatch": Row(
        lambda mod: mod.ReduceLROnPlateauScheduler.simulate_values(5, metric_values=[1.0] * 4, init_lr=0.1),
        (NOW, ValueError),
    ),
    # --- state schedulers -----------------------------------------------------------------------
    "LambdaStateScheduler non-callable": Row(
        lambda mod: mod.LambdaStateScheduler(3, "alpha"), (NOW, ValueError)
    ),
    "PiecewiseLinearState decreasing": Row(
        lambda mod: mod.PiecewiseLinearStateScheduler([(3, 1.0), (1, 0.0)], "alpha"),
        (NOW, ValueError),
    ),
    "PiecewiseLinearState empty": Row(
        lambda mod: mod.PiecewiseLinearStateScheduler([], "alpha"), (NOW, ValueError)
    ),
    "PiecewiseLinearState list pairs": Row(
        lambda mod: mod.PiecewiseLinearStateScheduler([[0, 1.0]], "alpha"), (NOW, ValueError)
    ),
    "PiecewiseLinearState not a sequence": Row(
        lambda mod: mod.PiecewiseLinearStateScheduler(None, "alpha"), (NOW, TypeError)
    ),
    "PiecewiseLinearState float milestone": Row(
        lambda mod: mod.PiecewiseLinearStateScheduler([(0.5, 1.0)], "alpha"), (NOW, TypeError)
    ),
    "state attach(create_new=True) on an existing attribute": Row(state_attach, (NOW, ValueError)),
    "state scheduler called with engine=None": Row(
        lambda mod: mod.ExpStateScheduler(1.0, 0.5, "alpha"), (CALL, AttributeError), calls=1
    ),
}


@pytest.mark.parametrize("row_id", list(ROWS))
def test_error_table_row(row_id: str) -> None:
    row = ROWS[row_id]
    expected, ignite_exc = outcome(ignite_handlers, row)
    assert expected[: len(row.expect)] == row.expect, f"ignite 0.5.5 no longer matches the table: {expected}"
    actual, core_exc = outcome(IMPLS["core"], row)
    wanted = expected if row.core_expect is None else row.core_expect
    assert actual == wanted, f"ignite: {expected}, scheduler_core: {actual}, wanted {wanted}"
    if ignite_exc is not None and core_exc is not None:
        assert_same_message(ignite_exc, core_exc, f"{row_id}: ")


def test_cawr_simulation_deviation_returns_stepped_values() -> None:
    """Where ignite raises UnpicklingError, scheduler_core returns the values stepping gives."""
    opt = sgd()
    rows = IMPLS["core"].ConcatScheduler.simulate_values(
        4, schedulers=cawr_children(IMPLS["core"], opt), durations=[2]
    )
    stepped_opt = sgd()
    concat = IMPLS["core"].ConcatScheduler(cawr_children(IMPLS["core"], stepped_opt), durations=[2])
    expected = []
    for i in range(4):
        concat(None)
        expected.append([i, stepped_opt.param_groups[0]["lr"]])
    assert rows == expected


def test_unknown_param_name_creates_the_key_in_both() -> None:
    groups = {}
    for name, mod in IMPLS.items():
        opt = sgd()
        sched = mod.PiecewiseLinear(opt, "lr (base)", [(0, 1.0)])
        sched(None)
        groups[name] = {k: v for k, v in opt.param_groups[0].items() if k != "params"}
    assert groups["core"] == groups["ignite"]
    assert groups["core"]["lr (base)"] == 1.0


def test_ignite_is_the_oracle() -> None:
    """A hard dependency: these tests mean nothing without the real package."""
    import ignite

    assert ignite.__version__ == "0.5.5"


# ------------------------------------------------------------------------------------------------
# random combinations of odd arguments: same outcome (where, what, values) as ignite
# ------------------------------------------------------------------------------------------------
OPTIMIZERS = {
    "sgd 1 group": lambda: sgd(0.1),
    "sgd 2 groups": lambda: sgd(0.1, 0.2),
    "None": lambda: None,
    "object()": object,
    "duck list": lambda: SimpleNamespace(param_groups=[{"lr": 0.1}, {"lr": 0.2}]),
    "duck tuple": lambda: SimpleNamespace(param_groups=({"lr": 0.1},)),
    "duck dict": lambda: SimpleNamespace(param_groups={"lr": 0.1}),
}
NUMBERS = [1.0, 0, -0.5, 0.25, np.float32(0.3), np.int64(2), True, None, "1", [1.0, 0.5]]
SIZES = [4, 2, 3, 1, 0, -3, 2.5, 4.0, True, None, "10", np.int64(5)]
MULTS = [1.0, 1.5, 2, 0, -1, 0.5, None, np.float32(1.5)]
WARMUPS = [0, 2, 3, -1, 1.5, None, True]
INDICES = [None, 0, 1, -1, 5, "0", True, 0.0]
NAMES = ["lr", "momentum", "new key", 5, None]


def play(mod: Any, optimizer_name: str, make: Callable[[Any, Any], Any], calls: int = 15) -> tuple:
    """Outcome, observed values and exception (or None) of ``make(mod, optimizer)`` called
    ``calls`` times."""
    optimizer = OPTIMIZERS[optimizer_name]()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched = make(mod, optimizer)
    except Exception as exc:  # noqa: BLE001
        return (NOW, type(exc)), (), exc
    engine = fake_engine()
    seen = []
    for k in range(calls):
        try:
            sched(engine)
        except Exception as exc:  # noqa: BLE001
            return (CALL, type(exc), k + 1), tuple(seen), exc
        groups = getattr(optimizer, "param_groups", [])
        groups = groups if isinstance(groups, (list, tuple)) else []
        seen.append(canon([{k: v for k, v in g.items() if k != "params"} for g in groups]))
    history = getattr(engine.state, "param_history", None)
    return (OK, canon(history)), tuple(seen), None


def assert_same_play(optimizer_name: str, make: Callable[[Any, Any], Any]) -> None:
    expected = play(ignite_handlers, optimizer_name, make)
    actual = play(IMPLS["core"], optimizer_name, make)
    assert actual[0] == expected[0], f"ignite: {expected[0]}, scheduler_core: {actual[0]}"
    assert actual[1] == expected[1], "values differ"
    if expected[2] is not None:
        assert_same_message(expected[2], actual[2])


@profile(150)
@given(
    st.sampled_from(list(OPTIMIZERS)),
    st.sampled_from(["CosineAnnealingScheduler", "LinearCyclicalScheduler"]),
    st.sampled_from(NAMES),
    st.sampled_from(NUMBERS),
    st.sampled_from(NUMBERS),
    st.sampled_from(SIZES),
    st.dictionaries(
        st.sampled_from(["cycle_mult", "start_value_mult", "end_value_mult"]), st.sampled_from(MULTS)
    ),
    st.sampled_from(WARMUPS),
    st.sampled_from([False, True, None, 1]),
    st.sampled_from(INDICES),
    st.booleans(),
)
def test_cyclical_odd_arguments(
    opt: str, cls: str, name: Any, start: Any, end: Any, size: Any, mults: dict,
    warmup: Any, monotonic: Any, index: Any, history: bool,
) -> None:  # fmt: skip
    kwargs = dict(mults, warmup_duration=warmup, param_group_index=index, save_history=history)
    if cls == "LinearCyclicalScheduler":
        kwargs["monotonic"] = monotonic
    assert_same_play(opt, lambda mod, o: getattr(mod, cls)(o, name, start, end, size, **kwargs))


MILESTONE_PAIRS = [
    (0, 1.0), (3, 0.5), (3, 0.2), (-2, 2), (7, None), (5, "a"), [4, 0.1], (1, 2, 3),
    (2.5, 0.0), (np.int64(6), 0.3), (True, 0.4), (None, 1.0), 9,
]  # fmt: skip


@profile(120)
@given(
    st.sampled_from(list(OPTIMIZERS)),
    st.one_of(
        st.lists(st.sampled_from(MILESTONE_PAIRS), max_size=5),
        st.lists(st.sampled_from(MILESTONE_PAIRS[:4] + [(9, 0.0)]), min_size=1, max_size=5),
        st.sampled_from([None, 5, "ab", {0: 1.0}]),
    ),
    st.sampled_from(["list", "tuple"]),
    st.sampled_from(INDICES),
    st.booleans(),
)
def test_piecewise_odd_arguments(opt: str, pairs: Any, container: str, index: Any, history: bool):
    if isinstance(pairs, list) and container == "tuple":
        pairs = tuple(pairs)
    assert_same_play(
        opt,
        lambda mod, o: mod.PiecewiseLinear(o, "lr", pairs, param_group_index=index, save_history=history),
    )
    assert_same_play(
        "sgd 1 group",
        lambda mod, o: StateDriver(mod.PiecewiseLinearStateScheduler(pairs, "alpha", save_history=history)),
    )


CHILDREN = {
    "cosine": lambda mod, o: mod.CosineAnnealingScheduler(o, "lr", 1.0, 0.0, 4),
    "linear momentum": lambda mod, o: mod.LinearCyclicalScheduler(o, "momentum", 0.9, 0.8, 4),
    "piecewise group 0": lambda mod, o: mod.PiecewiseLinear(
        o, "lr", [(0, 0.0), (3, 1.0)], param_group_index=0
    ),
    "piecewise other optimizer": lambda mod, o: mod.PiecewiseLinear(sgd(0.5), "lr", [(0, 0.3)]),
    "group": lambda mod, o: mod.ParamGroupScheduler(
        [mod.PiecewiseLinear(o, "lr", [(0, 0.0), (3, 1.0)], param_group_index=0)]
    ),
    "LRScheduler": lambda mod, o: mod.LRScheduler(tl.StepLR(o, 2, 0.5)),
    "torch StepLR": lambda mod, o: tl.StepLR(o, 2, 0.5),
    "int": lambda mod, o: 3,
}


@profile(150)
@given(
    st.sampled_from(["sgd 1 group", "sgd 2 groups"]),
    st.lists(st.sampled_from(list(CHILDREN)), max_size=4),
    st.one_of(
        st.lists(st.sampled_from([0, 1, 2, 5, -1, 2.5, True, np.int64(3), None]), max_size=3),
        st.sampled_from([None, 3, "2"]),
    ),
    st.sampled_from(["list", "tuple", "iterator"]),
    st.booleans(),
)
def test_concat_odd_arguments(opt: str, children: list, durations: Any, container: str, hist: bool):
    def make(mod: Any, o: Any) -> Any:
        built = [CHILDREN[c](mod, o) for c in children]
        scheds = {"list": built, "tuple": tuple(built), "iterator": iter(built)}[container]
        return mod.ConcatScheduler(scheds, durations, save_history=hist)

    assert_same_play(opt, make)


@profile(100)
@given(
    st.sampled_from(["sgd 1 group", "sgd 2 groups"]),
    st.lists(st.sampled_from(list(CHILDREN)), max_size=3),
    st.one_of(st.none(), st.lists(st.sampled_from(["a", "b", "a", 1, None]), max_size=3)),
    st.sampled_from(["list", "tuple", "str"]),
)
def test_param_group_odd_arguments(opt: str, children: list, names: Any, container: str):
    if names is not None:
        names = {"list": names, "tuple": tuple(names), "str": "".join(map(str, names))}[container]
    assert_same_play(
        opt,
        lambda mod, o: mod.ParamGroupScheduler([CHILDREN[c](mod, o) for c in children], names),
    )


WARMUP_INNER = {
    "torch ExponentialLR": lambda mod, o: tl.ExponentialLR(o, 0.9),
    "torch CyclicLR": lambda mod, o: tl.CyclicLR(o, 0.01, 0.1, 3),
    "cosine": CHILDREN["cosine"],
    "LRScheduler": CHILDREN["LRScheduler"],
    "piecewise": lambda mod, o: mod.PiecewiseLinear(o, "lr", [(0, 0.1), (4, 0.0)]),
    "group": CHILDREN["group"],
    "int": CHILDREN["int"],
}


@profile(150)
@given(
    st.sampled_from(["sgd 1 group", "sgd 2 groups"]),
    st.sampled_from(list(WARMUP_INNER)),
    st.sampled_from([0.0, 1, 0.1, None, [0.0], "0"]),
    st.sampled_from([2, 3, 5, 1, 0, 2.5, True, np.int64(3), None]),
    st.sampled_from([None, 0.1, 0.2, 1, [0.1]]),
    st.sampled_from([None, [], [None] * 4, (None,), "abc"]),
    st.booleans(),
)
def test_warmup_odd_arguments(
    opt: str, inner: str, start: Any, duration: Any, end: Any, sim: Any, history: bool
) -> None:
    def make(mod: Any, o: Any) -> Any:
        out = list(sim) if isinstance(sim, list) else sim
        sched = mod.create_lr_scheduler_with_warmup(
            WARMUP_INNER[inner](mod, o), start, duration, end, history, out
        )
        if isinstance(out, list):  # the filled simulation is part of the outcome
            o.param_groups[0]["simulated"] = out
        return sched

    assert_same_play(opt, make)


@profile(100)
@given(
    st.sampled_from(
        ["ExpStateScheduler", "StepStateScheduler", "MultiStepStateScheduler", "LambdaStateScheduler"]
    ),
    st.sampled_from(NUMBERS),
    st.sampled_from([0.5, 2, 1, -1.0, None, "x", np.float32(0.9)]),
    st.sampled_from([1, 3, 0, 2.5, None, [2, 5], [5, 2], (), "ab"]),
    st.sampled_from(["alpha", 3, None]),
    st.booleans(),
    st.booleans(),
)
def test_state_odd_arguments(
    cls: str, initial: Any, gamma: Any, third: Any, name: Any, history: bool, create_new: bool
) -> None:
    def make(mod: Any, o: Any) -> Any:
        common = {"save_history": history, "create_new": create_new}
        sched = {
            "ExpStateScheduler": lambda: mod.ExpStateScheduler(initial, gamma, name, **common),
            "StepStateScheduler": lambda: mod.StepStateScheduler(initial, gamma, third, name, **common),
            "MultiStepStateScheduler": lambda: mod.MultiStepStateScheduler(
                initial, gamma, third, name, **common
            ),
            "LambdaStateScheduler": lambda: mod.LambdaStateScheduler(
                initial if not isinstance(initial, float) else (lambda e: initial * e),
                name,
                **common,
            ),
        }[cls]()
        return StateDriver(sched)

    assert_same_play("sgd 1 group", make)


class StateDriver:
    """Calls a state scheduler on its own attached engine and mirrors the value into a group."""

    def __init__(self, sched: Any) -> None:
        self.sched = sched
        self.engine = fake_engine()
        if isinstance(getattr(sched, "param_name", None), str):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sched.attach(self.engine)

    def __call__(self, _engine: Any) -> None:
        self.sched(self.engine)
        _engine.state.param_history = {
            "value": getattr(self.engine.state, str(self.sched.param_name), "missing"),
            "history": getattr(self.engine.state, "param_history", None),
        }
