"""Schedulers built from other schedulers: concatenation, param groups, and the warm-up helper."""

from __future__ import annotations

import copy
import dataclasses
import numbers
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from . import shapes
from .base import ParamScheduler
from .piecewise import PiecewiseLinear
from .registry import (
    TYPES,
    Context,
    SchedulerType,
    build_spec,
    build_torch,
    collect_restarts,
    evaluate_spec,
    register,
    torch_specs,
)
from .shapes import NoClosedForm
from .spec import SchedulerSpec
from .torch_schedules import evaluate_torch, torch_restarts
from .torch_wrappers import LRScheduler, is_torch_lr_scheduler

__all__ = ["ConcatScheduler", "ParamGroupScheduler", "create_lr_scheduler_with_warmup"]


def _flatten(items: Sequence[Any]) -> list[Any]:
    return [x for item in items for x in (item if isinstance(item, list) else [item])]


def _unique(items: list[Any], what: str) -> Any:
    distinct = list(set(items))
    if len(distinct) != 1:
        raise ValueError(f"schedulers should be related to same {what}")
    return distinct[0]


def _child_states(state_dict: Any, count: int, kind: str) -> Sequence[Any]:
    """``state_dict["schedulers"]``, checked to be a mapping's entry holding ``count`` states.

    Raises:
        TypeError: ``state_dict`` is not a mapping.
        ValueError: no ``"schedulers"`` entry, or the wrong number of child states.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"Argument state_dict should be a dictionary, but given {type(state_dict)}")
    if "schedulers" not in state_dict:
        raise ValueError(
            f"Required state attribute 'schedulers' is absent in provided state_dict '{state_dict.keys()}'"
        )
    child_states = state_dict["schedulers"]
    if len(child_states) != count:
        raise ValueError(
            f"Input state_dict contains {len(child_states)} state_dicts of {kind}, but {count} needed"
        )
    return child_states


def _snapshot(schedulers: Sequence[Any], optimizer: Any) -> tuple[list[Any], Any]:
    """Deep copies of the schedulers' and the optimizer's state, for ``simulate_values``."""
    states = [copy.deepcopy(s.state_dict()) for s in schedulers]
    if hasattr(optimizer, "state_dict"):
        return states, copy.deepcopy(optimizer.state_dict())
    return states, copy.deepcopy(list(optimizer.param_groups))


def _restore(schedulers: Sequence[Any], optimizers: Sequence[Any], snapshot: tuple) -> None:
    states, optimizer_state = snapshot
    for scheduler, state in zip(schedulers, states):
        scheduler.load_state_dict(state)
    for optimizer in optimizers:
        if hasattr(optimizer, "load_state_dict"):
            optimizer.load_state_dict(copy.deepcopy(optimizer_state))
        else:
            for group, saved in zip(optimizer.param_groups, optimizer_state):
                group.clear()
                group.update(saved)


class ConcatScheduler(ParamScheduler):
    """Run scheduler ``i`` for ``durations[i]`` events, then the next; the last runs forever.

    Each child keeps its own event counter (the next child starts at its own index 0). A
    duration of 0 skips a child; a negative duration never switches.

    Args:
        schedulers: two or more :class:`ParamScheduler` / :class:`ParamGroupScheduler` on one
            optimizer and one ``param_name``.
        durations: ``len(schedulers) - 1`` integers.
        save_history: record values in ``engine.state.param_history``.

    Raises:
        TypeError: ``schedulers`` not a sequence, ``durations`` not a list/tuple, or an
            element that is not a scheduler.
        ValueError: fewer than two schedulers, a non-integer duration, a count mismatch,
            several optimizers or several param names.

    >>> from scheduler_core import GroupsOptimizer, LinearCyclicalScheduler, CosineAnnealingScheduler
    >>> opt = GroupsOptimizer([{"lr": 0.0}])
    >>> a = LinearCyclicalScheduler(opt, "lr", 0.0, 1.0, cycle_size=4)
    >>> b = CosineAnnealingScheduler(opt, "lr", 1.0, 0.0, cycle_size=4)
    >>> s = ConcatScheduler([a, b], durations=[2])
    >>> values = []
    >>> for _ in range(4):
    ...     s(None)
    ...     values.append(round(opt.param_groups[0]["lr"], 4))
    >>> values
    [0.0, 0.5, 1.0, 0.8536]
    """

    def __init__(self, schedulers: Sequence[Any], durations: Sequence[int], save_history: bool = False):
        if not isinstance(schedulers, Sequence):
            raise TypeError(f"Argument schedulers should be a sequence, but given {schedulers}")
        if len(schedulers) < 2:
            raise ValueError(
                f"Argument schedulers should be of more than one parameter schedulers, but given {schedulers}"
            )
        if not isinstance(durations, (list, tuple)):
            raise TypeError(f"Argument durations should be list/tuple, but given {durations}")
        if not all(isinstance(d, numbers.Integral) for d in durations):
            raise ValueError(f"Argument durations should be list/tuple of integers, but given {durations}")
        if len(schedulers) != len(durations) + 1:
            raise ValueError(
                "Incorrect number schedulers or duration values, "
                f"given {len(schedulers)} and {len(durations)}"
            )
        for i, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, (ParamScheduler, ParamGroupScheduler)):
                raise TypeError(
                    f"Value at index {i} of schedulers should be a parameter scheduler, "
                    f"but given {type(scheduler)}"
                )
        self.schedulers = schedulers
        self.durations = durations
        optimizer = _unique(_flatten([s.optimizer for s in schedulers]), "optimizer")
        param_name = _unique(_flatten([s.param_name for s in schedulers]), "param_name")
        for scheduler in schedulers:
            scheduler.save_history = save_history
        super().__init__(optimizer=optimizer, param_name=param_name, save_history=save_history)
        self._scheduler_index = 0
        self._setup_scheduler()
        self._state_attrs += ["_current_duration", "durations", "_scheduler_index"]

    def _setup_scheduler(self) -> None:
        index = self._scheduler_index
        self._current_scheduler = self.schedulers[index]
        self._current_duration = self.durations[index] if index < len(self.durations) else -1

    def __call__(self, engine: Any = None, name: str | None = None) -> None:
        """Switch to the next child when the current one's duration is used up, then call it."""
        if self._current_duration == 0:
            self._scheduler_index += 1
            self._setup_scheduler()
        self._current_scheduler(engine, name)
        self._current_duration -= 1

    def state_dict(self) -> dict[str, Any]:
        """The base state plus ``"schedulers"``: every child's state dict."""
        state = super().state_dict()
        state["schedulers"] = [s.state_dict() for s in self.schedulers]
        return state

    def load_state_dict(self, state_dict: Mapping) -> None:
        """Restore children, then own attributes, then re-select the current child."""
        child_states = _child_states(state_dict, len(self.schedulers), "concatenated schedulers")
        for scheduler, child_state in zip(self.schedulers, child_states):
            scheduler.load_state_dict(child_state)
        super().load_state_dict(state_dict)
        self._current_scheduler = self.schedulers[self._scheduler_index]

    @property
    def optimizer_param_groups(self) -> list[dict[str, Any]]:
        return self._current_scheduler.optimizer_param_groups

    @property
    def save_history(self) -> bool:
        return self._current_scheduler.save_history

    @save_history.setter
    def save_history(self, value: bool) -> None:
        for scheduler in self.schedulers:
            scheduler.save_history = value

    def get_param(self) -> list[float] | float:
        return self._current_scheduler.get_param()

    @classmethod
    def simulate_values(  # type: ignore[override]
        cls,
        num_events: int,
        schedulers: Sequence[Any],
        durations: Sequence[int],
        param_names: Sequence[str] | None = None,
    ) -> list[list]:
        """Rows ``[i, *values]`` (every targeted group, per name in ``param_names``).

        The children's and the optimizer's state is restored afterwards; children keep
        ``save_history=False``.

        Raises:
            TypeError: ``param_names`` is not a list/tuple.
            ValueError: a name is not a string; the schedulers use several optimizers.
        """
        if param_names is not None:
            if not isinstance(param_names, (list, tuple)):
                raise TypeError(
                    f"Argument param_names should be list or tuple, but given {type(param_names)}"
                )
            if not all(isinstance(n, str) for n in param_names):
                raise ValueError(
                    f"Argument param_names should be list or tuple of strings, but given {param_names}"
                )
        optimizer = _unique(_flatten([s.optimizer for s in schedulers]), "optimizer")
        snapshot = _snapshot(schedulers, optimizer)
        for scheduler in schedulers:
            scheduler.save_history = False
        concat = cls(schedulers=schedulers, save_history=False, durations=durations)
        names = [concat.param_name] if param_names is None else param_names
        rows = []
        for i in range(num_events):
            concat(engine=None)
            row: list[Any] = [i]
            for name in names:
                row += [group[name] for group in concat.optimizer_param_groups]
            rows.append(row)
        _restore(schedulers, [optimizer], snapshot)
        return rows


