"""Base classes: the event counter, state dicts and writing values into optimizer param groups."""

from __future__ import annotations

import copy
import sys
from abc import ABCMeta, abstractmethod
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["BaseParamScheduler", "GroupsOptimizer", "ParamScheduler", "default_event", "fake_optimizer"]


def default_event(name: str) -> Any:
    """Return ignite's ``Events.<name>`` when ignite is already loaded, else the lower-case name.

    The product never imports ignite; an ignite ``Engine`` handed to ``attach`` means ignite is in
    ``sys.modules`` already, so its event enum can be looked up there.
    """
    engine_module = sys.modules.get("ignite.engine")
    events = getattr(engine_module, "Events", None)
    return getattr(events, name) if events is not None else name.lower()


class GroupsOptimizer:
    """A light optimizer stand-in: only ``param_groups``, a list of dicts (hashable by identity).

    >>> GroupsOptimizer([{"lr": 0.1}]).param_groups
    [{'lr': 0.1}]
    """

    def __init__(self, param_groups: list[dict[str, Any]]):
        self.param_groups = param_groups

    def __repr__(self) -> str:
        return f"GroupsOptimizer({self.param_groups!r})"


def fake_optimizer() -> GroupsOptimizer:
    """A throw-away one-group optimizer like ignite's (SGD defaults, ``lr=0.01``)."""
    group = {"lr": 0.01, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False}
    return GroupsOptimizer([group])


def history_of(engine: Any) -> dict[str, list]:
    """Return ``engine.state.param_history``, creating the dict when missing or None."""
    history = getattr(engine.state, "param_history", None)
    if history is None:
        history = {}
        engine.state.param_history = history
    return history


