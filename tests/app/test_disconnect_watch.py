"""DisconnectWatch at the ASGI level: which hang-ups it notices, and that the app still gets
every message (the disconnect included), without reading a body ahead."""

from __future__ import annotations

import asyncio

from app.server.middleware import DISCONNECTED, DisconnectWatch


def run(messages: list[dict], app_reads: int, reply_before_disconnect: bool, headers=()) -> tuple:
    """Feed ``messages`` (the last one after the reply if ``reply_before_disconnect``)."""
    seen, sent = [], []
    replied = asyncio.Event()

    async def receive() -> dict:
        if len(messages) == 1 and reply_before_disconnect:
            await replied.wait()
        await asyncio.sleep(0)
        return messages.pop(0)

    async def send(message: dict) -> None:
        sent.append(message)

    async def app(scope, receive, send) -> None:
        for _ in range(app_reads):
            seen.append(await receive())
        if reply_before_disconnect:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
            replied.set()
        else:
            await asyncio.sleep(0.05)

    scope = {"type": "http", "method": "POST", "headers": list(headers)}
    asyncio.run(DisconnectWatch(app)(scope, receive, send))
    return scope[DISCONNECTED].is_set(), seen, sent


BODY = [{"type": "http.request", "body": b"{}", "more_body": False}, {"type": "http.disconnect"}]
LENGTH = [(b"content-length", b"2")]


def test_a_hang_up_after_the_body_and_before_the_reply_is_noticed() -> None:
    gone, seen, _ = run(list(BODY), app_reads=1, reply_before_disconnect=False, headers=LENGTH)
    assert gone and seen == BODY[:1]


def test_the_app_still_receives_the_disconnect() -> None:
    gone, seen, _ = run(list(BODY), app_reads=2, reply_before_disconnect=False, headers=LENGTH)
    assert gone and seen == BODY


def test_the_end_of_a_complete_reply_is_no_hang_up() -> None:
    gone, _, sent = run(list(BODY), app_reads=1, reply_before_disconnect=True, headers=LENGTH)
    assert not gone and sent[-1]["body"] == b"ok"


def test_a_request_without_a_body_is_watched_at_once() -> None:
    gone, seen, _ = run(list(BODY), app_reads=0, reply_before_disconnect=False)
    assert gone and seen == []


def test_a_hang_up_mid_body_is_noticed() -> None:
    partial = [{"type": "http.request", "body": b"{", "more_body": True}, {"type": "http.disconnect"}]
    gone, seen, _ = run(partial, app_reads=2, reply_before_disconnect=False, headers=LENGTH)
    assert gone and [m["type"] for m in seen] == ["http.request", "http.disconnect"]
