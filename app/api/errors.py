"""Error replies: every failure becomes ``{"detail": [{"loc", "msg", "type"}]}`` with a 4xx.

- :class:`~app.contract.errors.ApiError` (raised by the app itself: caps, cross-field checks,
  unknown links).
- ``RequestValidationError`` (pydantic) → 422 with each error's ``loc`` and ``msg``.
- ``ValueError`` / ``TypeError`` / ``ZeroDivisionError`` / ``IndexError`` raised by
  ``scheduler_core`` while building or stepping → 422 (wrapped by
  :func:`~app.contract.errors.core_errors`).
- Anything else is a real bug: :class:`~app.server.middleware.SecurityHeaders`, the outermost
  middleware, logs it with its traceback and answers a 500 JSON body (with the security
  headers), so no handler for ``Exception`` is registered here (Starlette would only call it
  once a reply has started, when its answer can no longer be sent).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ..contract.errors import ApiError
from ..contract.registry import REGISTRY
from ..contract.schemas import DOCUMENT_TAGS
from ..storage.links import StoreUnavailable

log = logging.getLogger("app")


def error_response(status: int, items: list[dict[str, Any]], headers=None) -> Response:
    return Response(
        orjson.dumps({"detail": items}),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def _jsonable(v: Any) -> Any:
    return v if isinstance(v, (str, int)) else str(v)


async def _api_error(request: Request, exc: ApiError) -> Response:
    return error_response(exc.status, exc.items, headers=exc.headers)


STORE_RETRY_AFTER_S = 5
"""``Retry-After`` of a 503 from an unavailable link store."""


async def _store_unavailable(request: Request, exc: StoreUnavailable) -> Response:
    """503 with the store's one-line reason; logged as one line, no traceback per request."""
    log.warning("%s %s: %s", request.method, request.url.path, exc)
    item = {"loc": [], "msg": str(exc), "type": "link_store_unavailable"}
    return error_response(503, [item], headers={"Retry-After": str(STORE_RETRY_AFTER_S)})


def clean_loc(loc: Sequence[Any]) -> list[str | int]:
    """The error path into the document, without pydantic's union tags (scheduler type names)."""
    return [_jsonable(p) for p in loc if not (isinstance(p, str) and (p in REGISTRY or p in DOCUMENT_TAGS))]


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    items = [
        {
            "loc": clean_loc(e.get("loc", ())),
            "msg": str(e.get("msg", "invalid")),
            "type": str(e.get("type", "value_error")),
        }
        for e in exc.errors()
    ]
    return error_response(422, items)


def _parse_problem(cause: BaseException | None) -> str:
    """Why the JSON parser gave up (it raises RecursionError, never crashes, on deep nesting)."""
    if isinstance(cause, RecursionError):
        return "the JSON is nested too deeply"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return "a number in the JSON has too many digits"
    return "the body should be a UTF-8 JSON document"


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    status = exc.status_code
    loc: list[str | int] = ["path"] if status in (404, 405) else ["body"]
    detail = exc.detail if isinstance(exc.detail, str) else "error"
    kind = f"http_{status}"
    if status == 413:
        kind = "body_too_large"
    if status == 408:  # app.server.middleware.BodyTimeout
        kind = "body_timeout"
    if status == 400:  # FastAPI's "error parsing the body" (e.g. not UTF-8): a 422 like the rest
        status, kind = 422, "body_parse_error"
        detail = f"{detail}: {_parse_problem(exc.__cause__)}"
    return error_response(
        status,
        [{"loc": loc, "msg": detail, "type": kind}],
        headers=getattr(exc, "headers", None),
    )


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StoreUnavailable, _store_unavailable)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
