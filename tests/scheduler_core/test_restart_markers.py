"""Restart markers of the warm-up helper, milestones and torch cycles agree with stepping."""

from __future__ import annotations

import warnings

import numpy as np
import scheduler_testkit as kit
from hypothesis import given
from hypothesis import strategies as st

from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, build, groups_state, simulate
from scheduler_core.restarts import restart_events

S = SchedulerSpec


@st.composite
def warmups(draw) -> tuple[Experiment, int]:
    lrs = draw(st.lists(st.sampled_from([0.1, 0.05, 0.2]), min_size=1, max_size=2))
    if draw(st.booleans()):
        inner = draw(
            st.sampled_from(
                [
                    S("StepLR", {"step_size": 7}),
                    S("ExponentialLR", {"gamma": 0.9}),
                    S("OneCycleLR", {"max_lr": 0.5, "total_steps": 500}),
                    S("ConstantLR", {"factor": 0.5, "total_iters": 5}),
                    S("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5}),
                ]
            )
        )
        lrs = lrs[:1]  # ignite's helper re-binds its scheduler for a second group
        first = None
    else:
        first = draw(st.sampled_from([0.1, 0.05, 0.2]))
        inner = draw(
            st.sampled_from(
                [
                    S("CosineAnnealingScheduler", {"start_value": first, "end_value": 0.0, "cycle_size": 30}),
                    S("PiecewiseLinear", {"milestones_values": [(0, first), (50, 0.0)]}),
                ]
            )
        )
    kw = {"lr_scheduler": inner, "warmup_start_value": 0.0, "warmup_duration": draw(st.integers(2, 12))}
    end = draw(st.sampled_from([None, 0.1, 0.3, first]))
    if end is not None:
        kw["warmup_end_value"] = end
    groups = tuple(ParamGroupSpec(f"g{i}", {"lr": lr}) for i, lr in enumerate(lrs))
    exp = Experiment(200, groups, (S("create_lr_scheduler_with_warmup", kw),))
    return exp, len(lrs) - 1


@given(warmups())
@kit.profile(120)
def test_warmup_end_is_where_ignite_hands_over(case) -> None:
    exp, group = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer, (scheduler,) = build(exp)
    handover = scheduler.durations[0]  # the ConcatScheduler ignite's helper returns
    markers = restart_events(exp, group, "lr", groups=groups_state(optimizer))
    assert markers[0] == handover


@given(
    st.lists(st.integers(1, 150), min_size=1, max_size=4),
    st.sampled_from([0, 1]),
    st.integers(2, 30),  # T_0 = 1 restarts at every call: the value never moves
    st.integers(1, 3),
)
@kit.profile(25)
def test_torch_markers_are_where_the_values_restart(milestones, legacy, t0, t_mult) -> None:
    groups = (ParamGroupSpec("g", {"lr": 0.1, "momentum": 0.9}),)

    def run(torch_spec: SchedulerSpec) -> tuple[np.ndarray, list[int]]:
        kw = {"lr_scheduler": torch_spec, **({"use_legacy": True} if legacy else {})}
        exp = Experiment(200, groups, (S("LRScheduler", kw),))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return simulate(exp, "step")[0].values, restart_events(exp, 0, "lr")

    values, markers = run(S("MultiStepLR", {"milestones": milestones, "gamma": 0.5}))
    assert markers == [int(i) for i in np.flatnonzero(np.diff(values) != 0) + 1]
    values, markers = run(S("CosineAnnealingWarmRestarts", {"T_0": t0, "T_mult": t_mult}))
    assert markers == [int(i) for i in np.flatnonzero(np.diff(values) > 0) + 1]


def test_piecewise_milestones() -> None:
    spec = S(
        "PiecewiseLinear",
        {"param_name": "lr", "milestones_values": [(0, 0.0), (5, 1.0), (5, 0.5), (40, 0.0)]},
    )
    exp = Experiment(30, (ParamGroupSpec("g", {"lr": 0.1}),), (spec,))
    assert restart_events(exp, 0, "lr") == [5]  # 40 is past the events
