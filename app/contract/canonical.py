"""Canonical JSON of a validated model and the hashes derived from it: ETags and link ids.

The canonical form (sorted keys, defaults filled in, compact) is the cache key of the series,
the body an ETag hashes and the document a share link's id is the hash of.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import orjson

from .. import __version__

ID_LENGTH = 12
ID_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def canonical_json(model: Any) -> bytes:
    """Canonical JSON of a validated model: sorted keys, defaults included, compact.

    A field added to an existing model after links were shared is declared with
    ``Field(exclude_if=lambda v: v is None)`` (left out at its ``None`` default), so that the
    canonical form, and with it every existing link id and ETag, stays the same
    (``tests/app/test_pinned_ids.py`` holds them).
    """
    return orjson.dumps(model.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)


def etag(kind: str, body: bytes, **params: Any) -> str:
    """A strong ETag for the reply of route ``kind`` to ``body`` with query ``params``."""
    h = hashlib.sha256(f"{__version__}|{kind}|{sorted(params.items())!r}|".encode())
    h.update(body)
    return '"' + h.hexdigest()[:32] + '"'


def link_id(canonical: bytes) -> str:
    """``ID_LENGTH`` url-safe characters of the SHA-256 of the canonical JSON (72 bits)."""
    digest = hashlib.sha256(canonical).digest()
    return base64.urlsafe_b64encode(digest).decode()[:ID_LENGTH]


def is_link_id(s: str) -> bool:
    return len(s) == ID_LENGTH and set(s) <= ID_ALPHABET
