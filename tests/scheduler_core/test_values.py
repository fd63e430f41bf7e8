"""Golden values: hand-checked sequences from ignite-reference.md and ignite's docstrings.

Every golden test runs on ignite 0.5.5 (which validates the golden list itself) and on
scheduler_core; values are compared exactly (they are the oracle's floats, written out).
"""

from __future__ import annotations

import math
import warnings
from types import SimpleNamespace
from typing import Any

import ignite.handlers as ignite_handlers
import plotly.graph_objects as go
import pytest
import torch
from ignite.engine import Engine, Events
from scheduler_testkit import IMPLS
from torch.optim import lr_scheduler as tl

import scheduler_core

impls = pytest.mark.parametrize("mod", list(IMPLS.values()), ids=list(IMPLS))


def sgd(*lrs: float) -> torch.optim.SGD:
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    return torch.optim.SGD(groups, lr=lrs[0])


def lrs_of(sched: Any, optimizer: Any, n: int, key: str = "lr", group: int = 0) -> list:
    out = []
    for _ in range(n):
        sched(None)
        out.append(optimizer.param_groups[group][key])
    return out


def assert_exact(actual: list, expected: list) -> None:
    assert [type(v) for v in actual] == [type(v) for v in expected], (actual, expected)
    assert [float(v).hex() for v in actual] == [float(v).hex() for v in expected], (actual, expected)


# ------------------------------------------------------------------------------------------------
# cyclical
# ------------------------------------------------------------------------------------------------
COSINE_0_1_4 = [0.0, 0.1464466094067262, 0.49999999999999994, 0.8535533905932737]


@impls
def test_cosine_annealing_basic_cycle(mod: Any) -> None:
    opt = sgd(0.1)
    values = lrs_of(mod.CosineAnnealingScheduler(opt, "lr", 0.0, 1.0, 4), opt, 9)
    assert_exact(values, COSINE_0_1_4 * 2 + [0.0])
    # hand check: start + (end - start)/2 * (1 - cos(pi * e / 4))
    assert values[:4] == pytest.approx([0.5 * (1 - math.cos(math.pi * e / 4)) for e in range(4)])


@impls
def test_linear_cyclical_basic_cycle(mod: Any) -> None:
    opt = sgd(0.1)
    values = lrs_of(mod.LinearCyclicalScheduler(opt, "lr", 0.0, 1.0, 4), opt, 9)
    assert_exact(values, [0.0, 0.5, 1.0, 0.5, 0.0, 0.5, 1.0, 0.5, 0.0])


@impls
def test_linear_monotonic_with_warmup_and_start_mult(mod: Any) -> None:
    opt = sgd(0.1)
    sched = mod.LinearCyclicalScheduler(
        opt, "lr", 1.0, 0.0, 4, monotonic=True, warmup_duration=2, start_value_mult=0.5
    )
    expected = [1.0, 0.75, 0.5, 0.25, 0.0, 0.25, 0.5, 0.375, 0.25, 0.125, 0.0, 0.125, 0.25]
    assert_exact(lrs_of(sched, opt, 14), expected + [0.1875])


@impls
def test_cosine_with_warmup_and_float_cycle_mult(mod: Any) -> None:
    opt = sgd(0.1)
    sched = mod.CosineAnnealingScheduler(opt, "lr", 1.0, 0.0, 4, cycle_mult=1.5, warmup_duration=2)
    expected = [1.0, 0.8535533905932737, 0.5, 0.14644660940672627, 0.0, 0.5, 1.0]
    expected += [0.9330127018922194, 0.75, 0.5, 0.2500000000000001, 0.06698729810778059]
    expected += [0.0, 0.3333333333333333, 0.6666666666666666, 1.0]
    assert_exact(lrs_of(sched, opt, 16), expected)
    # cycle 0: 4 + 2 events; cycle 1: int(4 * 1.5) + int(2 * 1.5) = 6 + 3 events; then cycle 2
    assert (sched.cycle, sched.cycle_size, sched.warmup_duration) == (2, 9, 4)


