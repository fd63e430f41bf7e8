"""Heavy work in child processes: a bounded number at once, a bounded queue, cancelled when
the client hangs up.

Stepping an experiment event by event is pure Python: run in a server thread it would hold the
GIL for seconds and stall every cheap request of the worker. :func:`run_isolated` runs such
work in a child process instead, started by multiprocessing's *forkserver* (which forks clean,
single-threaded children from a small server process that imported the library once), so the
worker's own threads keep the GIL for the cheap requests. Per server worker, at most
``heavy_processes`` children run at once and ``heavy_queue`` more requests wait; past that the
request is refused at once with a 503 and ``Retry-After``. The thread waiting for a child
watches the request's cancel event (:func:`cancel_on`, set by the HTTP layer when the client
hangs up): the child is then killed and :class:`~app.contract.errors.ClientGone` raised.
"""

from __future__ import annotations

import math
import multiprocessing
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ..contract.errors import ApiError, ClientGone
from ..settings import Settings

POLL_S = 0.05
"""How often a waiting thread looks at its cancel event."""

_cancel: ContextVar[threading.Event | None] = ContextVar("schedule_explorer_cancel", default=None)


@contextmanager
def cancel_on(event: threading.Event | None) -> Iterator[None]:
    """Heavy work started inside this block stops when ``event`` is set (the client hung up)."""
    token = _cancel.set(event)
    try:
        yield
    finally:
        _cancel.reset(token)


def cancelled() -> bool:
    """Whether the current request's client has hung up."""
    event = _cancel.get()
    return event is not None and event.is_set()


class _Gate:
    """At most ``running`` children at once, ``running + waiting`` requests admitted."""

    def __init__(self, running: int, waiting: int) -> None:
        self.slots = threading.Semaphore(running)
        self.limit = running + waiting
        self.admitted = 0
        self.lock = threading.Lock()

    @contextmanager
    def admit(self, retry_after: int) -> Iterator[None]:
        with self.lock:
            if self.admitted >= self.limit:
                raise ApiError(
                    503,
                    ("body",),
                    f"the server is busy with {self.admitted} heavy requests: try again in "
                    f"{retry_after} s, or send a lighter one (fewer events or param groups)",
                    "busy",
                    headers={"Retry-After": str(retry_after)},
                )
            self.admitted += 1
        try:
            while not self.slots.acquire(timeout=POLL_S):
                if cancelled():
                    raise ClientGone()
            try:
                yield
            finally:
                self.slots.release()
        finally:
            with self.lock:
                self.admitted -= 1


_gates: dict[tuple[int, int], _Gate] = {}
_gates_lock = threading.Lock()


def _gate(settings: Settings) -> _Gate:
    key = (settings.heavy_processes, settings.heavy_queue)
    with _gates_lock:
        if key not in _gates:
            _gates[key] = _Gate(*key)
        return _gates[key]


_context: Any = None


def _forkserver(fn: Callable[..., Any]) -> Any:
    """The forkserver context, its server preloading ``fn``'s module (and torch if the worker
    has it loaded already), set up on first use."""
    global _context
    with _gates_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload([m for m in ("torch", fn.__module__) if m in sys.modules])
            _context = ctx
        return _context


def _child(conn: Any, fn: Callable[..., Any], args: tuple) -> None:
    """Run in the child: ``fn(*args)``'s value, or the ApiError it raised, back through ``conn``."""
    try:
        reply = ("ok", fn(*args))
    except ApiError as exc:
        reply = ("api", (exc.status, exc.items))
    except BaseException:  # noqa: BLE001 (reported to the parent, which raises it as a bug)
        reply = ("bug", traceback.format_exc())
    conn.send(reply)
    conn.close()


def is_heavy(seconds: float, settings: Settings) -> bool:
    """Whether work estimated at ``seconds`` runs in a child process (:func:`run_isolated`):
    at least ``isolate_above_s``, unless ``heavy_processes`` is 0 (everything in threads)."""
    return settings.heavy_processes > 0 and seconds >= settings.isolate_above_s


def run_isolated(fn: Callable[..., Any], args: tuple, settings: Settings, seconds: float) -> Any:
    """``fn(*args)`` in a child process (``seconds``: the estimate, for ``Retry-After``).

    ``fn`` must be a module-level function, ``args`` and its value picklable.

    Raises:
        ApiError: the one ``fn`` raised; or 503 ``busy`` (with ``Retry-After``) when the queue
            is full.
        ClientGone: the client hung up while the request waited or the child ran (killed).
        RuntimeError: the child died, or raised anything but an ApiError (a bug: a 500).
    """
    if cancelled():
        raise ClientGone()
    retry_after = max(1, math.ceil(min(seconds, settings.request_time_budget_s)))
    with _gate(settings).admit(retry_after):
        ctx = _forkserver(fn)
        receiver, sender = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(sender, fn, args), daemon=True)
        proc.start()
        sender.close()
        try:
            while not receiver.poll(POLL_S):
                if cancelled():
                    raise ClientGone()
                if not proc.is_alive() and not receiver.poll():
                    raise RuntimeError(f"heavy work's process died (exit code {proc.exitcode})")
            try:
                kind, payload = receiver.recv()
            except EOFError:
                raise RuntimeError(f"heavy work's process died (exit code {proc.exitcode})") from None
        finally:
            if proc.is_alive():
                proc.kill()
            proc.join()
            receiver.close()
    if kind == "ok":
        return payload
    if kind == "api":
        status, items = payload
        error = ApiError(status, items[0]["loc"], items[0]["msg"], items[0]["type"])
        error.items = items
        raise error
    raise RuntimeError(f"heavy work failed in its process:\n{payload}")
