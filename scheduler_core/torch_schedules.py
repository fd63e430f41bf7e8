"""The ``torch.optim.lr_scheduler`` types an experiment can wrap, and their closed forms.

They are the ``lr_scheduler`` of ``LRScheduler`` / ``create_lr_scheduler_with_warmup``; their
closed forms follow ignite's wrapper, which writes ``get_lr()`` at ``last_epoch`` and then adds
one (values are rows, one per param group). torch itself is imported only to build one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import shapes
from ._optional import import_torch
from .expressions import COSTLY, CostExceeded, Expression, as_callable
from .registry import Context, SchedulerType, evaluate_spec, register
from .shapes import NoClosedForm
from .spec import SchedulerSpec

__all__ = ["evaluate_torch"]


RESUMED = "torch scheduler resumed from last_epoch"
CHAINED = "chainable torch scheduler reads an lr written by another one"
CYCLIC_DECLINES = ("no closed form for CyclicLR mode", "CyclicLR with a custom scale_fn", "per-group list")


def _build(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> Any:
    torch_schedulers = import_torch("torch.optim.lr_scheduler")
    kwargs = dict(spec.kwargs)
    if "lr_lambda" in kwargs:  # an expression of ``epoch`` (or a Python callable)
        kwargs["lr_lambda"] = as_callable(kwargs["lr_lambda"], "epoch")
    return getattr(torch_schedulers, spec.type)(optimizer, **kwargs)


LAMBDA_DECLINES = ("lr_lambda is a Python callable or a list", COSTLY)


def _lambda_values(kw: Mapping[str, Any], last_epochs: np.ndarray) -> np.ndarray:
    """``lr_lambda(last_epoch)`` as float64 (what ``lr * lr_lambda(...)`` multiplies by)."""
    fn = as_callable(kw["lr_lambda"], "epoch")
    if not isinstance(fn, Expression):
        raise NoClosedForm(LAMBDA_DECLINES[0])
    try:
        return fn.floats(last_epochs)
    except CostExceeded as exc:
        raise NoClosedForm(COSTLY) from exc
    except Exception as exc:  # noqa: BLE001 - stepping raises it at its event
        raise NoClosedForm(f"stepping raises: {type(exc).__name__}: {exc}") from exc


def _lambda_lr(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    """LambdaLR: ``initial_lr * lr_lambda(last_epoch)`` per group (torch's ``base_lrs``)."""
    factors = _lambda_values(kw, _last_epochs(events, ctx))
    return _rows(ctx, lambda g: float(ctx.groups[g]["initial_lr"]) * factors)


def evaluate_torch(spec: SchedulerSpec, events: range, ctx: Context) -> np.ndarray:
    """The closed form of a wrapped torch scheduler (rows per group) over ``events``."""
    if spec.kwargs.get("last_epoch", -1) != -1:
        raise NoClosedForm(RESUMED)
    return evaluate_spec(spec, events, ctx)


def with_legacy_start(ctx: Context, use_legacy: bool) -> Context:
    """``ctx`` for a wrapper whose torch scheduler starts one event later (``use_legacy``)."""
    return dataclasses.replace(ctx, last_epoch0=1 if use_legacy else 0)


def _last_epochs(events: range, ctx: Context) -> np.ndarray:
    """The wrapped torch scheduler's ``last_epoch`` at each call."""
    return np.arange(len(events), dtype=np.int64) + ctx.last_epoch0


def _rows(ctx: Context, fn: Callable[[int], np.ndarray]) -> np.ndarray:
    return np.stack([fn(g) for g in range(len(ctx.groups))]) if ctx.groups else np.empty((0, 0))


def _chain(factors: Callable[[Mapping[str, Any], np.ndarray], np.ndarray]):
    """A chainable torch get_lr: ``lr_k = lr_{k-1} * factor(last_epoch_k)``."""

    def closed_form(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
        if not ctx.chain_ok:
            raise NoClosedForm(CHAINED)
        f = factors(kw, _last_epochs(events, ctx))
        lrs = ctx.start_lrs()
        return _rows(ctx, lambda g: shapes.multiplicative_chain(lrs[g], f))

    return closed_form


def _per_group(value: Any, count: int) -> list[float]:
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise NoClosedForm(CYCLIC_DECLINES[2])
        return [float(v) for v in value]
    return [float(value)] * count


def _warm_restarts(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    t0, t_mult, eta = kw["T_0"], kw.get("T_mult", 1), kw.get("eta_min", 0.0)
    return _rows(
        ctx,
        lambda g: shapes.cosine_warm_restarts(events, float(ctx.groups[g]["initial_lr"]), t0, t_mult, eta),
    )


def _one_cycle(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    total = kw.get("total_steps")
    if total is None:
        total = kw["epochs"] * kw["steps_per_epoch"]
    le = _last_epochs(events, ctx)
    return _rows(
        ctx,
        lambda g: shapes.one_cycle(
            le,
            ctx.groups[g]["initial_lr"],
            ctx.groups[g]["max_lr"],
            ctx.groups[g]["min_lr"],
            total,
            kw.get("pct_start", 0.3),
            kw.get("anneal_strategy", "cos"),
            kw.get("three_phase", False),
        ),
    )


def _cyclic(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    if kw.get("scale_fn") is not None:
        raise NoClosedForm(CYCLIC_DECLINES[1])
    base = _per_group(kw["base_lr"], len(ctx.groups))
    top = _per_group(kw["max_lr"], len(ctx.groups))
    le = _last_epochs(events, ctx)
    return _rows(
        ctx,
        lambda g: shapes.cyclic_lr(
            le,
            base[g],
            top[g],
            kw.get("step_size_up", 2000),
            kw.get("step_size_down"),
            kw.get("mode", "triangular"),
            kw.get("gamma", 1.0),
        ),
    )


def _momentum_writes(kw: Mapping[str, Any]) -> tuple[str, ...]:
    """OneCycleLR / CyclicLR also cycle ``momentum`` (or Adam's ``betas``) unless told not to."""
    return ("momentum", "betas") if kw.get("cycle_momentum", True) else ()


def _chain_type(
    name: str, factors: Callable[[Mapping[str, Any], np.ndarray], np.ndarray], declines: tuple[str, ...] = ()
) -> None:
    """A chainable torch type: ``lr_k = lr_{k-1} * factors(kwargs, last_epochs)[k]``."""
    _torch_type(name, _chain(factors), declines=(CHAINED, *declines))


def _torch_type(
    name: str, closed_form=None, stepping_only: str = "", declines: tuple[str, ...] = (), **extra: Any
) -> None:
    register(
        SchedulerType(
            name=name,
            kind="torch",
            family="torch",
            build=_build,
            closed_form=closed_form,
            stepping_only=stepping_only,
            writes="lr",
            declines=(RESUMED, *declines) if closed_form is not None else (),
            **extra,
        )
    )


_chain_type("StepLR", lambda kw, le: shapes.step_lr_factors(le, kw["step_size"], kw.get("gamma", 0.1)))
_chain_type(
    "MultiStepLR", lambda kw, le: shapes.multistep_lr_factors(le, kw["milestones"], kw.get("gamma", 0.1))
)
_chain_type("ExponentialLR", lambda kw, le: shapes.exponential_lr_factors(le, kw["gamma"]))
_chain_type(
    "ConstantLR",
    lambda kw, le: shapes.constant_lr_factors(le, kw.get("factor", 1.0 / 3), kw.get("total_iters", 5)),
)
_chain_type(
    "LinearLR",
    lambda kw, le: shapes.linear_lr_factors(
        le, kw.get("start_factor", 1.0 / 3), kw.get("end_factor", 1.0), kw.get("total_iters", 5)
    ),
)
_chain_type(
    "PolynomialLR",
    lambda kw, le: shapes.polynomial_lr_factors(le, kw.get("total_iters", 5), kw.get("power", 1.0)),
)
_torch_type("CosineAnnealingWarmRestarts", _warm_restarts)
_torch_type(
    "OneCycleLR", _one_cycle, side_writes=_momentum_writes, step_cost=4.5
)  # declines: stepping raises
_torch_type("CyclicLR", _cyclic, declines=CYCLIC_DECLINES, side_writes=_momentum_writes, step_cost=1.2)
_torch_type(
    "CosineAnnealingLR",
    stepping_only="torch updates it recursively from the previous lr; the rounding of that chain "
    "has no exact closed form",
)
_torch_type("LambdaLR", _lambda_lr, declines=LAMBDA_DECLINES)
_chain_type("MultiplicativeLR", _lambda_values, declines=LAMBDA_DECLINES)