@impls
def test_cycle_sizes_compound_after_truncation(mod: Any) -> None:
    """C=5, W=3, mult 1.5: (5,3) -> (7,4) -> (10,6) -> (15,9) (truncated every cycle)."""
    opt = sgd(0.1)
    sched = mod.CosineAnnealingScheduler(opt, "lr", 1.0, 0.0, 5, cycle_mult=1.5, warmup_duration=3)
    sizes = []
    for _ in range(8 + 11 + 16 + 1):
        sched(None)
        sizes.append((sched.cycle_size, sched.warmup_duration))
    assert sizes[0] == (5, 3) and sizes[8] == (7, 4) and sizes[19] == (10, 6) and sizes[35] == (15, 9)


# ------------------------------------------------------------------------------------------------
# piecewise, concat, param groups
# ------------------------------------------------------------------------------------------------
@impls
def test_piecewise_linear(mod: Any) -> None:
    opt = sgd(0.1)
    sched = mod.PiecewiseLinear(opt, "lr", [(1, 1.0), (3, 0.8), (5, 0.2)])
    assert_exact(lrs_of(sched, opt, 7), [1.0, 1.0, 0.9, 0.8, 0.5, 0.2, 0.2])


@impls
def test_piecewise_linear_duplicate_milestone_jumps(mod: Any) -> None:
    opt = sgd(0.1)
    sched = mod.PiecewiseLinear(opt, "lr", [(0, 0.0), (2, 1.0), (2, 5.0), (4, 3.0)])
    assert_exact(lrs_of(sched, opt, 6), [0.0, 0.5, 5.0, 4.0, 3.0, 3.0])


@impls
def test_concat_scheduler_docstring(mod: Any) -> None:
    opt = sgd(0.1)
    s1 = mod.LinearCyclicalScheduler(opt, "lr", 0.0, 1.0, 8)
    s2 = mod.CosineAnnealingScheduler(opt, "lr", 1.0, 0.2, 4)
    sched = mod.ConcatScheduler(schedulers=[s1, s2], durations=[4])
    values = lrs_of(sched, opt, 8)
    assert values[:5] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert [f"{v:.4f}" for v in values[5:]] == ["0.8828", "0.6000", "0.3172"]


# ------------------------------------------------------------------------------------------------
# create_lr_scheduler_with_warmup (reference section 6)
# ------------------------------------------------------------------------------------------------
WARMUP_CASES = {
    "docstring ExponentialLR(.98), end .1": (
        lambda mod, o: tl.ExponentialLR(o, 0.98),
        {"warmup_start_value": 0.0, "warmup_duration": 3, "warmup_end_value": 0.1},
        [0.0, 0.05, 0.1, 0.098, 0.09604, 0.0941192],
    ),
    "end None": (
        lambda mod, o: tl.ExponentialLR(o, 0.5),
        {"warmup_start_value": 0.0, "warmup_duration": 3},
        [0.0, 0.05, 0.1, 0.05, 0.025, 0.0125],
    ),
    "end .3 != lr: extra event": (
        lambda mod, o: tl.ExponentialLR(o, 0.5),
        {"warmup_start_value": 0.0, "warmup_duration": 3, "warmup_end_value": 0.3},
        [0.0, 0.15, 0.3, 0.1, 0.05, 0.025],
    ),
    "param scheduler, end equal: shortened warm-up": (
        lambda mod, o: mod.CosineAnnealingScheduler(o, "lr", 0.2, 0.0, 4),
        {"warmup_start_value": 0.0, "warmup_duration": 4, "warmup_end_value": 0.2},
        [0.0, 0.06666666666666668, 0.13333333333333336, 0.2, 0.17071067811865476]
        + [0.10000000000000002, 0.029289321881345254, 0.2, 0.17071067811865476],
    ),
    "param scheduler, duration 2": (
        lambda mod, o: mod.CosineAnnealingScheduler(o, "lr", 0.2, 0.0, 4),
        {"warmup_start_value": 0.0, "warmup_duration": 2, "warmup_end_value": 0.2},
        [0.0, 0.2, 0.17071067811865476, 0.10000000000000002, 0.029289321881345254],
    ),
}


