"""From a checked experiment to numpy series: :func:`compute`, and the one cache of series.

The cache key is the experiment's canonical JSON (sorted keys, defaults filled in, see
:mod:`app.contract.canonical`), so two requests describing the same experiment share one
computation. Cached series are read-only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cachetools
import numpy as np

from scheduler_core.experiment import build, simulate_built
from scheduler_core.restarts import restart_events
from scheduler_core.series import NoClosedForm

from ..contract.canonical import canonical_json
from ..contract.errors import CORE_ERRORS, ApiError, core_errors
from ..contract.schemas import Experiment
from ..settings import Settings
from .convert import to_core
from .limits import check_step_budget

BUILD_ERRORS = (*CORE_ERRORS, RecursionError, ModuleNotFoundError)
"""What building a valid experiment may raise: the core's own errors (422), and a missing
optional dependency of the library (torch schedulers on a server without the [torch] extra)."""


@dataclass(frozen=True)
class SeriesData:
    """One computed series (``scheduler_core.experiment.Series``, read-only values) and the
    events where its schedule restarts (``scheduler_core.restarts``)."""

    param_group: int
    group_name: str
    param_name: str
    values: np.ndarray
    restarts: tuple[int, ...] = ()


def _entry_bytes(entry: tuple[int, list[SeriesData]]) -> int:
    return entry[0]


class SeriesCache:
    """Computed series by canonical JSON: a ``cachetools.LRUCache`` bounded by the bytes of the
    keys and arrays it holds (``max_bytes=0``: off), behind a lock (the routes run in threads)."""

    def __init__(self, max_bytes: int) -> None:
        self._lru: cachetools.LRUCache = cachetools.LRUCache(maxsize=max_bytes, getsizeof=_entry_bytes)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: bytes) -> list[SeriesData] | None:
        with self._lock:
            entry = self._lru.get(key)
            if entry is None:
                self.misses += 1
                return None
            self.hits += 1
            return entry[1]

    def put(self, key: bytes, series: list[SeriesData]) -> None:
        size = len(key) + sum(s.values.nbytes for s in series)
        if size > self._lru.maxsize:  # cachetools would raise ValueError
            return
        with self._lock:
            self._lru[key] = (size, series)

    def clear(self) -> None:
        with self._lock:
            self._lru.clear()


def _locate_construct_error(exp: Experiment) -> tuple[str | int, ...]:
    """The path of the scheduler whose constructor fails alone, else ``("body", "schedulers")``."""
    for i, s in enumerate(exp.schedulers):
        single = exp.model_copy(update={"schedulers": [s]})
        try:
            build(to_core(single))
        except BUILD_ERRORS:
            return ("body", "schedulers", i)
    return ("body", "schedulers")


def compute(
    exp: Experiment, settings: Settings, cache: SeriesCache, key: bytes | None = None
) -> list[SeriesData]:
    """The series of ``exp`` (caps checked already, see :func:`app.service.limits.check_caps`).

    Like ``simulate(method="auto")``: the closed forms first; only on
    :class:`~scheduler_core.series.NoClosedForm` stepping, if it fits the time budget
    (:func:`~app.service.limits.check_step_budget`). Core errors and non-finite values → 422;
    anything else is a bug and propagates. ``key``: ``canonical_json(exp)`` if known already.
    """
    key = canonical_json(exp) if key is None else key
    hit = cache.get(key)
    if hit is not None:
        return hit
    core = to_core(exp)
    try:
        built = build(core)
    except ModuleNotFoundError as exc:  # the message names the extra to install
        raise ApiError(422, _locate_construct_error(exp), str(exc), "missing_extra") from exc
    except BUILD_ERRORS as exc:
        with core_errors(_locate_construct_error(exp)):
            raise exc
    try:
        with np.errstate(all="ignore"):
            raw = simulate_built(core, built, method="fast")  # reads the built groups only
    except NoClosedForm:  # no exact closed form here, or one whose stepping raises: step
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
