"""Restart events agree with the cycle / switch bookkeeping of the stepping schedulers."""

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler_core import ConcatScheduler, CyclicalScheduler
from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, build
from scheduler_core.restarts import restart_events

GROUPS = (ParamGroupSpec("a", {"lr": 0.1}), ParamGroupSpec("b", {"lr": 0.2}))


def cyclical(draw, inherit: bool) -> SchedulerSpec:
    kind = draw(st.sampled_from(["CosineAnnealingScheduler", "LinearCyclicalScheduler"]))
    kwargs = {
        "start_value": 1.0,
        "end_value": 0.0,
        "cycle_size": draw(st.integers(2, 15)),
        "cycle_mult": draw(st.sampled_from([1.0, 1.0, 1.3, 1.5, 2.0])),
    }
    if kind == "CosineAnnealingScheduler":
        kwargs["warmup_duration"] = draw(st.integers(0, 4))
    if not inherit:
        kwargs["param_name"] = "lr"
        kwargs["param_group_index"] = draw(st.sampled_from([None, 0, 1]))
    return SchedulerSpec(kind, kwargs)


@st.composite
def top_level(draw) -> SchedulerSpec:
    if draw(st.booleans()):
        return cyclical(draw, inherit=False)
    n = draw(st.integers(2, 3))
    children = [cyclical(draw, inherit=True) for _ in range(n)]
    durations = draw(st.lists(st.integers(-1, 40), min_size=n - 1, max_size=n - 1))
    index = draw(st.sampled_from([None, 0, 1]))
    return SchedulerSpec(
        "ConcatScheduler",
        {"schedulers": children, "durations": durations, "param_name": "lr", "param_group_index": index},
    )


def walk(scheduler):
    yield scheduler
    for child in getattr(scheduler, "schedulers", ()):
        yield from walk(child)


def stepped_restarts(experiment: Experiment, group: int) -> list[int]:
    """Events at which a cycle counter or a concatenation's index changed, by stepping."""
    _, schedulers = build(experiment)
    acting = [
        s
        for s, spec in zip(schedulers, experiment.schedulers)
        if spec.kwargs.get("param_group_index") in (None, group)
    ]
    parts = [p for s in acting for p in walk(s)]

    def marks():
        return [
            p.cycle if isinstance(p, CyclicalScheduler) else p._scheduler_index
            for p in parts
            if isinstance(p, (CyclicalScheduler, ConcatScheduler))
        ]

    events, before = [], marks()
    for k in range(experiment.num_events):
        for s in schedulers:
            s(None)
        now = marks()
        if now != before:
            events.append(k)
        before = now
    return events


@settings(max_examples=150, deadline=None)
@given(st.lists(top_level(), min_size=1, max_size=2), st.integers(1, 200), st.sampled_from([0, 1]))
def test_restart_events_match_stepping(specs, num_events, group):
    experiment = Experiment(num_events, GROUPS, tuple(specs))
    assert restart_events(experiment, group, "lr", limit=10_000) == stepped_restarts(experiment, group), (
        experiment
    )


def test_limit_and_shrinking_cycles():
    spec = SchedulerSpec(
        "CosineAnnealingScheduler",
        {"param_name": "lr", "start_value": 1.0, "end_value": 0.0, "cycle_size": 2},
    )
    many = Experiment(10_000, GROUPS[:1], (spec,))
    assert restart_events(many, 0, "lr", limit=5) == [2, 4, 6, 8, 10]
    shrinking = SchedulerSpec(
        "LinearCyclicalScheduler",
        {"param_name": "lr", "start_value": 1.0, "end_value": 0.0, "cycle_size": 3, "cycle_mult": 0.5},
    )
    # sizes 3 -> 1 -> 0: stepping divides by zero at event 4; the restarts before it are kept
    assert restart_events(Experiment(50, GROUPS[:1], (shrinking,)), 0, "lr") == [3]


def test_restarts_are_per_param_name_and_limit_keeps_each_schedulers_first_events():
    def cyc(name, size):
        return SchedulerSpec(
            "LinearCyclicalScheduler",
            {"param_name": name, "start_value": 1.0, "end_value": 0.0, "cycle_size": size},
        )

    groups = (ParamGroupSpec("a", {"lr": 0.1, "momentum": 0.9}),)
    exp = Experiment(30, groups, (cyc("lr", 10), cyc("momentum", 7)))
    assert restart_events(exp, 0, "lr") == [10, 20]
    assert restart_events(exp, 0, "momentum") == [7, 14, 21, 28]
    # a dense first scheduler filling the limit does not hide a later one's early restarts
    dense = Experiment(10_000, groups[:1], (cyc("lr", 2), cyc("lr", 3)))
    assert restart_events(dense, 0, "lr", limit=4) == [2, 3, 4, 6]
