"""The fast path: closed-form evaluation of whole experiments.

Each scheduler type's closed form is registered with the type (:mod:`scheduler_core.registry`);
this module joins them into an experiment's series: schedulers run in list order each event, so
the last one writing a (group, param) pair gives its values.

Whatever has no exact closed form raises :class:`NoClosedForm` (so does a configuration whose
stepping would raise, e.g. a cycle shrinking to size 0);
:func:`scheduler_core.experiment.simulate` then steps the real schedulers instead, so values and
errors stay those of stepping. Any other exception from a closed form is a bug and propagates.

torch is never imported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .events import DEFAULT_EVENT, calls_before, last_call_stamps, num_calls
from .registry import (
    SIDE_DECLINE,
    TYPES,
    Context,
    evaluate_side,
    evaluate_spec,
    expanded,
    scheduled_names,
    side_params,
    state_targets,
    torch_specs,
    written_param,
)
from .shapes import NoClosedForm
from .spec import Experiment, Series

__all__ = ["JOIN_DECLINES", "Context", "NoClosedForm", "evaluate"]

JOIN_DECLINES = (
    "several torch schedulers share the optimizer",
    "a torch scheduler also writes a scheduled param",
    "param_group_index outside the param groups",  # stepping raises, unless a torch child runs alone
    SIDE_DECLINE,
)
"""Why whole experiments decline the closed form whatever their types declare."""


def _targets(spec: Any, count: int) -> list[int]:
    index = spec.kwargs.get("param_group_index")
    if index is None:
        return list(range(count))
    if isinstance(index, bool) or not isinstance(index, int) or not -count <= index < count:
        raise NoClosedForm(f"{JOIN_DECLINES[2]}: {index!r}")
    return [index % count]


def _check_joinable(experiment: Experiment) -> None:
    """Refuse (NoClosedForm) experiments whose schedulers interact in ways not modelled here."""
    torch_all = [t for s in experiment.schedulers for t in torch_specs(s)]
    if len(torch_all) > 1:
        raise NoClosedForm(JOIN_DECLINES[0])
    own = set(scheduled_names(experiment, side=False))
    for t in torch_all:
        if set(TYPES[t.type].side_writes(t.kwargs)) & own:
            raise NoClosedForm(f"{JOIN_DECLINES[1]}: {t.type} writes {TYPES[t.type].side_writes(t.kwargs)}")


def _held(values: np.ndarray, event: str, n: int, ipe: int | None, initial: float) -> np.ndarray:
    """Per iteration: the value written by the last call before it (``initial`` before any)."""
    if event == DEFAULT_EVENT:  # a call before every iteration
        return values
    calls = calls_before(event, n, ipe)
    out = values[np.maximum(calls - 1, 0)] if len(values) else np.empty(n)
    return np.where(calls > 0, out, initial)


def _join(writers: list[tuple[int, str, np.ndarray]], count: int, n: int, ipe: int | None) -> np.ndarray:
    """The value of one (group, param) in force per iteration, ``writers`` being
    ``(order, event, held values)``: the latest call wins."""
    if len({event for _, event, _ in writers}) == 1:  # same calls: the last in list order wins
        return writers[-1][2]
    stamps = np.stack([last_call_stamps(event, order, count, n, ipe) for order, event, _ in writers])
    pick = np.argmax(stamps, axis=0)
    return np.stack([v for _, _, v in writers])[pick, np.arange(n)]


def evaluate(experiment: Experiment, groups: Sequence[Mapping[str, Any]]) -> list[Series]:
    """Closed-form :class:`~scheduler_core.spec.Series` of ``experiment``.

    ``groups`` are the param groups right after the schedulers were built (construction may
    change them). Untouched (group, param) pairs keep their value from ``groups``.

    Raises:
        NoClosedForm: when the experiment must be stepped instead (also when stepping would
            raise an ArithmeticError such as ZeroDivisionError: stepping then raises it at the
            right event).
    """
    n, count, ipe = experiment.num_events, len(groups), experiment.iterations_per_epoch
    names = scheduled_names(experiment)
    _check_joinable(experiment)
    specs = expanded(experiment.schedulers)  # a ParamGroupScheduler's children at its event
    lr_writers = sum(written_param(s) == "lr" for s in specs)
    ctx = Context(
        groups=tuple(groups), chain_ok=lr_writers <= 1, iterations_per_epoch=experiment.iterations_per_epoch
    )
    written: dict[tuple[int | str, str], list[tuple[int, str, np.ndarray]]] = {}
    for order, spec in enumerate(specs if n else ()):  # nothing runs for 0 events
        holder = TYPES[spec.type].holder if spec.type in TYPES else None
        targets = [holder] if holder is not None else _targets(spec, count)
        events = range(num_calls(spec.event, n, ipe))
        own = written_param(spec)
        for name in (own, *side_params(spec)):
            try:
                if not events:  # never called before the last iteration (closed forms need events)
                    values = np.empty(0, dtype=np.float64)
                elif name == own:
                    values = evaluate_spec(spec, events, ctx)
                else:
                    values = evaluate_side(spec, name, events, ctx)
            except ArithmeticError as exc:  # the same Python arithmetic raises when stepping
                raise NoClosedForm(f"stepping raises: {spec.type}: {type(exc).__name__}: {exc}") from exc
            for g in targets if name == own else range(count):  # side writes: every group
                row = values[g] if values.ndim == 2 else values
                initial = TYPES[spec.type].unset if holder is not None else float(groups[g][name])
                held = _held(row, spec.event, n, ipe, initial)
                written.setdefault((g, name), []).append((order, spec.event, held))
    result, seen = [], set()
    for g, group in enumerate(experiment.param_groups):
        for name in names:
            writers = written.get((g, name))
            if writers is None:
                values = np.full(n, float(groups[g][name]), dtype=np.float64)
            else:
                values = _join(writers, len(specs), n, ipe)
            if id(values) in seen or values.base is not None and id(values.base) in seen:
                values = values.copy()
            seen.add(id(values))
            result.append(Series(g, group.name, name, values))
    for holder, name in state_targets(experiment):  # written by state-kind schedulers
        values = _join(written[(holder, name)], len(specs), n, ipe) if n else np.empty(0, dtype=np.float64)
        result.append(Series(-1, holder, name, values))
    return result
