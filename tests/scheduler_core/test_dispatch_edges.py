"""The type registry, its dispatch helpers and the join of closed forms (``series.evaluate``) at
their edges (mutation-testing kills).

``register``, ``construct`` and ``SchedulerType.__post_init__`` otherwise run only while
``scheduler_core`` is imported, so no test would see them change. The join's declines are
checked by their exact reason: a decline that names the wrong reason still falls back to
stepping, so the parity tests cannot see it.
"""

from __future__ import annotations

import pytest

from scheduler_core import registry, series
from scheduler_core.registry import TYPES, Context, SchedulerType, collect_restarts, construct, register
from scheduler_core.series import JOIN_DECLINES, NoClosedForm
from scheduler_core.spec import Experiment, ParamGroupSpec, SchedulerSpec

S = SchedulerSpec
COSINE = S(
    "CosineAnnealingScheduler", {"param_name": "lr", "start_value": 1.0, "end_value": 0.1, "cycle_size": 4}
)


def torch(name: str, **kw) -> SchedulerSpec:
    return S("LRScheduler", {"lr_scheduler": S(name, kw)})


def evaluate(*specs: SchedulerSpec, n: int = 10, groups: int = 1):
    gs = tuple(ParamGroupSpec(f"g{i}", {"lr": 0.1, "momentum": 0.9}) for i in range(groups))
    return series.evaluate(Experiment(n, gs, specs), [dict(g.values) for g in gs])


def decline(*specs: SchedulerSpec, groups: int = 1) -> str:
    with pytest.raises(NoClosedForm) as err:
        evaluate(*specs, groups=groups)
    return str(err.value)


def _form(kwargs, events, ctx):  # pragma: no cover - never called
    raise AssertionError


def test_a_type_has_a_closed_form_or_a_reason_not_both() -> None:
    assert SchedulerType("A", "param", "ignite", build=None, closed_form=_form).closed_form is _form
    assert SchedulerType("B", "param", "ignite", build=None, stepping_only="why").stepping_only == "why"
    message = "scheduler type 'C' should have either a closed form or a stepping_only reason"
    with pytest.raises(ValueError) as err:
        SchedulerType("C", "param", "ignite", build=None)
    assert str(err.value) == message
    with pytest.raises(ValueError) as err:
        SchedulerType("C", "param", "ignite", build=None, closed_form=_form, stepping_only="why")
    assert str(err.value) == message


def test_register_adds_each_name_once(monkeypatch) -> None:
    monkeypatch.setattr(registry, "TYPES", {})
    t = SchedulerType("A", "param", "ignite", build=None, closed_form=_form)
    assert register(t) is t
    assert registry.TYPES == {"A": t}
    with pytest.raises(ValueError) as err:
        register(SchedulerType("A", "torch", "torch", build=None, stepping_only="why"))
    assert str(err.value) == "scheduler type 'A' registered twice"
    assert registry.TYPES == {"A": t}


def test_registered_types_are_records() -> None:
    assert TYPES and all(isinstance(t, SchedulerType) and t.name == name for name, t in TYPES.items())


def test_construct_passes_optimizer_inherited_and_kwargs() -> None:
    def cls(**kwargs):
        return kwargs

    build = construct(cls)
    spec = SchedulerSpec("X", {"start_value": 1.0, "param_name": "lr"})
    assert build(spec, "opt", {"save_history": True}) == {
        "optimizer": "opt",
        "save_history": True,
        "start_value": 1.0,
        "param_name": "lr",
    }


@pytest.mark.parametrize("spec", [None, "CosineAnnealingScheduler", object()])
def test_collect_restarts_ignores_what_is_not_a_spec(spec) -> None:
    out: set[int] = set()
    collect_restarts(spec, 0, 100, out, 10)
    assert out == set()


def test_build_torch_hands_no_inherited_kwargs(monkeypatch) -> None:
    calls = []

    def build(spec, optimizer, inherited):
        calls.append((spec, optimizer, inherited))
        return "built"

    fake = SchedulerType("FakeLR", "torch", "torch", build=build, stepping_only="test")
    monkeypatch.setitem(registry.TYPES, "FakeLR", fake)
    spec = SchedulerSpec("FakeLR", {"gamma": 0.5})
    assert registry.build_torch(spec, "opt") == "built"
    assert calls == [(spec, "opt", {})]


def test_build_torch_refuses_what_is_not_a_spec() -> None:
    with pytest.raises(TypeError) as err:
        registry.build_torch({"type": "StepLR"}, None)
    assert str(err.value) == "Argument lr_scheduler should be a SchedulerSpec, but given <class 'dict'>"
    with pytest.raises(ValueError) as err:
        registry.build_torch(SchedulerSpec("CosineAnnealingScheduler", {}), None)
    assert str(err.value) == (
        "Argument lr_scheduler should name a torch.optim.lr_scheduler scheduler, "
        "but given 'CosineAnnealingScheduler'"
    )


