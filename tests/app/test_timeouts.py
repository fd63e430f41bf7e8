"""Read timeouts: what the server itself closes (the rest is the reverse proxy's, see deploy/).

- ``schedule-explorer serve`` hands uvicorn its keep-alive timeout and connection limit from the
  settings (``keep_alive_s``, ``limit_concurrency``).
- Against a real ``schedule-explorer serve``: an idle keep-alive connection is closed after
  ``keep_alive_s``; a request whose body stalls gets a 408 JSON reply after ``body_timeout_s``
  and its connection is closed (counted as 408, not 499 or 500).
"""

from __future__ import annotations

import socket
import sys
import time
from urllib.request import urlopen

import pytest

from bench.server import start_server, stop_server

COMMAND = [sys.executable, "-m", "app.cli", "serve"]


def test_serve_hands_uvicorn_its_timeouts(monkeypatch) -> None:
    import uvicorn

    from app import cli

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("SCHEDULE_EXPLORER_KEEP_ALIVE_S", "2.5")
    monkeypatch.setenv("SCHEDULE_EXPLORER_LIMIT_CONCURRENCY", "300")
    assert cli.main(["serve", "--port", "0"]) == 0
    assert seen["timeout_keep_alive"] == 2.5 and seen["limit_concurrency"] == 300


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv("SCHEDULE_EXPLORER_KEEP_ALIVE_S", "1")
    monkeypatch.setenv("SCHEDULE_EXPLORER_BODY_TIMEOUT_S", "1")
    proc, base_url = start_server(tmp_path, command=COMMAND)
    host, port = base_url.removeprefix("http://").split(":")
    yield base_url, (host, int(port))
    stop_server(proc)


def test_an_idle_keep_alive_connection_is_closed(server) -> None:
    _, address = server
    with socket.create_connection(address) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.settimeout(10)  # closed by the server within 1 s + slack, not by this timeout
        reply, start = b"", time.monotonic()
        while chunk := sock.recv(65536):
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 200") and 0.5 < time.monotonic() - start < 5


def test_a_stalled_body_gets_a_408_and_the_connection_closes(server) -> None:
    base_url, address = server
    with socket.create_connection(address) as sock:
        sock.sendall(
            b"POST /api/v1/series HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 500\r\n\r\n" + b'{"num_events": 10,'
        )
        sock.settimeout(10)
        start = time.monotonic()
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
        assert 0.5 < time.monotonic() - start < 8
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408") and b"body_timeout" in body and b"within 1 s" in body
    metrics = urlopen(f"{base_url}/metrics").read().decode()
    assert 'route="/api/v1/series",status="408"} 1.0' in metrics
