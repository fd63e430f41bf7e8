"""One router module per resource; shared reply helpers."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import Any

import orjson
from fastapi import Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from ...contract.schemas import ErrorResponse, Experiment
from ...server.memory import trim_heap
from ...service.limits import Output, check_caps
from ...settings import Settings

ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorResponse, "description": "Request body too large"},
    415: {"model": ErrorResponse, "description": "Body not declared JSON (Content-Type: application/json)"},
    422: {"model": ErrorResponse, "description": "Invalid experiment, field path in `loc`"},
}
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified (If-None-Match matched the ETag)"}
}


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Encode with orjson (numpy arrays natively) into a plain Response."""
    return Response(
        orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def not_modified(request: Request, tag: str) -> bool:
    """True when the request's If-None-Match already names ``tag``."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return tag in tags or "*" in tags


def not_modified_response(tag: str) -> Response:
    return Response(status_code=304, headers={"ETag": tag})


def cached_reply(
    request: Request,
    tag: str,
    experiment: Experiment,
    settings: Settings,
    *,
    output: Output,
    max_points: int | None = None,
    **window: int | None,
) -> Response | None:
    """The 304 for a request whose If-None-Match names ``tag``, else ``None`` (compute the reply).

    A 304 only for an experiment the full reply would accept: the caps are checked first (the
    same check the service makes; here only on the 304 path, so each request checks once), so
    ``If-None-Match: *`` cannot skip them.
    """
    if not not_modified(request, tag):
        return None
    check_caps(experiment, settings, output=output, max_points=max_points, **window)
    return not_modified_response(tag)


def chunked_reply(chunks: Iterator[bytes], media_type: str, headers: dict[str, str]) -> Response:
    """A reply of one chunk as a plain :class:`Response` (with its Content-Length); a longer
    one streamed chunk by chunk (each made in the thread pool as it is sent), the C heap
    trimmed once it is sent (:func:`~app.server.memory.trim_heap`)."""
    first = next(chunks, b"")
    second = next(chunks, None)
    if second is None:
        return Response(first, media_type=media_type, headers=headers)
    return StreamingResponse(
        chain((first, second), chunks),
        media_type=media_type,
        headers=headers,
        background=BackgroundTask(trim_heap),
    )
