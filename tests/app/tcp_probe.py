"""Helpers run inside a uvicorn server by ``test_tcp_nodelay.py`` (imported from this folder).

- :class:`Probe`: uvicorn's httptools protocol that first appends, for each accepted connection,
  the server-side ``TCP_NODELAY`` option of its socket to the file ``$TCP_PROBE_LOG``.
- :func:`bare`: an ASGI app answering 200 to everything, with none of the project's code, to see
  what an event loop does on its own.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class Probe(HttpToolsProtocol):
    def connection_made(self, transport: Any) -> None:  # the loop has set the option by now
        sock = transport.get_extra_info("socket")
        nodelay = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        with open(os.environ["TCP_PROBE_LOG"], "a") as log:
            log.write(f"{os.getpid()} {type(transport).__module__} nodelay={int(bool(nodelay))}\n")
        super().connection_made(transport)


async def bare(scope: dict, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})
