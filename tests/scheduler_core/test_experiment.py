"""The experiment model: build, group targeting, scheduler order, series layout, errors."""

from __future__ import annotations

import numpy as np
import pytest

import scheduler_core
from scheduler_core.experiment import (
    Experiment,
    ParamGroupSpec,
    SchedulerSpec,
    Series,
    build,
    simulate,
)

S = SchedulerSpec
GROUPS = (
    ParamGroupSpec("base", {"lr": 0.1, "momentum": 0.9}),
    ParamGroupSpec("head", {"lr": 0.5, "momentum": 0.8}),
)
METHODS = ["auto", "fast", "step"]


def ramp(name: str, a: float, b: float, **kw) -> SchedulerSpec:
    return S("PiecewiseLinear", {"param_name": name, "milestones_values": [(0, a), (4, b)], **kw})


def table(series: list[Series]) -> dict[tuple[int, str], list[float]]:
    return {(s.param_group, s.param_name): s.values.tolist() for s in series}


@pytest.mark.parametrize("method", METHODS)
def test_param_group_index_targets_one_group(method: str) -> None:
    exp = Experiment(5, GROUPS, (ramp("lr", 1.0, 0.0, param_group_index=1),))
    out = table(simulate(exp, method))
    assert out[(0, "lr")] == [0.1] * 5  # untouched group keeps its initial value
    assert out[(1, "lr")] == [1.0, 0.75, 0.5, 0.25, 0.0]


@pytest.mark.parametrize("method", METHODS)
def test_negative_param_group_index(method: str) -> None:
    exp = Experiment(3, GROUPS, (ramp("lr", 1.0, 0.0, param_group_index=-2),))
    out = table(simulate(exp, method))
    assert out[(0, "lr")][0] == 1.0 and out[(1, "lr")] == [0.5] * 3


@pytest.mark.parametrize("method", METHODS)
def test_later_scheduler_overwrites_earlier_on_same_group(method: str) -> None:
    first = ramp("lr", 1.0, 0.0)
    second = ramp("lr", 2.0, 3.0, param_group_index=0)
    out = table(simulate(Experiment(5, GROUPS, (first, second)), method))
    assert out[(0, "lr")] == [2.0, 2.25, 2.5, 2.75, 3.0]
    assert out[(1, "lr")] == [1.0, 0.75, 0.5, 0.25, 0.0]
    out = table(simulate(Experiment(5, GROUPS, (second, first)), method))
    assert out[(0, "lr")] == out[(1, "lr")] == [1.0, 0.75, 0.5, 0.25, 0.0]


@pytest.mark.parametrize("method", METHODS)
def test_series_order_groups_then_first_appearance(method: str) -> None:
    exp = Experiment(2, GROUPS, (ramp("momentum", 0.9, 0.5), ramp("lr", 1.0, 0.0),
                                 ramp("momentum", 0.1, 0.2)))  # fmt: skip
    series = simulate(exp, method)
    assert [(s.param_group, s.group_name, s.param_name) for s in series] == [
        (0, "base", "momentum"),
        (0, "base", "lr"),
        (1, "head", "momentum"),
        (1, "head", "lr"),
    ]
    assert all(s.values.dtype == np.float64 and s.values.shape == (2,) for s in series)
    assert series[0].values is not series[2].values  # groups never share arrays


@pytest.mark.parametrize("method", METHODS)
def test_zero_events(method: str) -> None:
    exp = Experiment(0, GROUPS, (ramp("lr", 1.0, 0.0, param_group_index=7),))
    assert [s.values.size for s in simulate(exp, method)] == [0, 0]


def test_missing_param_names_group_and_param() -> None:
    groups = (ParamGroupSpec("base", {"lr": 0.1, "momentum": 0.9}), ParamGroupSpec("head", {"lr": 0.2}))
    exp = Experiment(3, groups, (ramp("momentum", 1.0, 0.0, param_group_index=0),))
    with pytest.raises(ValueError, match=r"1 \('head'\).*'momentum'"):
        simulate(exp)
    with pytest.raises(ValueError, match="momentum"):
        build(exp)


def test_out_of_range_group_index_raises_like_stepping() -> None:
    exp = Experiment(3, GROUPS, (ramp("lr", 1.0, 0.0, param_group_index=2),))
    with pytest.raises(IndexError):
        simulate(exp, "step")
    with pytest.raises(IndexError):
        simulate(exp)


