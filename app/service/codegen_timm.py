"""Python source in timm's idiom for an experiment of timm schedulers.

Flavor ``"timm"`` imports ``timm.scheduler``; flavor ``"scheduler_core"`` writes the same
program importing ``scheduler_core.timm`` (the drop-in swap). The program is timm's training
loop: record the values of update ``i``, then ``scheduler.step_update(num_updates=i + 1)`` and,
after each epoch's last update, ``scheduler.step(epoch)``. Keyword arguments are the model's
non-default fields written with ``repr()`` (client strings only ever appear as literals).

An experiment mixing timm's types with others is written in flavor ``"scheduler_core"`` as the
generic program (one call of each scheduler per event), timm's types wrapped in
``scheduler_core.timm.UpdateDriver`` (:func:`driver_call`).

Refused (422 naming the place): any other flavor (``"ignite"``), in flavor ``"timm"`` a scheduler
of another library (one program per library), ``param_name`` other than ``lr`` for timm itself (its classes schedule ``lr``),
two schedulers writing the same value (timm's loop writes an epoch scheduler's value only at
epoch ends, the experiment at every event), and epochs without the experiment's
``iterations_per_epoch``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from pydantic import BaseModel

from scheduler_core.events import DEFAULT_EVENT

from ..contract.errors import ApiError
from ..contract.registry import entry_for
from ..contract.schemas import Experiment
from .codegen_metrics import definitions, reads_metric
from .limits import param_names

FAMILY = "timm"


def is_timm(model: BaseModel) -> bool:
    """Whether a scheduler model is one of timm's."""
    return entry_for(model).core.family == FAMILY


def timm_loop(exp: Experiment, flavor: str) -> bool:
    """Whether ``exp`` is exported by :func:`generate` (timm's loop, or its 422): flavor
    ``"timm"``, or timm schedulers in another flavor, except ``"scheduler_core"`` mixing them
    with other types (the generic program then runs them through :func:`driver_call`)."""
    timm = [is_timm(s) for s in exp.schedulers]
    return flavor == FAMILY or any(timm) and (flavor != "scheduler_core" or all(timm))


def driver_call(model: BaseModel, use: Callable[[str, str], str], exp: Experiment) -> str:
    """A timm scheduler in the generic ``scheduler_core`` program (one call per event):
    ``UpdateDriver(CosineLRScheduler(...), iterations_per_epoch=...)``, the experiment's own
    stepping."""
    if model.t_in_epochs and exp.iterations_per_epoch is None:
        _missing_epochs(exp.schedulers.index(model))
    use("scheduler_core.timm", "UpdateDriver")
    use("scheduler_core.timm", entry_for(model).core.public.__name__)
    target = "optimizer"
    if model.param_group_index is not None:
        target = use("scheduler_core.base", "GroupsOptimizer") + (
            f"([optimizer.param_groups[{model.param_group_index}]])"
        )
    call = _call(model, target).replace("\n", "\n    ")
    return (
        f"UpdateDriver(\n        {call},\n        iterations_per_epoch={exp.iterations_per_epoch!r},\n    )"
    )


def _missing_epochs(i: int) -> None:
    raise ApiError(
        422,
        ("body", "iterations_per_epoch"),
        f"schedulers[{i}] counts epochs (t_in_epochs): the experiment's iterations_per_epoch should be set",
        "missing",
    )


def _check(exp: Experiment, flavor: str) -> None:
    written: dict[tuple[int, str], int] = {}
    for i, s in enumerate(exp.schedulers):
        family = entry_for(s).core.family
        if flavor not in (FAMILY, "scheduler_core") and family == FAMILY:
            raise ApiError(
                422,
                ("body", "schedulers", i, "type"),
                f"flavor {flavor!r} cannot write {s.type!r}, one of timm's schedulers: use flavor "
                "'timm' (timm's training loop) or 'scheduler_core'",
                "flavor_mismatch",
            )
        if family != FAMILY:
            raise ApiError(
                422,
                ("body", "schedulers", i, "type"),
                f"flavor {flavor!r} writes timm's training loop, for timm schedulers only; "
                f"schedulers[{i}] is {s.type!r} ({family}): export it with its own flavor",
                "flavor_mismatch",
            )
        if s.event != DEFAULT_EVENT:
            raise ApiError(
                422,
                ("body", "schedulers", i, "event"),
                f"timm's loop calls step_update / step(epoch) itself, but given event {s.event!r}",
                "flavor_mismatch",
            )
        if flavor == FAMILY and s.param_name != "lr":
            raise ApiError(
                422,
                ("body", "schedulers", i, "param_name"),
                f"timm's schedulers schedule 'lr' only, but given {s.param_name!r}: use flavor "
                "'scheduler_core' (scheduler_core.timm takes param_group_field)",
                "flavor_mismatch",
            )
        groups = range(len(exp.param_groups)) if s.param_group_index is None else [s.param_group_index]
        for g in groups:
            first = written.setdefault((g, s.param_name), i)
            if first != i:
                raise ApiError(
                    422,
                    ("body", "schedulers", i),
                    f"schedulers[{first}] and schedulers[{i}] both write {s.param_name!r} of param "
                    f"group {g}: timm's loop cannot reproduce which one wins at each event",
                    "flavor_mismatch",
                )
        if s.t_in_epochs and exp.iterations_per_epoch is None:
            _missing_epochs(i)
        if flavor == FAMILY and reads_metric(s) and s.param_group_index is not None:
            raise ApiError(
                422,
                ("body", "schedulers", i, "param_group_index"),
                f"timm's {s.type} wraps torch's ReduceLROnPlateau, which needs the whole torch "
                "optimizer: leave param_group_index out, or use flavor 'scheduler_core'",
                "flavor_mismatch",
            )


