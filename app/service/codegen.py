"""Python source that rebuilds an experiment, for ``flavor="ignite"`` or ``"scheduler_core"``.

Generated generically from the registry: each scheduler model becomes a constructor call whose
keyword arguments are the model's validated fields written with ``repr()`` (so a string from
the client can only ever appear as a Python string literal). Nested schedulers are rendered
recursively; fields in the core type's ``passes_down`` go to its children.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from scheduler_core.batch_size import UNSET_BATCH_SIZE
from scheduler_core.events import DEFAULT_EVENT
from scheduler_core.expressions import Expression

from ..contract.errors import ApiError
from ..contract.fields import ExpressionOf
from ..contract.flavors import Flavor
from ..contract.registry import entry_for
from ..contract.schemas import Experiment
from . import codegen_metrics, codegen_optax, codegen_stepping, codegen_timm
from .convert import NOT_KWARGS
from .limits import param_names, state_series


class _Imports:
    def __init__(self) -> None:
        self.by_module: dict[str, set[str]] = {}
        self.math = False  # an expression's lambda calls math.*
        self.stepped = False  # a torch scheduler stepped by torch: the program defines stepped()

    def use(self, module: str, name: str) -> str:
        self.by_module.setdefault(module, set()).add(name)
        return name

    def lines(self) -> list[str]:
        out = []
        for module, names in sorted(self.by_module.items()):
            line = f"from {module} import {', '.join(sorted(names))}"
            if len(line) > 88:
                line = f"from {module} import (\n" + "".join(f"    {n},\n" for n in sorted(names)) + ")"
            out.append(line)
        return out


def _is_default(model: BaseModel, name: str) -> bool:
    field = type(model).model_fields[name]
    return not field.is_required() and getattr(model, name) == field.get_default(call_default_factory=True)


def _call(
    model: BaseModel,
    flavor: Flavor,
    imports: _Imports,
    inherited: dict[str, Any],
    depth: int,
    skip: tuple[str, ...] = (),
) -> str:
    entry = entry_for(model)
    if entry.core.family == "optax":
        return codegen_optax.scheduler_core_call(model, imports, depth)
    if codegen_stepping.torch_stepped(model):
        imports.stepped = True
        return codegen_stepping.call(model, lambda m: _render(m, flavor, imports, {}, depth))
    func = imports.use(entry.import_module(flavor), entry.name)
    core = entry.core
    args: list[str] = ["optimizer"] if core.takes_optimizer else []
    if core.holder == "dataloader":
        args = ["dataloader"]
    down: dict[str, Any] = {}
    kwargs: dict[str, Any] = dict(inherited) if entry.kind != "torch" else {}
    lambdas: dict[str, str] = {}
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if name in NOT_KWARGS or name in skip or name == codegen_stepping.FIELD or value is None:
            continue
        marker = next((m for m in field.metadata if isinstance(m, ExpressionOf)), None)
        if marker is not None:  # an expression: its Python lambda
            expr = Expression(value, marker.variable)
            imports.math = imports.math or expr.uses_math()
            lambdas[name] = expr.python()
        if name in core.passes_down:
            down[name] = value
        elif name == "param_name" or not _is_default(model, name):
            kwargs[name] = value
    if core.kind == "composite" and core.writes is not None:
        down.setdefault("param_name", core.writes)  # an ignite scheduler inside a warm-up schedules it
    pad = "    " * (depth + 1)
    rendered = []
    for name, value in kwargs.items():
        text = lambdas.get(name) or _render(value, flavor, imports, down, depth + 1)
        rendered.append(f"{name}={text}")
    parts = args + rendered
    one_line = f"{func}({', '.join(parts)})"
    if len(one_line) + len(pad) <= 96 and "\n" not in one_line:
        return one_line
    inner = ",\n".join(pad + p for p in parts)
    return f"{func}(\n{inner},\n{'    ' * depth})"


def _render(value: Any, flavor: Flavor, imports: _Imports, down: dict, depth: int) -> str:
    if isinstance(value, BaseModel):
        return _call(value, flavor, imports, down, depth)
    if isinstance(value, list) and any(isinstance(v, BaseModel) for v in value):
        pad = "    " * (depth + 1)
        items = ",\n".join(pad + _render(v, flavor, imports, down, depth + 1) for v in value)
        return f"[\n{items},\n{'    ' * depth}]"
    if isinstance(value, float | int | bool | str | list | tuple) or value is None:
        return repr(value)
    raise TypeError(f"cannot render {type(value).__name__}")  # pragma: no cover


_HEADER = '''"""Rebuild a Schedule Explorer experiment: {what}.

{n} events, {g} param group(s), {s} scheduler(s) {calls}.
After running, history[g][param_name] holds the value param group g sees at each event.
Generated by Schedule Explorer {version}.
"""
'''

_OPTIMIZER = """
num_events = {num_events}
param_groups = [
{groups}]
# One dummy parameter per group: schedulers only read and write the groups' values.
optimizer = torch.optim.SGD(
    [{{"params": [torch.zeros(1, requires_grad=True)], **group}} for group in param_groups]
)
"""

_RECORD = """
param_names = {names}
history = [{{name: [] for name in param_names}} for _ in param_groups]


