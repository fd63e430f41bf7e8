"""Scheduler types as first-class objects: one :class:`SchedulerType` record per type.

Each family module (``cyclical``, ``piecewise``, ``composite``, ``torch_wrappers``,
``torch_schedules``) registers its types next to their classes with :func:`register`. Building
experiments, the closed-form evaluator, restart markers and torch detection all read
:data:`TYPES` through the dispatch functions below; nothing else keeps a table keyed by type name.

A type either has a ``closed_form`` (exact, vectorised) or says why it is ``stepping_only``;
a closed form that does not apply to one configuration raises :class:`NoClosedForm` (the only
signal on which callers fall back to stepping the real schedulers).

>>> t = scheduler_type("CosineAnnealingScheduler")
>>> t.kind, t.family, t.closed_form is not None
('param', 'ignite', True)
>>> scheduler_type("CosineAnnealingLR").stepping_only != ""
True
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from .shapes import NoClosedForm
from .spec import Experiment, SchedulerSpec

__all__ = [
    "TYPES",
    "Context",
    "NoClosedForm",
    "SchedulerType",
    "build_spec",
    "build_torch",
    "collect_restarts",
    "construct",
    "evaluate_side",
    "evaluate_spec",
    "every_call",
    "expanded",
    "needs_torch",
    "register",
    "scheduled_names",
    "scheduler_type",
    "side_params",
    "state_targets",
    "torch_specs",
    "written_param",
]

Kind = Literal["param", "composite", "torch", "state"]
"""param: optimizer param schedulers (top level and ConcatScheduler children); composite:
top-level schedulers built from other schedulers; torch: ``torch.optim.lr_scheduler`` classes,
only inside ``LRScheduler`` / ``create_lr_scheduler_with_warmup``; state: top-level schedulers
writing an attribute outside the optimizer (``engine.state.<param_name>``, a data loader's
batch size): their series have ``param_group == -1`` and ``group_name`` = their ``holder``."""


@dataclass(frozen=True)
class Context:
    """What closed forms may read besides their kwargs.

    groups: the param groups right after construction (torch schedulers may have set ``lr``,
        ``initial_lr``, ``max_lr`` ... there), one mapping per group.
    chain_ok: whether a torch ``get_lr`` that reads the group's current ``lr`` sees only its own
        previous value (False when another scheduler also writes ``lr``, or after a handover).
    last_epoch0: the wrapped torch scheduler's ``last_epoch`` at its first call.
    lr_start: group lrs at the wrapped scheduler's first call (default: ``groups``' lr).
    iterations_per_epoch: the experiment's, for schedules that count epochs.
    """

    groups: tuple[Mapping[str, Any], ...]
    chain_ok: bool = True
    last_epoch0: int = 0
    lr_start: tuple[float, ...] | None = None
    iterations_per_epoch: int | None = None

    def start_lrs(self) -> tuple[float, ...]:
        if self.lr_start is not None:
            return self.lr_start
        return tuple(float(g["lr"]) for g in self.groups)


Builder = Callable[[SchedulerSpec, Any, Mapping[str, Any]], Any]
"""``build(spec, optimizer, inherited) -> scheduler``; ``inherited``: a Concat's passed-down kwargs."""
ClosedForm = Callable[[Mapping[str, Any], range, Context], np.ndarray]
"""``closed_form(kwargs, range(n), ctx) -> values``: float64 ``(n,)`` (the same value for every
targeted group) or ``(G, n)`` (one row per param group). Raises :class:`NoClosedForm`."""
SideForm = Callable[[str, Mapping[str, Any], range, Context], np.ndarray]
"""``side_form(name, kwargs, range(n), ctx) -> values`` of a side-written param, as ClosedForm."""
RestartFinder = Callable[..., None]
"""``restarts(kwargs, offset, stop, out, limit[, ctx=None])``: add restart events in
``(offset, stop)`` to ``out`` (``ctx``: the param groups, when the finder takes it)."""


def _no_children(kwargs: Mapping[str, Any]) -> Sequence[Any]:
    return ()


