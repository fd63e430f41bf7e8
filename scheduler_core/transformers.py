"""transformers' learning-rate schedules (``transformers.optimization``), exact, without transformers.

Swap ``from transformers import get_cosine_schedule_with_warmup`` for
``from scheduler_core.transformers import get_cosine_schedule_with_warmup``: the same functions,
keyword arguments and errors, returning a ``torch.optim.lr_scheduler.LambdaLR`` (torch imported
when one is built) whose ``lr_lambda`` is this module's. The lr of update ``i`` (0-based, the
value the group holds before the ``i``-th ``scheduler.step()``) is ``base_lr * lr_lambda(i)``.

Each schedule is a ``make`` function here, checking the arguments as transformers does and
returning ``functools.partial(lambda, **keywords)``, over a scalar lambda of
:mod:`scheduler_core.transformers_lambdas` (transformers' operation order) whose vectorised
twin, exact to the bit, is the type's closed form. The registered types
(``"transformers.get_cosine_schedule_with_warmup"`` ...) step a :class:`LambdaParamScheduler`
in experiments.

In an experiment the optimizer's default lr (``optimizer.defaults["lr"]``, which the polynomial
decay and the ``min_lr`` of the cosine-with-min-lr schedules read) is the first param group's
initial value of the scheduled param.

>>> from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, simulate
>>> linear = SchedulerSpec("transformers.get_linear_schedule_with_warmup",
...     {"param_name": "lr", "num_warmup_steps": 2, "num_training_steps": 4})
>>> simulate(Experiment(6, (ParamGroupSpec("g", {"lr": 1.0}),), (linear,)))[0].values.tolist()
[0.0, 0.5, 1.0, 0.5, 0.0, 0.0]
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import numpy as np

from . import transformers_lambdas as lambdas
from ._optional import import_torch
from .base import ParamScheduler
from .registry import Context, SchedulerType, register
from .shapes import CHUNK, NoClosedForm
from .spec import SchedulerSpec

__all__ = [
    "LambdaParamScheduler",
    "get_constant_schedule",
    "get_constant_schedule_with_warmup",
    "get_cosine_schedule_with_warmup",
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "get_inverse_sqrt_schedule",
    "get_linear_schedule_with_warmup",
    "get_polynomial_decay_schedule_with_warmup",
    "get_wsd_schedule",
]

PREFIX = "transformers."
CONCAT_CHILD = "inside a ConcatScheduler (param_name passed down)"
WARMUP_TYPES = ("linear", "cosine", "1-sqrt")


# ------------------------------------------------------------------------------------------------
# argument checks (transformers' own, with its messages): -> partial(lambda, **keywords)
# ------------------------------------------------------------------------------------------------
DefaultLr = Callable[[], float]
"""The optimizer's default lr, read only by the schedules that need it."""


def _make_constant(default_lr: DefaultLr) -> partial:
    return partial(lambdas.constant)


def _make_constant_warmup(default_lr: DefaultLr, num_warmup_steps: int) -> partial:
    return partial(lambdas.constant_warmup, num_warmup_steps=num_warmup_steps)


def _make_linear(default_lr: DefaultLr, num_warmup_steps: int, num_training_steps: int) -> partial:
    return partial(lambdas.linear, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps)


def _make_cosine(
    default_lr: DefaultLr, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5
) -> partial:
    return partial(
        lambdas.cosine,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        num_cycles=num_cycles,
    )


def _make_hard_restarts(
    default_lr: DefaultLr, num_warmup_steps: int, num_training_steps: int, num_cycles: int = 1
) -> partial:
    return partial(
        lambdas.hard_restarts,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        num_cycles=num_cycles,
    )


def _make_polynomial(
    default_lr: DefaultLr,
    num_warmup_steps: int,
    num_training_steps: int,
    lr_end: float = 1e-7,
    power: float = 1.0,
) -> partial:
    lr_init = default_lr()
    if not (lr_init > lr_end):
        raise ValueError(f"lr_end ({lr_end}) must be smaller than initial lr ({lr_init})")
    return partial(
        lambdas.polynomial,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        lr_end=lr_end,
        power=power,
        lr_init=lr_init,
    )


def _make_inverse_sqrt(default_lr: DefaultLr, num_warmup_steps: int, timescale: int | None = None) -> partial:
    if timescale is None:
        timescale = num_warmup_steps or 10_000
    return partial(lambdas.inverse_sqrt, num_warmup_steps=num_warmup_steps, timescale=timescale)


