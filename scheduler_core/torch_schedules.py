"""The ``torch.optim.lr_scheduler`` types an experiment can wrap, and their closed forms.

They are the ``lr_scheduler`` of ``LRScheduler`` / ``create_lr_scheduler_with_warmup``; their
closed forms follow ignite's wrapper, which writes ``get_lr()`` at ``last_epoch`` and then adds
one (values are rows, one per param group). torch itself is imported only to build one.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import shapes
from ._optional import import_torch
from .expressions import COSTLY, CostExceeded, Expression, as_callable
from .registry import Context, SchedulerType, collect_restarts, evaluate_side, evaluate_spec, register
from .shapes import NoClosedForm
from .spec import SchedulerSpec

__all__ = ["evaluate_torch", "torch_restarts"]


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


def evaluate_torch(spec: SchedulerSpec, events: range, ctx: Context, side: str | None = None) -> np.ndarray:
    """The closed form of a wrapped torch scheduler (rows per group) over ``events``: its lr, or
    the param ``side`` it also writes."""
    if spec.kwargs.get("last_epoch", -1) != -1:
        raise NoClosedForm(RESUMED)
    return evaluate_spec(spec, events, ctx) if side is None else evaluate_side(spec, side, events, ctx)


def torch_restarts(spec: Any, offset: int, first_epoch: int, stop: int, out: set[int], limit: int) -> None:
    """Restart events of a wrapped torch scheduler first called at ``offset`` with
    ``last_epoch == first_epoch``."""
    if isinstance(spec, SchedulerSpec):
        collect_restarts(
            SchedulerSpec(spec.type, {**spec.kwargs, "last_epoch": first_epoch - 1}), offset, stop, out, limit
        )


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


def _one_cycle_phases(
    kw: Mapping[str, Any], events: range, ctx: Context, start: str, peak: str, end: str
) -> np.ndarray:
    """OneCycleLR's phases between the group keys ``start`` → ``peak`` → ``end``, one row per group."""
    total = kw.get("total_steps")
    if total is None:
        total = kw["epochs"] * kw["steps_per_epoch"]
    le = _last_epochs(events, ctx)
    return _rows(
        ctx,
        lambda g: shapes.one_cycle(
            le,
            ctx.groups[g][start],
            ctx.groups[g][peak],
            ctx.groups[g][end],
            total,
            kw.get("pct_start", 0.3),
            kw.get("anneal_strategy", "cos"),
            kw.get("three_phase", False),
        ),
    )


def _one_cycle(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    return _one_cycle_phases(kw, events, ctx, "initial_lr", "max_lr", "min_lr")


def _one_cycle_momentum(name: str, kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    """OneCycleLR's momentum: its lr phases with (initial, max, min) lr read as (max, base, max)
    momentum (torch anneals momentum max→base→max, or max→base→max→max in three phases)."""
    return _one_cycle_phases(kw, events, ctx, "max_momentum", "base_momentum", "max_momentum")


def _cyclic_rows(kw: Mapping[str, Any], events: range, ctx: Context, low: str, high: str, down: bool):
    if kw.get("scale_fn") is not None:
        raise NoClosedForm(CYCLIC_DECLINES[1])
    base = _per_group(kw[low] if low in kw else _CYCLIC_DEFAULTS[low], len(ctx.groups))
    top = _per_group(kw[high] if high in kw else _CYCLIC_DEFAULTS[high], len(ctx.groups))
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
            from_top=down,
        ),
    )


_CYCLIC_DEFAULTS = {"base_momentum": 0.8, "max_momentum": 0.9}


def _cyclic(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    return _cyclic_rows(kw, events, ctx, "base_lr", "max_lr", down=False)


def _cyclic_momentum(name: str, kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    """CyclicLR's momentum: ``max_momentum - (max - base) * scale * f``, inverse to the lr."""
    return _cyclic_rows(kw, events, ctx, "base_momentum", "max_momentum", down=True)


def _momentum_writes(kw: Mapping[str, Any]) -> tuple[str, ...]:
    """OneCycleLR / CyclicLR also cycle ``momentum`` unless told not to.

    torch writes ``betas[0]`` instead when the optimizer's defaults hold ``betas`` (Adam); an
    experiment's optimizer is SGD (as ignite's ``simulate_values`` and the exported code), whose
    defaults hold ``momentum`` (0 unless a group gives it), so ``momentum`` is what moves.
    """
    return ("momentum",) if kw.get("cycle_momentum", True) else ()


# ------------------------------------------------------------------------------------------------
# restart events (markers): ``offset`` is the event of the first call, whose ``last_epoch`` is
# ``kwargs["last_epoch"] + 1`` (wrappers that advance it pass a larger ``last_epoch``)
# ------------------------------------------------------------------------------------------------
def _add(out: set[int], events: Any, offset: int, stop: int, limit: int) -> None:
    for e in events:
        if e >= stop or len(out) >= limit:
            return
        if e > offset:
            out.add(e)


def _first_epoch(kw: Mapping[str, Any]) -> int:
    return kw.get("last_epoch", -1) + 1


def _milestone_restarts(kw: Mapping[str, Any], offset: int, stop: int, out: set[int], limit: int) -> None:
    """MultiStepLR: the lr drops where ``last_epoch`` reaches a milestone."""
    first = _first_epoch(kw)
    _add(out, (offset + m - first for m in sorted(set(kw["milestones"]))), offset, stop, limit)


def _cyclic_restarts(kw: Mapping[str, Any], offset: int, stop: int, out: set[int], limit: int) -> None:
    """CyclicLR: a cycle starts where ``last_epoch`` is a multiple of ``step_size_up + down``."""
    up = kw.get("step_size_up", 2000)
    total = up + (kw.get("step_size_down") or up)
    first = _first_epoch(kw)
    _add(out, (offset + j * total - first for j in itertools.count(1)), offset, stop, limit)


def _warm_restarts_events(kw: Mapping[str, Any], offset: int, stop: int, out: set[int], limit: int) -> None:
    """CosineAnnealingWarmRestarts through ignite's adapter: call k is T_cur's (k+1)-th step, so
    periods T_0, T_0*T_mult, ... restart at calls T_0 - 1, T_0 * (1 + T_mult) - 1, ..."""

    def starts() -> Any:
        t, period = kw["T_0"], kw["T_0"]
        while True:
            yield offset + t - 1
            period *= kw.get("T_mult", 1)
            t += period

    _add(out, starts(), offset, stop, limit)


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
_torch_type(
    "MultiStepLR",
    _chain(lambda kw, le: shapes.multistep_lr_factors(le, kw["milestones"], kw.get("gamma", 0.1))),
    declines=(CHAINED,),
    restarts=_milestone_restarts,
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
_torch_type("CosineAnnealingWarmRestarts", _warm_restarts, restarts=_warm_restarts_events)
_torch_type(  # declines: stepping raises
    "OneCycleLR", _one_cycle, side_writes=_momentum_writes, side_form=_one_cycle_momentum, step_cost=4.5
)
_torch_type(
    "CyclicLR",
    _cyclic,
    declines=CYCLIC_DECLINES,
    side_writes=_momentum_writes,
    side_form=_cyclic_momentum,
    restarts=_cyclic_restarts,
    step_cost=1.2,
)
_torch_type(
    "CosineAnnealingLR",
    stepping_only="torch updates it recursively from the previous lr; the rounding of that chain "
    "has no exact closed form",
)
_torch_type("LambdaLR", _lambda_lr, declines=LAMBDA_DECLINES)
_chain_type("MultiplicativeLR", _lambda_values, declines=LAMBDA_DECLINES)