@impls
@pytest.mark.parametrize("case", list(WARMUP_CASES))
def test_create_lr_scheduler_with_warmup_examples(mod: Any, case: str) -> None:
    make, kwargs, expected = WARMUP_CASES[case]
    opt = sgd(0.1)
    sched = mod.create_lr_scheduler_with_warmup(make(mod, opt), **kwargs)
    assert isinstance(sched, mod.ConcatScheduler)
    assert_exact(lrs_of(sched, opt, len(expected)), expected)


@impls
def test_create_lr_scheduler_with_warmup_output_simulated_values(mod: Any) -> None:
    opt = sgd(0.1)
    out = [None] * 6
    sched = mod.create_lr_scheduler_with_warmup(
        tl.ExponentialLR(opt, 0.5), 0.0, 3, output_simulated_values=out
    )
    assert out == [[0, 0.0], [1, 0.05], [2, 0.1], [3, 0.05], [4, 0.025], [5, 0.0125]]
    assert opt.param_groups[0]["lr"] == 0.1  # simulation restored the optimizer
    assert_exact(lrs_of(sched, opt, 6), [row[1] for row in out])


# ------------------------------------------------------------------------------------------------
# LRScheduler over torch 2.13 (reference sections 5 and 16)
# ------------------------------------------------------------------------------------------------
TORCH_CASES = {
    "StepLR(3, .1)": (lambda o: tl.StepLR(o, 3, 0.1), [0.1, 0.1, 0.1] + [0.010000000000000002] * 3),
    "ExponentialLR(.5) skips the initial lr": (
        lambda o: tl.ExponentialLR(o, 0.5),
        [0.05, 0.025, 0.0125, 0.00625],
    ),
    "MultiplicativeLR(.9)": (
        lambda o: tl.MultiplicativeLR(o, lambda e: 0.9),
        [0.09000000000000001, 0.08100000000000002, 0.07290000000000002],
    ),
    "CosineAnnealingWarmRestarts(3, 2) via ignite's adapter": (
        lambda o: tl.CosineAnnealingWarmRestarts(o, 3, 2),
        [0.07500000000000001, 0.025000000000000012, 0.1, 0.09330127018922195]
        + [0.07500000000000001, 0.05, 0.025000000000000012, 0.006698729810778065, 0.1],
    ),
    "CosineAnnealingLR(5) first value too high": (
        lambda o: tl.CosineAnnealingLR(o, 5),
        [0.11055728090000841, 0.09045084971874738, 0.06545084971874737],
    ),
    "ConstantLR(.5, 3) factor applied twice": (
        lambda o: tl.ConstantLR(o, 0.5, 3),
        [0.025, 0.025, 0.025, 0.05, 0.05],
    ),
    "LinearLR(.25, 1, 4)": (
        lambda o: tl.LinearLR(o, 0.25, 1.0, 4),
        [0.00625, 0.010937500000000001, 0.015625000000000003, 0.020312500000000004],
    ),
    "PolynomialLR(4, 2)": (
        lambda o: tl.PolynomialLR(o, 4, 2),
        [0.06400000000000002, 0.03600000000000001, 0.016000000000000004, 0.004000000000000001],
    ),
}


@impls
@pytest.mark.parametrize("case", list(TORCH_CASES))
def test_lr_scheduler_torch_2_13_values(mod: Any, case: str) -> None:
    make, expected = TORCH_CASES[case]
    opt = sgd(0.1)
    assert_exact(lrs_of(mod.LRScheduler(make(opt)), opt, len(expected)), expected)


@impls
def test_lr_scheduler_multi_group_and_simulate_values(mod: Any) -> None:
    opt = sgd(0.1, 1.0)
    torch_sched = tl.StepLR(opt, 2, 0.5)
    rows = mod.LRScheduler.simulate_values(4, lr_scheduler=torch_sched)
    assert rows == [[0, 0.1, 1.0], [1, 0.1, 1.0], [2, 0.05, 0.5], [3, 0.05, 0.5]]
    sched = mod.LRScheduler(torch_sched)  # simulation restored scheduler and optimizer
    got = []
    for _ in range(4):
        sched(None)
        got.append([g["lr"] for g in opt.param_groups])
    assert got == [row[1:] for row in rows]


