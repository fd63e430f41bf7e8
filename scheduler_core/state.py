"""State schedulers: set an attribute of ``engine.state`` instead of an optimizer param group."""

from __future__ import annotations

import warnings
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np

from . import shapes
from .base import BaseParamScheduler, default_event, history_of
from .expressions import COSTLY, CostExceeded, Expression, as_callable
from .piecewise import MilestonesMixin, parse_milestones
from .registry import Context, SchedulerType, register
from .shapes import NoClosedForm
from .spec import SchedulerSpec

__all__ = [
    "StateParamScheduler",
    "LambdaStateScheduler",
    "PiecewiseLinearStateScheduler",
    "ExpStateScheduler",
    "StepStateScheduler",
    "MultiStepStateScheduler",
]


class StateParamScheduler(BaseParamScheduler):
    """Abstract scheduler of ``engine.state.<param_name>``.

    Each call first advances ``event_index``, then sets the attribute to ``get_param()``, so the
    first value produced is the one for index 1.

    Args:
        param_name: attribute of ``engine.state`` to set.
        save_history: record values in ``engine.state.param_history[param_name]``.
        create_new: the attribute must not exist yet when attaching.
    """

    def __init__(self, param_name: str, save_history: bool = False, create_new: bool = False):
        super().__init__(param_name, save_history)
        self.create_new = create_new

    def attach(self, engine: Any, event: Any = None) -> None:
        """Register on ``engine`` at ``event`` (default ``Events.ITERATION_COMPLETED``).

        Raises:
            ValueError: ``create_new`` and ``engine.state`` already has the attribute.
        """
        if hasattr(engine.state, self.param_name):
            if self.create_new:
                raise ValueError(
                    f"Attribute '{self.param_name}' already exists in the engine.state. "
                    "This may be a conflict between multiple handlers. Please choose another name."
                )
        else:
            if not self.create_new:
                warnings.warn(
                    f"Attribute '{self.param_name}' is not defined in the engine.state. "
                    f"{type(self).__name__} will create it. Remove this warning by setting "
                    "create_new=True.",
                    stacklevel=2,
                )
            setattr(engine.state, self.param_name, None)
        if self.save_history:
            history_of(engine).setdefault(self.param_name, [])
        engine.add_event_handler(default_event("ITERATION_COMPLETED") if event is None else event, self)

    def __call__(self, engine: Any) -> None:
        """Advance one event, then set ``engine.state.<param_name>``."""
        self.event_index += 1
        value = self.get_param()
        setattr(engine.state, self.param_name, value)
        if self.save_history:
            engine.state.param_history[self.param_name].append(value)

    @classmethod
    def simulate_values(cls, num_events: int, **scheduler_kwargs: Any) -> list[list]:
        """Rows ``[i, value after call i]`` (the value for index ``i + 1``).

        >>> ExpStateScheduler.simulate_values(3, initial_value=1.0, gamma=0.5, param_name="p")
        [[0, 0.5], [1, 0.25], [2, 0.125]]
        """
        scheduler_kwargs.pop("save_history", None)
        scheduler = cls(save_history=False, **scheduler_kwargs)
        engine = SimpleNamespace(state=SimpleNamespace())
        values = []
        for i in range(num_events):
            scheduler(engine=engine)
            values.append([i, getattr(engine.state, scheduler_kwargs["param_name"])])
        return values


class LambdaStateScheduler(StateParamScheduler):
    """Value ``lambda_obj(event_index)``; ``lambda_obj`` may keep state (its ``state_dict`` is saved).

    Raises:
        ValueError: ``lambda_obj`` is not callable.
    """

    def __init__(
        self,
        lambda_obj: Callable[[int], Any],
        param_name: str,
        save_history: bool = False,
        create_new: bool = False,
    ):
        super().__init__(param_name, save_history, create_new)
        if not callable(lambda_obj):
            raise ValueError("Expected lambda_obj to be callable.")
        self.lambda_obj = lambda_obj
        self._state_attrs += ["lambda_obj"]

    def get_param(self) -> Any:
        return self.lambda_obj(self.event_index)


class PiecewiseLinearStateScheduler(MilestonesMixin, StateParamScheduler):
    """Piecewise-linear state value between ``(event, value)`` milestones (as :class:`PiecewiseLinear`)."""

    def __init__(
        self,
        milestones_values: list[tuple[int, float]],
        param_name: str,
        save_history: bool = False,
        create_new: bool = False,
    ):
        super().__init__(param_name, save_history, create_new)
        self._init_milestones(milestones_values)


class ExpStateScheduler(StateParamScheduler):
    """Value ``initial_value * gamma ** event_index``."""

    def __init__(
        self,
        initial_value: float,
        gamma: float,
        param_name: str,
        save_history: bool = False,
        create_new: bool = False,
    ):
        super().__init__(param_name, save_history, create_new)
        self.initial_value = initial_value
        self.gamma = gamma
        self._state_attrs += ["initial_value", "gamma"]

    def get_param(self) -> float:
        return self.initial_value * self.gamma**self.event_index


