"""Differential tests: random configurations of every scheduler, ignite 0.5.5 vs scheduler_core.

Each configuration is built twice (``ignite.handlers`` and ``scheduler_core``) over identical fresh
optimizers and stepped 60-300 events (the strategies size cycles, milestones and ``total_steps`` to
end inside the run). After every event every param group must hold the same values bit for bit (``float.hex``, type included); when ignite raises, scheduler_core must raise the
same exception type at the same event (event -1 = construction) with the same message (up to
memory addresses and the implementations' module paths, see ``normalized_message``).

``pytest --hypothesis-show-statistics`` lists, per test, how many draws ran to completion, which
errors they raised and which boundaries they crossed (``record_coverage``).
"""

from __future__ import annotations

import copy
import dataclasses
import re
import warnings
from typing import Any

import ignite.handlers as ignite_handlers
import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st
from ignite.engine import Engine, Events
from scheduler_testkit import (
    TORCH_SCHEDULERS,
    Case,
    NewEngine,
    Run,
    Sched,
    assert_same_run,
    canon,
    cases,
    concat_cfgs,
    construct,
    cyclical_cfgs,
    group_cfgs,
    lr_scheduler_cfgs,
    lr_values,
    make_optimizer,
    normalized_message,
    param_cfgs,
    piecewise_cfgs,
    plateau_cases,
    profile,
    record_coverage,
    run,
    skip_known_deviation,
    snapshot_groups,
    state_cases,
    state_cfgs,
    state_of,
    torch_cfgs,
    warmup_cfgs,
    with_save_history,
)

import scheduler_core

IMPLS = {"ignite": ignite_handlers, "core": scheduler_core}


def message_of(result: Run) -> str | None:
    return None if result.exception is None else normalized_message(result.exception)


def message_pattern(exc: BaseException) -> str:
    """The message with numbers and reprs blanked: one label per kind of error."""
    text = re.sub(r"<[^<>]*>|\[[^\]]*\]|\([^)]*\)", "…", normalized_message(exc))
    return re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "N", text)[:70]


def observe_outputs(outputs: list) -> list:
    """Filled ``output_simulated_values`` lists and the histories of ``NewEngine`` trainers."""
    seen = []
    for out in outputs:
        if isinstance(out, list):
            seen.append(canon(out))
        else:
            seen.append(canon(getattr(out.state, "param_history", None)))
    return seen


def check_stepping(case: Case, with_history: bool = False) -> Run:
    """Run ``case`` on both implementations and compare everything; returns ignite's run."""
    expected = run(ignite_handlers, case, with_history=with_history)
    skip_known_deviation(expected.error)
    record_coverage(expected)
    actual = run(scheduler_core, case, with_history=with_history)
    assert_same_run(expected, actual, case=case)
    assert observe_outputs(expected.outputs) == observe_outputs(actual.outputs), (
        f"{case!r}\noutput_simulated_values / trainer history differ"
    )
    if expected.error is None:
        assert state_of(expected.scheduler) == state_of(actual.scheduler), (
            f"{case!r}\nstate_dict after {case.n_events} events differs:\n"
            f"  ignite: {expected.scheduler.state_dict()}\n  core:   {actual.scheduler.state_dict()}"
        )
    if with_history and expected.error_at != -1:
        hist = [canon(getattr(r.engine.state, "param_history", None)) for r in (expected, actual)]
        assert hist[0] == hist[1], f"{case!r}\nengine.state.param_history differs"
    return expected


# ------------------------------------------------------------------------------------------------
# stepping, one test per family (total >= 500 configurations per run)
# ------------------------------------------------------------------------------------------------
@profile(250)
@given(cases(cyclical_cfgs))
def test_cyclical_schedulers_match_ignite(case: Case) -> None:
    check_stepping(case)


@profile(120)
@given(cases(piecewise_cfgs))
def test_piecewise_linear_matches_ignite(case: Case) -> None:
    check_stepping(case)


@profile(180)
@given(cases(concat_cfgs))
def test_concat_scheduler_matches_ignite(case: Case) -> None:
    check_stepping(case)


@profile(100)
@given(cases(lambda n, horizon: group_cfgs(n, param_name=None, horizon=horizon)))
def test_param_group_scheduler_matches_ignite(case: Case) -> None:
    check_stepping(case)