def _min_lr_rate(default_lr: DefaultLr, min_lr: float | None, min_lr_rate: float | None) -> float:
    if min_lr is not None and min_lr_rate is not None:
        raise ValueError("Only one of min_lr or min_lr_rate should be set")
    if min_lr is not None:
        return min_lr / default_lr()
    if min_lr_rate is None:
        raise ValueError("One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`")
    return min_lr_rate


def _make_cosine_min_lr(
    default_lr: DefaultLr,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
) -> partial:
    return partial(
        lambdas.cosine_min_lr,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        num_cycles=num_cycles,
        min_lr_rate=_min_lr_rate(default_lr, min_lr, min_lr_rate),
    )


def _make_cosine_min_lr_rate(
    default_lr: DefaultLr,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
    warmup_lr_rate: float | None = None,
) -> partial:
    return partial(
        lambdas.cosine_min_lr_rate,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        num_cycles=num_cycles,
        min_lr_rate=_min_lr_rate(default_lr, min_lr, min_lr_rate),
        warmup_lr_rate=warmup_lr_rate,
    )


def _make_wsd(
    default_lr: DefaultLr,
    num_warmup_steps: int,
    num_decay_steps: int,
    num_training_steps: int | None = None,
    num_stable_steps: int | None = None,
    warmup_type: str = "linear",
    decay_type: str = "cosine",
    min_lr_ratio: float = 0,
    num_cycles: float = 0.5,
) -> partial:
    if num_training_steps is None and num_stable_steps is None:
        raise ValueError("Either num_training_steps or num_stable_steps must be specified.")
    if num_training_steps is not None and num_stable_steps is not None:
        warnings.warn(
            "Both num_training_steps and num_stable_steps are specified. num_stable_steps will be used.",
            stacklevel=3,
        )
    if warmup_type not in WARMUP_TYPES:
        raise ValueError(f"Unknown warmup type: {warmup_type}, expected 'linear', 'cosine' or '1-sqrt'")
    if decay_type not in WARMUP_TYPES:
        raise ValueError(f"Unknown decay type: {decay_type}, expected 'linear', 'cosine' or '1-sqrt'")
    if num_stable_steps is None:
        num_stable_steps = num_training_steps - num_warmup_steps - num_decay_steps
    return partial(
        lambdas.wsd,
        num_warmup_steps=num_warmup_steps,
        num_stable_steps=num_stable_steps,
        num_decay_steps=num_decay_steps,
        warmup_type=warmup_type,
        decay_type=decay_type,
        min_lr_ratio=min_lr_ratio,
        num_cycles=num_cycles,
    )


# ------------------------------------------------------------------------------------------------
# the transformers face: functions returning a torch LambdaLR
# ------------------------------------------------------------------------------------------------
def _lambda_lr(optimizer: Any, lr_lambda: partial, last_epoch: int) -> Any:
    return import_torch("torch.optim.lr_scheduler").LambdaLR(optimizer, lr_lambda, last_epoch=last_epoch)


def _defaults(optimizer: Any) -> DefaultLr:
    return lambda: optimizer.defaults["lr"]


def get_constant_schedule(optimizer: Any, last_epoch: int = -1) -> Any:
    """A constant lr: ``base_lr`` at every update."""
    return _lambda_lr(optimizer, _make_constant(_defaults(optimizer)), last_epoch)


def get_constant_schedule_with_warmup(optimizer: Any, num_warmup_steps: int, last_epoch: int = -1) -> Any:
    """``base_lr * i / num_warmup_steps`` during the warm-up, then ``base_lr``."""
    return _lambda_lr(optimizer, _make_constant_warmup(_defaults(optimizer), num_warmup_steps), last_epoch)


def get_linear_schedule_with_warmup(
    optimizer: Any, num_warmup_steps: int, num_training_steps: int, last_epoch: int = -1
) -> Any:
    """Linear warm-up from 0 to ``base_lr``, then linear decay to 0 at ``num_training_steps``."""
    lam = _make_linear(_defaults(optimizer), num_warmup_steps, num_training_steps)
    return _lambda_lr(optimizer, lam, last_epoch)


def get_cosine_schedule_with_warmup(
    optimizer: Any,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    last_epoch: int = -1,
) -> Any:
    """Linear warm-up, then ``0.5 * (1 + cos(2 pi num_cycles progress))`` (clipped at 0)."""
    lam = _make_cosine(_defaults(optimizer), num_warmup_steps, num_training_steps, num_cycles)
    return _lambda_lr(optimizer, lam, last_epoch)