def test_constructor_errors_pass_through() -> None:
    bad = S("CosineAnnealingScheduler",
            {"param_name": "lr", "start_value": 1.0, "end_value": 0.0, "cycle_size": 1})  # fmt: skip
    with pytest.raises(ValueError, match="cycle_size"):
        simulate(Experiment(3, GROUPS, (bad,)))
    with pytest.raises(ValueError, match="type"):
        simulate(Experiment(3, GROUPS, (S("NoSuchScheduler", {"param_name": "lr"}),)))
    torch_bad = S("LRScheduler", {"lr_scheduler": S("NoSuchLR", {})})
    with pytest.raises(ValueError, match="lr_scheduler"):
        simulate(Experiment(3, GROUPS, (torch_bad,)))
    with pytest.raises(ValueError, match="num_events"):
        simulate(Experiment(-1, GROUPS, ()))
    with pytest.raises(ValueError, match="method"):
        simulate(Experiment(1, GROUPS, ()), method="fastest")


def test_build_uses_light_optimizer_without_torch() -> None:
    optimizer, schedulers = build(Experiment(3, GROUPS, (ramp("lr", 1.0, 0.0),)))
    assert optimizer.param_groups == [dict(g.values) for g in GROUPS]
    assert isinstance(schedulers[0], scheduler_core.PiecewiseLinear)
    assert "params" not in optimizer.param_groups[0]


def test_build_uses_sgd_with_a_torch_scheduler() -> None:
    import torch

    spec = S("LRScheduler", {"lr_scheduler": S("StepLR", {"step_size": 2, "gamma": 0.5})})
    optimizer, schedulers = build(Experiment(3, GROUPS, (spec,)))
    assert isinstance(optimizer, torch.optim.SGD)
    assert [len(g["params"]) for g in optimizer.param_groups] == [1, 1]
    assert isinstance(schedulers[0], scheduler_core.LRScheduler)
    out = table(simulate(Experiment(5, GROUPS, (spec,))))
    np.testing.assert_allclose(out[(1, "lr")], [0.5, 0.5, 0.25, 0.25, 0.125], rtol=1e-15)


def test_concat_children_inherit_param_name_and_group() -> None:
    spec = S("ConcatScheduler", {
        "param_name": "momentum", "param_group_index": 1, "durations": [2],
        "schedulers": [S("PiecewiseLinear", {"milestones_values": [(0, 0.0), (2, 1.0)]}),
                       S("PiecewiseLinear", {"milestones_values": [(0, 5.0), (2, 6.0)]})]})  # fmt: skip
    exp = Experiment(4, GROUPS, (spec,))
    for method in METHODS:
        out = table(simulate(exp, method))
        assert out[(1, "momentum")] == [0.0, 0.5, 5.0, 5.5]
        assert out[(0, "momentum")] == [0.9] * 4


def test_warmup_helper_inserts_extra_event() -> None:
    spec = S("create_lr_scheduler_with_warmup", {
        "lr_scheduler": S("ExponentialLR", {"gamma": 0.5}), "warmup_start_value": 0.0,
        "warmup_duration": 3, "warmup_end_value": 0.3})  # fmt: skip
    exp = Experiment(6, (ParamGroupSpec("g", {"lr": 0.1}),), (spec,))
    for method in METHODS:
        np.testing.assert_allclose(
            simulate(exp, method)[0].values, [0.0, 0.15, 0.3, 0.1, 0.05, 0.025], rtol=1e-15
        )


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (4, [0.0, 0.2 / 3, 0.4 / 3, 0.2, 0.1707107, 0.1, 0.0292893, 0.2]),  # shortened by one
        (2, [0.0, 0.2, 0.1707107, 0.1, 0.0292893, 0.2, 0.1707107, 0.1]),  # start only
    ],
)
def test_warmup_helper_over_ignite_scheduler_is_shortened(duration, expected) -> None:
    spec = S("create_lr_scheduler_with_warmup", {
        "lr_scheduler": S("CosineAnnealingScheduler",
                          {"start_value": 0.2, "end_value": 0.0, "cycle_size": 4}),
        "warmup_start_value": 0.0, "warmup_duration": duration, "warmup_end_value": 0.2})  # fmt: skip
    exp = Experiment(8, (ParamGroupSpec("g", {"lr": 0.1}),), (spec,))
    for method in METHODS:
        np.testing.assert_allclose(simulate(exp, method)[0].values, expected, rtol=1e-6)


def test_torch_wrappers_reject_group_targeting() -> None:
    spec = S("LRScheduler", {"lr_scheduler": S("StepLR", {"step_size": 2}), "param_group_index": 0})
    with pytest.raises(TypeError):
        simulate(Experiment(3, GROUPS, (spec,)))