def _no_side_writes(kwargs: Mapping[str, Any]) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class SchedulerType:
    """Everything the package knows of one scheduler type.

    name: the public name (the class or function name a user imports).
    kind / family: see :data:`Kind`; ``"ignite"`` (also in ``ignite.handlers``), ``"torch"``
        (``torch.optim.lr_scheduler``), ``"scheduler_core"`` (this package's own) or another
        library's (``"timm"``: :mod:`scheduler_core.timm`).
    build: how an experiment constructs it (:data:`Builder`).
    closed_form: its exact vectorised form, or None with ``stepping_only`` giving the reason.
    restarts: the events where it restarts (cycles, children), if it has any.
    writes: the param it always writes (``"lr"`` for torch-based types); None: ``param_name``.
    side_writes: other params it writes as well, from its kwargs (OneCycleLR's momentum).
    side_form: the exact closed form of those side writes (None: stepped), or of its
        child's (a wrapper passing them on).
    children: the nested scheduler specs in its kwargs (a Concat's children, a wrapped scheduler).
    passes_down: kwargs handed to the children instead of its own constructor.
    code_args: required arguments that are Python callables (LambdaLR's ``lr_lambda``).
    public: the class or function users import from ``scheduler_core`` (None for torch's).
    declines: the configurations its closed form declines: every :class:`NoClosedForm` it
        raises starts with one of these (or with ``"stepping raises"``).
    holder: (state kind) the object whose attribute it writes, e.g. ``"engine.state"``; its
        series' ``group_name``. Its closed form gives the value after each call.
    unset: (state kind) what its series shows before its first call: NaN for an ``engine.state``
        attribute (ignite's ``attach`` sets it to None), the data loader's own batch size.
    expands: it only calls its children (top-level specs) in order, as ``ParamGroupScheduler``
        does: experiments evaluate those children in its place (:func:`expanded`).
    counts_epochs: its builder and restart finder also take the experiment's
        ``iterations_per_epoch`` (keyword).
    step_cost: microseconds one step of it takes per param group it writes (measured by
        ``python -m bench.cost``; the server's time budget for stepped experiments reads it).
    steps_all_children: one step of it steps every child (torch's ``ChainedScheduler``), not
        one at a time: the cost model adds up their costs.
    torch_stepped_only: (torch kind) why ignite's ``LRScheduler`` cannot run it ("": it can);
        such a type is only stepped by torch (:mod:`scheduler_core.torch_stepping`).
    optimizer_arg: its constructor takes the optimizer first (False for torch's
        ``ChainedScheduler``, which takes its children's).
    metric_reads: it reads the metric curve named by its ``metric_name`` kwarg
        (:mod:`scheduler_core.metrics`): ``metric_reads(kwargs, calls, iterations_per_epoch)``
        gives the calls (0-based, of its first ``calls``, a ``range``) that read the next value.
        None: no metric.
    torch_optimizer: it needs a torch optimizer (it builds a torch scheduler on it).
    """

    name: str
    kind: Kind
    family: str
    build: Builder
    closed_form: ClosedForm | None = None
    stepping_only: str = ""
    restarts: RestartFinder | None = None
    writes: str | None = None
    side_writes: Callable[[Mapping[str, Any]], tuple[str, ...]] = field(default=_no_side_writes)
    side_form: SideForm | None = None
    children: Callable[[Mapping[str, Any]], Sequence[Any]] = field(default=_no_children)
    passes_down: tuple[str, ...] = ()
    code_args: tuple[str, ...] = ()
    public: Any = None
    declines: tuple[str, ...] = ()
    holder: str | None = None
    unset: float = float("nan")
    expands: bool = False
    counts_epochs: bool = False
    step_cost: float = 0.3
    steps_all_children: bool = False
    torch_stepped_only: str = ""
    optimizer_arg: bool = True
    metric_reads: Callable[[Mapping[str, Any], int, int | None], range] | None = None
    torch_optimizer: bool = False

    def __post_init__(self) -> None:
        if (self.closed_form is None) == (not self.stepping_only):
            raise ValueError(
                f"scheduler type {self.name!r} should have either a closed form or a stepping_only reason"
            )

    @property
    def takes_optimizer(self) -> bool:
        """Whether its constructor takes the optimizer (composites take their children, state
        kinds no optimizer)."""
        return self.optimizer_arg and self.kind not in ("composite", "state")

    def written_param(self, kwargs: Mapping[str, Any]) -> str | None:
        """The param this type writes with ``kwargs`` (None when ``param_name`` is missing)."""
        return self.writes if self.writes is not None else kwargs.get("param_name")


