"""Metric curves: what plateau schedulers read, one value per evaluation.

An experiment may carry named curves (:attr:`scheduler_core.spec.Experiment.metrics`), each a
mapping with a ``kind``:

- ``{"kind": "values", "values": [v0, v1, ...]}``: given values, one per evaluation;
- ``{"kind": "exp_plateau", "start", "plateau", "rate", "noise_std", "seed"}``: value ``k`` is
  ``plateau + (start - plateau) * exp(-rate * k) + noise_std * z[k]`` with
  ``z = numpy.random.default_rng(seed).standard_normal(n)`` (numpy's operations, in that order:
  the first ``n`` values do not depend on how many are drawn).

A scheduler reading a metric (its type's ``metric_reads``, see
:class:`scheduler_core.registry.SchedulerType`) names a curve with its ``metric_name`` kwarg and
reads value ``k`` at its ``k``-th read, as ``engine.state.metrics[metric_name]`` (what an
evaluator run before it would have set).

>>> curve_values({"kind": "exp_plateau", "start": 1.0, "plateau": 0.5, "rate": 1.0,
...               "noise_std": 0.0, "seed": 0}, 3).round(4).tolist()
[1.0, 0.6839, 0.5677]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .events import first_iteration, num_calls
from .registry import TYPES, expanded
from .spec import Experiment, SchedulerSpec

__all__ = ["KINDS", "MetricRead", "curve_values", "metric_reads", "read_calls", "readers"]

KINDS = ("values", "exp_plateau")
"""The curve kinds."""


def curve_values(curve: Mapping[str, Any], n: int) -> np.ndarray:
    """The first ``n`` values of ``curve`` (float64).

    Raises:
        ValueError: an unknown kind, or a ``values`` curve with fewer than ``n`` values.
    """
    kind = curve.get("kind")
    if kind == "values":
        values = curve["values"]
        if len(values) < n:
            raise ValueError(
                f"Argument values should hold at least {n} values (one per evaluation), but given {len(values)}"
            )
        return np.asarray(values[:n], dtype=np.float64)
    if kind == "exp_plateau":
        start, plateau = float(curve["start"]), float(curve["plateau"])
        k = np.arange(n, dtype=np.float64)
        z = np.random.default_rng(int(curve["seed"])).standard_normal(n)
        return plateau + (start - plateau) * np.exp(-float(curve["rate"]) * k) + float(curve["noise_std"]) * z
    raise ValueError(f"Argument kind should be one of {list(KINDS)}, but given {kind!r}")


def read_calls(spec: SchedulerSpec, calls: int, iterations_per_epoch: int | None) -> range:
    """The calls (0-based) of ``spec``'s first ``calls`` at which it reads its metric (empty for
    a type reading none): a ``range``, so that counting reads allocates nothing."""
    t = TYPES.get(spec.type)
    if t is None or t.metric_reads is None:
        return range(0)
    return t.metric_reads(spec.kwargs, calls, iterations_per_epoch)


def _reads(spec: Any) -> bool:
    return getattr(TYPES.get(getattr(spec, "type", None)), "metric_reads", None) is not None


def readers(experiment: Experiment) -> list[SchedulerSpec]:
    """The experiment's schedulers reading a metric, in order.

    Raises:
        ValueError: one sits in a ParamGroupScheduler (attach it on its own).
    """
    for spec in experiment.schedulers:
        if not _reads(spec) and any(_reads(c) for c in expanded([spec])):
            raise ValueError(
                f"Argument schedulers of {spec.type} should not read a metric: attach the scheduler "
                "reading it on its own"
            )
    return [s for s in experiment.schedulers if _reads(s)]


class MetricRead:
    """The reads of one scheduler over a run: ``calls`` (its call indices, a range), ``events``
    (the first iteration processed after each read, as restart markers count) and ``values``
    (the curve's values read, computed when first asked for)."""

    def __init__(
        self, name: str, calls: range, event: str, ipe: int | None, curve: Mapping[str, Any]
    ) -> None:
        self.name, self.calls = name, calls
        self._event, self._ipe, self._curve = event, ipe, curve

    @property
    def events(self) -> np.ndarray:
        calls = np.arange(self.calls.start, self.calls.stop, self.calls.step, dtype=np.int64)
        return np.asarray(first_iteration(self._event, calls, self._ipe), dtype=np.int64)

    @property
    def values(self) -> np.ndarray:
        return curve_values(self._curve, len(self.calls))


def metric_reads(experiment: Experiment) -> list[MetricRead]:
    """What each metric-reading scheduler reads in the run, in scheduler order. Cheap: no curve
    is evaluated until a read's ``values`` is asked for.

    Raises:
        ValueError: a reader's ``metric_name`` names no curve of the experiment, or a ``values``
            curve is shorter than its reads.
    """
    n, ipe = experiment.num_events, experiment.iterations_per_epoch
    curves = experiment.metrics or {}
    out = []
    for spec in readers(experiment):
        name = spec.kwargs.get("metric_name")
        if name not in curves:
            raise ValueError(
                f"Argument metric_name should name one of the experiment's metrics {sorted(curves)}, "
                f"but given {name!r}"
            )
        calls = read_calls(spec, num_calls(spec.event, n, ipe), ipe)
        curve = curves[name]
        if curve.get("kind") == "values" and len(curve["values"]) < len(calls):
            curve_values(curve, len(calls))  # its error
        out.append(MetricRead(name, calls, spec.event, ipe, curve))
    return out