class BaseParamScheduler(metaclass=ABCMeta):
    """Abstract scheduler of one named parameter: an event counter plus resumable state.

    Args:
        param_name: name of the scheduled parameter.
        save_history: whether to record values in ``engine.state.param_history``.
    """

    def __init__(self, param_name: str, save_history: bool = False):
        self.param_name = param_name
        self.event_index = 0
        self._save_history = save_history
        self._state_attrs = ["event_index", "param_name", "save_history"]

    @property
    def save_history(self) -> bool:
        return self._save_history

    @save_history.setter
    def save_history(self, value: bool) -> None:
        self._save_history = value

    def state_dict(self) -> dict[str, Any]:
        """Return an ordered dict of the attributes named in ``_state_attrs`` (shallow copies)."""
        state = OrderedDict()
        for name in self._state_attrs:
            if hasattr(self, name):
                value = getattr(self, name)
                if hasattr(value, "state_dict"):
                    value = value.state_dict()
                state[name] = copy.copy(value)
        return state

    def load_state_dict(self, state_dict: Mapping) -> None:
        """Restore attributes from ``state_dict``.

        Raises:
            TypeError: ``state_dict`` is not a mapping.
            ValueError: a required attribute is absent.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Argument state_dict should be a dictionary, but given {type(state_dict)}")
        for name in self._state_attrs:
            if name not in state_dict:
                raise ValueError(
                    f"Required state attribute '{name}' is absent in provided state_dict "
                    f"'{state_dict.keys()}'"
                )
            value = state_dict[name]
            current = getattr(self, name)
            if isinstance(value, Mapping) and hasattr(current, "load_state_dict"):
                current.load_state_dict(value)
            else:
                setattr(self, name, value)

    @abstractmethod
    def get_param(self) -> list[float] | float:
        """Return the value (or one value per group) for the current ``event_index``."""

    @classmethod
    @abstractmethod
    def simulate_values(cls, num_events: int, **scheduler_kwargs: Any) -> list[list]:
        """Return ``[[event_index, value], ...]`` for ``num_events`` events."""

    @classmethod
    def plot_values(cls, num_events: int, *, ax: Any = None, **scheduler_kwargs: Any) -> Any:
        """Plot ``simulate_values(num_events, **scheduler_kwargs)``: one line per value column.

        Args:
            num_events: number of events to simulate.
            ax: a matplotlib ``Axes`` to draw into (legend and grid added, as ignite does);
                ``None`` (default): return a new Plotly figure instead.
            scheduler_kwargs: the arguments of ``simulate_values``.

        Returns:
            A ``plotly.graph_objects.Figure``, or the matplotlib lines drawn into ``ax``.

        Raises:
            ModuleNotFoundError: plotly (``ax=None``) or matplotlib (``ax`` given) is not
                installed; the message says what to ``pip install``.
            TypeError: ``ax`` is not a matplotlib ``Axes``.
        """
        from .plotting import plot_rows

        rows = cls.simulate_values(num_events=num_events, **scheduler_kwargs)
        return plot_rows(rows, scheduler_kwargs.get("param_name", "learning rate"), ax)


class ParamScheduler(BaseParamScheduler):
    """Abstract scheduler writing a value into ``param_groups[...][param_name]`` at each call.

    Args:
        optimizer: a ``torch.optim.Optimizer`` or any object whose ``param_groups`` is a
            list/tuple of dicts.
        param_name: key written into each targeted param group (created if missing).
        save_history: record values in ``engine.state.param_history[name]``.
        param_group_index: target only this group (``None``: every group). Checked at the first
            call: out of range → ``IndexError``, not an int → ``TypeError``.

    Raises:
        TypeError: ``optimizer`` has no list/tuple ``param_groups``.
    """

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        save_history: bool = False,
        param_group_index: int | None = None,
    ):
        super().__init__(param_name, save_history)
        if not isinstance(getattr(optimizer, "param_groups", None), Sequence):
            raise TypeError(
                "Argument optimizer should be torch.optim.Optimizer or has attribute 'param_groups' "
                f"as list/tuple, but given {type(optimizer)}"
            )
        self.optimizer = optimizer
        self.param_group_index = param_group_index
        self._state_attrs += ["param_group_index"]

    def attach(self, engine: Any, event: Any = None) -> None:
        """Register on ``engine`` at ``event`` (default ``Events.ITERATION_STARTED``)."""
        engine.add_event_handler(default_event("ITERATION_STARTED") if event is None else event, self)

    def __call__(self, engine: Any = None, name: str | None = None) -> None:
        """Write the current value into the targeted groups, record history, advance one event."""
        value = self._get_param()
        groups = self.optimizer_param_groups
        if isinstance(value, list):
            if len(value) != len(groups):
                raise ValueError(
                    f"size of value is different than optimizer_param_groups {len(value)} != {len(groups)}"
                )
            for group, group_value in zip(groups, value):
                group[self.param_name] = group_value
        else:
            for group in groups:
                group[self.param_name] = value
        if self.save_history and engine:
            history = history_of(engine)
            history.setdefault(self.param_name if name is None else name, []).append(
                [group[self.param_name] for group in self.optimizer_param_groups]
            )
        self.event_index += 1

    @property
    def optimizer_param_groups(self) -> list[dict[str, Any]]:
        """The targeted param groups: all of them, or the one at ``param_group_index``."""
        if self.param_group_index is None:
            return self.optimizer.param_groups
        return [self.optimizer.param_groups[self.param_group_index]]

    @classmethod
    def simulate_values(cls, num_events: int, **scheduler_kwargs: Any) -> list[list]:
        """Run a fresh scheduler on a one-group stand-in optimizer; ``[[i, value_i], ...]``.

        >>> from scheduler_core import LinearCyclicalScheduler
        >>> LinearCyclicalScheduler.simulate_values(4, param_name="lr", start_value=0.0,
        ...                                         end_value=1.0, cycle_size=4)
        [[0, 0.0], [1, 0.5], [2, 1.0], [3, 0.5]]
        """
        scheduler_kwargs.pop("optimizer", None)
        scheduler_kwargs.pop("save_history", None)
        scheduler = cls(optimizer=fake_optimizer(), save_history=False, **scheduler_kwargs)
        values = []
        for i in range(num_events):
            scheduler(engine=None)
            values.append([i, scheduler.optimizer_param_groups[0][scheduler.param_name]])
        return values

    def _get_param(self) -> list[float] | float:
        """Hook for subclasses that wrap ``get_param`` (cyclical warm-up)."""
        return self.get_param()