@impls
def test_lr_scheduler_use_legacy_starts_one_step_later(mod: Any) -> None:
    opt = sgd(0.1)
    with pytest.warns(UserWarning):
        sched = mod.LRScheduler(tl.StepLR(opt, 2, 0.5), use_legacy=True)
    assert_exact(lrs_of(sched, opt, 4), [0.1, 0.05, 0.05, 0.025])


# ------------------------------------------------------------------------------------------------
# state schedulers: simulate_values gives the value after call i (event_index i + 1)
# ------------------------------------------------------------------------------------------------
STATE_CASES = {
    "ExpStateScheduler": ({"initial_value": 1.0, "gamma": 0.5}, [0.5, 0.25, 0.125, 0.0625]),
    "StepStateScheduler": (
        {"initial_value": 1.0, "gamma": 0.5, "step_size": 2},
        [1.0, 0.5, 0.5, 0.25, 0.25, 0.125],
    ),
    "MultiStepStateScheduler": (
        {"initial_value": 1.0, "gamma": 0.5, "milestones": [2, 4]},
        [1.0, 0.5, 0.5, 0.25, 0.25, 0.25],
    ),
    "PiecewiseLinearStateScheduler": (
        {"milestones_values": [(0, 0.0), (4, 1.0)]},
        [0.25, 0.5, 0.75, 1.0, 1.0],
    ),
    "LambdaStateScheduler": ({"lambda_obj": lambda e: e * e}, [1, 4, 9, 16]),
}


@impls
@pytest.mark.parametrize("name", list(STATE_CASES))
def test_state_scheduler_values(mod: Any, name: str) -> None:
    kwargs, expected = STATE_CASES[name]
    rows = getattr(mod, name).simulate_values(len(expected), param_name="alpha", **kwargs)
    assert rows == [[i, v] for i, v in enumerate(expected)]
    engine = SimpleNamespace(state=SimpleNamespace())
    sched = getattr(mod, name)(param_name="alpha", **kwargs)
    got = []
    for _ in expected:
        sched(engine)
        got.append(engine.state.alpha)
    assert_exact(got, expected)


@impls
def test_state_scheduler_attached_to_real_engine_with_history(mod: Any) -> None:
    engine = Engine(lambda e, b: None)
    sched = mod.ExpStateScheduler(1.0, 0.5, "alpha", save_history=True, create_new=True)
    sched.attach(engine, Events.ITERATION_COMPLETED)
    seen = []
    engine.add_event_handler(Events.ITERATION_COMPLETED, lambda e: seen.append(e.state.alpha))
    engine.run([0] * 4, max_epochs=1)
    assert seen == [0.5, 0.25, 0.125, 0.0625]
    assert engine.state.param_history == {"alpha": [0.5, 0.25, 0.125, 0.0625]}


# ------------------------------------------------------------------------------------------------
# ReduceLROnPlateauScheduler
# ------------------------------------------------------------------------------------------------
@impls
def test_reduce_lr_on_plateau_simulate_values(mod: Any) -> None:
    metrics = [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8]
    rows = mod.ReduceLROnPlateauScheduler.simulate_values(
        9, metric_values=metrics, init_lr=1.0, patience=1, factor=0.5
    )
    # patience 1: the 2nd event without improvement halves the lr (0.8 at event 5 improves)
    assert rows == [[i, v] for i, v in enumerate([1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25])]


# ------------------------------------------------------------------------------------------------
# ignite docstrings reproduced with a real Engine (ITERATION_STARTED / printed at COMPLETED)
# ------------------------------------------------------------------------------------------------
def run_docstring_engine(make: Any, keys: list[tuple[int, str]], lrs: tuple = (0.001, 0.01)):
    """Build schedulers with ``make(optimizer)``, attach them, run 9 iterations, return rows."""
    model = torch.nn.ModuleDict({"base": torch.nn.Linear(2, 2), "fc": torch.nn.Linear(2, 1)})
    optimizer = torch.optim.SGD(
        [
            {"params": model["base"].parameters(), "lr": lrs[0]},
            {"params": model["fc"].parameters(), "lr": lrs[1]},
        ]
    )
    trainer = Engine(lambda e, b: None)
    for sched in make(optimizer):
        trainer.add_event_handler(Events.ITERATION_STARTED, sched)
    rows: list = []
    trainer.add_event_handler(
        Events.ITERATION_COMPLETED,
        lambda e: rows.append([optimizer.param_groups[g][k] for g, k in keys]),
    )
    trainer.run([0] * 9, max_epochs=1)
    return rows