class ParamGroupScheduler:
    """Call several schedulers (typically one per param group) as one handler.

    Args:
        schedulers: list/tuple of :class:`ParamScheduler`.
        names: history names, one per scheduler (default: their ``param_name``).
        save_history: record values in ``engine.state.param_history``.

    Raises:
        TypeError: ``schedulers`` not a sequence, ``names`` not a list/tuple.
        ValueError: an element is not a ParamScheduler, a name is not a string, or the
            lengths differ.
    """

    def __init__(
        self,
        schedulers: Sequence[ParamScheduler],
        names: Sequence[str] | None = None,
        save_history: bool = False,
    ):
        if not isinstance(schedulers, Sequence):
            raise TypeError(f"Argument schedulers should be a list/tuple, but given {schedulers}")
        if not all(isinstance(s, ParamScheduler) for s in schedulers):
            raise ValueError(
                f"Argument schedulers should be a list/tuple of parameter schedulers, but given {schedulers}"
            )
        if names is None:
            names = [s.param_name for s in schedulers]
        if not isinstance(names, (list, tuple)):
            raise TypeError(f"Argument names should be a list/tuple, but given {names}")
        if not all(isinstance(n, str) for n in names):
            raise ValueError(
                f"Argument names should be a list/tuple of parameter scheduler's names, but given {names}"
            )
        if len(names) != len(schedulers):
            raise ValueError(f"{len(schedulers)} should be equal {len(names)}")
        self.schedulers = schedulers
        self.names = names
        for scheduler in schedulers:
            scheduler.save_history = save_history
        self.optimizer = [s.optimizer for s in schedulers]
        self.param_name = [s.param_name for s in schedulers]

    def __call__(self, engine: Any = None, name: str | None = None) -> None:
        """Call every child with its own name (``name`` is ignored, as in ignite)."""
        for scheduler, child_name in zip(self.schedulers, self.names):
            scheduler(engine, child_name)

    @property
    def optimizer_param_groups(self) -> list[dict[str, Any]]:
        return [group for s in self.schedulers for group in s.optimizer_param_groups]

    @property
    def save_history(self) -> bool:
        return self.schedulers[0].save_history

    @save_history.setter
    def save_history(self, value: bool) -> None:
        for scheduler in self.schedulers:
            scheduler.save_history = value

    def state_dict(self) -> dict[str, list[Any]]:
        """``{"schedulers": [(name, child_state_dict), ...]}``."""
        state: dict[str, list[Any]] = OrderedDict()
        state["schedulers"] = [(n, s.state_dict()) for n, s in zip(self.names, self.schedulers)]
        return state

    def load_state_dict(self, state_dict: Mapping) -> None:
        """Restore every child, checking the count and the names."""
        child_states = _child_states(state_dict, len(self.schedulers), "param group schedulers")
        for required, scheduler, (name, child_state) in zip(self.names, self.schedulers, child_states):
            if required != name:
                raise ValueError(
                    "Name of scheduler from input state dict does not correspond to required one, "
                    f"{name} vs {required}"
                )
            scheduler.load_state_dict(child_state)

    def get_param(self) -> list[Any]:
        """Every child's current ``get_param()``."""
        return [s.get_param() for s in self.schedulers]

    @classmethod
    def simulate_values(
        cls, num_events: int, schedulers: Sequence[ParamScheduler], **kwargs: Any
    ) -> list[list]:
        """Rows ``[i, child0.get_param(), ...]`` recorded *before* each call; state restored after."""
        snapshot = _snapshot(schedulers, schedulers[0].optimizer)
        group_scheduler = cls(schedulers=schedulers, **kwargs)
        rows = []
        for i in range(num_events):
            rows.append([i] + [s.get_param() for s in schedulers])
            group_scheduler(engine=None)
        _restore(schedulers, [s.optimizer for s in schedulers], snapshot)
        return rows


