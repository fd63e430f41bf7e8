"""Pure-ASGI middleware: request body size cap (413), security headers, JSON-only bodies (415),
HEAD as GET, client hang-ups noticed, and gzip."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence

import orjson
from starlette.datastructures import MutableHeaders
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


class BodyTimeout(HTTPException):
    """Raised when a piece of the request body takes longer than the read timeout to arrive."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"request body not received within {seconds:g} s")


class BodySizeLimit:
    """Refuse bodies over ``max_bytes`` (413): by Content-Length up front, else while streaming;
    and bodies whose next piece takes more than ``read_timeout_s`` to arrive (408, connection
    closed). uvicorn has no such timeout (nor one for headers: see the reverse proxy of
    ``deploy/``); the timeout ends once the body is complete."""

    def __init__(self, app: ASGIApp, max_bytes: int, read_timeout_s: float | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout_s = read_timeout_s

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
        complete = False

        async def limited_receive() -> Message:
            nonlocal received, complete
            if complete or self.read_timeout_s is None:
                message = await receive()
            else:
                try:
                    message = await asyncio.wait_for(receive(), self.read_timeout_s)
                except TimeoutError:
                    raise BodyTimeout(self.read_timeout_s) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
                complete = not message.get("more_body", False)
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
        except BodyTimeout as exc:
            if started:
                raise
            body = orjson.dumps({"detail": [{"loc": ["body"], "msg": exc.detail, "type": "body_timeout"}]})
            await send_bytes(send, 408, body, b"application/json", [(b"connection", b"close")])


APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""One policy for every page, /docs and /redoc included (their scripts are same-origin files, see
app/api/routes/docs.py). Plotly adds inline ``<style>`` elements, hence ``style-src
'unsafe-inline'``; scripts never."""
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


JSON_METHODS = frozenset({"POST", "PUT", "PATCH"})


def is_json_media_type(header: bytes | None) -> bool:
    """True for ``application/json`` or ``application/*+json``, with no charset but UTF-8."""
    if not header:
        return False
    media, *params = header.decode("latin-1").split(";")
    media = media.strip().lower()
    kind, _, subtype = media.partition("/")
    if kind != "application" or not (subtype == "json" or (subtype.endswith("+json") and len(subtype) > 5)):
        return False
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


def _error_415(given: bytes | None) -> bytes:
    what = f"Content-Type {given.decode('latin-1')!r}" if given else "no Content-Type"
    msg = f"request body should be JSON (Content-Type: application/json), but given {what}"
    return orjson.dumps(
        {"detail": [{"loc": ["header", "content-type"], "msg": msg, "type": "unsupported_media_type"}]}
    )


class RequireJson:
    """Refuse (415) a POST/PUT/PATCH under ``prefix`` whose body is not declared JSON.

    A cross-site HTML form can only send ``application/x-www-form-urlencoded``,
    ``multipart/form-data`` or ``text/plain`` without a CORS preflight: demanding
    ``application/json`` (or ``application/*+json``) means no other site can make a browser POST
    to the API. A request with neither a body nor a Content-Type passes (the route answers it).
    """

    def __init__(self, app: ASGIApp, prefix: str = "/api/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in JSON_METHODS:
            path = scope["path"]
            root = scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root) :]
            if path.startswith(self.prefix):
                headers = dict(scope.get("headers", ()))
                content_type = headers.get(b"content-type")
                has_body = headers.get(b"content-length", b"0") != b"0" or b"transfer-encoding" in headers
                if (content_type is not None or has_body) and not is_json_media_type(content_type):
                    await send_bytes(send, 415, _error_415(content_type), b"application/json")
                    return
        await self.app(scope, receive, send)


class HeadAsGet:
    """Answer HEAD wherever GET is served: the GET's status and headers, no body.

    FastAPI routes declared with ``@router.get`` match GET only; rather than doubling every route
    (and its OpenAPI operation), HEAD runs as GET here and the body is dropped on the way out
    (``content-length`` stays the GET's). Outer middleware still sees the HEAD.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


DISCONNECTED = "schedule_explorer.disconnected"
"""Scope key of the :class:`threading.Event` that :class:`DisconnectWatch` sets when the client
hangs up before its reply is complete (routes hand it to heavy work to cancel it)."""


class DisconnectWatch:
    """Notice a client that hangs up while its request is still being served.

    Once the request body has been read (at once for a request without one), a task waits for
    the server's ``http.disconnect``; if it comes before the reply is complete, the event at
    ``scope[DISCONNECTED]`` is set (a thread running heavy work polls it, and the access log
    counts the request as 499). The app still receives every message, the disconnect included.
    The body itself is never read ahead, so the server's back-pressure on uploads stays.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gone = threading.Event()
        scope[DISCONNECTED] = gone
        complete = False
        watcher: asyncio.Task | None = None

        async def watch(after_empty_request: bool) -> Message:
            message = await receive()
            if after_empty_request and message["type"] == "http.request":
                message = await receive()
            if message["type"] == "http.disconnect" and not complete:
                gone.set()
            return message

        def start_watching(after_empty_request: bool = False) -> None:
            nonlocal watcher
            if watcher is None:
                watcher = asyncio.ensure_future(watch(after_empty_request))

        async def watched_receive() -> Message:
            if watcher is not None:
                return await asyncio.shield(watcher)
            message = await receive()
            if message["type"] == "http.disconnect":
                gone.set()
            elif not message.get("more_body", False):
                start_watching()
            return message

        async def watched_send(message: Message) -> None:
            nonlocal complete
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                complete = True
            await send(message)

        headers = dict(scope.get("headers", ()))
        if headers.get(b"content-length", b"0") == b"0" and b"transfer-encoding" not in headers:
            # no body: the app's one http.request message is made here, the watch starts now
            body_read = False

            async def no_body_receive() -> Message:
                nonlocal body_read
                if not body_read:
                    body_read = True
                    return {"type": "http.request", "body": b"", "more_body": False}
                return await asyncio.shield(watcher)  # type: ignore[arg-type]

            start_watching(after_empty_request=True)
            app_receive = no_body_receive
        else:
            app_receive = watched_receive
        try:
            await self.app(scope, app_receive, watched_send)
        finally:
            complete = True
            if watcher is not None and not watcher.done():
                watcher.cancel()


class Compress:
    """gzip for replies of ``minimum_size`` bytes or more to clients that accept it (Starlette's
    ``GZipMiddleware``: streamed replies chunk by chunk, ``Vary: Accept-Encoding``).

    To a client that accepts gzip, every ETag goes out weak (``W/"..."``), 304s included: a
    gzip-encoded body is not the identity body byte for byte, so a strong tag would claim a
    match it does not have, and weakening them all (not only the bodies this reply happened to
    compress) keeps one tag per representation for the client. ``If-None-Match`` compares
    weakly (the routes and StaticFiles drop ``W/``), so the weak tags still get their 304s.
    """

    def __init__(self, app: ASGIApp, minimum_size: int = 1024, level: int = 5) -> None:
        from starlette.middleware.gzip import GZipMiddleware

        self.gzip = GZipMiddleware(app, minimum_size=minimum_size, compresslevel=level)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or b"gzip" not in dict(scope.get("headers", ())).get(
            b"accept-encoding", b""
        ):
            await self.gzip(scope, receive, send)
            return

        async def weak_etag_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                tag = headers.get("etag")
                if tag and not tag.startswith("W/"):
                    headers["etag"] = "W/" + tag
                    message = {**message, "headers": headers.raw}
            await send(message)

        await self.gzip(scope, receive, weak_etag_send)