def _call(model: BaseModel, target: str) -> str:
    """``Cls(target, kwarg=...)``: the non-default fields, in the order of timm's signature."""
    public = entry_for(model).core.public
    order = list(inspect.signature(public).parameters)
    fields = type(model).model_fields
    args = [target]
    for name, field in sorted(
        fields.items(), key=lambda item: order.index(item[0]) if item[0] in order else -1
    ):
        value = getattr(model, name)
        if name in ("type", "param_name", "param_group_index", "event", "metric_name") or value is None:
            continue
        if not field.is_required() and value == field.get_default(call_default_factory=True):
            continue
        args.append(f"{name}={value!r}")
    if model.param_name != "lr":  # scheduler_core flavor only (checked)
        args.append(f"param_group_field={model.param_name!r}")
    name = public.__name__
    one_line = f"{name}({', '.join(args)})"
    if len(one_line) <= 88:
        return one_line
    return f"{name}(\n" + "".join(f"        {a},\n" for a in args) + "    )"


def _target(model: BaseModel) -> str:
    if model.param_group_index is None:
        return "optimizer"
    return f"SimpleNamespace(param_groups=[optimizer.param_groups[{model.param_group_index}]])"


_PROGRAM = '''"""Rebuild a Schedule Explorer experiment: {what}, in timm's training loop.

{n} updates, {g} param group(s), {s} scheduler(s){epochs}.
After running, history[g][param_name] holds the value param group g uses at each update.
Generated by Schedule Explorer {version}.
"""

{imports}

num_events = {n}
{ipe_line}param_groups = [
{groups}]
# One dummy parameter per group: schedulers only read and write the groups' values.
optimizer = torch.optim.SGD(
    [{{"params": [torch.zeros(1, requires_grad=True)], **group}} for group in param_groups]
)

{metrics}schedulers = [
{calls}]
{metric_names}
param_names = {names}
history = [{{name: [] for name in param_names}} for _ in param_groups]


def record_values():
    for group, record in zip(optimizer.param_groups, history, strict=True):
        for name, values in record.items():
            values.append(group[name])


for update in range(num_events):
    record_values()  # the values this update uses
    # your forward, backward and optimizer.step() go here
    if update + 1 == num_events:
        break  # no schedule after the last update
    for scheduler in schedulers:
        scheduler.step_update(num_updates=update + 1)
{epoch_block}'''

_EPOCH_BLOCK = """    if (update + 1) % iterations_per_epoch == 0:  # the end of an epoch
        for scheduler in schedulers:
            scheduler.step((update + 1) // iterations_per_epoch)
"""


_EPOCH_BLOCK_METRICS = """    if (update + 1) % iterations_per_epoch == 0:  # the end of an epoch
        epoch = (update + 1) // iterations_per_epoch
        for scheduler, name in zip(schedulers, metric_names, strict=True):
            if name is None:
                scheduler.step(epoch)
            else:  # the metric evaluated after the epoch just done: value epoch - 1 of its curve
                scheduler.step(epoch, metrics[name][epoch - 1])
"""


def generate(exp: Experiment, flavor: str, version: str = "") -> str:
    """Python source rebuilding ``exp`` (timm schedulers only) in timm's loop, for ``flavor``
    ``"timm"`` or ``"scheduler_core"``.

    Raises:
        ApiError: 422, see the module docstring.
    """
    _check(exp, flavor)
    module = entry_for(exp.schedulers[0]).import_module(flavor)
    names = sorted({entry_for(s).core.public.__name__ for s in exp.schedulers})
    numpy, metric_source = definitions(exp, feed=False)
    imports = ["import numpy as np", "import torch"] if numpy else ["import torch"]
    if any(s.param_group_index is not None for s in exp.schedulers):
        imports.insert(0, "from types import SimpleNamespace\n")
    imports.append(f"from {module} import {', '.join(names)}")
    epochs = any(s.t_in_epochs for s in exp.schedulers)
    ipe = exp.iterations_per_epoch
    return _PROGRAM.format(
        what="timm" if flavor == FAMILY else "scheduler_core.timm",
        n=exp.num_events,
        g=len(exp.param_groups),
        s=len(exp.schedulers),
        epochs=f"; an epoch is {ipe} updates" if epochs else "",
        version=version,
        imports="\n".join(imports),
        ipe_line=f"iterations_per_epoch = {ipe}\n" if epochs else "",
        groups="".join(f"    {dict(name=g.name, **g.values)!r},\n" for g in exp.param_groups),
        calls="".join(f"    {_call(s, _target(s))},\n" for s in exp.schedulers),
        names=repr(param_names(exp)),
        epoch_block=(_EPOCH_BLOCK_METRICS if metric_source else _EPOCH_BLOCK) if epochs else "",
        metrics="\n" + metric_source + "\n\n\n" if metric_source else "",
        metric_names="metric_names = [{}]  # the metric curve of each scheduler's step(epoch, metric)\n".format(
            ", ".join(repr(s.metric_name) if reads_metric(s) else "None" for s in exp.schedulers)
        )
        if metric_source
        else "",
    )
