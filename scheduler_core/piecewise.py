"""Piecewise-linear interpolation between ``(event, value)`` milestones."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import shapes
from .base import ParamScheduler
from .registry import Context, SchedulerType, construct, register

__all__ = ["MilestonesMixin", "PiecewiseLinear", "parse_milestones"]


def parse_milestones(milestones_values: Any) -> tuple[list[int], list[float]]:
    """Split ``[(event, value), ...]`` into milestones and values, checking them like ignite.

    Raises:
        TypeError: not a sequence, or a milestone that is not an integer.
        ValueError: empty, an element that is not a 2-tuple, or a decreasing milestone.
    """
    if not isinstance(milestones_values, Sequence):
        raise TypeError(
            f"Argument milestones_values should be a list or tuple, but given {type(milestones_values)}"
        )
    if len(milestones_values) < 1:
        raise ValueError(
            f"Argument milestones_values should be with at least one value, but given {milestones_values}"
        )
    milestones: list[int] = []
    values: list[float] = []
    for pair in milestones_values:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise ValueError("Argument milestones_values should be a list of pairs (milestone, param_value)")
        if not isinstance(pair[0], numbers.Integral):
            raise TypeError(f"Value of a milestone should be integer, but given {type(pair[0])}")
        if milestones and pair[0] < milestones[-1]:
            raise ValueError(
                f"Milestones should be increasing integers, but given {pair[0]} is smaller "
                f"than the previous milestone {milestones[-1]}"
            )
        milestones.append(pair[0])
        values.append(pair[1])
    return milestones, values


class MilestonesMixin:
    """Interpolation over ``self.milestones``/``self.values`` with a forward-only cursor ``_index``.

    The value at event ``e`` is ``v0 + (v1 - v0) * (e - m0) / (m1 - m0)`` on the segment holding
    ``e``; constant before the first and after the last milestone; with equal milestones the
    later pair wins. The cursor never moves back (as in ignite).
    """

    milestones: list[int]
    values: list[float]
    event_index: int
    _index: int

    def _init_milestones(self, milestones_values: Any) -> None:
        self.milestones, self.values = parse_milestones(milestones_values)
        self._index = 0
        self._state_attrs += ["values", "milestones", "_index"]

    def _segment(self) -> tuple[int, int, float, float]:
        e = self.event_index
        while True:
            if self.milestones[0] > e:
                return e - 1, e, self.values[0], self.values[0]
            if self.milestones[-1] <= e:
                return e, e + 1, self.values[-1], self.values[-1]
            i = self._index
            if self.milestones[i] <= e < self.milestones[i + 1]:
                return self.milestones[i], self.milestones[i + 1], self.values[i], self.values[i + 1]
            self._index += 1

    def get_param(self) -> float:
        """Interpolated value at the current event."""
        start_event, end_event, start_value, end_value = self._segment()
        return start_value + (end_value - start_value) * (self.event_index - start_event) / (
            end_event - start_event
        )


class PiecewiseLinear(MilestonesMixin, ParamScheduler):
    """Linear interpolation of a parameter between ``(event, value)`` milestones.

    Args:
        optimizer: optimizer (or object with ``param_groups``).
        param_name: parameter to schedule.
        milestones_values: non-empty list of ``(event, value)`` tuples, events non-decreasing
            integers.
        save_history: record values in ``engine.state.param_history``.
        param_group_index: schedule only this param group.

    Raises:
        TypeError, ValueError: see :func:`parse_milestones`.

    >>> PiecewiseLinear.simulate_values(7, param_name="lr",
    ...     milestones_values=[(1, 1.0), (3, 0.8), (5, 0.2)])  # doctest: +NORMALIZE_WHITESPACE
    [[0, 1.0], [1, 1.0], [2, 0.9], [3, 0.8], [4, 0.5], [5, 0.2], [6, 0.2]]
    """

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        milestones_values: list[tuple[int, float]],
        save_history: bool = False,
        param_group_index: int | None = None,
    ):
        super().__init__(optimizer, param_name, save_history, param_group_index=param_group_index)
        self._init_milestones(milestones_values)


def _piecewise_closed_form(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    pairs = list(kw["milestones_values"])
    return shapes.piecewise_linear(events, [int(m) for m, _ in pairs], [float(v) for _, v in pairs])


def milestone_restarts(kw: Mapping[str, Any], offset: int, stop: int, out: set[int], limit: int) -> None:
    """PiecewiseLinear's milestones (where a new linear piece starts), after its first event."""
    for m in sorted({int(m) for m, _ in kw.get("milestones_values", ())}):
        if offset + m >= stop or len(out) >= limit:
            return
        if m > 0:
            out.add(offset + m)


register(
    SchedulerType(
        name="PiecewiseLinear",
        kind="param",
        family="ignite",
        build=construct(PiecewiseLinear),
        closed_form=_piecewise_closed_form,
        restarts=milestone_restarts,
        public=PiecewiseLinear,
    )
)