TYPES: dict[str, SchedulerType] = {}
"""Every registered type by name, filled when ``scheduler_core`` is imported."""


def register(t: SchedulerType) -> SchedulerType:
    """Add ``t`` to :data:`TYPES` (once per name)."""
    if t.name in TYPES:
        raise ValueError(f"scheduler type {t.name!r} registered twice")
    TYPES[t.name] = t
    return t


def construct(cls: Callable[..., Any]) -> Builder:
    """The builder of a param scheduler class: ``cls(optimizer=..., **inherited, **kwargs)``."""

    def build(spec: SchedulerSpec, optimizer: Any, inherited: Mapping[str, Any]) -> Any:
        return cls(optimizer=optimizer, **inherited, **spec.kwargs)

    return build


def scheduler_type(name: str, kinds: Sequence[Kind] = ("param", "composite", "torch")) -> SchedulerType:
    """The registered type ``name`` among ``kinds``.

    Raises:
        ValueError: no such type of those kinds.
    """
    t = TYPES.get(name)
    if t is None or t.kind not in kinds:
        names = sorted(n for n, t in TYPES.items() if t.kind in kinds)
        raise ValueError(f"Argument type should be one of {names}, but given {name!r}")
    return t


# ------------------------------------------------------------------------------------------------
# dispatch
# ------------------------------------------------------------------------------------------------
def build_spec(
    spec: Any, optimizer: Any, inherited: Mapping[str, Any], iterations_per_epoch: int | None = None
) -> Any:
    """Construct an experiment-level (param or composite) scheduler from its spec."""
    if not isinstance(spec, SchedulerSpec):
        raise TypeError(f"Argument schedulers should hold SchedulerSpec, but given {type(spec)}")
    t = scheduler_type(spec.type, ("param", "composite", "state"))
    if t.counts_epochs:
        return t.build(spec, optimizer, inherited, iterations_per_epoch=iterations_per_epoch)
    return t.build(spec, optimizer, inherited)


def build_torch(spec: Any, optimizer: Any) -> Any:
    """Construct the ``torch.optim.lr_scheduler`` scheduler of a wrapper's ``lr_scheduler`` spec."""
    if not isinstance(spec, SchedulerSpec):
        raise TypeError(f"Argument lr_scheduler should be a SchedulerSpec, but given {type(spec)}")
    t = TYPES.get(spec.type)
    if t is None or t.kind != "torch":
        raise ValueError(
            f"Argument lr_scheduler should name a torch.optim.lr_scheduler scheduler, but given {spec.type!r}"
        )
    return t.build(spec, optimizer, {})


def evaluate_spec(spec: SchedulerSpec, events: range, ctx: Context) -> np.ndarray:
    """The closed form of ``spec`` over ``events``.

    Raises:
        NoClosedForm: the type is stepping-only (its declared reason), or the closed form does
            not apply to this configuration.
    """
    t = TYPES.get(spec.type)
    if t is None:
        raise NoClosedForm(f"unknown scheduler type {spec.type!r}")
    if t.closed_form is None:
        raise NoClosedForm(f"{t.name} is stepping-only: {t.stepping_only}")  # declared by the type
    return t.closed_form(spec.kwargs, events, ctx)


SIDE_DECLINE = "no closed form for a side-written param through this wrapper"


def evaluate_side(spec: SchedulerSpec, name: str, events: range, ctx: Context) -> np.ndarray:
    """The closed form of the side-written param ``name`` of ``spec`` over ``events``.

    Raises:
        NoClosedForm: the type has no closed form for its side writes.
    """
    t = TYPES.get(spec.type)
    if t is None or t.side_form is None:
        raise NoClosedForm(f"{SIDE_DECLINE}: {name!r} through {spec.type}")
    return t.side_form(name, spec.kwargs, events, ctx)


def side_params(spec: Any) -> tuple[str, ...]:
    """Params ``spec`` writes besides its own (OneCycleLR's momentum, through any wrapper)."""
    out: list[str] = []
    for t in torch_specs(spec):
        out += [n for n in TYPES[t.type].side_writes(t.kwargs) if n not in out]
    return tuple(out)