def get_cosine_with_hard_restarts_schedule_with_warmup(
    optimizer: Any, num_warmup_steps: int, num_training_steps: int, num_cycles: int = 1, last_epoch: int = -1
) -> Any:
    """Linear warm-up, then ``num_cycles`` half-cosines from ``base_lr`` to 0; 0 after training."""
    lam = _make_hard_restarts(_defaults(optimizer), num_warmup_steps, num_training_steps, num_cycles)
    return _lambda_lr(optimizer, lam, last_epoch)


def get_polynomial_decay_schedule_with_warmup(
    optimizer: Any,
    num_warmup_steps: int,
    num_training_steps: int,
    lr_end: float = 1e-7,
    power: float = 1.0,
    last_epoch: int = -1,
) -> Any:
    """Linear warm-up, then ``(lr_init - lr_end) * remaining**power + lr_end`` (``lr_init`` =
    ``optimizer.defaults["lr"]``), then ``lr_end``.

    Raises:
        ValueError: ``lr_end`` is not smaller than the optimizer's lr.
    """
    lam = _make_polynomial(_defaults(optimizer), num_warmup_steps, num_training_steps, lr_end, power)
    return _lambda_lr(optimizer, lam, last_epoch)


def get_inverse_sqrt_schedule(
    optimizer: Any, num_warmup_steps: int, timescale: int | None = None, last_epoch: int = -1
) -> Any:
    """Linear warm-up, then ``1 / sqrt((i + timescale - num_warmup_steps) / timescale)``;
    ``timescale`` defaults to ``num_warmup_steps or 10_000``."""
    lam = _make_inverse_sqrt(_defaults(optimizer), num_warmup_steps, timescale)
    return _lambda_lr(optimizer, lam, last_epoch)


def get_cosine_with_min_lr_schedule_with_warmup(
    optimizer: Any,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    last_epoch: int = -1,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
) -> Any:
    """The cosine schedule floored at ``min_lr_rate`` (or ``min_lr / optimizer.defaults["lr"]``).

    Raises:
        ValueError: both or neither of ``min_lr`` and ``min_lr_rate`` given.
    """
    lam = _make_cosine_min_lr(
        _defaults(optimizer), num_warmup_steps, num_training_steps, num_cycles, min_lr, min_lr_rate
    )
    return _lambda_lr(optimizer, lam, last_epoch)


def get_cosine_with_min_lr_schedule_with_warmup_lr_rate(
    optimizer: Any,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    last_epoch: int = -1,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
    warmup_lr_rate: float | None = None,
) -> Any:
    """The min-lr cosine whose warm-up starts at ``warmup_lr_rate`` (default ``1 / num_warmup_steps``)
    and whose decay is shifted by one step.

    Raises:
        ValueError: both or neither of ``min_lr`` and ``min_lr_rate`` given.
    """
    lam = _make_cosine_min_lr_rate(
        _defaults(optimizer),
        num_warmup_steps,
        num_training_steps,
        num_cycles,
        min_lr,
        min_lr_rate,
        warmup_lr_rate,
    )
    return _lambda_lr(optimizer, lam, last_epoch)


def get_wsd_schedule(
    optimizer: Any,
    num_warmup_steps: int,
    num_decay_steps: int,
    num_training_steps: int | None = None,
    num_stable_steps: int | None = None,
    warmup_type: str = "linear",
    decay_type: str = "cosine",
    min_lr_ratio: float = 0,
    num_cycles: float = 0.5,
    last_epoch: int = -1,
) -> Any:
    """Warm-up, stable, decay (each ``"linear"``, ``"cosine"`` or ``"1-sqrt"``), floored at
    ``min_lr_ratio``; ``num_stable_steps`` defaults to what ``num_training_steps`` leaves.

    Raises:
        ValueError: neither ``num_training_steps`` nor ``num_stable_steps`` given; an unknown
            warm-up or decay type.
    """
    lam = _make_wsd(
        _defaults(optimizer),
        num_warmup_steps,
        num_decay_steps,
        num_training_steps,
        num_stable_steps,
        warmup_type,
        decay_type,
        min_lr_ratio,
        num_cycles,
    )
    return _lambda_lr(optimizer, lam, last_epoch)


