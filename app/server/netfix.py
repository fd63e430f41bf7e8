"""TCP_NODELAY on every accepted connection, also under ``uvicorn --workers N``.

With several workers, uvicorn binds the listening socket itself without ``IPPROTO_TCP``
(``proto`` 0); accepted sockets inherit it and asyncio only sets ``TCP_NODELAY`` when
``proto == IPPROTO_TCP``. Nagle's algorithm then holds each response's body until the client's
delayed ACK: about 40 ms added to every small reply on a keep-alive connection (uvicorn issue
Kludex/uvicorn#3149). Single-process uvicorn is unaffected.
"""

from __future__ import annotations

import asyncio.base_events
import socket


def _set_nodelay(sock: socket.socket) -> None:
    """asyncio's helper without the ``proto`` test: any IPv4/IPv6 stream socket is TCP."""
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def tcp_nodelay_everywhere() -> None:
    """Replace asyncio's ``_set_nodelay`` (called for each new TCP transport) with the above."""
    if hasattr(socket, "TCP_NODELAY") and hasattr(asyncio.base_events, "_set_nodelay"):
        asyncio.base_events._set_nodelay = _set_nodelay