def collect_restarts(
    spec: Any,
    offset: int,
    stop: int,
    out: set[int],
    limit: int,
    ctx: Context | None = None,
    iterations_per_epoch: int | None = None,
) -> None:
    """Add the restart events of ``spec`` (started at ``offset``, running until ``stop``) to ``out``.

    ``ctx`` (the param groups after construction, if known) goes to finders taking a ``ctx``
    keyword (a warm-up's hand-over depends on the groups' lr); ``iterations_per_epoch`` to the
    finders of types that count epochs.
    """
    t = TYPES.get(getattr(spec, "type", None))
    if t is not None and t.restarts is not None:
        if t.counts_epochs:
            t.restarts(spec.kwargs, offset, stop, out, limit, iterations_per_epoch=iterations_per_epoch)
        elif ctx is not None and "ctx" in inspect.signature(t.restarts).parameters:
            t.restarts(spec.kwargs, offset, stop, out, limit, ctx=ctx)
        else:
            t.restarts(spec.kwargs, offset, stop, out, limit)


def every_call(kwargs: Mapping[str, Any], calls: int, iterations_per_epoch: int | None) -> range:
    """``metric_reads`` of a type reading its metric at each of its calls."""
    return range(calls)


def needs_torch(spec: Any) -> bool:
    """Whether ``spec`` (or a scheduler nested in it) needs a torch optimizer."""
    t = TYPES.get(getattr(spec, "type", None))
    if t is None:
        return False
    return t.kind == "torch" or t.torch_optimizer or any(needs_torch(c) for c in t.children(spec.kwargs))


def torch_specs(spec: Any) -> Iterator[SchedulerSpec]:
    """The torch scheduler specs inside ``spec`` (through concatenations and wrappers)."""
    t = TYPES.get(getattr(spec, "type", None))
    if t is None:
        return
    if t.kind == "torch":
        yield spec
        return
    for child in t.children(spec.kwargs):
        yield from torch_specs(child)


def written_param(spec: SchedulerSpec) -> str | None:
    """The parameter a top-level scheduler spec writes ("lr" for the torch wrappers)."""
    t = TYPES.get(spec.type)
    return spec.kwargs.get("param_name") if t is None else t.written_param(spec.kwargs)


def _at(child: Any, event: str) -> Any:
    return replace(child, event=event) if isinstance(child, SchedulerSpec) else child


def expanded(specs: Sequence[Any]) -> list[Any]:
    """``specs`` with every spec of an ``expands`` type replaced by its children (recursively)."""
    out: list[Any] = []
    for spec in specs:
        t = TYPES.get(getattr(spec, "type", None))
        if t is not None and t.expands:  # the children are called at their parent's event
            out.extend(expanded([_at(c, spec.event) for c in t.children(spec.kwargs)]))
        else:
            out.append(spec)
    return out


def state_targets(experiment: Experiment) -> list[tuple[str, str]]:
    """``(holder, name)`` written by the experiment's state-kind schedulers, in order of first
    appearance (the last scheduler writing a pair gives its series)."""
    out: list[tuple[str, str]] = []
    for spec in experiment.schedulers:
        t = TYPES.get(spec.type)
        if t is not None and t.kind == "state":
            target = (str(t.holder), str(written_param(spec)))
            if target not in out:
                out.append(target)
    return out


def scheduled_names(experiment: Experiment, side: bool = True) -> list[str]:
    """Scheduled param-group names in order of first appearance ("lr" for torch wrappers), each
    scheduler's own then (``side``) those it writes besides (:func:`side_params`);
    state-kind schedulers (see :func:`state_targets`) write no param group.

    Raises:
        ValueError: a scheduler without a ``param_name`` string.
    """
    names: list[str] = []
    for spec in expanded(experiment.schedulers):
        if getattr(TYPES.get(spec.type), "kind", None) == "state":
            continue
        name = written_param(spec)
        if not isinstance(name, str):
            raise ValueError(f"Argument param_name should be a str, but given {name!r}")
        for n in (name, *(side_params(spec) if side else ())):
            if n not in names:
                names.append(n)
    return names
