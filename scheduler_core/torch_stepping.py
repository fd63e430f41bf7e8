"""torch schedulers stepped by torch itself, and torch's two schedulers of schedulers.

ignite's ``LRScheduler`` never calls ``step()``: each call writes ``get_lr()`` at the current
``last_epoch`` and then adds one to it. torch's chainable ``get_lr`` expects to run inside
``step()`` (after ``last_epoch`` moved, with ``_is_initial`` and ``_step_count`` as ``step()``
leaves them), so under torch 2.13 the two disagree for ``LinearLR``, ``ConstantLR``,
``PolynomialLR``, ``ExponentialLR``, ``CosineAnnealingLR`` and ``CosineAnnealingWarmRestarts``.

An ``LRScheduler`` spec with ``stepping="torch"`` is run as a plain torch loop runs it: its
handler (:class:`TorchStepped`) calls ``lr_scheduler.step()`` at its event; the value in force
during an iteration is the group's ``lr`` then. ``SequentialLR`` and ``ChainedScheduler`` have
no ``get_lr`` (ignite's wrapper raises ``NotImplementedError`` at its first call), so torch
stepping is their only mode (:data:`STEPPINGS`, :func:`stepping_of`).

>>> stepping_of({"lr_scheduler": None}), stepping_of({"stepping": "torch"})
('ignite', 'torch')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._optional import import_torch
from .registry import TYPES, SchedulerType, build_torch, register
from .spec import SchedulerSpec
from .torch_schedules import torch_restarts

__all__ = ["STEPPINGS", "STEP_CALL_US", "TorchStepped", "ignite_refuses", "step_calls", "stepping_of"]

STEPPINGS = ("ignite", "torch")
"""How an ``LRScheduler`` spec runs its torch scheduler (its ``stepping`` kwarg): "ignite"
(ignite's ``LRScheduler``: ``get_lr()`` then ``last_epoch += 1``) or "torch" (``step()``)."""

STEP_CALL_US = 4.0
"""Microseconds a torch ``step()`` call costs whatever the param groups (its bookkeeping: the
step count, the optimizer check, ``_last_lr``), measured with ``python -m bench.cost``; per group
the type's ``step_cost`` adds to it."""

NO_GET_LR = (
    "ignite's LRScheduler calls the torch scheduler's get_lr(), which {name} does not have "
    "(NotImplementedError at its first call); torch steps it by itself (stepping 'torch')"
)


def ignite_refuses(spec: Any) -> str:
    """Why ignite's ``LRScheduler`` cannot run the torch scheduler ``spec`` ("" when it can)."""
    t = TYPES.get(getattr(spec, "type", None))
    return "" if t is None or t.kind != "torch" or not t.torch_stepped_only else t.torch_stepped_only


def stepping_of(kwargs: Mapping[str, Any]) -> str:
    """The stepping of an ``LRScheduler`` spec's ``kwargs``: its ``stepping`` if given, else
    "ignite", or "torch" for a torch scheduler that only torch can step (``SequentialLR``...).

    Raises:
        ValueError: an unknown ``stepping``.
    """
    given = kwargs.get("stepping")
    if given is None:
        return "torch" if ignite_refuses(kwargs.get("lr_scheduler")) else "ignite"
    if given not in STEPPINGS:
        raise ValueError(f"Argument stepping should be one of {list(STEPPINGS)}, but given {given!r}")
    return given


def step_calls(spec: Any) -> int:
    """How many torch ``step()`` calls one call of the top-level ``spec`` makes: none unless it
    is an ``LRScheduler`` stepped by torch; the children of a type stepping them all
    (``ChainedScheduler``); one otherwise."""
    kw = getattr(spec, "kwargs", {})
    if "lr_scheduler" not in kw or stepping_of(kw) != "torch":  # the warm-up helper: ignite's way
        return 0
    inner = kw.get("lr_scheduler")
    t = TYPES.get(getattr(inner, "type", None))
    return len(inner.kwargs.get("schedulers", ())) if t is not None and t.steps_all_children else 1


class TorchStepped:
    """An ignite handler stepping a torch scheduler by itself: each call runs
    ``lr_scheduler.step()``, as ``trainer.add_event_handler(event, lambda _: scheduler.step())``.

    Args:
        lr_scheduler: a ``torch.optim.lr_scheduler.LRScheduler`` (``SequentialLR``,
            ``ChainedScheduler`` included).

    Raises:
        TypeError: ``lr_scheduler`` has no ``step``.
    """

    def __init__(self, lr_scheduler: Any):
        if not callable(getattr(lr_scheduler, "step", None)):
            raise TypeError(
                f"Argument lr_scheduler should be a torch.optim.lr_scheduler scheduler, but given {type(lr_scheduler)}"
            )
        self.lr_scheduler = lr_scheduler
        self.optimizer = lr_scheduler.optimizer

    def __call__(self, engine: Any = None, name: str | None = None) -> None:
        self.lr_scheduler.step()


# ------------------------------------------------------------------------------------------------
# SequentialLR and ChainedScheduler: children are torch scheduler specs, built on the optimizer
# in order (each constructor steps once, as in a real program), then the parent
# ------------------------------------------------------------------------------------------------
def _children(spec: SchedulerSpec, optimizer: Any) -> list[Any]:
    return [build_torch(child, optimizer) for child in spec.kwargs.get("schedulers", ())]


def _build_sequential(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> Any:
    kw = dict(spec.kwargs)
    kw["schedulers"] = _children(spec, optimizer)
    return import_torch("torch.optim.lr_scheduler").SequentialLR(optimizer, **kw)


def _build_chained(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> Any:
    kw = dict(spec.kwargs)
    kw["schedulers"] = _children(spec, optimizer)
    return import_torch("torch.optim.lr_scheduler").ChainedScheduler(**kw)  # its children's optimizer


def _side_writes(kw: Mapping[str, Any]) -> tuple[str, ...]:
    out: list[str] = []
    for child in kw.get("schedulers", ()):
        t = TYPES.get(getattr(child, "type", None))
        if t is not None:
            out += [n for n in t.side_writes(child.kwargs) if n not in out]
    return tuple(out)


def _sequential_restarts(kw: Mapping[str, Any], offset: int, stop: int, out: set[int], limit: int) -> None:
    """SequentialLR: it hands over to the next child where ``last_epoch`` reaches a milestone."""
    first = kw.get("last_epoch", -1) + 1
    for m in sorted(set(kw.get("milestones", ()))):
        e = offset + m - first
        if e >= stop or len(out) >= limit:
            return
        if e > offset:
            out.add(e)


def _chained_restarts(kw: Mapping[str, Any], offset: int, stop: int, out: set[int], limit: int) -> None:
    """ChainedScheduler: its children, all stepped at every call, restart where they do."""
    for child in kw.get("schedulers", ()):
        torch_restarts(child, offset, kw.get("last_epoch", -1) + 1, stop, out, limit)


for _name, _build, _all in (
    ("SequentialLR", _build_sequential, False),
    ("ChainedScheduler", _build_chained, True),
):
    register(
        SchedulerType(
            name=_name,
            kind="torch",
            family="torch",
            build=_build,
            stepping_only="torch steps it by itself, its children's own way; stepping the real "
            "torch objects is exact",
            writes="lr",
            side_writes=_side_writes,
            children=lambda kw: tuple(kw.get("schedulers", ())),
            torch_stepped_only=NO_GET_LR.format(name=_name),
            optimizer_arg=not _all,  # ChainedScheduler(schedulers): its children's optimizer
            steps_all_children=_all,
            restarts=_chained_restarts if _all else _sequential_restarts,
        )
    )
