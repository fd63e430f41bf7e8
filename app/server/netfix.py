"""TCP_NODELAY on every accepted connection under ``uvicorn --workers N --loop asyncio``.

With several workers, uvicorn binds the listening socket itself without ``IPPROTO_TCP``
(``proto`` 0); accepted sockets inherit it and asyncio's own event loop only sets ``TCP_NODELAY``
when ``proto == IPPROTO_TCP``. Nagle's algorithm then holds each response's body until the
client's delayed ACK: about 40 ms added to every small reply on a keep-alive connection (uvicorn
issue Kludex/uvicorn#3149). Single-process uvicorn is unaffected.

uvloop, the loop ``uvicorn[standard]`` installs and picks by default (``--loop auto``, and
``schedule-explorer serve``), needs nothing: libuv sets ``TCP_NODELAY`` on every accepted
connection whatever the listening socket's ``proto``. So the fix is applied on asyncio's loop
only (``tests/app/test_tcp_nodelay.py`` checks both loops and that asyncio still needs it).
"""

from __future__ import annotations

import asyncio.base_events
import socket


def _set_nodelay(sock: socket.socket) -> None:
    """asyncio's helper without the ``proto`` test: any IPv4/IPv6 stream socket is TCP."""
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def tcp_nodelay_on_asyncio_loop() -> None:
    """If the running loop is asyncio's own, replace its ``_set_nodelay`` (called for each new
    TCP transport) with the above; on any other loop (uvloop) do nothing.

    Call it from the app's lifespan: uvicorn runs the lifespan in the serving loop before it
    accepts connections.
    """
    loop = asyncio.get_running_loop()
    if isinstance(loop, asyncio.BaseEventLoop) and hasattr(asyncio.base_events, "_set_nodelay"):
        asyncio.base_events._set_nodelay = _set_nodelay