def test_join_declines_name_their_reason() -> None:
    assert decline(torch("StepLR", step_size=2), torch("ExponentialLR", gamma=0.5)) == JOIN_DECLINES[0]
    momentum = S("CosineAnnealingScheduler", {**COSINE.kwargs, "param_name": "momentum"})
    one_cycle = torch("OneCycleLR", max_lr=1.0, total_steps=20)
    assert decline(one_cycle, momentum) == f"{JOIN_DECLINES[1]}: OneCycleLR writes ('momentum',)"
    assert decline(S(COSINE.type, {**COSINE.kwargs, "param_group_index": 2}), groups=2) == (
        f"{JOIN_DECLINES[2]}: 2"
    )
    assert decline(S(COSINE.type, {**COSINE.kwargs, "param_group_index": True}), groups=2) == (
        f"{JOIN_DECLINES[2]}: True"
    )


def test_join_answers_one_torch_scheduler_and_negative_indices() -> None:
    [lr] = evaluate(torch("StepLR", step_size=2, gamma=0.5), n=5)
    assert lr.values.tolist() == [0.1, 0.1, 0.05, 0.05, 0.025]
    first, second = evaluate(S(COSINE.type, {**COSINE.kwargs, "param_group_index": -1}), n=2, groups=2)
    assert first.values.tolist() == [0.1, 0.1] and second.values[0] == 1.0


def test_arithmetic_errors_decline_as_stepping_raises() -> None:
    shrinking = S(COSINE.type, {**COSINE.kwargs, "cycle_size": 2, "cycle_mult": 0.4})
    assert (
        decline(shrinking) == "stepping raises: CosineAnnealingScheduler: ZeroDivisionError: cycle of size 0"
    )


def test_unknown_and_stepping_only_types_decline_with_their_reason() -> None:
    ctx = Context(groups=({"lr": 0.1},))
    with pytest.raises(NoClosedForm) as err:
        registry.evaluate_spec(S("Nope", {}), range(3), ctx)
    assert str(err.value) == "unknown scheduler type 'Nope'"
    with pytest.raises(NoClosedForm) as err:
        registry.evaluate_spec(S("CosineAnnealingLR", {"T_max": 3}), range(3), ctx)
    assert str(err.value) == f"CosineAnnealingLR is stepping-only: {TYPES['CosineAnnealingLR'].stepping_only}"


def test_build_spec_builds_experiment_level_types_only() -> None:
    with pytest.raises(TypeError) as err:
        registry.build_spec({"type": "PiecewiseLinear"}, None, {})
    assert str(err.value) == "Argument schedulers should hold SchedulerSpec, but given <class 'dict'>"
    names = sorted(n for n, t in TYPES.items() if t.kind in ("param", "composite", "state"))
    assert "StepLR" not in names and "CosineAnnealingScheduler" in names
    with pytest.raises(ValueError) as err:
        registry.build_spec(S("StepLR", {"step_size": 2}), None, {})
    assert str(err.value) == f"Argument type should be one of {names}, but given 'StepLR'"


def test_scheduler_type_lists_the_names_of_the_kinds_asked_for() -> None:
    torch_names = sorted(n for n, t in TYPES.items() if t.kind == "torch")
    assert torch_names and "StepLR" in torch_names
    with pytest.raises(ValueError) as err:
        registry.scheduler_type("CosineAnnealingScheduler", ("torch",))
    assert (
        str(err.value)
        == f"Argument type should be one of {torch_names}, but given 'CosineAnnealingScheduler'"
    )
    assert registry.scheduler_type("StepLR", ("torch",)) is TYPES["StepLR"]


def test_scheduled_names_need_a_param_name() -> None:
    exp = Experiment(
        3, (ParamGroupSpec("g", {"lr": 0.1}),), (S("CosineAnnealingScheduler", {"start_value": 1.0}),)
    )
    with pytest.raises(ValueError) as err:
        registry.scheduled_names(exp)
    assert str(err.value) == "Argument param_name should be a str, but given None"


def test_torch_specs_skip_missing_children() -> None:
    assert list(registry.torch_specs(None)) == []
    assert list(registry.torch_specs(S("LRScheduler", {}))) == []  # its lr_scheduler child is None
    step = S("StepLR", {"step_size": 2})
    assert list(registry.torch_specs(S("LRScheduler", {"lr_scheduler": step}))) == [step]