def printed_prefix_matches(values: list, printed: list[str]) -> bool:
    """ignite's testoutput: "0.1464..." means the printed float starts with "0.1464"."""
    return all(
        str(v).startswith(p.removesuffix("...")) if p.endswith("...") else str(v) == p
        for v, p in zip(values, printed, strict=False)
    )


DOCSTRING_CASES = {
    "CosineAnnealingScheduler example 1": (
        lambda mod: lambda opt: [mod.CosineAnnealingScheduler(opt, "lr", 0.0, 1.0, 4)],
        [(0, "lr")],
        [["0.0"], ["0.1464..."], ["0.4999..."], ["0.8535..."]],
    ),
    "CosineAnnealingScheduler example 2 (two groups)": (
        lambda mod: (
            lambda opt: [
                mod.CosineAnnealingScheduler(opt, "lr (base)", 0.0, 1.0, 4, param_group_index=0),
                mod.CosineAnnealingScheduler(opt, "lr (fc)", 0.0, 0.1, 4, param_group_index=1),
            ]
        ),
        [(0, "lr (base)"), (1, "lr (fc)")],
        [["0.0", "0.0"], ["0.1464...", "0.01464..."], ["0.4999...", "0.04999..."]]
        + [["0.8535...", "0.08535..."]],
    ),
    "LinearCyclicalScheduler example 2 (two groups)": (
        lambda mod: (
            lambda opt: [
                mod.LinearCyclicalScheduler(opt, "lr (base)", 0.0, 1.0, 4, param_group_index=0),
                mod.LinearCyclicalScheduler(opt, "lr (fc)", 0.0, 0.1, 4, param_group_index=1),
            ]
        ),
        [(0, "lr (base)"), (1, "lr (fc)")],
        [["0.0", "0.0"], ["0.5", "0.05"], ["1.0", "0.1"], ["0.5", "0.05"]],
    ),
    "LinearCyclical on group 0 + CosineAnnealing on group 1": (
        lambda mod: (
            lambda opt: [
                mod.LinearCyclicalScheduler(opt, "lr", 0.0, 1.0, 4, param_group_index=0),
                mod.CosineAnnealingScheduler(opt, "lr", 0.0, 0.1, 4, param_group_index=1),
            ]
        ),
        [(0, "lr"), (1, "lr")],
        [["0.0", "0.0"], ["0.5", "0.01464..."], ["1.0", "0.04999..."], ["0.5", "0.08535..."]],
    ),
    "LRScheduler docstring (StepLR)": (
        lambda mod: lambda opt: [mod.LRScheduler(tl.StepLR(opt, step_size=3, gamma=0.1))],
        [(0, "lr")],
        [["0.1"]] * 3 + [["0.010..."]] * 3 + [["0.001..."]] * 2,
    ),
    "create_lr_scheduler_with_warmup docstring": (
        lambda mod: (
            lambda opt: [
                mod.create_lr_scheduler_with_warmup(
                    tl.ExponentialLR(opt, gamma=0.98),
                    warmup_start_value=0.0,
                    warmup_end_value=0.1,
                    warmup_duration=3,
                )
            ]
        ),
        [(0, "lr")],
        [["0.0"], ["0.05"], ["0.1"], ["0.098"], ["0.09604"], ["0.09411..."], ["0.09223..."]]
        + [["0.09039..."]],
    ),
}