def create_lr_scheduler_with_warmup(
    lr_scheduler: Any,
    warmup_start_value: float,
    warmup_duration: int,
    warmup_end_value: float | None = None,
    save_history: bool = False,
    output_simulated_values: list | None = None,
) -> ConcatScheduler:
    """Prefix ``lr_scheduler`` with a linear warm-up of ``warmup_duration`` events per group.

    The warm-up goes from ``warmup_start_value`` to ``warmup_end_value`` (default: each group's
    current ``lr``). For a torch scheduler whose group lr differs from the warm-up end, one
    extra event holding the group lr is inserted; for a :class:`ParamScheduler` whose first
    value equals the warm-up end, the warm-up is shortened by one event so the value is not
    repeated.

    Args:
        lr_scheduler: a ``torch.optim.lr_scheduler`` scheduler or a :class:`ParamScheduler`.
        warmup_start_value: first value of the warm-up.
        warmup_duration: warm-up events, an ``int`` of at least 2.
        warmup_end_value: last warm-up value (default: each group's ``lr``).
        save_history: record values in ``engine.state.param_history``.
        output_simulated_values: optional list filled in place with ``[i, lr, ...]`` rows.

    Raises:
        TypeError: wrong ``lr_scheduler`` type, non-int ``warmup_duration``, or
            ``output_simulated_values`` not a list.
        ValueError: ``warmup_duration`` smaller than 2.
    """
    torch_scheduler = is_torch_lr_scheduler(lr_scheduler)
    if not (torch_scheduler or isinstance(lr_scheduler, ParamScheduler)):
        raise TypeError(
            "Argument lr_scheduler should be a subclass of torch.optim.lr_scheduler.LRScheduler "
            f"or ParamScheduler, but given {type(lr_scheduler)}"
        )
    if not isinstance(warmup_duration, int):
        raise TypeError(f"Argument warmup_duration should be integer, but given {warmup_duration}")
    if not (warmup_duration > 1):
        raise ValueError(f"Argument warmup_duration should be at least 2 events, but given {warmup_duration}")

    warmups: list[ParamScheduler] = []
    milestones_values: list[tuple[int, float]] = []
    for group_index, group in enumerate(lr_scheduler.optimizer.param_groups):
        end_value = group["lr"] if warmup_end_value is None else warmup_end_value
        milestones_values = [(0, warmup_start_value), (warmup_duration - 1, end_value)]
        # ignite rebinds lr_scheduler to its LRScheduler wrapper inside this loop, so only the
        # first group takes the torch branch; later groups see the wrapper (a ParamScheduler).
        if is_torch_lr_scheduler(lr_scheduler):
            init_lr = group["lr"]
            if init_lr != end_value:
                milestones_values.append((warmup_duration, init_lr))
            lr_scheduler.last_epoch += 1
            lr_scheduler = LRScheduler(lr_scheduler, save_history=save_history)
        elif lr_scheduler.get_param() == end_value:
            if warmup_duration > 2:
                step = (end_value - warmup_start_value) / (warmup_duration - 1)
                milestones_values[-1] = (warmup_duration - 2, end_value - step)
            else:
                milestones_values.pop(-1)
        warmups.append(
            PiecewiseLinear(
                lr_scheduler.optimizer,
                param_name="lr",
                milestones_values=milestones_values,
                param_group_index=group_index,
                save_history=save_history,
            )
        )

    schedulers = [ParamGroupScheduler(warmups, save_history=save_history), lr_scheduler]
    durations = [milestones_values[-1][0] + 1]
    combined = ConcatScheduler(schedulers, durations=durations, save_history=save_history)
    if output_simulated_values is not None:
        if not isinstance(output_simulated_values, list):
            raise TypeError(
                "Argument output_simulated_values should be a list of None, e.g. `[None] * 100`, "
                f"but given {type(output_simulated_values)}."
            )
        rows = ConcatScheduler.simulate_values(
            num_events=len(output_simulated_values), schedulers=schedulers, durations=durations
        )
        output_simulated_values[:] = rows
    return combined


