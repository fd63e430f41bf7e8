"""Share links: a small store interface, its SQLite and PostgreSQL implementations.

A link's id is a short hash of the document's canonical JSON
(:func:`app.contract.canonical.link_id`), so the same document always gets the same id and
creating it twice is harmless (``INSERT OR IGNORE`` / ``ON CONFLICT DO NOTHING``). The SQLite
store runs in WAL mode with ``synchronous=FULL``: once :meth:`put` returns, the link survives a
crash of the process (and of the machine). The PostgreSQL store (``postgresql://user:pass@host/db``)
lets several processes or containers share the links, through a ``psycopg_pool`` connection pool;
psycopg is imported only when it is used.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .._extras import require
from ..contract.canonical import link_id
from ..settings import POSTGRES_SCHEMES

if TYPE_CHECKING:
    from ..settings import Settings


class LinkStore(Protocol):
    """Where share links live; swap in a server database by implementing these methods.

    Every method raises :class:`StoreUnavailable` (with a one-line reason) when the store cannot
    be used: the database is down, the disk is full or read-only, the file is not a database.
    """

    def put(self, canonical: bytes) -> str:
        """Store a canonical JSON document durably; return its id (idempotent)."""
        ...

    def get(self, link_id: str) -> bytes | None:
        """The canonical JSON stored under ``link_id``, or None."""
        ...

    def size_bytes(self) -> int:
        """About how many bytes the store takes (for the ``max_link_store_bytes`` cap)."""
        ...

    def check(self) -> None:
        """Raise :class:`StoreUnavailable` unless the store can be read and written now."""
        ...

    def close(self) -> None: ...


class StoreUnavailable(ConnectionError):
    """The link store cannot be used now; the message is one line saying why (no secrets)."""


@contextmanager
def _unavailable(what: str, errors: tuple[type[BaseException], ...]) -> Iterator[None]:
    """Re-raise ``errors`` as :class:`StoreUnavailable` naming ``what`` and the reason."""
    try:
        yield
    except errors as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise StoreUnavailable(f"link store {what}: {reason}") from exc


class LinkCollision(RuntimeError):
    """Two different documents hashed to the same id (never expected; logged as a bug)."""


class SQLiteLinkStore:
    """:class:`LinkStore` in one SQLite file (one connection per thread)."""

    ERRORS = (sqlite3.Error, OSError)

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        with _unavailable(str(self.path), self.ERRORS):
            self.path.parent.mkdir(parents=True, exist_ok=True)
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
        with _unavailable(str(self.path), self.ERRORS):
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
        with _unavailable(str(self.path), self.ERRORS):
            row = self._con().execute("SELECT doc FROM links WHERE id = ?", (link_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def size_bytes(self) -> int:
        with _unavailable(str(self.path), self.ERRORS):
            pages, size = (
                self._con().execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size")
            )
        return pages * size

    def check(self) -> None:
        with _unavailable(str(self.path), self.ERRORS):
            con = self._con()
            con.execute("SELECT 1 FROM links LIMIT 1").fetchall()
            with con:  # a write transaction: fails on a read-only file or directory
                con.execute("CREATE TABLE IF NOT EXISTS links_probe (x INTEGER)")
                con.execute("DROP TABLE links_probe")

    def close(self) -> None:
        with self._lock:
            for con in self._all:
                try:
                    con.close()
                except sqlite3.Error:  # pragma: no cover
                    pass
            self._all.clear()
        self._local = threading.local()


_TABLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def redact_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for error messages and logs)."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


class PostgresLinkStore:
    """:class:`LinkStore` in a PostgreSQL table, through a :class:`psycopg_pool.ConnectionPool`.

    ``url`` is a libpq URL (``postgresql://user:pass@host:5432/db``, or
    ``postgresql:///db?host=/run/postgresql`` for a unix socket). Opening the store connects once,
    directly, and creates the table when missing (under an advisory lock, so several workers may
    start at once): a wrong host, database or password fails right there with libpq's reason.
    The pool then keeps 1 to ``pool_size`` connections per process and checks each one before
    lending it, so connections broken by a restart of PostgreSQL (or a killed backend) are
    replaced instead of failing the next request. Waiting more than ``timeout`` seconds for a
    connection (database down, or every connection busy) is an error, not a hang.

    Raises:
        ValueError: ``table`` is not a lower-case SQL identifier, or ``pool_size`` is below 1.
        StoreUnavailable: the database cannot be reached when the store is opened, or no
            connection was available within ``timeout`` (the URL's password is redacted).
        app._extras.MissingExtra: psycopg is not installed (the ``[postgres]`` extra).
    """

    def __init__(self, url: str, *, table: str = "links", pool_size: int = 4, timeout: float = 10.0) -> None:
        if not _TABLE_RE.match(table):
            raise ValueError(f"Argument table should be a lower-case SQL identifier, but given {table!r}")
        if pool_size < 1:
            raise ValueError(f"Argument pool_size should be at least 1, but given {pool_size}")
        require("postgres", "a postgresql:// link store")
        import psycopg  # lazily: only deployments using PostgreSQL need it
        from psycopg_pool import ConnectionPool, PoolTimeout

        self.url = url
        self.table = table
        self.timeout = timeout
        self._pool_timeout = PoolTimeout
        # libpq's connect_timeout counts whole seconds and treats anything below 2 as 2
        kwargs = {"autocommit": True, "connect_timeout": max(2, round(timeout))}
        try:  # fail fast, with libpq's own reason
            with psycopg.connect(url, **kwargs) as con, con.transaction():
                con.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"schedule_explorer.{table}",))
                con.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} ("
                    " id TEXT PRIMARY KEY, doc BYTEA NOT NULL,"
                    " created TIMESTAMPTZ NOT NULL DEFAULT now())"
                )
        except psycopg.OperationalError as exc:
            msg = str(exc).replace(url, redact_url(url))
            raise StoreUnavailable(f"link store {redact_url(url)}: {' '.join(msg.split())}") from None
        self._pool = ConnectionPool(
            url,
            kwargs=kwargs,
            min_size=1,
            max_size=pool_size,
            open=True,
            timeout=timeout,
            check=ConnectionPool.check_connection,
            name=f"link-store-{table}",
        )

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        """Borrow a checked connection from the pool; it goes back (or is replaced if broken) after.

        Raises :class:`StoreUnavailable` (a subclass of nothing psycopg knows) on a pool timeout
        or any database error."""
        import psycopg

        try:
            con = self._pool.getconn()
        except self._pool_timeout:
            raise StoreUnavailable(
                f"link store {redact_url(self.url)}: no connection within {self.timeout:g} s"
                " (database down or unreachable, or every pooled connection busy)"
            ) from None
        try:
            with _unavailable(redact_url(self.url), (psycopg.Error,)):
                yield con
        finally:
            self._pool.putconn(con)

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

    def size_bytes(self) -> int:
        with self._connection() as con:
            return int(con.execute("SELECT pg_total_relation_size(%s)", (self.table,)).fetchone()[0])

    def check(self) -> None:
        with self._connection() as con:
            con.execute(f"SELECT 1 FROM {self.table} LIMIT 1").fetchall()

    def close(self) -> None:
        """Close every pooled connection and stop the pool's threads (idempotent)."""
        self._pool.close()


def open_link_store(settings: Settings) -> LinkStore:
    """The store named by ``settings.link_store_url``: PostgreSQL for ``postgresql://…``,
    else SQLite (``sqlite:///path``, or ``links.sqlite3`` under ``data_dir``)."""
    url = settings.link_store_url
    if url.startswith(POSTGRES_SCHEMES):
        return PostgresLinkStore(url)
    return SQLiteLinkStore(settings.link_db_path())


def check_link_store(settings: Settings) -> None:
    """Open the configured store, check it can be read and written, close it.

    Raises:
        StoreUnavailable: why not, in one line (a file that is not a database, a read-only
            directory, an unreachable PostgreSQL server, ...).
    """
    store = open_link_store(settings)
    try:
        store.check()
    finally:
        store.close()
