"""Share links: a small store interface, its SQLite and PostgreSQL implementations.

A link's id is a short hash of the document's canonical JSON
(:func:`app.contract.canonical.link_id`), so the same document always gets the same id and
creating it twice is harmless (``INSERT OR IGNORE`` / ``ON CONFLICT DO NOTHING``). The SQLite
store runs in WAL mode with ``synchronous=FULL``: once :meth:`put` returns, the link survives a
crash of the process (and of the machine). The PostgreSQL store (``postgresql://user:pass@host/db``)
lets several processes or containers share the links; psycopg is imported only when it is used.
"""

from __future__ import annotations

import queue
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from app.contract.canonical import link_id

if TYPE_CHECKING:
    from app.settings import Settings


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


POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_TABLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def redact_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for error messages and logs)."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


class PostgresLinkStore:
    """:class:`LinkStore` in a PostgreSQL table, through a small pool of psycopg connections.

    ``url`` is a libpq URL (``postgresql://user:pass@host:5432/db``, or
    ``postgresql:///db?host=/run/postgresql`` for a unix socket). The table is created when
    missing (under an advisory lock, so several workers may start at once). At most
    ``pool_size`` connections are open per process; a broken connection is dropped and
    replaced on next use.
    """

    def __init__(self, url: str, *, table: str = "links", pool_size: int = 4, timeout: float = 30.0) -> None:
        if not _TABLE_RE.match(table):
            raise ValueError(f"Argument table should be a lower-case SQL identifier, but given {table!r}")
        import psycopg  # lazily: only deployments using PostgreSQL need it

        self._psycopg = psycopg
        self.url = url
        self.table = table
        self.timeout = timeout
        self._idle: queue.LifoQueue[Any] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._all: set[Any] = set()
        self._lock = threading.Lock()
        self._closed = False
        with self._connection() as con, con.transaction():
            con.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"schedule_explorer.{table}",))
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {table} ("
                " id TEXT PRIMARY KEY, doc BYTEA NOT NULL,"
                " created TIMESTAMPTZ NOT NULL DEFAULT now())"
            )

    def _connect(self) -> Any:
        try:
            con = self._psycopg.connect(self.url, autocommit=True, connect_timeout=int(self.timeout))
        except self._psycopg.OperationalError as exc:
            msg = str(exc).replace(self.url, redact_url(self.url))
            raise ConnectionError(f"link store {redact_url(self.url)}: {msg}") from None
        with self._lock:
            self._all.add(con)
        return con

    def _discard(self, con: Any) -> None:
        with self._lock:
            self._all.discard(con)
        try:
            con.close()
        except self._psycopg.Error:  # pragma: no cover
            pass

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        """Borrow a pooled connection (waiting up to ``timeout`` when all are busy)."""
        if self._closed:
            raise RuntimeError("link store is closed")
        if not self._slots.acquire(timeout=self.timeout):
            raise TimeoutError("no free link store connection")
        try:
            try:
                con = self._idle.get_nowait()
            except queue.Empty:
                con = self._connect()
            broken = True
            try:
                yield con
                broken = False
            finally:
                idle = self._psycopg.pq.TransactionStatus.IDLE
                if broken or con.closed or con.info.transaction_status != idle:
                    self._discard(con)
                else:
                    self._idle.put(con)
        finally:
            self._slots.release()

    def put(self, canonical: bytes) -> str:
        lid = link_id(canonical)
        with self._connection() as con:  # autocommit: committed (durably) before returning
            con.execute(
                f"INSERT INTO {self.table} (id, doc) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",
                (lid, canonical),
            )
            row = con.execute(f"SELECT doc FROM {self.table} WHERE id = %s", (lid,)).fetchone()
        if row is None or bytes(row[0]) != canonical:
            raise LinkCollision(f"link id {lid} already holds another document")
        return lid

    def get(self, link_id: str) -> bytes | None:
        with self._connection() as con:
            row = con.execute(f"SELECT doc FROM {self.table} WHERE id = %s", (link_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def close(self) -> None:
        self._closed = True
        with self._lock:
            cons, self._all = list(self._all), set()
        for con in cons:
            try:
                con.close()
            except self._psycopg.Error:  # pragma: no cover
                pass


def open_link_store(settings: Settings) -> LinkStore:
    """The store named by ``settings.link_store_url``: PostgreSQL for ``postgresql://…``,
    else SQLite (``sqlite:///path``, or ``links.sqlite3`` under ``data_dir``)."""
    url = settings.link_store_url
    if url.startswith(POSTGRES_SCHEMES):
        return PostgresLinkStore(url)
    return SQLiteLinkStore(settings.link_db_path())
