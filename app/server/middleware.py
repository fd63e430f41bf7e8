"""Pure-ASGI middleware: request body size cap (413), security headers, a cache of replies."""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Sequence

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


async def send_bytes(
    send: Send, status: int, body: bytes, content_type: bytes, extra: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    """Send a whole reply from pure ASGI code (content type and length set)."""
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


log = logging.getLogger("app")


class BodyTooLarge(HTTPException):
    """Raised while reading a body past the cap; FastAPI re-raises HTTPExceptions untouched."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


def _error_413(limit: int) -> bytes:
    return orjson.dumps(
        {
            "detail": [
                {"loc": ["body"], "msg": f"request body larger than {limit} bytes", "type": "body_too_large"}
            ]
        }
    )


class BodySizeLimit:
    """Refuse bodies over ``max_bytes``: by Content-Length up front, else while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reply_413(self, send: Send) -> None:
        body = _error_413(self.max_bytes)
        await send_bytes(send, 413, body, b"application/json", [(b"connection", b"close")])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                if not value.isdigit() or int(value) > self.max_bytes:
                    await self._reply_413(send)
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._reply_413(send)


APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""One policy for every page, /docs included (served without scripts, see app/api/routes/docs.py).
Plotly adds inline ``<style>`` elements, hence ``style-src 'unsafe-inline'``; scripts never."""
SECURITY_HEADERS = (
    (b"content-security-policy", APP_CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


def _error_500() -> bytes:
    return orjson.dumps({"detail": [{"loc": [], "msg": "internal error (logged)", "type": "internal_error"}]})


class SecurityHeaders:
    """Add CSP, nosniff, Referrer-Policy and framing headers unless the route set its own.

    Outermost of the app's middleware, it also answers unhandled exceptions itself (a logged
    JSON 500), so that even a 500 carries the headers (Starlette's own 500 reply would not).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if started:
                raise
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            await send_bytes(send_with_headers, 500, _error_500(), b"application/json")


CACHED_PATHS = frozenset({"/api/v1/series", "/api/v1/figure", "/api/v1/code"})
ROUTING_KEYS = ("route", "endpoint", "path_params", "fastapi")


class ReplyCache:
    """An LRU of whole 200 replies to the pure POST routes, bounded by ``max_bytes``.

    The key is the SHA-256 of path, query, ``Accept`` and the raw body: the same bytes always get
    the same reply (for one app version and settings), so a hit skips parsing, validation and
    computing. Requests with ``If-None-Match`` go to the route (it answers 304 cheaply).
    Sits inside :class:`BodySizeLimit`, which bounds the body read here.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_item = max_bytes // 8
        self._items: OrderedDict[bytes, tuple[int, list, bytes]] = OrderedDict()
        self._bytes = 0
        self._routing: dict[str, dict] = {}
        """Per path, what the router put in the scope (route, endpoint): a hit restores it, so
        outer middleware (metrics, logs) sees the same route as for a miss."""

    def _key(self, scope: Scope, body: bytes) -> bytes | None:
        headers = dict(scope.get("headers", ()))
        if b"if-none-match" in headers:
            return None
        h = hashlib.sha256(scope["path"].encode())
        for part in (scope.get("query_string", b""), headers.get(b"accept", b""), body):
            h.update(len(part).to_bytes(8, "little") + part)
        return h.digest()

    def _put(self, key: bytes, status: int, headers: list, body: bytes) -> None:
        if len(body) > self.max_item or key in self._items:
            return
        self._items[key] = (status, headers, body)
        self._bytes += len(body)
        while self._bytes > self.max_bytes:
            _, (_, _, dropped) = self._items.popitem(last=False)
            self._bytes -= len(dropped)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in CACHED_PATHS:
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # client went away
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        key = self._key(scope, body)
        hit = None if key is None else self._items.get(key)
        if hit is not None:
            self._items.move_to_end(key)
            scope.update(self._routing.get(scope["path"], {}))
            status, headers, reply = hit
            await send({"type": "http.response.start", "status": status, "headers": list(headers)})
            await send({"type": "http.response.body", "body": reply})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        start: Message = {}
        parts: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":  # copied: outer middleware edits it
                start = {**message, "headers": list(message.get("headers", []))}
            elif message["type"] == "http.response.body" and key and start.get("status") == 200:
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._put(key, 200, start["headers"], b"".join(parts))
            await send(message)

        await self.app(scope, replay, capture)
        self._routing[scope["path"]] = {k: scope[k] for k in ROUTING_KEYS if k in scope}
