"""Attach events: the timeline of ``scheduler_core.events`` is a real ignite Engine's, and
experiments mixing events give the same series by closed forms and by stepping, bit for bit."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scheduler_testkit as kit
from hypothesis import given
from hypothesis import strategies as st
from ignite.engine import Engine, Events
from test_series import check, experiments

from scheduler_core.events import (
    EVENTS,
    calls_before,
    check_events,
    first_iteration,
    last_call_stamps,
    num_calls,
)
from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, simulate

pytestmark = pytest.mark.filterwarnings("ignore:Please make sure to attach scheduler:UserWarning")


def engine_timeline(events: list[str], n: int, ipe: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Run a real Engine for ``n`` iterations with one handler per entry of ``events`` (in that
    order) and a recorder at ITERATION_STARTED added last: per iteration, each handler's call
    count and the index of the handler that was called last."""
    counts = [0] * len(events)
    last = [-1]
    seen_counts: list[list[int]] = []
    seen_last: list[int] = []

    def handler(k: int):
        def call(_engine: Engine) -> None:
            counts[k] += 1
            last[0] = k

        return call

    trainer = Engine(lambda engine, batch: None)
    for k, event in enumerate(events):
        trainer.add_event_handler(getattr(Events, event), handler(k))

    def record(_engine: Engine) -> None:
        seen_counts.append(list(counts))
        seen_last.append(last[0])

    trainer.add_event_handler(Events.ITERATION_STARTED, record)
    trainer.run(range(n if ipe is None else ipe), max_iters=n)
    return np.array(seen_counts).T.reshape(len(events), n), np.array(seen_last)


@given(
    st.lists(st.sampled_from(EVENTS), min_size=1, max_size=5),
    st.integers(1, 60),
    st.integers(1, 12),
)
@kit.profile(60)
def test_timeline_is_an_engine_run(events: list[str], n: int, ipe: int) -> None:
    counts, last = engine_timeline(events, n, ipe)
    for k, event in enumerate(events):
        assert calls_before(event, n, ipe).tolist() == counts[k].tolist(), event
        assert num_calls(event, n, ipe) == counts[k][-1]
        # the first iteration that sees call c is where the count first exceeds c
        for c in range(int(counts[k][-1])):
            assert first_iteration(event, c, ipe) == int(np.argmax(counts[k] > c))
    stamps = np.stack([last_call_stamps(e, k, len(events), n, ipe) for k, e in enumerate(events)])
    expected = np.where(stamps.max(axis=0) < 0, -1, np.argmax(stamps, axis=0))
    assert expected.tolist() == last.tolist()


def test_epoch_events_need_iterations_per_epoch() -> None:
    check_events(["ITERATION_STARTED", "ITERATION_COMPLETED"], None)
    with pytest.raises(ValueError, match="iterations_per_epoch"):
        check_events(["EPOCH_STARTED"], None)
    with pytest.raises(ValueError, match="event"):
        check_events(["EPOCH"], 3)
    with pytest.raises(ValueError, match="iterations_per_epoch"):
        check_events([], 0)
    spec = SchedulerSpec("LRScheduler", {"lr_scheduler": SchedulerSpec("StepLR", {"step_size": 2})})
    exp = Experiment(
        10, (ParamGroupSpec("g", {"lr": 0.1}),), (dataclasses.replace(spec, event="EPOCH_COMPLETED"),)
    )
    with pytest.raises(ValueError, match="iterations_per_epoch"):
        simulate(exp)


def test_epoch_step_and_iteration_cosine_combine() -> None:
    """The issue's case: StepLR per epoch on lr, a cosine per iteration on momentum."""
    step = SchedulerSpec(
        "LRScheduler",
        {"lr_scheduler": SchedulerSpec("StepLR", {"step_size": 1, "gamma": 0.5})},
        "EPOCH_COMPLETED",
    )
    cosine = SchedulerSpec(
        "CosineAnnealingScheduler",
        {"param_name": "momentum", "start_value": 0.9, "end_value": 0.5, "cycle_size": 8},
    )
    exp = Experiment(35, (ParamGroupSpec("g", {"lr": 0.1, "momentum": 0.9}),), (step, cosine), 10)
    lr, momentum = simulate(exp, "fast")
    # the first call (end of epoch 0) writes StepLR's initial lr, as ignite's wrapper does
    assert lr.values.tolist() == [0.1] * 20 + [0.05] * 10 + [0.025] * 5
    assert np.array_equal(
        momentum.values[:8], simulate(dataclasses.replace(exp, schedulers=(cosine,)))[0].values[:8]
    )
    assert [s.values.tobytes() for s in simulate(exp, "step")] == [
        lr.values.tobytes(),
        momentum.values.tobytes(),
    ]


@st.composite
def attached_experiments(draw, torch_ok: bool = True) -> Experiment:
    exp = draw(experiments(torch_ok=torch_ok, events=st.integers(0, 300)))
    ipe = draw(st.integers(1, 40))
    schedulers = tuple(dataclasses.replace(s, event=draw(st.sampled_from(EVENTS))) for s in exp.schedulers)
    return dataclasses.replace(exp, schedulers=schedulers, iterations_per_epoch=ipe)


@given(attached_experiments(torch_ok=False))
@kit.profile(150)
def test_attached_param_schedulers_fast_equals_step(exp: Experiment) -> None:
    check(exp)


@given(attached_experiments(torch_ok=True))
@kit.profile(150)
def test_attached_with_torch_fast_equals_step(exp: Experiment) -> None:
    check(exp)
