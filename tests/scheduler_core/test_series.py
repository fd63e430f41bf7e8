"""The fast path (closed forms) agrees with stepping the real schedulers, bit for bit.

Random experiments (cycle boundaries, truncated grown cycle sizes, float and negative multipliers,
warm-up tails, concatenations, the warm-up helper, torch schedulers) are simulated three ways:
``method="fast"`` (closed forms only), ``"step"`` and ``"auto"``. Wherever the fast path answers,
its values must equal stepping's exactly (the same bytes: numpy's cos is libm's here and the
operations run in the same order); wherever it declines it raises ``NoClosedForm``, and "auto"
must then give stepping's result or exception.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scheduler_testkit as kit
from hypothesis import event, given
from hypothesis import strategies as st

from scheduler_core import shapes
from scheduler_core.composite import concat_segments
from scheduler_core.events import EVENTS
from scheduler_core.experiment import (
    Experiment,
    ParamGroupSpec,
    SchedulerSpec,
    build,
    simulate,
)
from scheduler_core.registry import TYPES
from scheduler_core.series import JOIN_DECLINES, NoClosedForm

# LRScheduler(use_legacy=True) warns by design
pytestmark = pytest.mark.filterwarnings("ignore:Please make sure to attach scheduler:UserWarning")
ROOT = Path(__file__).resolve().parents[2]
RTOL = 1e-12


# ------------------------------------------------------------------------------------------------
# strategies: experiments as SchedulerSpec data
# ------------------------------------------------------------------------------------------------
def _maybe(draw: Any, kw: dict, key: str, strategy: st.SearchStrategy) -> None:
    if draw(st.booleans()):
        kw[key] = draw(strategy)


@st.composite
def cyclical_specs(draw: Any) -> SchedulerSpec:
    cls = draw(st.sampled_from(["CosineAnnealingScheduler", "LinearCyclicalScheduler"]))
    kw: dict[str, Any] = {
        "start_value": draw(kit.values),
        "end_value": draw(kit.values),
        "cycle_size": draw(kit.cycle_sizes),
    }
    _maybe(draw, kw, "cycle_mult", kit.cycle_mults)
    _maybe(draw, kw, "start_value_mult", kit.multipliers)
    _maybe(draw, kw, "end_value_mult", kit.multipliers)
    _maybe(draw, kw, "warmup_duration", st.one_of(st.integers(0, 12), st.just(-1)))
    if cls == "LinearCyclicalScheduler" and (draw(st.booleans()) or "warmup_duration" in kw):
        kw["monotonic"] = draw(st.sampled_from([True, True, True, False]))
    return SchedulerSpec(cls, kw)


@st.composite
def piecewise_specs(draw: Any) -> SchedulerSpec:
    return SchedulerSpec("PiecewiseLinear", {"milestones_values": draw(kit.milestones_values())})


def torch_specs(n_groups: int) -> st.SearchStrategy:
    return kit.torch_cfgs(n_groups).map(lambda t: SchedulerSpec(t.cls, t.kwargs))


@st.composite
def lr_scheduler_specs(draw: Any, n_groups: int) -> SchedulerSpec:
    kw: dict[str, Any] = {"lr_scheduler": draw(torch_specs(n_groups))}
    if draw(st.integers(0, 4)) == 0:
        kw["use_legacy"] = True
    return SchedulerSpec("LRScheduler", kw)


@st.composite
def warmup_specs(draw: Any, n_groups: int) -> SchedulerSpec:
    inner = draw(st.one_of(torch_specs(n_groups), cyclical_specs(), piecewise_specs()))
    kw: dict[str, Any] = {
        "lr_scheduler": inner,
        "warmup_start_value": draw(st.sampled_from([0.0, 1e-3]) | st.floats(0.0, 0.5)),
        "warmup_duration": draw(st.integers(2, 30)),
    }
    choice = draw(st.sampled_from(["none", "random", "group lr", "inner start"]))
    if choice == "random":
        kw["warmup_end_value"] = draw(kit.lr_values)
    elif choice == "group lr":  # equal to the groups' lr below: no inserted event
        kw["warmup_end_value"] = 0.1
    elif choice == "inner start":  # equal to an ignite scheduler's first value: shortened
        first = inner.kwargs.get("milestones_values", [(0, 0.1)])[0][1]
        kw["warmup_end_value"] = inner.kwargs.get("start_value", first)
    return SchedulerSpec("create_lr_scheduler_with_warmup", kw)


@st.composite
def concat_specs(draw: Any, n_groups: int, name: str) -> SchedulerSpec:
    n = draw(st.integers(2, 3))
    options = [cyclical_specs(), cyclical_specs(), piecewise_specs()]
    if name == "lr":
        options.append(lr_scheduler_specs(n_groups))
    children = [draw(st.one_of(*options)) for _ in range(n)]
    durations = draw(
        st.lists(st.one_of(st.integers(1, 80), st.sampled_from([0, -1])), min_size=n - 1, max_size=n - 1)
    )
    return SchedulerSpec("ConcatScheduler", {"schedulers": children, "durations": durations})


@st.composite
def top_specs(draw: Any, n_groups: int, torch_ok: bool = True) -> SchedulerSpec:
    name = draw(st.sampled_from(["lr", "lr", "momentum"]))
    options = [cyclical_specs(), cyclical_specs(), piecewise_specs(), concat_specs(n_groups, name)]
    if torch_ok:
        options += [lr_scheduler_specs(n_groups), warmup_specs(n_groups)]
    spec = draw(st.one_of(*options))
    if spec.type in ("LRScheduler", "create_lr_scheduler_with_warmup"):
        return spec
    kw = {**spec.kwargs, "param_name": name}
    if draw(st.integers(0, 3)) == 0:
        kw["param_group_index"] = draw(kit.group_indices(n_groups))
    return SchedulerSpec(spec.type, kw)


@st.composite
def experiments(draw: Any, torch_ok: bool = True, events: st.SearchStrategy | None = None) -> Experiment:
    n_groups = draw(st.integers(1, 3))
    lr = draw(st.sampled_from([0.1, 0.1]) | kit.lr_values)
    groups = tuple(
        ParamGroupSpec(f"g{i}", {"lr": lr if i == 0 else draw(kit.lr_values), "momentum": 0.9})
        for i in range(n_groups)
    )
    count = draw(st.integers(1, 3))
    schedulers = tuple(draw(top_specs(n_groups, torch_ok)) for _ in range(count))
    n = draw(events if events is not None else st.integers(0, 400))
    return Experiment(num_events=n, param_groups=groups, schedulers=schedulers)


# ------------------------------------------------------------------------------------------------
# the check
# ------------------------------------------------------------------------------------------------
def _run(exp: Experiment, method: str) -> tuple[Any, type | None]:
    series, exc = _run_exc(exp, method)
    return series, None if exc is None else type(exc)


def _run_exc(exp: Experiment, method: str) -> tuple[Any, Exception | None]:
    try:
        return simulate(exp, method), None
    except Exception as exc:  # noqa: BLE001 - the exception is what we compare
        return None, exc


def declared_declines(exp: Experiment) -> tuple[str, ...]:
    """Every decline the experiment's types (and children) declare, plus the join's own."""
    out = list(JOIN_DECLINES)

    def visit(spec: Any) -> None:
        t = TYPES.get(getattr(spec, "type", None))
        if t is None:
            return
        out.extend(t.declines)
        if t.stepping_only:
            out.append(f"{t.name} is stepping-only")
        for child in t.children(spec.kwargs):
            visit(child)

    for spec in exp.schedulers:
        visit(spec)
    return tuple(out)


def assert_declared_decline(exp: Experiment, exc: Exception, step_err: type | None) -> None:
    """A decline is one the types declare, or says that stepping raises (and stepping does)."""
    assert isinstance(exc, NoClosedForm), repr(exc)
    reason = str(exc)
    if reason.startswith("stepping raises"):
        assert step_err is not None, f"declined with {reason!r} but stepping does not raise"
    else:
        assert reason.startswith(declared_declines(exp)), f"undeclared decline {reason!r}"


def assert_same_series(actual: list, expected: list) -> None:
    assert [(s.param_group, s.group_name, s.param_name) for s in actual] == [
        (s.param_group, s.group_name, s.param_name) for s in expected
    ]
    for a, e in zip(actual, expected, strict=True):
        assert a.values.dtype == np.float64 and a.values.shape == e.values.shape
        # bit for bit (float.hex equality): the fast path is what the API serves
        assert a.values.tobytes() == e.values.tobytes(), first_difference(a.values, e.values)


def first_difference(a: np.ndarray, e: np.ndarray) -> str:
    at = int(np.argmax(a.view(np.uint64) != e.view(np.uint64)))
    return f"event {at}: {float(a[at]).hex()} != {float(e[at]).hex()}"


def check(exp: Experiment) -> None:
    step, step_err = _run(exp, "step")
    auto, auto_err = _run(exp, "auto")
    fast, fast_exc = _run_exc(exp, "fast")
    fast_err = None if fast_exc is None else type(fast_exc)
    assert auto_err is step_err, (auto_err, step_err)
    try:
        build(exp)
    except Exception as exc:  # noqa: BLE001 - construction errors are the constructors' own
        event("construction error")
        assert fast_err is step_err is type(exc)
        return
    if step_err is None:
        assert_same_series(auto, step)
    if fast_err is None:
        event("fast path")
        assert step_err is None, f"fast answered where stepping raises {step_err}"
        assert_same_series(fast, step)
    else:
        event(f"fast declined: {str(fast_exc).split(':')[0][:60]}")
        assert_declared_decline(exp, fast_exc, step_err)


@given(experiments(torch_ok=False))
@kit.profile(600)
def test_param_schedulers_fast_equals_step(exp: Experiment) -> None:
    check(exp)


@given(experiments(torch_ok=False, events=st.integers(1000, 3000)))
@kit.profile(120)
def test_many_cycles_fast_equals_step(exp: Experiment) -> None:
    check(exp)


@given(experiments(torch_ok=False, events=st.integers(0, 600)), st.integers(1, 40))
@kit.profile(150)
def test_small_chunks_fast_equals_step(exp: Experiment, chunk: int) -> None:
    saved, shapes.CHUNK = shapes.CHUNK, chunk  # exercise the block boundaries of the shapes
    try:
        check(exp)
    finally:
        shapes.CHUNK = saved


@given(experiments(torch_ok=True))
@kit.profile(500)
def test_with_torch_fast_equals_step(exp: Experiment) -> None:
    check(exp)


# ------------------------------------------------------------------------------------------------
# targeted cases: the fast path must answer (not fall back) and agree
# ------------------------------------------------------------------------------------------------
S = SchedulerSpec


def one(n: int, spec: SchedulerSpec, lrs: tuple[float, ...] = (0.1,)) -> Experiment:
    groups = tuple(ParamGroupSpec(f"g{i}", {"lr": lr, "momentum": 0.9}) for i, lr in enumerate(lrs))
    return Experiment(n, groups, (spec,))


def cosine(**kw: Any) -> SchedulerSpec:
    base = {"param_name": "lr", "start_value": 1.0, "end_value": 0.1, "cycle_size": 5}
    return S("CosineAnnealingScheduler", {**base, **kw})


FAST_CASES = {
    "grown cycles + warm-up": one(400, cosine(cycle_mult=1.5, start_value_mult=0.7,
                                              end_value_mult=1.3, warmup_duration=3)),
    "repeating cycles + warm-up": one(400, cosine(start_value_mult=0.7, end_value_mult=1.3,
                                                  warmup_duration=3)),
    "truncation fixed point": one(400, cosine(cycle_size=3, cycle_mult=1.2, start_value_mult=0.9)),
    "shrinking to size 1": one(18, cosine(cycle_size=9, cycle_mult=0.6)),  # 9, 5, 3, 1
    "linear monotonic": one(300, S("LinearCyclicalScheduler", {
        "param_name": "momentum", "start_value": 1.0, "end_value": 0.1, "cycle_size": 7,
        "cycle_mult": 1.4, "monotonic": True, "warmup_duration": 4, "start_value_mult": 0.9})),
    "piecewise with a jump": one(100, S("PiecewiseLinear", {
        "param_name": "lr", "milestones_values": [(-3, 1.0), (5, 2.0), (5, 0.5), (40, 0.0)]})),
    "concat": one(200, S("ConcatScheduler", {"param_name": "lr", "durations": [30, 50],
        "schedulers": [S("PiecewiseLinear", {"milestones_values": [(0, 0.0), (30, 1.0)]}),
                       S("CosineAnnealingScheduler", {"start_value": 1.0, "end_value": 0.0,
                                                      "cycle_size": 20}),
                       S("LinearCyclicalScheduler", {"start_value": 1.0, "end_value": 0.0,
                                                     "cycle_size": 20})]})),
    "periodic over chunks": one(100_000, cosine(cycle_size=2, warmup_duration=1,
                                                start_value_mult=0.9999, end_value_mult=1.0001)),
}  # fmt: skip

for d in (2, 3, 4):
    for end in (0.2, 0.3, None):
        FAST_CASES[f"warm-up {d} to {end} over cosine"] = one(
            40,
            S("create_lr_scheduler_with_warmup", {
                "lr_scheduler": S("CosineAnnealingScheduler", {"start_value": 0.2,
                                                               "end_value": 0.0, "cycle_size": 4}),
                "warmup_start_value": 0.0, "warmup_duration": d, "warmup_end_value": end}),
            lrs=(0.1, 0.2),
        )  # fmt: skip

TORCH = [
    S("StepLR", {"step_size": 7, "gamma": 0.5}),
    S("MultiStepLR", {"milestones": [0, 5, 5, 30], "gamma": 0.5}),
    S("ExponentialLR", {"gamma": 0.97}),
    S("ConstantLR", {"factor": 0.5, "total_iters": 10}),
    S("LinearLR", {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 40}),
    S("PolynomialLR", {"total_iters": 50, "power": 2.3}),
    S("CosineAnnealingWarmRestarts", {"T_0": 7, "T_mult": 2, "eta_min": 1e-3}),
    S("CosineAnnealingWarmRestarts", {"T_0": 7}),
    S("OneCycleLR", {"max_lr": 0.5, "total_steps": 300, "three_phase": True}),
    S("OneCycleLR", {"max_lr": 0.5, "total_steps": 301, "anneal_strategy": "linear"}),
    S("CyclicLR", {"base_lr": 0.01, "max_lr": 0.2, "step_size_up": 13, "step_size_down": 7,
                   "mode": "triangular2"}),
    S("CyclicLR", {"base_lr": 0.01, "max_lr": 0.2, "step_size_up": 13, "mode": "exp_range",
                   "gamma": 0.99}),
]  # fmt: skip
for t in TORCH:
    FAST_CASES[f"LRScheduler {t.type} {t.kwargs}"] = one(
        300, S("LRScheduler", {"lr_scheduler": t}), lrs=(0.1, 0.3)
    )
    FAST_CASES[f"LRScheduler legacy {t.type} {t.kwargs}"] = one(
        300, S("LRScheduler", {"lr_scheduler": t, "use_legacy": True})
    )
    for end in (None, 0.1, 0.2):
        FAST_CASES[f"warm-up to {end} {t.type} {t.kwargs}"] = one(
            300,
            S("create_lr_scheduler_with_warmup", {"lr_scheduler": t, "warmup_start_value": 0.0,
                                                  "warmup_duration": 10,
                                                  "warmup_end_value": end}),
        )  # fmt: skip


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", sorted(FAST_CASES))
def test_fast_path_answers_and_agrees(name: str) -> None:
    exp = FAST_CASES[name]
    assert_same_series(simulate(exp, "fast"), simulate(exp, "step"))


def test_fast_bit_exact_for_benchmark_schedule() -> None:
    exp = one(5000, cosine(cycle_size=100, cycle_mult=2, start_value_mult=0.5, end_value=0.0))
    fast, step = simulate(exp, "fast")[0].values, simulate(exp, "step")[0].values
    assert np.array_equal(fast, step)


@pytest.mark.parametrize(
    "spec",
    [
        cosine(cycle_size=2.5),  # never wraps: ZeroDivisionError while stepping
        cosine(cycle_size=3, cycle_mult=0.5),  # sizes 3 -> 1 -> 0: ZeroDivisionError
        cosine(cycle_size=4.5, warmup_duration=2),  # never wraps, extrapolates
        cosine(warmup_duration=-1),  # accepted by ignite, no closed form here
        cosine(cycle_mult=-1.0, warmup_duration=2),
    ],
)
def test_declined_configs_fall_back_with_identical_outcome(spec: SchedulerSpec) -> None:
    exp = one(40, spec)
    with pytest.raises(NoClosedForm):
        simulate(exp, "fast")
    step, step_err = _run(exp, "step")
    auto, auto_err = _run(exp, "auto")
    assert auto_err is step_err
    if step is not None:
        assert_same_series(auto, step)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_unsupported_torch_schedulers_decline() -> None:
    exp = one(50, S("LRScheduler", {"lr_scheduler": S("CosineAnnealingLR", {"T_max": 9})}))
    with pytest.raises(NoClosedForm):
        simulate(exp, "fast")
    assert_same_series(simulate(exp), simulate(exp, "step"))


def test_one_cycle_past_total_steps_raises_like_stepping() -> None:
    exp = one(20, S("LRScheduler", {"lr_scheduler": S("OneCycleLR", {"max_lr": 1.0,
                                                                      "total_steps": 3})}))  # fmt: skip
    with pytest.raises(ValueError):
        simulate(exp, "step")
    with pytest.raises(ValueError):
        simulate(exp)


def test_registry_covers_the_experiment_types() -> None:
    for name in ["CosineAnnealingScheduler", "LinearCyclicalScheduler", "PiecewiseLinear",
                 "ConcatScheduler", "LRScheduler", "create_lr_scheduler_with_warmup"]:  # fmt: skip
        assert TYPES[name].closed_form is not None


# ------------------------------------------------------------------------------------------------
# shapes as pure functions
# ------------------------------------------------------------------------------------------------
def test_concat_segments_quirks() -> None:
    assert list(concat_segments([3, 2], 3, 10)) == [(0, 0, 3), (1, 3, 5), (2, 5, 10)]
    assert list(concat_segments([0, 5], 3, 10)) == [(1, 0, 5), (2, 5, 10)]
    assert list(concat_segments([4, 0], 3, 10)) == [(0, 0, 4), (1, 4, 10)]  # 0 later: for ever
    assert list(concat_segments([-1, 5], 3, 10)) == [(0, 0, 10)]


@given(
    st.lists(st.integers(0, 500), min_size=1, max_size=60),
    st.sampled_from(["cosine", "linear", "monotonic"]),
    st.integers(2, 9),
    st.sampled_from([1.0, 1.5, 2.0]),
    st.integers(0, 4),
)
@kit.profile(60)
def test_cyclical_any_event_order(events, form, size, mult, warm) -> None:
    if form == "linear":
        warm = 0
    ev = np.array(events, dtype=np.int64)
    args = (form, 1.0, -0.5, size, mult, 0.8, 1.1, warm)
    full = shapes.cyclical(np.arange(501), *args)
    np.testing.assert_array_equal(shapes.cyclical(ev, *args), full[ev])
    np.testing.assert_array_equal(shapes.cyclical(range(501), *args), full)  # never materialised
    np.testing.assert_array_equal(shapes.cyclical(range(7, 501), *args), full[7:])


def test_state_shapes_match_state_schedulers() -> None:
    import scheduler_core as sc

    ev = np.arange(1, 201)
    cases = [
        (sc.ExpStateScheduler, {"initial_value": 2.0, "gamma": 0.97},
         shapes.exp_state(ev, 2.0, 0.97)),
        (sc.StepStateScheduler, {"initial_value": 2.0, "gamma": 0.5, "step_size": 7},
         shapes.step_state(ev, 2.0, 0.5, 7)),
        (sc.MultiStepStateScheduler, {"initial_value": 2.0, "gamma": 0.5, "milestones": [3, 9, 9]},
         shapes.multistep_state(ev, 2.0, 0.5, [3, 9, 9])),
        (sc.PiecewiseLinearStateScheduler, {"milestones_values": [(5, 1.0), (50, 0.0)]},
         shapes.piecewise_linear(ev, [5, 50], [1.0, 0.0])),
    ]  # fmt: skip
    for cls, kw, expected in cases:
        rows = cls.simulate_values(num_events=200, param_name="x", **kw)
        np.testing.assert_allclose(expected, [r[1] for r in rows], rtol=RTOL, atol=0)


def test_cyclical_fast_path_does_not_import_torch() -> None:
    code = (
        "import sys, scheduler_core, scheduler_core.series\n"
        "from scheduler_core.experiment import *\n"
        "exp = Experiment(1000, (ParamGroupSpec('g', {'lr': 0.1}),), (SchedulerSpec("
        "'CosineAnnealingScheduler', {'param_name': 'lr', 'start_value': 1.0, 'end_value': 0.0,"
        " 'cycle_size': 10, 'cycle_mult': 2}),))\n"
        "simulate(exp); simulate(exp, 'fast'); simulate(exp, 'step')\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)


def test_concat_with_index_and_a_torch_child_reached_alone_steps():
    """Found by the soak run: with one event only the torch child runs; it writes every group."""
    exp = Experiment(
        1,
        (ParamGroupSpec("g0", {"lr": 0.1}), ParamGroupSpec("g1", {"lr": 0.1})),
        (
            S(
                "ConcatScheduler",
                {
                    "schedulers": [
                        S(
                            "LRScheduler",
                            {"lr_scheduler": S("StepLR", {"step_size": 1, "gamma": 0.5}), "use_legacy": True},
                        ),
                        S(
                            "CosineAnnealingScheduler",
                            {"start_value": 0.0, "end_value": 0.0, "cycle_size": 2},
                        ),
                    ],
                    "durations": [1],
                    "param_name": "lr",
                    "param_group_index": 0,
                },
            ),
        ),
    )
    with pytest.raises(NoClosedForm):
        simulate(exp, method="fast")
    assert [s.values.tolist() for s in simulate(exp)] == [[0.05], [0.05]]
    assert [s.values.tolist() for s in simulate(exp, method="step")] == [[0.05], [0.05]]


# ------------------------------------------------------------------------------------------------
# expressions, state kinds, BatchSizeScheduler, ParamGroupScheduler, warm-up around ignite
# ------------------------------------------------------------------------------------------------
EPOCH_EXPRESSIONS = [
    "{a} ** epoch",
    "min(1, (epoch + 1) / {n})",
    "{a} if epoch % {n} else 1 / {a}",
    "exp(-epoch / {n}) + {a}",
    "1 + cos(pi * epoch / {n}) * {a}",
    "floor(epoch / {n}) * {a} + 1",
    "1 / (epoch - {n})",  # ZeroDivisionError at one event when reached
    "{a} ** (epoch // {n})",
    "max({a}, 1 - epoch / {n})",
]


@st.composite
def expressions(draw: Any, variable: str) -> str:
    text = draw(st.sampled_from(EPOCH_EXPRESSIONS)).format(
        a=draw(st.sampled_from(["0.5", "0.9", "0.999", "1.01", "2", "3"])), n=draw(st.integers(1, 60))
    )
    return text.replace("epoch", variable)


@st.composite
def state_kind_specs(draw: Any) -> SchedulerSpec:
    name = draw(st.sampled_from(["alpha", "alpha", "beta"]))
    kind = draw(st.sampled_from(["Exp", "Step", "MultiStep", "PiecewiseLinear", "Lambda", "BatchSize"]))
    if kind == "BatchSize":
        fn = draw(
            st.sampled_from(
                ["16 * 2 ** (event // {n})", "max(1, {n} - event)", "{n} - event", "1 + event % {n}"]
            )
        )
        return S("BatchSizeScheduler", {"scheduler_fn": fn.format(n=draw(st.integers(1, 60)))})
    kw: dict[str, Any] = {"param_name": name}
    if kind in ("Exp", "Step", "MultiStep"):
        kw |= {"initial_value": draw(kit.values), "gamma": draw(st.floats(0.5, 1.5))}
    if kind == "Step":
        kw["step_size"] = draw(st.integers(1, 40))
    if kind == "MultiStep":
        kw["milestones"] = sorted(set(draw(st.lists(st.integers(1, 200), min_size=1, max_size=5))))
    if kind == "PiecewiseLinear":
        kw["milestones_values"] = [tuple(p) for p in draw(kit.milestones_values(200))]
    if kind == "Lambda":
        kw["lambda_obj"] = draw(expressions("event"))
    return S(f"{kind}StateScheduler", kw)


@st.composite
def new_kind_experiments(draw: Any) -> Experiment:
    n_groups = draw(st.integers(1, 3))
    groups = tuple(
        ParamGroupSpec(f"g{i}", {"lr": draw(kit.lr_values), "momentum": 0.9}) for i in range(n_groups)
    )
    lam = S(
        draw(st.sampled_from(["LambdaLR", "MultiplicativeLR"])), {"lr_lambda": draw(expressions("epoch"))}
    )
    wrapped = draw(st.sampled_from(["LRScheduler", "warm-up", "warm-up around ignite", "group"]))
    cosine = S("CosineAnnealingScheduler", {"start_value": draw(kit.values), "end_value": draw(kit.values),
                                            "cycle_size": draw(kit.cycle_sizes)})  # fmt: skip
    if wrapped == "LRScheduler":
        lr = S("LRScheduler", {"lr_scheduler": lam})
    elif wrapped == "warm-up":
        lr = S("create_lr_scheduler_with_warmup", {"lr_scheduler": lam, "warmup_start_value": 0.0,
                                                   "warmup_duration": draw(st.integers(2, 20))})  # fmt: skip
    elif wrapped == "warm-up around ignite":
        kw = {"lr_scheduler": cosine, "warmup_start_value": 0.0, "warmup_duration": draw(st.integers(2, 20))}
        if draw(st.booleans()):  # the end equal to the cosine's first value shortens the warm-up
            kw["warmup_end_value"] = cosine.kwargs["start_value"]
        lr = S("create_lr_scheduler_with_warmup", kw)
    else:
        members = [S("LRScheduler", {"lr_scheduler": lam})] if n_groups == 1 else [
            S("CosineAnnealingScheduler", {**cosine.kwargs, "param_name": "lr", "param_group_index": 0}),
            S("PiecewiseLinear", {"param_name": "momentum", "param_group_index": n_groups - 1,
                                  "milestones_values": [(0, 0.9), (30, 0.5)]}),
        ]  # fmt: skip
        lr = S("ParamGroupScheduler", {"schedulers": members})
    states = draw(st.lists(state_kind_specs(), max_size=3))
    order = draw(st.permutations([lr, *states]))
    # each attached at an event (state series before their first call: the type's unset value)
    order = [dataclasses.replace(s, event=draw(st.sampled_from(EVENTS))) for s in order]
    ipe = draw(st.integers(1, 40))
    return Experiment(draw(st.integers(0, 300)), groups, tuple(order), iterations_per_epoch=ipe)


@given(new_kind_experiments())
@kit.profile(300)
def test_new_kinds_fast_equals_step(exp: Experiment) -> None:
    """Expressions, state kinds, BatchSizeScheduler, ParamGroupScheduler and the warm-up around
    an ignite scheduler: the closed forms answer where they can, equal to stepping bit for bit."""
    check(exp)


def test_new_kinds_answer_in_closed_form() -> None:
    groups = (ParamGroupSpec("g", {"lr": 0.1}),)
    cases = [
        S("LRScheduler", {"lr_scheduler": S("LambdaLR", {"lr_lambda": "0.95 ** epoch"})}),
        S("LRScheduler", {"lr_scheduler": S("MultiplicativeLR", {"lr_lambda": "0.99"})}),
        S(
            "create_lr_scheduler_with_warmup",
            {
                "lr_scheduler": S(
                    "CosineAnnealingScheduler", {"start_value": 0.1, "end_value": 0.0, "cycle_size": 50}
                ),
                "warmup_start_value": 0.0,
                "warmup_duration": 10,
            },
        ),  # fmt: skip
        S("ExpStateScheduler", {"param_name": "a", "initial_value": 1.0, "gamma": 0.9}),
        S("StepStateScheduler", {"param_name": "a", "initial_value": 1.0, "gamma": 0.9, "step_size": 7}),
        S(
            "MultiStepStateScheduler",
            {"param_name": "a", "initial_value": 1.0, "gamma": 0.9, "milestones": [3, 9]},
        ),
        S("PiecewiseLinearStateScheduler", {"param_name": "a", "milestones_values": [(0, 1.0), (40, 0.0)]}),
        S("LambdaStateScheduler", {"param_name": "a", "lambda_obj": "sin(event / 7)"}),
        S("BatchSizeScheduler", {"scheduler_fn": "8 * 2 ** (event // 20)"}),
        S(
            "ParamGroupScheduler",
            {
                "schedulers": [
                    S("PiecewiseLinear", {"param_name": "lr", "milestones_values": [(0, 1.0), (40, 0.0)]})
                ]
            },
        ),  # fmt: skip
    ]
    for spec in cases:
        exp = Experiment(100, groups, (spec,))
        assert_same_series(simulate(exp, "fast"), simulate(exp, "step"))
