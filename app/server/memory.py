"""Give freed heap memory back to the operating system after a large reply.

glibc keeps freed blocks in its arenas (a large reply's buffers, once freed, would leave the
worker's resident size where it peaked); ``malloc_trim(0)`` returns the free pages. Elsewhere
(musl, macOS) :func:`trim_heap` does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache


@lru_cache(maxsize=1)
def _malloc_trim():  # noqa: ANN202 (a ctypes function or None)
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def trim_heap() -> bool:
    """Release the C heap's free pages (glibc); ``True`` if it could be asked."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
