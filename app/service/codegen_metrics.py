"""The metric curves in exported programs, and the plateau schedulers fed from them.

The program defines ``metrics = {name: [value per evaluation, ...]}`` (a generated curve as the
same numpy operations as :func:`scheduler_core.metrics.curve_values`), then feeds each plateau
scheduler the curve's next value at each of its reads, as an evaluator run before it would:

- ignite / scheduler_core flavors: ``evaluated(name, handler)`` sets
  ``engine.state.metrics[name]`` before calling the handler: ignite's
  ``ReduceLROnPlateauScheduler`` reads it there; torch's ``ReduceLROnPlateau`` gets it through
  ``steps_with(name, scheduler)`` (``scheduler.step(engine.state.metrics[name])``);
- timm's loop: ``scheduler.step(epoch, metrics[name][epoch - 1])`` (see :mod:`.codegen_timm`).

timm's ``PlateauLRScheduler`` among other libraries' types (the generic program) is refused: its
reads follow epochs, not its calls.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from scheduler_core.events import num_calls

from ..contract.errors import ApiError
from ..contract.registry import entry_for
from ..contract.schemas import Experiment
from .convert import scheduler_spec

_EXP_PLATEAU = '''

def exp_plateau(n, start, plateau, rate, noise_std, seed):
    """n values: plateau + (start - plateau) * exp(-rate * k) + noise_std * z[k], seeded normal z."""
    k = np.arange(n, dtype=np.float64)
    z = np.random.default_rng(seed).standard_normal(n)
    return (plateau + (start - plateau) * np.exp(-rate * k) + noise_std * z).tolist()
'''

_FEED = '''

def evaluated(name, handler):
    """Before each call of handler, engine.state.metrics[name] = the curve's next value (what an
    evaluator run before the scheduler would set); past the curve's end (the run's last calls,
    after its last iteration) the handler is not called."""
    values = iter(metrics[name])

    def call(engine):
        value = next(values, None)
        if value is not None:
            engine.state.metrics[name] = value
            handler(engine)

    return call
'''

_STEPS_WITH = '''

def steps_with(name, scheduler):
    """torch's ReduceLROnPlateau as a handler: scheduler.step(engine.state.metrics[name])."""
    return lambda engine: scheduler.step(engine.state.metrics[name])
'''


def reads_metric(model: BaseModel) -> bool:
    """Whether a scheduler model reads a metric curve."""
    return entry_for(model).core.metric_reads is not None


def reads_needed(exp: Experiment) -> dict[str, int]:
    """The values each curve read must hold for the run: the most reads of one scheduler."""
    from scheduler_core.metrics import read_calls

    ipe = exp.iterations_per_epoch
    out: dict[str, int] = {}
    for s in exp.schedulers:
        if reads_metric(s):
            spec = scheduler_spec(s)
            n = len(read_calls(spec, num_calls(spec.event, exp.num_events, ipe), ipe))
            out[s.metric_name] = max(out.get(s.metric_name, 0), n)
    return out


def definitions(exp: Experiment, feed: bool) -> tuple[bool, str]:
    """(numpy needed, the source defining ``metrics``: the curves read, ``feed``: with the
    ``evaluated`` and ``steps_with`` helpers) or (False, "") when no curve is read."""
    needed = reads_needed(exp)
    if not needed:
        return False, ""
    assert exp.metrics is not None  # checked: every metric_name names a curve
    lines = []
    numpy = False
    for name, n in needed.items():
        curve = exp.metrics[name]
        if curve.kind == "values":
            lines.append(f"    {name!r}: {list(curve.values)!r},")
        else:
            numpy = True
            args = f"{n}, {curve.start!r}, {curve.plateau!r}, {curve.rate!r}, {curve.noise_std!r}, {curve.seed!r}"
            lines.append(f"    {name!r}: exp_plateau({args}),")
    pieces = [_EXP_PLATEAU] if numpy else []
    pieces.append(
        "# The metric curves: value k is what the k-th read of a plateau scheduler sees.\n"
        "metrics = {\n" + "\n".join(lines) + "\n}"
    )
    if feed:
        pieces.append(_FEED)
        if any(entry_for(s).core.family == "torch" and reads_metric(s) for s in exp.schedulers):
            pieces.append(_STEPS_WITH)
    return numpy, "\n\n\n".join(p.strip("\n") for p in pieces)


def reader_call(model: BaseModel, render: Callable[..., str], index: int) -> str:
    """The handler of a metric-reading scheduler in the generic program (``render(model,
    skip=...)`` writes its constructor call).

    Raises:
        ApiError: 422 for timm's PlateauLRScheduler (its reads follow epochs).
    """
    core = entry_for(model).core
    name = model.metric_name
    if core.family == "torch":
        return f"evaluated({name!r}, steps_with({name!r}, {render(model, skip=('metric_name',))}))"
    if core.family != "ignite":
        raise ApiError(
            422,
            ("body", "schedulers", index, "type"),
            f"{model.type} steps after each epoch with its metric in timm's loop: export an "
            "experiment of timm schedulers only (flavor 'timm' or 'scheduler_core')",
            "code_flavor",
        )
    return f"evaluated({name!r}, {render(model)})"