@pytest.mark.parametrize("torch_name", TORCH_SCHEDULERS)
@profile(25)
@given(data=st.data())
def test_lr_scheduler_matches_ignite(torch_name: str, data: st.DataObject) -> None:
    """Every torch type gets its own budget: 25 draws each, nearly all run to completion."""
    case = data.draw(cases(lambda n, horizon: lr_scheduler_cfgs(n, horizon, torch_name)), label="case")
    check_stepping(case)


@profile(180)
@given(cases(warmup_cfgs))
def test_create_lr_scheduler_with_warmup_matches_ignite(case: Case) -> None:
    check_stepping(case)


@profile(100)
@given(state_cases())
def test_state_schedulers_match_ignite(case: Case) -> None:
    check_stepping(case)


@profile(100)
@given(plateau_cases())
def test_reduce_lr_on_plateau_matches_ignite(case: Case) -> None:
    check_stepping(case)


# ------------------------------------------------------------------------------------------------
# invalid configurations: the family tests draw only a few, here every draw has one bad argument
# ------------------------------------------------------------------------------------------------
invalid_cases = st.one_of(
    cases(lambda n, horizon: cyclical_cfgs(n, horizon=horizon, invalid=True), st.integers(20, 150)),
    cases(lambda n, horizon: piecewise_cfgs(n, horizon=horizon, invalid=True), st.integers(20, 150)),
    cases(lambda n, horizon: concat_cfgs(n, horizon=horizon, invalid=True), st.integers(20, 150)),
    cases(
        lambda n, horizon: group_cfgs(n, param_name=None, horizon=horizon, invalid=True),
        st.integers(20, 150),
    ),
    cases(lambda n, horizon: warmup_cfgs(n, horizon=horizon, invalid=True), st.integers(20, 150)),
    cases(lambda n, horizon: lr_scheduler_cfgs(n, horizon, "OneCycleLR", True), st.integers(20, 150)),
    plateau_cases(st.integers(20, 150), invalid=True),
)


@profile(100)
@given(invalid_cases)
def test_invalid_configurations_match_ignite(case: Case) -> None:
    """Same exception type, event and message as ignite (a few odd arguments are accepted)."""
    expected = check_stepping(case)
    if expected.exception is not None:
        event(f"{expected.error.__name__}: {message_pattern(expected.exception)}")


# ------------------------------------------------------------------------------------------------
# save_history
# ------------------------------------------------------------------------------------------------
any_case = st.one_of(
    cases(param_cfgs, st.integers(20, 120)),
    cases(concat_cfgs, st.integers(20, 120)),
    cases(lambda n, horizon: group_cfgs(n, param_name=None, horizon=horizon), st.integers(20, 120)),
    cases(lr_scheduler_cfgs, st.integers(20, 120)),
    cases(warmup_cfgs, st.integers(20, 120)),
    state_cases(),
    plateau_cases(st.integers(20, 120)),
)


@profile(120)
@given(any_case, st.booleans())
def test_save_history_matches_ignite(case: Case, trainer: bool) -> None:
    cfg = with_save_history(case.cfg)
    if case.kind == "plateau" and trainer:  # its history goes to the trainer only
        cfg = Sched(cfg.cls, {**cfg.kwargs, "trainer": NewEngine()})
    check_stepping(dataclasses.replace(case, cfg=cfg), with_history=True)


# ------------------------------------------------------------------------------------------------
# state_dict round trip mid-run
# ------------------------------------------------------------------------------------------------
def resume(mod: Any, case: Case, k: int):
    """Run k events, save scheduler (+ optimizer) state, restore into fresh objects, continue."""
    first = run(mod, case, stop=k)
    assert first.error is None
    sd = first.scheduler.state_dict()
    sched, optimizer, _ = construct(mod, case)
    if optimizer is not None:
        optimizer.load_state_dict(copy.deepcopy(first.optimizer.state_dict()))
    sched.load_state_dict(sd)
    engine = first.engine if case.kind == "plateau" else None
    if case.kind == "state":
        engine = type(first.engine)(state=type(first.engine.state)())
    return run(mod, case, prebuilt=(sched, optimizer, engine), start=k)