def record_values(*_):
    for group, record in zip(optimizer.param_groups, history, strict=True):
        for name, values in record.items():
            values.append(group[name])

"""

_LOOP = {
    "scheduler_core": """
for _event in range(num_events):
    for scheduler in schedulers:
        scheduler(None)
    record_values()
""",
    "ignite": """
trainer = Engine(lambda engine, batch: None)  # your training step goes here
for scheduler in schedulers:
    trainer.add_event_handler(Events.ITERATION_STARTED, scheduler)
trainer.add_event_handler(Events.ITERATION_STARTED, record_values)
trainer.run(range(num_events), max_epochs=1)
""",
}


_STATE = """
# Values set outside the optimizer (state schedulers, batch size), by series name.
state_history = {names}


def record_state(engine):
{reads}
"""


_ENGINE = "engine = SimpleNamespace(state=SimpleNamespace(metrics={}))  # state schedulers set engine.state"


def _engine_hook(loop: str) -> str:
    return loop.replace("scheduler(None)", "scheduler(engine)")


def _state_parts(exp: Experiment, flavor: Flavor, imports: _Imports) -> tuple[str, str, Callable[[str], str]]:
    """(setup lines, the state recorder, the loop hook recording it) when state-kind schedulers
    are present; the hook edits either loop (every handler at ITERATION_STARTED, or at its event)."""
    targets = state_series(exp)
    setup, reads = [], []
    for holder, name in targets:
        key = f"{holder}.{name}"
        if holder == "dataloader":
            reads.append(f"    state_history[{key!r}].append(dataloader.batch_sampler.batch_size)")
        else:
            reads.append(f"    state_history[{key!r}].append(getattr(engine.state, {name!r}))")
    if any(holder == "dataloader" for holder, _ in targets):
        imports.use("torch.utils.data", "DataLoader")
        setup.append(
            f"dataloader = DataLoader(range(num_events), batch_size={UNSET_BATCH_SIZE})  # its batch size is scheduled"
        )
    if flavor == "scheduler_core":
        imports.use("types", "SimpleNamespace")
        setup.append(_ENGINE)

        def hook(loop: str) -> str:
            return loop.replace("scheduler(None)", "scheduler(engine)").replace(
                "    record_values()\n", "    record_values()\n    record_state(engine)\n"
            )

    else:

        def hook(loop: str) -> str:
            return loop.replace(
                "trainer.add_event_handler(Events.ITERATION_STARTED, record_values)\n",
                "trainer.add_event_handler(Events.ITERATION_STARTED, record_values)\n"
                "trainer.add_event_handler(Events.ITERATION_STARTED, record_state)\n",
            )

    names = "{" + "".join(f"{h + '.' + n!r}: [], " for h, n in targets).rstrip(", ") + "}"
    return "\n".join(setup), _STATE.format(names=names, reads="\n".join(reads)), hook


_EVENT_LOOP = {
    "scheduler_core": """
def fire(event):
    for when, scheduler in zip(events, schedulers, strict=True):
        if when == event:
            scheduler(None)


for iteration in range(num_events):{epoch_started}
    fire("ITERATION_STARTED")
    record_values()
    fire("ITERATION_COMPLETED"){epoch_completed}
""",
    "ignite": """
trainer = Engine(lambda engine, batch: None)  # your training step goes here
for event, scheduler in zip(events, schedulers, strict=True):
    trainer.add_event_handler(event, scheduler)
