"""Share links: a small store interface and its SQLite implementation.

A link's id is a short hash of the document's canonical JSON, so the same document always gets
the same id and creating it twice is harmless (``INSERT OR IGNORE``). The SQLite store runs in
WAL mode with ``synchronous=FULL``: once :meth:`put` returns, the link survives a crash of the
process (and of the machine).
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

ID_LENGTH = 12
ID_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def link_id(canonical: bytes) -> str:
    """``ID_LENGTH`` url-safe characters of the SHA-256 of the canonical JSON (72 bits)."""
    digest = hashlib.sha256(canonical).digest()
    return base64.urlsafe_b64encode(digest).decode()[:ID_LENGTH]


def is_link_id(s: str) -> bool:
    return len(s) == ID_LENGTH and set(s) <= ID_ALPHABET


class LinkStore(Protocol):
    """Where share links live; swap in a server database by implementing these three methods."""

    def put(self, canonical: bytes) -> str:
        """Store a canonical JSON document durably; return its id (idempotent)."""
        ...

    def get(self, link_id: str) -> bytes | None:
        """The canonical JSON stored under ``link_id``, or None."""
        ...

    def close(self) -> None: ...


class LinkCollision(RuntimeError):
    """Two different documents hashed to the same id (never expected; logged as a bug)."""


class SQLiteLinkStore:
    """:class:`LinkStore` in one SQLite file (one connection per thread)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        con = self._con()
        con.execute(
            "CREATE TABLE IF NOT EXISTS links ("
            " id TEXT PRIMARY KEY, doc BLOB NOT NULL,"
            " created REAL NOT NULL)"
        )
        con.commit()

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=FULL")
            con.execute("PRAGMA busy_timeout=30000")
            self._local.con = con
            with self._lock:
                self._all.append(con)
        return con

    def put(self, canonical: bytes) -> str:
        lid = link_id(canonical)
        con = self._con()
        with con:  # one transaction, committed (fsync'ed) before returning
            con.execute(
                "INSERT OR IGNORE INTO links (id, doc, created) VALUES (?, ?, ?)",
                (lid, canonical, time.time()),
            )
            row = con.execute("SELECT doc FROM links WHERE id = ?", (lid,)).fetchone()
        if row is None or bytes(row[0]) != canonical:
            raise LinkCollision(f"link id {lid} already holds another document")
        return lid

    def get(self, link_id: str) -> bytes | None:
        row = self._con().execute("SELECT doc FROM links WHERE id = ?", (link_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def close(self) -> None:
        with self._lock:
            for con in self._all:
                try:
                    con.close()
                except sqlite3.Error:  # pragma: no cover
                    pass
            self._all.clear()
        self._local = threading.local()