@pytest.mark.parametrize("case", list(DOCSTRING_CASES))
def test_docstring_examples_on_a_real_engine(case: str) -> None:
    make, keys, printed = DOCSTRING_CASES[case]
    lrs = (0.1, 0.1) if "docstring" in case else (0.001, 0.01)
    expected = run_docstring_engine(make(ignite_handlers), keys, lrs)
    actual = run_docstring_engine(make(scheduler_core), keys, lrs)
    for row, want in zip(expected, printed, strict=False):
        assert printed_prefix_matches(row, want), (row, want)  # the oracle matches its docs
    assert [[v.hex() for v in r] for r in actual] == [[v.hex() for v in r] for r in expected]


# ------------------------------------------------------------------------------------------------
# duck-typed optimizer, real Engine with attach and save_history
# ------------------------------------------------------------------------------------------------
@impls
def test_duck_typed_optimizer(mod: Any) -> None:
    duck = SimpleNamespace(param_groups=[{"lr": 0.0}])
    sched = mod.CosineAnnealingScheduler(duck, "lr", 0.0, 1.0, 4)
    assert_exact(lrs_of(sched, duck, 4), COSINE_0_1_4)
    duck2 = SimpleNamespace(param_groups=[{"lr": 0.0}, {"lr": 5.0}])
    pw = mod.PiecewiseLinear(duck2, "momentum", [(0, 1.0), (2, 0.0)], param_group_index=-1)
    assert lrs_of(pw, duck2, 3, key="momentum", group=1) == [1.0, 0.5, 0.0]
    assert duck2.param_groups[0] == {"lr": 0.0}


@impls
def test_attach_to_real_engine_with_save_history(mod: Any) -> None:
    opt = sgd(0.1, 0.2)
    trainer = Engine(lambda e, b: None)
    sched = mod.LinearCyclicalScheduler(opt, "lr", 0.0, 1.0, 4, save_history=True)
    sched.attach(trainer)  # default event: ITERATION_STARTED
    seen = []
    trainer.add_event_handler(
        Events.ITERATION_COMPLETED, lambda e: seen.append([g["lr"] for g in opt.param_groups])
    )
    trainer.run([0] * 5, max_epochs=1)
    assert seen == [[0.0, 0.0], [0.5, 0.5], [1.0, 1.0], [0.5, 0.5], [0.0, 0.0]]
    assert trainer.state.param_history == {"lr": seen}


@impls
def test_save_history_layouts(mod: Any) -> None:
    """param_group_index -> [[v]]; ParamGroupScheduler -> one key per child name."""
    opt = sgd(0.1, 0.2)
    engine = SimpleNamespace(state=SimpleNamespace())
    s0 = mod.PiecewiseLinear(opt, "lr", [(0, 1.0), (2, 0.0)], param_group_index=0)
    s1 = mod.PiecewiseLinear(opt, "lr", [(0, 0.0), (2, 1.0)], param_group_index=1)
    group = mod.ParamGroupScheduler([s0, s1], names=["a", "b"], save_history=True)
    for _ in range(3):
        group(engine, "ignored")
    assert engine.state.param_history == {"a": [[1.0], [0.5], [0.0]], "b": [[0.0], [0.5], [1.0]]}


@impls
def test_unknown_param_name_creates_key(mod: Any) -> None:
    opt = sgd(0.1)
    sched = mod.LinearCyclicalScheduler(opt, "lr (base)", 0.0, 1.0, 4)
    sched(None)
    assert opt.param_groups[0]["lr (base)"] == 0.0 and opt.param_groups[0]["lr"] == 0.1


# ------------------------------------------------------------------------------------------------
# plot_values (scheduler_core draws with plotly; ignite needs matplotlib)
# ------------------------------------------------------------------------------------------------
PLOT_CASES = {
    "CosineAnnealingScheduler": {"param_name": "lr", "start_value": 1.0, "end_value": 0.0}
    | {"cycle_size": 7, "cycle_mult": 1.5},
    "LinearCyclicalScheduler": {"param_name": "momentum", "start_value": 0.9, "end_value": 0.8}
    | {"cycle_size": 10},
    "PiecewiseLinear": {"param_name": "lr", "milestones_values": [(0, 0.0), (10, 1.0), (30, 0.1)]},
    "ExpStateScheduler": {"param_name": "alpha", "initial_value": 1.0, "gamma": 0.9},
}