# ------------------------------------------------------------------------------------------------
# the ConcatScheduler type: children joined on relative time
# ------------------------------------------------------------------------------------------------
CONCAT_PASSES_DOWN = ("param_name", "param_group_index")
CONCAT_DECLINES = ("torch child in a ConcatScheduler with param_group_index",)


def _spec_list(value: Any) -> list:
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"Argument schedulers should be a list of SchedulerSpec, but given {value!r}")
    return list(value)


def _build_concat(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> Any:
    kw = dict(spec.kwargs)
    passed = {k: kw.pop(k) for k in CONCAT_PASSES_DOWN if k in kw} or dict(inherited)
    children = [build_spec(c, optimizer, passed) for c in _spec_list(kw.pop("schedulers", None))]
    return ConcatScheduler(schedulers=children, **kw)


def concat_segments(durations: Sequence[int], count: int, n: int) -> Iterator[tuple[int, int, int]]:
    """Yield ``(child, first, stop)``: which child of a ConcatScheduler runs events first..stop-1.

    Child i runs ``durations[i]`` events; a zero first duration skips child 0; a child reached
    with a duration <= 0 (and the last child) runs for ever, as in ignite.

    >>> list(concat_segments([3, 2], 3, 10))
    [(0, 0, 3), (1, 3, 5), (2, 5, 10)]
    >>> list(concat_segments([0, 0], 3, 4))
    [(1, 0, 4)]
    """

    def dur(i: int) -> int:
        return int(durations[i]) if i < len(durations) else -1

    i, cur, t = 0, dur(0), 0
    if cur == 0:
        i, cur = 1, dur(1)
    while t < n:
        if cur <= 0 or i >= count - 1:
            yield i, t, n
            return
        yield i, t, min(t + cur, n)
        t, i = t + cur, i + 1
        cur = dur(i)


def _concat_closed_form(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    children = list(kw["schedulers"])
    parts = []
    for i, a, b in concat_segments(kw["durations"], len(children), len(events)):
        sub = ctx if a == 0 else dataclasses.replace(ctx, chain_ok=False)
        parts.append((a, b, evaluate_spec(children[i], events[: b - a], sub)))
    rows = max((p.shape[0] if p.ndim == 2 else 0 for _, _, p in parts), default=0)
    if rows and kw.get("param_group_index") is not None:
        # a torch child writes every group whatever the Concat's index (also when it is the only
        # child reached within the events)
        raise NoClosedForm(CONCAT_DECLINES[0])
    if len(parts) <= 1:
        return parts[0][2] if parts else np.empty(0, dtype=np.float64)
    out = np.empty((rows, len(events)) if rows else len(events), dtype=np.float64)
    for a, b, p in parts:
        out[..., a:b] = p
    return out


def _concat_restarts(
    kw: Mapping[str, Any], offset: int, stop: int, out: set[int], limit: int, ctx: Context | None = None
) -> None:
    """Child starts of a ConcatScheduler (laid out by :func:`concat_segments`), then each
    child's own restarts."""
    children = list(kw.get("schedulers", ()))
    if not children:
        return
    for i, first, end in concat_segments(kw.get("durations", ()), len(children), stop - offset):
        if i > 0 and len(out) < limit:
            out.add(offset + first)
        collect_restarts(children[i], offset + first, offset + end, out, limit, ctx)


register(
    SchedulerType(
        name="ConcatScheduler",
        kind="composite",
        family="ignite",
        build=_build_concat,
        step_cost=0.05,  # hands each event to its active child
        closed_form=_concat_closed_form,
        restarts=_concat_restarts,
        children=lambda kw: tuple(kw.get("schedulers", ())),
        passes_down=CONCAT_PASSES_DOWN,
        public=ConcatScheduler,
        declines=CONCAT_DECLINES,
    )
)


# ------------------------------------------------------------------------------------------------
# the create_lr_scheduler_with_warmup type
# ------------------------------------------------------------------------------------------------
WARMUP_DECLINES = (
    "warm-up helper over a torch scheduler with several groups (ignite re-binds its scheduler)",
    "warm-up helper over a torch-based or skipping ignite scheduler",
)


def _wraps_ignite(inner: Any) -> bool:
    """Whether a warm-up's ``lr_scheduler`` spec is an ignite scheduler (else a torch one)."""
    t = TYPES.get(getattr(inner, "type", None))
    return isinstance(inner, SchedulerSpec) and t is not None and t.kind != "torch"


def _build_warmup(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> Any:
    kw = dict(spec.kwargs)  # writes "lr" of every group: a Concat's inherited keys do not apply
    inner = kw.get("lr_scheduler")
    if _wraps_ignite(inner):  # an ignite scheduler on lr
        lr = {} if "param_name" in inner.kwargs else {"param_name": "lr"}
        kw["lr_scheduler"] = build_spec(inner, optimizer, lr)
    else:
        kw["lr_scheduler"] = build_torch(inner, optimizer)
    return create_lr_scheduler_with_warmup(**kw)


def _warmup_plans(kw: Mapping[str, Any], ctx: Context) -> list[tuple[list[int], list[float]]]:
    """Each group's warm-up milestones ``(events, values)``, as ignite lays them out (see
    :func:`_warmup_closed_form`); the wrapped scheduler starts after the last group's.

    Raises:
        NoClosedForm: configurations the warm-up's closed form declines.
    """
    inner = kw["lr_scheduler"]
    duration, start = kw["warmup_duration"], kw["warmup_start_value"]
    wanted = kw.get("warmup_end_value")
    torch_inner = not _wraps_ignite(inner)
    if torch_inner and len(ctx.groups) != 1:
        raise NoClosedForm(WARMUP_DECLINES[0])
    if not torch_inner and (
        TYPES[inner.type].writes is not None  # a torch-based wrapper inside the warm-up
        or any(True for _ in torch_specs(inner))
        or (inner.type == "ConcatScheduler" and inner.kwargs["durations"][0] == 0)
    ):  # ignite compares get_param() of these in ways not modelled here
        raise NoClosedForm(WARMUP_DECLINES[1])
    first = None if torch_inner else evaluate_spec(inner, range(1), ctx)
    plans = []
    for g, group in enumerate(ctx.groups):
        end = group["lr"] if wanted is None else wanted
        milestones = [(0, start), (duration - 1, end)]
        if torch_inner:
            if group["lr"] != end:
                milestones.append((duration, group["lr"]))
        elif (first[0] if first.ndim == 1 else first[g, 0]) == end:
            if duration > 2:
                milestones[-1] = (duration - 2, end - (end - start) / (duration - 1))
            else:
                milestones.pop()
        plans.append(([m for m, _ in milestones], [float(v) for _, v in milestones]))
    return plans


def _warmup_closed_form(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    """Per-group linear warm-ups joined to the wrapped scheduler.

    Group i warms up along ``[(0, start), (d - 1, end_i)]`` (``end_i``: ``warmup_end_value`` or
    the group's lr). A torch scheduler whose group lr differs from ``end_i`` gets one extra event
    ``(d, lr)``; an ignite scheduler whose first value equals ``end_i`` gets a warm-up shortened
    by one event (``d > 2``: last milestone ``(d - 2, end_i - step)``; ``d == 2``: start only).
    The wrapped scheduler starts after the last group's milestones.
    """
    inner = kw["lr_scheduler"]
    torch_inner = not _wraps_ignite(inner)
    plans = _warmup_plans(kw, ctx)
    span = plans[-1][0][-1] + 1
    k = min(span, len(events))
    out = np.empty((len(ctx.groups), len(events)), dtype=np.float64)
    for g, (ms, vs) in enumerate(plans):
        out[g, :k] = shapes.piecewise_linear(events[:k], ms, vs)
    if len(events) > span:
        rest = events[: len(events) - span]
        if torch_inner:
            handover = (float(out[0, span - 1]),)
            sub = dataclasses.replace(ctx, last_epoch0=1, lr_start=handover)
            out[:, span:] = evaluate_torch(inner, rest, sub)
        else:
            out[:, span:] = evaluate_spec(inner, rest, ctx)
    return out


def _warmup_restarts(
    kw: Mapping[str, Any], offset: int, stop: int, out: set[int], limit: int, ctx: Context | None = None
) -> None:
    """The warm-up's end (where the wrapped scheduler takes over), then the wrapped scheduler's
    own restarts.

    With the param groups (``ctx``) the hand-over is ignite's (:func:`_warmup_plans`). Without
    them, or where the plans are not modelled, it is read from the arguments: after
    ``warmup_duration`` events, one later for a torch scheduler when ``warmup_end_value`` is
    given (ignite inserts an event at the group's lr unless they are equal), one earlier for an
    ignite scheduler starting at ``warmup_end_value`` (ignite shortens the warm-up).
    """
    inner, span, wanted = kw.get("lr_scheduler"), kw["warmup_duration"], kw.get("warmup_end_value")
    try:
        if ctx is None:
            raise NoClosedForm("no param groups")
        span = _warmup_plans(kw, ctx)[-1][0][-1] + 1
    except NoClosedForm:
        if not _wraps_ignite(inner):
            span += wanted is not None
        elif wanted is not None and wanted == _first_value(inner):
            span -= 1
    if offset + span < stop and len(out) < limit:
        out.add(offset + span)
    if _wraps_ignite(inner):
        collect_restarts(inner, offset + span, stop, out, limit, ctx)
    else:
        torch_restarts(inner, offset + span, 1, stop, out, limit)


def _first_value(spec: SchedulerSpec) -> Any:
    """An ignite scheduler's nominal first value (its start value or first milestone's)."""
    milestones = spec.kwargs.get("milestones_values")
    return spec.kwargs.get("start_value", milestones[0][1] if milestones else None)


def _warmup_side_form(name: str, kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    """A wrapped torch scheduler's side writes: the constructed value during the warm-up, then
    the torch scheduler's from ``last_epoch`` 1 (the helper advanced it once)."""
    inner = kw["lr_scheduler"]
    if _wraps_ignite(inner):
        raise NoClosedForm(WARMUP_DECLINES[1])
    if len(ctx.groups) != 1:
        raise NoClosedForm(WARMUP_DECLINES[0])
    group, duration = ctx.groups[0], kw["warmup_duration"]
    end = group["lr"] if kw.get("warmup_end_value") is None else kw["warmup_end_value"]
    span = duration + 1 if group["lr"] != end else duration
    out = np.full((1, len(events)), float(group[name]), dtype=np.float64)
    if len(events) > span:
        sub = dataclasses.replace(ctx, last_epoch0=1)
        out[:, span:] = evaluate_torch(inner, events[: len(events) - span], sub, name)
    return out


register(
    SchedulerType(
        name="create_lr_scheduler_with_warmup",
        kind="composite",
        family="ignite",
        build=_build_warmup,
        closed_form=_warmup_closed_form,
        side_form=_warmup_side_form,
        restarts=_warmup_restarts,
        writes="lr",
        children=lambda kw: (kw.get("lr_scheduler"),),
        public=create_lr_scheduler_with_warmup,
        declines=WARMUP_DECLINES,
    )
)


# ------------------------------------------------------------------------------------------------
# the ParamGroupScheduler type: its children are top-level schedulers, called in order
# ------------------------------------------------------------------------------------------------
def _build_group(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> Any:
    kw = dict(spec.kwargs)
    children = [build_spec(c, optimizer, {}) for c in _spec_list(kw.pop("schedulers", None))]
    return ParamGroupScheduler(schedulers=children, **kw)


def _group_closed_form(kw: Mapping[str, Any], events: range, ctx: Context) -> np.ndarray:
    # never reached from an experiment (series evaluates the children in its place)
    raise NoClosedForm("ParamGroupScheduler is evaluated through its children")


register(
    SchedulerType(
        name="ParamGroupScheduler",
        kind="composite",
        family="ignite",
        build=_build_group,
        closed_form=_group_closed_form,
        children=lambda kw: tuple(kw.get("schedulers", ())),
        expands=True,
        public=ParamGroupScheduler,
        declines=("ParamGroupScheduler is evaluated through its children",),
    )
)
