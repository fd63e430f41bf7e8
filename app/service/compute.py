"""From a validated experiment to checked numpy series: caps, an LRU cache, error mapping.

The cache key is the experiment's canonical JSON (sorted keys, defaults filled in, see
:mod:`app.contract.canonical`), so two requests describing the same experiment share one
computation. Cached series are read-only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from app.contract.canonical import canonical_json
from app.contract.errors import ApiError, core_errors
from app.contract.schemas import Experiment
from app.service.limits import check_experiment, check_step_budget
from app.settings import Settings


@dataclass(frozen=True)
class SeriesData:
    """One computed series (``scheduler_core.experiment.Series``, read-only values) and the
    events where its schedule restarts (``scheduler_core.restarts``)."""

    param_group: int
    group_name: str
    param_name: str
    values: np.ndarray
    restarts: tuple[int, ...] = ()


class SeriesCache:
    """A thread-safe LRU of computed series, bounded by the bytes of the arrays it holds."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[bytes, tuple[list[SeriesData], int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: bytes) -> list[SeriesData] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key: bytes, series: list[SeriesData]) -> None:
        size = sum(s.values.nbytes for s in series) + len(key)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (series, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


def _locate_construct_error(exp: Experiment) -> tuple[str | int, ...]:
    """The path of the scheduler whose constructor fails alone, else ``("body", "schedulers")``."""
    from app.service.convert import to_core
    from scheduler_core.experiment import build

    for i, s in enumerate(exp.schedulers):
        single = exp.model_copy(update={"schedulers": [s]})
        try:
            build(to_core(single))
        except Exception:  # noqa: BLE001 - any failure pins the culprit
            return ("body", "schedulers", i)
    return ("body", "schedulers")


def compute_series(exp: Experiment, settings: Settings, cache: SeriesCache, key: bytes) -> list[SeriesData]:
    """The experiment's series (cached); core errors and non-finite values → 422.

    Like ``simulate(method="auto")``: the closed forms first; when there is none, stepping,
    but only if the stepping would fit the request time budget.
    """
    hit = cache.get(key)
    if hit is not None:
        return hit
    from app.service.convert import to_core
    from scheduler_core.experiment import build, simulate_built
    from scheduler_core.restarts import restart_events

    core = to_core(exp)
    try:
        built = build(core)
    except Exception as exc:
        with core_errors(_locate_construct_error(exp)):
            raise exc
    try:
        with np.errstate(all="ignore"):
            raw = simulate_built(core, built, method="fast")  # reads the built groups only
    except Exception:  # no exact closed form, or an error that stepping reproduces exactly
        check_step_budget(exp, settings)
        with core_errors(("body", "schedulers"), step=True), np.errstate(all="ignore"):
            raw = simulate_built(core, built, method="step")
    out = []
    for s in raw:
        values = np.ascontiguousarray(s.values, dtype=np.float64)
        bad = ~np.isfinite(values)
        if bad.any():
            at = int(np.argmax(bad))
            raise ApiError(
                422,
                ("body", "schedulers"),
                f"{s.param_name!r} of param group {s.param_group} ({s.group_name!r}) becomes "
                f"{values[at]} at event {at}: the configuration overflows",
                "non_finite",
            )
        values.flags.writeable = False
        restarts = tuple(restart_events(core, s.param_group, s.param_name))
        out.append(SeriesData(s.param_group, s.group_name, s.param_name, values, restarts))
    cache.put(key, out)
    return out


def series_for(
    exp: Experiment, settings: Settings, cache: SeriesCache, *, max_events: int, key: bytes | None = None
) -> list[SeriesData]:
    """Check caps, then compute (or fetch) the series; ``key`` is ``canonical_json(exp)`` when
    the caller has it already (the routes do, for the ETag)."""
    check_experiment(exp, settings, max_events=max_events)
    return compute_series(exp, settings, cache, canonical_json(exp) if key is None else key)


def decimated(series: list[SeriesData], max_points: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each series reduced to at most about ``max_points`` (events, values)."""
    from scheduler_core.decimate import decimate_indices

    out = []
    for s in series:
        events = decimate_indices(s.values, max_points)  # events are 0..n-1: indices are events
        out.append((events, s.values if len(events) == len(s.values) else s.values[events]))
    return out
