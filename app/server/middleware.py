"""Pure-ASGI middleware: request body size cap (413) and security headers."""

from __future__ import annotations

import logging
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
