"""The errors a reply can carry, raised by any layer: :class:`ApiError` and :func:`core_errors`.

- :class:`ApiError` (raised by the app itself: caps, cross-field checks, unknown links).
- ``ValueError`` / ``TypeError`` / ``IndexError`` / ``ArithmeticError`` (``ZeroDivisionError``,
  ``OverflowError``) raised by ``scheduler_core`` while building or stepping → 422 (wrapped by
  :func:`core_errors`).

The HTTP layer (:mod:`app.api.errors`) turns them into ``{"detail": [{"loc", "msg", "type"}]}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

CORE_ERRORS = (ValueError, TypeError, IndexError, ArithmeticError)


class ApiError(Exception):
    """An error reply: HTTP status plus one or more ``(loc, msg, type)`` items."""

    def __init__(
        self,
        status: int,
        loc: Sequence[str | int],
        msg: str,
        type: str = "value_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(msg)
        self.status = status
        self.items = [{"loc": list(loc), "msg": msg, "type": type}]
        self.headers = headers


class ClientGone(Exception):
    """The client hung up before its reply was ready: the work was stopped, nothing is sent
    (counted as status 499 in the access log and ``/metrics``)."""


@contextmanager
def core_errors(loc: Sequence[str | int], *, step: bool = False) -> Iterator[None]:
    """Turn the scheduler library's own errors into a 422 naming ``loc``."""
    try:
        yield
    except CORE_ERRORS as exc:
        kind = "scheduler_step_error" if step else "scheduler_error"
        raise ApiError(422, loc, f"{type(exc).__name__}: {exc}", kind) from exc
    except RecursionError as exc:  # pragma: no cover - bounded by the schema
        raise ApiError(422, loc, "configuration nested too deeply", "scheduler_error") from exc