class StepStateScheduler(StateParamScheduler):
    """Value ``initial_value * gamma ** (event_index // step_size)``."""

    def __init__(
        self,
        initial_value: float,
        gamma: float,
        step_size: int,
        param_name: str,
        save_history: bool = False,
        create_new: bool = False,
    ):
        super().__init__(param_name, save_history, create_new)
        self.initial_value = initial_value
        self.gamma = gamma
        self.step_size = step_size
        self._state_attrs += ["initial_value", "gamma", "step_size"]

    def get_param(self) -> float:
        return self.initial_value * self.gamma ** (self.event_index // self.step_size)


class MultiStepStateScheduler(StateParamScheduler):
    """Value ``initial_value * gamma ** (number of milestones <= event_index)``."""

    def __init__(
        self,
        initial_value: float,
        gamma: float,
        milestones: Sequence[int],
        param_name: str,
        save_history: bool = False,
        create_new: bool = False,
    ):
        super().__init__(param_name, save_history, create_new)
        self.initial_value = initial_value
        self.gamma = gamma
        self.milestones = milestones
        self._state_attrs += ["initial_value", "gamma", "milestones"]

    def get_param(self) -> float:
        return self.initial_value * self.gamma ** bisect_right(self.milestones, self.event_index)


# ------------------------------------------------------------------------------------------------
# the state types: the k-th call (from 0) sets the value for index k + 1
# ------------------------------------------------------------------------------------------------
STATE_HOLDER = "engine.state"
LAMBDA_DECLINES = ("lambda_obj is a Python callable", COSTLY)
POWER_DECLINES = ("initial_value and gamma not both floats",)
MILESTONE_DECLINES = ("milestones not increasing",)


def _indices(events: range) -> range:
    return range(1, len(events) + 1)


def _powers(kw: Mapping[str, Any], exponents: np.ndarray) -> np.ndarray:
    """``initial_value * gamma ** k`` with Python floats, once per distinct ``k`` (as stepping)."""
    initial, gamma = kw["initial_value"], kw["gamma"]
    if type(initial) is not float or type(gamma) is not float:
        raise NoClosedForm(POWER_DECLINES[0])
    if exponents.size == 0:
        return np.empty(0, dtype=np.float64)
    levels = np.array([initial * gamma**k for k in range(int(exponents.max()) + 1)], dtype=np.float64)
    return levels[exponents]


def _exp_closed_form(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    return _powers(kw, np.arange(1, len(events) + 1))


def _step_closed_form(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    return _powers(kw, np.arange(1, len(events) + 1) // kw["step_size"])


def _multistep_closed_form(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    milestones = list(kw["milestones"])
    if any(b <= a for a, b in zip(milestones, milestones[1:])):
        raise NoClosedForm(MILESTONE_DECLINES[0])
    counts = np.searchsorted(
        np.asarray(milestones, dtype=np.int64), np.arange(1, len(events) + 1), side="right"
    )
    return _powers(kw, counts)


def _piecewise_closed_form(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    milestones, values = parse_milestones(kw["milestones_values"])
    return shapes.piecewise_linear(_indices(events), milestones, [float(v) for v in values])


def _lambda_closed_form(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    fn = as_callable(kw["lambda_obj"], "event")
    if not isinstance(fn, Expression):
        raise NoClosedForm(LAMBDA_DECLINES[0])
    try:
        return fn.floats(np.arange(1, len(events) + 1))
    except CostExceeded as exc:
        raise NoClosedForm(COSTLY) from exc
    except Exception as exc:  # noqa: BLE001 - stepping raises it at its event
        raise NoClosedForm(f"stepping raises: {type(exc).__name__}: {exc}") from exc


def _build_state(cls: type) -> Callable:
    def build(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> Any:
        kw = dict(spec.kwargs)
        if "lambda_obj" in kw:
            kw["lambda_obj"] = as_callable(kw["lambda_obj"], "event")
        return cls(**kw)

    return build


for _cls, _form, _declines in (
    (ExpStateScheduler, _exp_closed_form, POWER_DECLINES),
    (StepStateScheduler, _step_closed_form, POWER_DECLINES),
    (MultiStepStateScheduler, _multistep_closed_form, POWER_DECLINES + MILESTONE_DECLINES),
    (PiecewiseLinearStateScheduler, _piecewise_closed_form, ()),
    (LambdaStateScheduler, _lambda_closed_form, LAMBDA_DECLINES),
):
    register(
        SchedulerType(
            name=_cls.__name__,
            kind="state",
            family="ignite",
            build=_build_state(_cls),
            closed_form=_form,
            holder=STATE_HOLDER,
            public=_cls,
            declines=_declines,
        )
    )
