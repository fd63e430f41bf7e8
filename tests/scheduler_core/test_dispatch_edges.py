"""The type registry's own checks and the dispatch helpers, called directly (mutation-testing kills).

``register``, ``construct`` and ``SchedulerType.__post_init__`` otherwise run only while
``scheduler_core`` is imported, so no test would see them change.
"""

from __future__ import annotations

import pytest

from scheduler_core import registry
from scheduler_core.registry import TYPES, SchedulerType, collect_restarts, construct, register
from scheduler_core.spec import SchedulerSpec


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