@pytest.mark.parametrize("name", list(PLOT_CASES))
def test_plot_values_is_a_plotly_figure_of_simulate_values(name: str) -> None:
    cls = getattr(scheduler_core, name)
    kwargs = PLOT_CASES[name]
    rows = cls.simulate_values(40, **kwargs)
    figure = cls.plot_values(40, **kwargs)
    assert isinstance(figure, go.Figure)
    assert len(figure.data) == 1
    assert list(figure.data[0].y) == [row[1] for row in rows]
    assert list(figure.data[0].x) == list(range(40))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = getattr(ignite_handlers, name).simulate_values(40, **kwargs)
    assert rows == expected


# ------------------------------------------------------------------------------------------------
# the class ladder is public API: user subclasses behave the same
# ------------------------------------------------------------------------------------------------
def subclasses(mod: Any) -> tuple[type, type, type]:
    class Ramp(mod.ParamScheduler):
        def get_param(self) -> float:
            return 0.1 * self.event_index

    class Square(mod.CyclicalScheduler):
        def get_param(self) -> float:
            p = self.event_index / self.cycle_size
            return self.start_value + (self.end_value - self.start_value) * p * p

    class Counter(mod.StateParamScheduler):
        def get_param(self) -> int:
            return 3 * self.event_index

    return Ramp, Square, Counter


@impls
def test_user_subclasses(mod: Any) -> None:
    ramp, square, counter = subclasses(mod)
    opt = sgd(0.1, 0.2)
    assert_exact(lrs_of(ramp(opt, "lr"), opt, 3, group=1), [0.0, 0.1, 0.2])
    sq = square(opt, "lr", 1.0, 0.0, 4, warmup_duration=2, start_value_mult=0.5)
    assert_exact(lrs_of(sq, opt, 8), [1.0, 0.9375, 0.75, 0.4375, 0.0, 0.25, 0.5, 0.46875])
    engine = SimpleNamespace(state=SimpleNamespace())
    c = counter("beta")
    c(engine)
    c(engine)
    assert engine.state.beta == 6
    assert square.simulate_values(3, param_name="lr", start_value=1.0, end_value=0.0, cycle_size=2)[2] == [
        2,
        1.0,
    ]


@impls
@pytest.mark.parametrize("name", ["BaseParamScheduler", "ParamScheduler", "CyclicalScheduler"])
def test_abstract_classes_cannot_be_instantiated(mod: Any, name: str) -> None:
    args = {
        "BaseParamScheduler": ("lr",),
        "ParamScheduler": (sgd(0.1), "lr"),
        "CyclicalScheduler": (sgd(0.1), "lr", 1.0, 0.0, 4),
    }[name]
    with pytest.raises(TypeError):
        getattr(mod, name)(*args)
    with pytest.raises(TypeError):
        mod.StateParamScheduler("alpha")


@impls
def test_simulate_values_drops_optimizer_and_save_history(mod: Any) -> None:
    rows = mod.LinearCyclicalScheduler.simulate_values(
        5,
        optimizer=object(),
        save_history=True,
        param_name="lr",
        start_value=1.0,
        end_value=0.0,
        cycle_size=4,
    )
    assert rows == [[0, 1.0], [1, 0.5], [2, 0.0], [3, 0.5], [4, 1.0]]


def test_subclass_values_equal_ignites() -> None:
    runs = {}
    for impl, mod in IMPLS.items():
        _, square, _ = subclasses(mod)
        opt = sgd(0.1)
        sched = square(opt, "lr", 0.3, -0.7, 5, cycle_mult=1.7, warmup_duration=3, end_value_mult=0.9)
        runs[impl] = [v.hex() for v in lrs_of(sched, opt, 80)]
    assert runs["core"] == runs["ignite"]