trainer.add_event_handler(Events.ITERATION_STARTED, record_values)
trainer.run(range({epoch_length}), max_iters=num_events)
""",
}
_EPOCH_STARTED = """
    if iteration % iterations_per_epoch == 0:
        fire("EPOCH_STARTED")"""
_EPOCH_COMPLETED = """
    if (iteration + 1) % iterations_per_epoch == 0:
        fire("EPOCH_COMPLETED")"""


def _event_loop(exp: Experiment, flavor: Flavor) -> tuple[str, str]:
    """The ``events`` list (placed after the schedulers) and the loop calling each scheduler at
    its event, for an experiment whose events are not all the default."""
    events = [getattr(s, "event", DEFAULT_EVENT) for s in exp.schedulers]
    ipe = exp.iterations_per_epoch
    items = ", ".join(f"Events.{e}" if flavor == "ignite" else repr(e) for e in events)
    decl = f"events = [{items}]"
    if ipe is not None:
        decl += f"\niterations_per_epoch = {ipe}"
    if flavor == "ignite":
        return decl, _EVENT_LOOP[flavor].format(
            epoch_length="num_events" if ipe is None else "iterations_per_epoch"
        )
    return decl, _EVENT_LOOP[flavor].format(
        epoch_started="" if ipe is None else _EPOCH_STARTED,
        epoch_completed="" if ipe is None else _EPOCH_COMPLETED,
    )


def check_flavor(exp: Experiment, flavor: str) -> None:
    """Refuse (422 naming the scheduler) a scheduler the ``flavor`` program cannot write: one of
    another library's than the flavor's (the ignite and scheduler_core flavors write ignite's,
    torch's and scheduler_core's own types; scheduler_core writes every library's)."""
    for i, s in enumerate(exp.schedulers):
        entry = entry_for(s)
        if not entry.exports_to(flavor):
            raise ApiError(
                422,
                ("body", "schedulers", i, "type"),
                f"the {flavor} code export cannot write {entry.name} (a {entry.core.family} schedule): "
                f"use flavor 'scheduler_core' or '{entry.core.family}'",
                "code_flavor",
            )


def generate(exp: Experiment, flavor: Flavor, version: str = "") -> str:
    """Python source rebuilding ``exp`` for ``flavor``.

    Raises:
        ApiError: 422 naming a scheduler the flavor cannot write (another library's).
    """
    check_flavor(exp, flavor)
    if flavor == "optax":
        return codegen_optax.generate(exp, param_names(exp), version)
    if codegen_timm.timm_loop(exp, flavor):  # timm's loop (422 for what it cannot write)
        return codegen_timm.generate(exp, flavor, version)
    imports = _Imports()
    calls = [
        codegen_metrics.reader_call(s, lambda m, skip=(): _call(m, flavor, imports, {}, 1, skip), i)
        if codegen_metrics.reads_metric(s)
        else codegen_timm.driver_call(s, imports.use, exp)
        if codegen_timm.is_timm(s)
        else _call(s, flavor, imports, {}, 1)
        for i, s in enumerate(exp.schedulers)
    ]
    numpy, metric_source = codegen_metrics.definitions(exp, feed=True)
    state_setup, state_record, hook = (
        _state_parts(exp, flavor, imports) if state_series(exp) else ("", "", None)
    )
    groups = "".join(f"    {dict(name=g.name, **g.values)!r},\n" for g in exp.param_groups)
    attached = any(getattr(s, "event", DEFAULT_EVENT) != DEFAULT_EVENT for s in exp.schedulers)
    header = _HEADER.format(
        what=("pytorch-ignite Engine, handlers at " + ("their events" if attached else "ITERATION_STARTED"))
        if flavor == "ignite"
        else "scheduler_core",
        n=exp.num_events,
        calls="each called at its event (in list order within one event)"
        if attached
        else "called in list order once per event",
        g=len(exp.param_groups),
        s=len(exp.schedulers),
        version=version,
    )
    lib = imports.lines()
    if flavor == "ignite":
        lib.insert(0, "from ignite.engine import Engine, Events")
    # isort order: the plain import first, then the from-imports, one third-party block
    stdlib = [line for line in lib if line.startswith("from types ")] + (
        ["import math"] if imports.math else []
    )
    third = [line for line in lib if not line.startswith("from types ")]
    import_block = "\n".join(sorted(stdlib, key=lambda x: (x.startswith("from"), x)))
    plain = ["import numpy as np", "import torch"] if numpy else ["import torch"]
    import_block += ("\n\n" if stdlib else "") + "\n".join([*plain, *sorted(third)])
    optimizer = _OPTIMIZER.format(num_events=exp.num_events, groups=groups)
    if state_setup:
        optimizer = optimizer.rstrip("\n") + "\n" + state_setup + "\n"
    if metric_source:
        if flavor == "scheduler_core" and hook is None:  # the plateau schedulers read engine.state.metrics
            imports_line = "from types import SimpleNamespace"
            if imports_line not in import_block:
                import_block = imports_line + "\n\n" + import_block
            optimizer = optimizer.rstrip("\n") + "\n" + _ENGINE + "\n"
            hook = _engine_hook
        optimizer = optimizer.rstrip("\n") + "\n\n\n" + metric_source + "\n\n"
    record = _RECORD.format(names=repr(param_names(exp)))
    if state_record:
        record = record.rstrip("\n") + "\n\n" + state_record
    parts = [
        header,
        import_block,
        optimizer,
        "schedulers = [\n" + "".join(f"    {c},\n" for c in calls) + "]",
        record,
        _LOOP[flavor],
    ]
    if attached:
        decl, parts[-1] = _event_loop(exp, flavor)
        parts[3] += "\n" + decl
    if hook is not None:
        parts[-1] = hook(parts[-1])
    head, imps, optim, scheds, record, loop = (p.strip("\n") for p in parts)
    gap = "\n\n\n" if metric_source or imports.stepped else "\n\n"  # after the helpers' defs
    helper = f"{codegen_stepping.HELPER.strip()}\n\n\n" if imports.stepped else ""
    return f"{head}\n\n{imps}\n\n{optim}{gap}{helper}{scheds}\n\n{record}\n\n\n{loop}\n"