# ------------------------------------------------------------------------------------------------
# the experiment face: a param scheduler called once per update, and the registered types
# ------------------------------------------------------------------------------------------------
class LambdaParamScheduler(ParamScheduler):
    """``base * lr_lambda(event_index)`` written into each targeted group, like ``LambdaLR``.

    ``base`` is each group's value of ``param_name`` at construction (LambdaLR's ``initial_lr``).

    Raises:
        ValueError: a param group without ``param_name``.
    """

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        lr_lambda: Callable[[int], float],
        save_history: bool = False,
        param_group_index: int | None = None,
    ):
        super().__init__(optimizer, param_name, save_history, param_group_index=param_group_index)
        for i, group in enumerate(optimizer.param_groups):
            if param_name not in group:
                raise ValueError(f"Param group {i} has no initial value for {param_name!r}")
        self.lr_lambda = lr_lambda
        self.base_values = [group[param_name] for group in optimizer.param_groups]
        self._state_attrs += ["base_values"]

    def get_param(self) -> list[float]:
        factor = self.lr_lambda(self.event_index)
        if self.param_group_index is None:
            return [base * factor for base in self.base_values]
        return [self.base_values[self.param_group_index] * factor]


def _split_kwargs(kwargs: Mapping[str, Any]) -> tuple[str, int | None, dict[str, Any]]:
    kw = dict(kwargs)
    kw.pop("save_history", None)
    return kw.pop("param_name", "lr"), kw.pop("param_group_index", None), kw


def _register(function: str, make: Callable[..., partial], vector: Callable[..., None], **extra: Any) -> None:
    name = PREFIX + function

    def build(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> LambdaParamScheduler:
        param_name, index, kw = _split_kwargs({**inherited, **spec.kwargs})
        first = optimizer.param_groups[0] if optimizer.param_groups else {}
        lam = make(lambda: first[param_name], **kw)
        return LambdaParamScheduler(optimizer, param_name, lam, param_group_index=index)

    def closed_form(kwargs: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
        if "param_name" not in kwargs:
            raise NoClosedForm(CONCAT_CHILD)
        param_name, _, kw = _split_kwargs(kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # building it warned already
            lam = make(lambda: ctx.groups[0][param_name], **kw)
        factors = np.arange(events.start, events.stop, dtype=np.float64)
        for a in range(0, len(factors), CHUNK):  # in cache-sized blocks
            vector(factors[a : a + CHUNK], events.start + a, **lam.keywords)
        bases = np.array([g[param_name] for g in ctx.groups], dtype=np.float64)
        if len(bases) == 1:  # base * factor, as LambdaLR, in place
            return np.multiply(factors, bases[0], out=factors)[np.newaxis]
        return np.multiply.outer(bases, factors)

    register(
        SchedulerType(
            name=name,
            kind="param",
            family="transformers",
            build=build,
            closed_form=closed_form,
            declines=(CONCAT_CHILD,),
            **extra,
        )
    )


def _hard_restart_events(kwargs: Mapping[str, Any], offset: int, stop: int, out: set, limit: int) -> None:
    """Where ``(num_cycles * progress) % 1`` wraps back to 0 before training ends (events > warm-up)."""
    w, total, cycles = kwargs["num_warmup_steps"], kwargs["num_training_steps"], kwargs.get("num_cycles", 1)
    x = np.arange(w, max(w, min(total, stop - offset)), dtype=np.float64)
    lambdas.progress_v(x, w, total)
    np.floor(np.multiply(x, float(cycles), out=x), out=x)
    wraps = np.flatnonzero(x[1:] > x[:-1]) + 1 + w
    for step in wraps[: max(0, limit - len(out))].tolist():
        out.add(offset + step)


_register("get_constant_schedule", _make_constant, lambdas.constant_v)
_register("get_constant_schedule_with_warmup", _make_constant_warmup, lambdas.constant_warmup_v)
_register("get_linear_schedule_with_warmup", _make_linear, lambdas.linear_v)
_register("get_cosine_schedule_with_warmup", _make_cosine, lambdas.cosine_v)
_register(
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    _make_hard_restarts,
    lambdas.hard_restarts_v,
    restarts=_hard_restart_events,
)
_register("get_polynomial_decay_schedule_with_warmup", _make_polynomial, lambdas.polynomial_v)
_register("get_inverse_sqrt_schedule", _make_inverse_sqrt, lambdas.inverse_sqrt_v)
_register("get_cosine_with_min_lr_schedule_with_warmup", _make_cosine_min_lr, lambdas.cosine_min_lr_v)
_register(
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    _make_cosine_min_lr_rate,
    lambdas.cosine_min_lr_rate_v,
)
_register("get_wsd_schedule", _make_wsd, lambdas.wsd_v)