# ------------------------------------------------------------------------------------------------
# engines: ReduceLROnPlateauScheduler docstring, state-scheduler attach semantics
# ------------------------------------------------------------------------------------------------
@impls
def test_reduce_lr_on_plateau_docstring_with_trainer_and_evaluator(mod: Any) -> None:
    opt = sgd(0.1)
    trainer = Engine(lambda e, b: None)
    evaluator = Engine(lambda e, b: None)
    scheduler = mod.ReduceLROnPlateauScheduler(
        opt, "loss", save_history=True, mode="min", factor=0.5, patience=3,
        threshold_mode="rel", threshold=0.1, trainer=trainer,
    )  # fmt: skip
    metric_values = iter([10, 5, 3, 4, 4, 4, 5, 1])
    evaluator.state.metrics = {"loss": None}

    @trainer.on(Events.ITERATION_COMPLETED)
    def set_metric_val() -> None:
        evaluator.state.metrics["loss"] = next(metric_values)

    evaluator.add_event_handler(Events.COMPLETED, scheduler)
    trainer.add_event_handler(Events.ITERATION_COMPLETED, lambda e: evaluator.run([0.0]))
    trainer.run([0.0] * 8)
    assert trainer.state.param_history["lr"] == [[0.1]] * 6 + [[0.05]] * 2


@impls
def test_state_scheduler_attach_semantics(mod: Any) -> None:
    engine = Engine(lambda e, b: None)
    sched = mod.StepStateScheduler(1.0, 0.5, 2, "alpha", save_history=True)
    with pytest.warns(UserWarning):  # attribute missing and create_new=False
        sched.attach(engine)  # default event: ITERATION_COMPLETED
    assert engine.state.alpha is None
    assert engine.state.param_history == {"alpha": []}
    seen = []
    engine.add_event_handler(Events.ITERATION_STARTED, lambda e: seen.append(e.state.alpha))
    engine.run([0] * 4, max_epochs=1)
    assert seen == [None, 1.0, 0.5, 0.5]
    assert engine.state.param_history == {"alpha": [1.0, 0.5, 0.5, 0.25]}
    other = Engine(lambda e, b: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # create_new=True on a missing attribute: no warning
        mod.ExpStateScheduler(1.0, 0.5, "beta", create_new=True).attach(other)


@impls
def test_param_history_none_is_replaced(mod: Any) -> None:
    opt = sgd(0.1)
    engine = SimpleNamespace(state=SimpleNamespace(param_history=None))
    sched = mod.PiecewiseLinear(opt, "lr", [(0, 1.0), (2, 0.0)], save_history=True)
    sched(engine, name="custom")
    sched(engine)
    assert engine.state.param_history == {"custom": [[1.0]], "lr": [[0.5]]}


@impls
def test_concat_simulate_values_restores_children(mod: Any) -> None:
    opt = sgd(0.1, 0.2)
    a = mod.CosineAnnealingScheduler(opt, "lr", 1.0, 0.0, 4, save_history=True)
    b = mod.PiecewiseLinear(opt, "lr", [(0, 0.5), (3, 0.0)], save_history=True)
    rows = mod.ConcatScheduler.simulate_values(6, [a, b], [3], param_names=["lr", "momentum"])
    assert rows[0] == [0, 1.0, 1.0, 0, 0] and rows[3] == [3, 0.5, 0.5, 0, 0]
    # restored from their saved state_dicts, which include save_history (the reference's
    # "children save_history stay False afterwards" is not what ignite 0.5.5 does)
    assert (a.save_history, b.save_history) == (True, True)
    assert (a.event_index, b.event_index) == (0, 0)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.2]


@impls
def test_get_param_does_not_apply_the_cyclic_warmup(mod: Any) -> None:
    opt = sgd(0.1)
    sched = mod.LinearCyclicalScheduler(opt, "lr", 1.0, 0.0, 2, monotonic=True, warmup_duration=2)
    for _ in range(3):
        sched(None)
    assert sched.get_param() == -0.5  # raw formula at event_index 3 (p = 1.5)
    sched(None)
    assert opt.param_groups[0]["lr"] == 0.5  # the warm-up tail
    rows = mod.ParamGroupScheduler.simulate_values(
        5, [mod.LinearCyclicalScheduler(opt, "lr", 1.0, 0.0, 2, monotonic=True, warmup_duration=2)]
    )
    # recorded before each call, so neither the warm-up tail nor the wrap is applied
    assert rows == [[0, 1.0], [1, 0.5], [2, 0.0], [3, -0.5], [4, -1.0]]