@profile(150)
@given(
    st.one_of(
        cases(param_cfgs),
        cases(concat_cfgs),
        cases(lambda n, horizon: group_cfgs(n, param_name=None, horizon=horizon)),
        cases(lr_scheduler_cfgs),
        cases(warmup_cfgs),
        state_cases(),
        plateau_cases(),
    ),
    st.data(),
)
def test_state_dict_round_trip_mid_run(case: Case, data: st.DataObject) -> None:
    full = {name: run(mod, case) for name, mod in IMPLS.items()}
    record_coverage(full["ignite"])
    assert_same_run(full["ignite"], full["core"], case=case)
    assume(full["ignite"].error_at != -1)
    k = data.draw(st.integers(0, len(full["ignite"].snapshots)), label="resume at event")
    resumed = {name: resume(mod, case, k) for name, mod in IMPLS.items()}
    assert_same_run(resumed["ignite"], resumed["core"], offset=k, label="resumed: ", case=case)
    ignite_tail = dataclasses.replace(full["ignite"], snapshots=full["ignite"].snapshots[k:])
    if (resumed["ignite"].snapshots, resumed["ignite"].error) == (
        ignite_tail.snapshots,
        ignite_tail.error,
    ):
        # ignite resumes seamlessly here, so scheduler_core must too
        assert resumed["core"].snapshots == full["core"].snapshots[k:]


# ------------------------------------------------------------------------------------------------
# simulate_values (classmethods)
# ------------------------------------------------------------------------------------------------
def _single_group_kwargs(cfg: Sched) -> dict:
    kwargs = copy.deepcopy(cfg.kwargs)
    if kwargs.get("param_group_index") not in (None, 0, -1):
        del kwargs["param_group_index"]  # the fake optimizer has one group
    return kwargs


@st.composite
def simulations(draw) -> tuple:
    kind = draw(st.sampled_from(["param", "state", "plateau", "lr", "concat", "group"]))
    n = draw(st.integers(1, 150))
    n_groups = draw(st.integers(1, 3))
    lrs = tuple(draw(st.lists(lr_values, min_size=n_groups, max_size=n_groups)))
    if kind == "param":
        return kind, n, lrs, draw(param_cfgs(1, horizon=n))
    if kind == "state":
        return kind, n, lrs, draw(state_cfgs())
    if kind == "plateau":
        case = draw(plateau_cases(st.just(n)))
        kwargs = {k: v for k, v in case.cfg.kwargs.items() if k != "metric_name"}
        if kwargs.get("param_group_index", 0) != 0:
            del kwargs["param_group_index"]
        extra = {"metric_values": list(case.metrics), "init_lr": draw(lr_values), **kwargs}
        return kind, n, lrs, extra
    if kind == "lr":
        return kind, n, lrs, draw(torch_cfgs(n_groups, horizon=n))
    if kind == "concat":
        cfg = draw(concat_cfgs(n_groups, horizon=n))
        names = draw(st.sampled_from([None, ["lr"], ["lr", "momentum"], ("momentum",)]))
        return kind, n, lrs, (cfg, names)
    return kind, n, lrs, draw(group_cfgs(n_groups, param_name=None, horizon=n))


def simulate(mod: Any, kind: str, n: int, lrs: tuple, spec: Any) -> tuple:
    """Result (or exception type) of ``simulate_values`` plus what happens after it."""
    after: Any = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind in ("param", "state"):
                result = getattr(mod, spec.cls).simulate_values(n, **_single_group_kwargs(spec))
            elif kind == "plateau":
                result = mod.ReduceLROnPlateauScheduler.simulate_values(n, **copy.deepcopy(spec))
            elif kind == "lr":
                optimizer = make_optimizer(list(lrs))
                torch_sched = construct(mod, Case(cfg=spec), optimizer)[0]
                result = mod.LRScheduler.simulate_values(n, lr_scheduler=torch_sched)
                # the torch scheduler and optimizer were restored: stepping starts afresh
                after = run(
                    mod, Case(cfg=spec, n_events=20), prebuilt=(mod.LRScheduler(torch_sched), optimizer, None)
                )
            elif kind == "concat":
                cfg, names = spec
                optimizer = make_optimizer(list(lrs))
                children = [construct(mod, Case(cfg=c), optimizer)[0] for c in cfg.kwargs["schedulers"]]
                durations = cfg.kwargs["durations"]
                result = mod.ConcatScheduler.simulate_values(
                    n, schedulers=children, durations=durations, param_names=names
                )
                after = run(
                    mod,
                    Case(cfg=cfg, n_events=20),
                    prebuilt=(mod.ConcatScheduler(children, durations), optimizer, None),
                )
            else:  # group
                optimizer = make_optimizer(list(lrs))
                children = [construct(mod, Case(cfg=c), optimizer)[0] for c in spec.kwargs["schedulers"]]
                names = spec.kwargs.get("names")
                result = mod.ParamGroupScheduler.simulate_values(n, schedulers=children, names=names)
                after = run(
                    mod,
                    Case(cfg=spec, n_events=20),
                    prebuilt=(mod.ParamGroupScheduler(children, names), optimizer, None),
                )
    except Exception as exc:  # noqa: BLE001 - compared with the oracle's exception
        return ("raised", type(exc), normalized_message(exc)), None
    return canon(result), after and (after.snapshots, after.error, after.error_at, message_of(after))


