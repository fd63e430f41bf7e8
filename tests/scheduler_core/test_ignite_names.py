"""Every public scheduler name of ``ignite.handlers`` (listed from ignite itself) exists in
``scheduler_core`` with the same constructor parameters."""

from __future__ import annotations

import inspect

import ignite.handlers
import pytest

import scheduler_core

SCHEDULER_MODULES = ("ignite.handlers.param_scheduler", "ignite.handlers.state_param_scheduler")


def ignite_scheduler_names() -> list[str]:
    """Public names of ``ignite.handlers`` defined in ignite's scheduler modules."""
    return [
        name
        for name in ignite.handlers.__all__
        if getattr(getattr(ignite.handlers, name), "__module__", None) in SCHEDULER_MODULES
    ]


def _parameters(obj: object) -> list[tuple]:
    """(name, kind, default) per parameter; *args / **kwargs by kind only (ignite spells
    LinearCyclicalScheduler's ``**kwagrs``)."""
    out = []
    for p in inspect.signature(obj).parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            out.append((p.kind,))
        else:
            out.append((p.name, p.kind, p.default))
    return out


def test_the_list_is_ignites() -> None:
    names = ignite_scheduler_names()
    # a few names every ignite 0.5.5 exports: the listing itself works
    assert {"CosineAnnealingScheduler", "ParamGroupScheduler", "ExpStateScheduler"} <= set(names)
    assert len(names) >= 18


@pytest.mark.parametrize("name", ignite_scheduler_names())
def test_scheduler_core_has_every_ignite_scheduler(name: str) -> None:
    assert name in scheduler_core.__all__, f"scheduler_core lacks ignite.handlers.{name}"
    ours, theirs = getattr(scheduler_core, name), getattr(ignite.handlers, name)
    assert inspect.isclass(ours) == inspect.isclass(theirs)
    assert _parameters(ours) == _parameters(theirs)
