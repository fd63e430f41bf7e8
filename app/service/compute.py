"""From a checked experiment to numpy series: :func:`compute`, and the one cache of series.

The cache key is the experiment's canonical JSON (sorted keys, defaults filled in, see
:mod:`app.contract.canonical`), so two requests describing the same experiment share one
computation. Cached series are read-only.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from types import SimpleNamespace
from typing import Any

import cachetools
import numpy as np

from scheduler_core.events import num_calls
from scheduler_core.experiment import build, fed, groups_state, simulate_built
from scheduler_core.metrics import metric_reads
from scheduler_core.restarts import restart_events
from scheduler_core.series import NoClosedForm
from scheduler_core.summary import summarize

from ..contract.canonical import canonical_json
from ..contract.errors import CORE_ERRORS, ApiError, core_errors
from ..contract.schemas import Experiment
from ..settings import Settings
from .convert import to_core
from .isolation import is_heavy, run_isolated
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

    @cached_property
    def summary(self) -> dict[str, Any]:
        """:func:`scheduler_core.summary.summarize` of the series, computed once and kept with
        the series in the cache (a zoom asks again for every window)."""
        return summarize(self.values, len(self.restarts))


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


def _step_culprit(exp: Experiment, exc: BaseException) -> int | None:
    """The index of the scheduler that raises ``type(exc)`` when stepped alone, else ``None``.

    Only on the error path. Each scheduler is built alone (a fresh build, as
    :func:`_locate_construct_error` does) and all are stepped in lockstep, in the order
    ``simulate_built(method="step")`` steps them (event by event, schedulers in order), so the
    first to raise is the one that raised first in the whole run, and the re-run stops there. It
    steps at most ``num_events`` events of each scheduler, the stepping the whole experiment was
    allowed (:func:`~app.service.limits.check_step_budget`); usually it stops at the same event.
    Schedulers that fail to build alone, or raise another error type, drop out.
    """
    alone: list[tuple[int, Any]] = []
    engine = SimpleNamespace(state=SimpleNamespace(metrics={}))  # what state-kind schedulers set
    for i, s in enumerate(exp.schedulers):
        single = to_core(exp.model_copy(update={"schedulers": [s]}))
        try:
            built = build(single)[1]
        except BUILD_ERRORS:
            continue
        reads = metric_reads(single)  # a plateau scheduler is fed its curve, as when stepped
        alone.extend((i, fed(sched, reads[0], engine) if reads else sched) for sched in built)
    calls = [num_calls(s.event, exp.num_events, exp.iterations_per_epoch) for s in exp.schedulers]
    with np.errstate(all="ignore"):
        for k in range(exp.num_events):
            for i, sched in list(alone):
                if k >= calls[i]:  # an epoch-level scheduler is called fewer times
                    continue
                try:
                    sched(engine)
                except CORE_ERRORS as err:
                    if type(err) is type(exc):
                        return i
                    alone = [(j, t) for j, t in alone if j != i]
            if not alone:
                break
    return None


def _cyclical_shrinks(s: Any) -> tuple[str | int, ...] | None:
    return ("cycle_mult",) if getattr(s, "cycle_mult", 1.0) < 1 else None


def _torch(kind: str, check: Callable[[Any], tuple[str | int, ...] | None]) -> Callable:
    def field(s: Any) -> tuple[str | int, ...] | None:
        lr = getattr(s, "lr_scheduler", None)
        if lr is None or lr.type != kind:
            return None
        path = check(lr)
        return None if path is None else ("lr_scheduler", *path)

    return field


STEP_ERROR_FIELDS: tuple[tuple[type[BaseException], re.Pattern[str], Callable], ...] = (
    # LinearCyclicalScheduler / CosineAnnealingScheduler: cycles truncated to 0 events
    (ZeroDivisionError, re.compile(""), _cyclical_shrinks),
    # torch PolynomialLR(total_iters=0) (LRScheduler or create_lr_scheduler_with_warmup)
    (
        ZeroDivisionError,
        re.compile(""),
        _torch("PolynomialLR", lambda lr: ("total_iters",) if lr.total_iters == 0 else None),
    ),
    # transformers' polynomial decay reaching num_training_steps == num_warmup_steps (0 / 0)
    (
        ZeroDivisionError,
        re.compile(""),
        lambda s: (
            ("num_training_steps",)
            if s.type == "transformers.get_polynomial_decay_schedule_with_warmup"
            and s.num_training_steps == s.num_warmup_steps
            else None
        ),
    ),
    # torch OneCycleLR stepped past total_steps (only when total_steps is what was given)
    (
        ValueError,
        re.compile(r"^Tried to step \d+ times"),
        _torch("OneCycleLR", lambda lr: ("total_steps",) if lr.total_steps is not None else None),
    ),
)
"""Best effort, deliberately small: ``(exception type, message pattern, field of the culprit's
wire model)``, the field function returning a path under the scheduler or ``None`` when the
cause is not clearly that field. The first rule that matches wins; else the scheduler's loc."""