@profile(150)
@given(simulations())
def test_simulate_values_matches_ignite(sim: tuple) -> None:
    expected = simulate(ignite_handlers, *sim)
    if isinstance(expected[0], tuple) and expected[0][:1] == ("raised",):
        skip_known_deviation(expected[0][1])
    actual = simulate(scheduler_core, *sim)
    assert expected[0] == actual[0], f"{sim!r}\nsimulate_values result differs"
    assert expected[1] == actual[1], f"{sim!r}\nstepping after simulate_values differs (state not restored?)"


# ------------------------------------------------------------------------------------------------
# a real ignite Engine drives both (handlers at ITERATION_STARTED, history in trainer.state)
# ------------------------------------------------------------------------------------------------
def engine_run(mod: Any, case: Case) -> tuple:
    try:
        sched, optimizer, _ = construct(mod, dataclasses.replace(case, cfg=with_save_history(case.cfg)))
    except Exception as exc:  # noqa: BLE001 - compared with the oracle
        return ("construct", type(exc), normalized_message(exc)), [], None
    trainer = Engine(lambda e, b: None)
    trainer.add_event_handler(Events.ITERATION_STARTED, sched)
    seen: list = []
    trainer.add_event_handler(Events.ITERATION_COMPLETED, lambda e: seen.append(snapshot_groups(optimizer)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            trainer.run([0] * 10, max_epochs=case.n_events // 10)
    except Exception as exc:  # noqa: BLE001
        return ("call", type(exc), trainer.state.iteration, normalized_message(exc)), seen, None
    return ("ok",), seen, canon(getattr(trainer.state, "param_history", None))


@profile(60)
@given(
    st.one_of(
        cases(param_cfgs, st.integers(20, 150)),
        cases(concat_cfgs, st.integers(20, 150)),
        cases(lambda n, horizon: group_cfgs(n, param_name=None, horizon=horizon), st.integers(20, 150)),
        cases(lr_scheduler_cfgs, st.integers(20, 150)),
        cases(warmup_cfgs, st.integers(20, 150)),
    )
)
def test_real_engine_run_matches_ignite(case: Case) -> None:
    expected = engine_run(ignite_handlers, case)
    if expected[0][:1] == ("construct",):
        skip_known_deviation(expected[0][1])
    actual = engine_run(scheduler_core, case)
    if expected[0] == ("ok",):  # guard: the harness itself ran every iteration
        assert len(expected[1]) == case.n_events // 10 * 10
    assert actual[0] == expected[0], f"{case!r}\noutcome: ignite {expected[0]}, core {actual[0]}"
    assert actual[1] == expected[1], f"{case!r}\nvalues differ"
    assert actual[2] == expected[2], f"{case!r}\ntrainer.state.param_history differs"


# ------------------------------------------------------------------------------------------------
# every public scheduler name of ignite.handlers exists in scheduler_core
# ------------------------------------------------------------------------------------------------
def test_every_public_ignite_scheduler_is_in_scheduler_core() -> None:
    modules = ("ignite.handlers.param_scheduler", "ignite.handlers.state_param_scheduler")
    public = {
        name for name in ignite_handlers.__all__ if getattr(ignite_handlers, name).__module__ in modules
    }
    assert {"BatchSizeScheduler", "ParamGroupScheduler", "create_lr_scheduler_with_warmup"} <= public
    missing = sorted(name for name in public if not hasattr(scheduler_core, name))
    assert missing == [], f"scheduler_core lacks {missing}"


# ------------------------------------------------------------------------------------------------
# BatchSizeScheduler: constructor errors, values, errors at the call, history, state, simulate
# ------------------------------------------------------------------------------------------------
BATCH_FNS = [
    lambda e: 8 + 4 * e,
    lambda e: 2 ** (e // 3),
    lambda e: 4 if e < 6 else 0,  # ValueError at event 6
    lambda e: 32 if e < 3 else 1.5,  # a float: ValueError
    lambda e: e < 4,  # bools are ints: True is accepted, False refused
    lambda e: 1 // (5 - e) + 1,  # ZeroDivisionError at event 5
    scheduler_core.expressions.Expression("16 * 2 ** (event // 10)", "event"),
    scheduler_core.expressions.Expression("max(1, 64 - event * 3)", "event"),
    "not callable",
]


def batch_loader(kind: str) -> Any:
    import torch.utils.data as data

    if kind == "batch":
        return data.DataLoader(range(8), batch_size=2)
    if kind == "no batch sampler":
        return data.DataLoader(range(8), batch_size=None)
    return [1, 2, 3]  # not a DataLoader


def batch_run(mod: Any, loader_kind: str, fn: Any, n: int, save_history: bool) -> tuple:
    from types import SimpleNamespace

    loader = batch_loader(loader_kind)
    try:
        sched = mod.BatchSizeScheduler(loader, fn, save_history=save_history)
    except Exception as exc:  # noqa: BLE001 - compared with the oracle
        return ("construct", type(exc), normalized_message(exc)), [], None, None
    engine = SimpleNamespace(state=SimpleNamespace())
    seen = []
    for k in range(n):
        try:
            sched(engine)
        except Exception as exc:  # noqa: BLE001
            return ("call", k, type(exc), normalized_message(exc)), seen, canon(sched.state_dict()), None
        value = loader.batch_sampler.batch_size
        seen.append((type(value), value))
    history = getattr(engine.state, "param_history", None)
    return ("ok",), seen, canon(sched.state_dict()), canon(history)


@profile(150)
@given(
    st.sampled_from(["batch", "batch", "batch", "no batch sampler", "list"]),
    st.sampled_from(range(len(BATCH_FNS))),
    st.integers(0, 40),
    st.booleans(),
)
def test_batch_size_scheduler_matches_ignite(loader_kind: str, fn_index: int, n: int, history: bool) -> None:
    fn = BATCH_FNS[fn_index]
    expected = batch_run(ignite_handlers, loader_kind, fn, n, history)
    actual = batch_run(scheduler_core, loader_kind, fn, n, history)
    record_coverage(Run(error=expected[0][2] if expected[0][0] == "call" else None))
    assert actual == expected


@pytest.mark.parametrize("fn_index", range(len(BATCH_FNS) - 1))
def test_batch_size_simulate_values_and_attach_match_ignite(fn_index: int) -> None:
    fn = BATCH_FNS[fn_index]

    def simulate(mod: Any) -> Any:
        try:
            return mod.BatchSizeScheduler.simulate_values(12, scheduler_fn=fn)
        except Exception as exc:  # noqa: BLE001
            return type(exc), normalized_message(exc)

    assert canon(simulate(scheduler_core)) == canon(simulate(ignite_handlers))
    with pytest.raises(ValueError, match="must contain 'scheduler_fn'"):
        scheduler_core.BatchSizeScheduler.simulate_values(3)
    # attached to a real Engine at its default event (EPOCH_STARTED) on both
    sizes = {}
    for name, mod in IMPLS.items():
        loader = batch_loader("batch")
        trainer = Engine(lambda e, b: None)
        mod.BatchSizeScheduler(loader, lambda e: 3 + e, save_history=True).attach(trainer)
        trainer.run([0, 1], max_epochs=4)
        sizes[name] = (loader.batch_sampler.batch_size, trainer.state.param_history)
    assert sizes["core"] == sizes["ignite"] == (6, {"batch_size": [3, 4, 5, 6]})
