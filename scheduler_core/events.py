"""When schedulers are called: ignite's attach events, laid out on a run of iterations.

A scheduler of an experiment is attached at one of :data:`EVENTS` (ignite's ``Events`` of the
same names). A run of ``n`` iterations with ``iterations_per_epoch = E`` fires, before
iteration ``i`` (0-based) is processed: ``EPOCH_STARTED`` (when ``i % E == 0``), then
``ITERATION_STARTED``; after it: ``ITERATION_COMPLETED``, then ``EPOCH_COMPLETED`` (when
``(i + 1) % E == 0``), as ``ignite.engine.Engine.run`` does. Series hold the value in force while
each iteration is processed, so only the calls fired before the last iteration's processing
count (the trailing ``*_COMPLETED`` calls of a run change no recorded value).

>>> calls_before("EPOCH_COMPLETED", 7, 3).tolist()
[0, 0, 0, 1, 1, 1, 2]
>>> num_calls("ITERATION_COMPLETED", 7, None), num_calls("EPOCH_STARTED", 7, 3)
(6, 3)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "DEFAULT_EVENT",
    "EPOCH_EVENTS",
    "EVENTS",
    "calls_before",
    "check_events",
    "first_iteration",
    "last_call_stamps",
    "num_calls",
    "run_events",
]

EVENTS = ("ITERATION_STARTED", "ITERATION_COMPLETED", "EPOCH_STARTED", "EPOCH_COMPLETED")
"""The attach events an experiment's scheduler may name (ignite's ``Events`` members)."""
DEFAULT_EVENT = EVENTS[0]
EPOCH_EVENTS = frozenset(EVENTS[2:])

_SLOT = {"EPOCH_STARTED": 0, "ITERATION_STARTED": 1, "ITERATION_COMPLETED": 3, "EPOCH_COMPLETED": 4}
"""Order of the events around one iteration (2: the iteration is processed)."""


def check_events(events: Iterable[str], iterations_per_epoch: Any) -> None:
    """Raise ValueError for an unknown event, or an epoch event without ``iterations_per_epoch``."""
    ipe = iterations_per_epoch
    if ipe is not None and (isinstance(ipe, bool) or not isinstance(ipe, int) or ipe < 1):
        raise ValueError(f"Argument iterations_per_epoch should be a positive integer, but given {ipe!r}")
    for event in events:
        if event not in _SLOT:
            raise ValueError(f"Argument event should be one of {list(EVENTS)}, but given {event!r}")
        if event in EPOCH_EVENTS and ipe is None:
            raise ValueError(
                f"Argument iterations_per_epoch should be given for a scheduler attached at {event}"
            )


def calls_before(event: str, n: int, ipe: int | None) -> np.ndarray:
    """How many times a handler of ``event`` was called before iteration ``i`` is processed."""
    i = np.arange(n, dtype=np.int64)
    if event == "ITERATION_STARTED":
        return i + 1
    if event == "ITERATION_COMPLETED":
        return i
    epochs = i // ipe
    return epochs + 1 if event == "EPOCH_STARTED" else epochs


def num_calls(event: str, n: int, ipe: int | None) -> int:
    """The calls of a handler of ``event`` that the ``n`` iterations' values depend on (the
    last entry of :func:`calls_before`)."""
    if n == 0:
        return 0
    if event == "ITERATION_STARTED":
        return n
    if event == "ITERATION_COMPLETED":
        return n - 1
    return (n - 1) // ipe + (event == "EPOCH_STARTED")


def first_iteration(event: str, call: int, ipe: int | None) -> int:
    """The first iteration processed with the value written by call ``call`` (0-based)."""
    if event == "ITERATION_STARTED":
        return call
    if event == "ITERATION_COMPLETED":
        return call + 1
    return (call if event == "EPOCH_STARTED" else call + 1) * ipe


def last_call_stamps(event: str, order: int, count: int, n: int, ipe: int | None) -> np.ndarray:
    """A sortable time of the last call before each iteration (-1: none yet).

    ``order`` is the handler's place among the ``count`` handlers (ignite fires handlers of one
    event in the order they were added); later stamps overwrite earlier ones.
    """
    calls = calls_before(event, n, ipe)
    i = np.arange(n, dtype=np.int64)
    if event == "ITERATION_STARTED":
        at = i
    elif event == "ITERATION_COMPLETED":
        at = i - 1
    elif event == "EPOCH_STARTED":
        at = (i // ipe) * ipe
    else:
        at = (i // ipe) * ipe - 1
    stamps = (at * 5 + _SLOT[event]) * count + order
    return np.where(calls > 0, stamps, -1)


def run_events(
    n: int, ipe: int | None, handlers: dict[str, list[Any]], record: Any, engine: Any = None
) -> None:
    """Call ``handlers[event]`` (lists of callables) and ``record(i)`` as an Engine run would,
    up to the processing of iteration ``n - 1``."""
    started, completed = handlers.get("ITERATION_STARTED", ()), handlers.get("ITERATION_COMPLETED", ())
    epoch_started, epoch_completed = handlers.get("EPOCH_STARTED", ()), handlers.get("EPOCH_COMPLETED", ())
    for i in range(n):
        if epoch_started and i % ipe == 0:
            for h in epoch_started:
                h(engine)
        for h in started:
            h(engine)
        record(i)
        if i == n - 1:
            break
        for h in completed:
            h(engine)
        if epoch_completed and (i + 1) % ipe == 0:
            for h in epoch_completed:
                h(engine)