def _locate_step_error(exp: Experiment, exc: BaseException) -> tuple[str | int, ...]:
    """Where a stepping error points: ``("body", "schedulers", i[, field...])`` for the culprit
    (see :func:`_step_culprit`; one scheduler: no re-run), else ``("body", "schedulers")``."""
    i = 0 if len(exp.schedulers) == 1 else _step_culprit(exp, exc)
    if i is None:
        return ("body", "schedulers")
    loc: tuple[str | int, ...] = ("body", "schedulers", i)
    for kind, pattern, field in STEP_ERROR_FIELDS:
        if type(exc) is kind and pattern.search(str(exc)):
            path = field(exp.schedulers[i])
            if path is not None:
                return (*loc, *path)
    return loc


def _step(exp: Experiment, core: Any, built: Any) -> list[Any]:
    """``simulate_built(method="step")``; its errors → 422 naming the scheduler (and field)."""
    with core_errors(("body", "schedulers"), step=True):
        try:
            with np.errstate(all="ignore"):
                return simulate_built(core, built, method="step")
        except CORE_ERRORS as exc:  # name the scheduler (and field) that raised
            with core_errors(_locate_step_error(exp, exc), step=True):
                raise exc


def stepped(key: bytes) -> list[Any]:
    """The stepped series of the experiment whose canonical JSON is ``key`` (what a child
    process runs, see :func:`app.service.isolation.run_isolated`)."""
    exp = Experiment.model_validate_json(key)
    core = to_core(exp)
    return _step(exp, core, build(core))


def compute(
    exp: Experiment, settings: Settings, cache: SeriesCache, key: bytes | None = None, *, store: bool = True
) -> list[SeriesData]:
    """The series of ``exp`` (caps checked already, see :func:`app.service.limits.check_caps`).

    Like ``simulate(method="auto")``: the closed forms first; only on
    :class:`~scheduler_core.series.NoClosedForm` stepping, if it fits the time budget
    (:func:`~app.service.limits.check_step_budget`). Core errors and non-finite values → 422;
    an error while stepping names the scheduler that raised it and, where clear, the field
    (:func:`_locate_step_error`), with the library's message and type ``scheduler_step_error``;
    anything else is a bug and propagates. ``key``: ``canonical_json(exp)`` if known already.
    ``store=False``: a cache hit is used, but a new result is not kept (full downloads are
    one-off and large: their memory goes back once the reply is sent).
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
    groups = groups_state(built[0])  # after construction: exact warm-up ends for the markers
    try:
        with np.errstate(all="ignore"):
            raw = simulate_built(core, built, method="fast")  # reads the built groups only
    except NoClosedForm:  # no exact closed form here, or one whose stepping raises: step
        seconds = check_step_budget(exp, settings)
        if is_heavy(seconds, settings):  # in a child process: the GIL stays with cheap requests
            raw = run_isolated(stepped, (key,), settings, seconds)
        else:
            raw = _step(exp, core, built)
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
        restarts = tuple(restart_events(core, s.param_group, s.param_name, groups=groups))
        out.append(SeriesData(s.param_group, s.group_name, s.param_name, values, restarts))
    if store:
        cache.put(key, out)
    return out
