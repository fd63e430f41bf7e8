"""One contract for every :class:`app.storage.links.LinkStore`: SQLite always, PostgreSQL when reachable.

PostgreSQL runs when ``SCHEDULE_EXPLORER_TEST_POSTGRES_URL`` names a server
(``scripts/run-tests.sh`` starts a throwaway one with ``scripts/start-postgres.sh``); without it
the PostgreSQL cases are skipped, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.contract.canonical import is_link_id
from app.settings import Settings
from app.storage.links import (
    LinkCollision,
    LinkStore,
    PostgresLinkStore,
    SQLiteLinkStore,
    open_link_store,
)

POSTGRES_URL = os.environ.get("SCHEDULE_EXPLORER_TEST_POSTGRES_URL", "")


def _postgres_url() -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    reason = "SCHEDULE_EXPLORER_TEST_POSTGRES_URL is not set (scripts/run-tests.sh starts a server)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL contract tests cannot run under CI: {reason}")
    pytest.skip(reason)


def _drop(url: str, table: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"DROP TABLE IF EXISTS {table}")


@pytest.fixture(params=["sqlite", "postgresql"])
def make_store(request, tmp_path: Path) -> Iterator[Callable[[], LinkStore]]:
    """``make_store()`` opens a store on one fresh database (call it twice for two processes' view)."""
    stores: list[LinkStore] = []
    if request.param == "sqlite":

        def make() -> LinkStore:
            stores.append(SQLiteLinkStore(tmp_path / "links.sqlite3"))
            return stores[-1]

        yield make
    else:
        url = _postgres_url()
        table = f"links_test_{uuid.uuid4().hex[:12]}"

        def make() -> LinkStore:
            stores.append(PostgresLinkStore(url, table=table, pool_size=3))
            return stores[-1]

        yield make
        _drop(url, table)
    for s in stores:
        s.close()


def test_round_trip(make_store):
    store = make_store()
    doc = b'{"num_events":10,"param_groups":[]}'
    lid = store.put(doc)
    assert is_link_id(lid)
    assert store.get(lid) == doc


def test_same_document_same_id(make_store):
    store = make_store()
    a = store.put(b'{"a":1}')
    assert store.put(b'{"a":1}') == a
    assert store.put(b'{"a":2}') != a


def test_unknown_id_is_none(make_store):
    assert make_store().get("AAAAAAAAAAAA") is None


def test_binary_safe_and_large(make_store):
    store = make_store()
    doc = ('{"name":"é\\u0000' + "x" * 200_000 + '"}').encode()
    assert store.get(store.put(doc)) == doc


def test_visible_from_another_store_on_the_same_database(make_store):
    first, second = make_store(), make_store()
    lid = first.put(b'{"shared":true}')
    assert second.get(lid) == b'{"shared":true}'
    assert second.put(b'{"shared":true}') == lid


def test_concurrent_puts_from_threads(make_store):
    store = make_store()
    docs = [f'{{"n":{i % 25}}}'.encode() for i in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(store.put, docs))
    assert len(set(ids)) == 25
    for doc, lid in zip(docs, ids, strict=True):
        assert store.get(lid) == doc


def test_collision_is_refused(make_store, monkeypatch):
    store = make_store()
    store.put(b'{"a":1}')
    monkeypatch.setattr("app.storage.links.link_id", lambda canonical: "AAAAAAAAAAAA")
    store.put(b'{"a":1}')  # creates AAAAAAAAAAAA holding {"a":1}
    with pytest.raises(LinkCollision):
        store.put(b'{"a":2}')


def test_settings_select_the_store(tmp_path):
    sqlite = open_link_store(Settings(data_dir=tmp_path))
    try:
        assert isinstance(sqlite, SQLiteLinkStore) and sqlite.path == tmp_path / "links.sqlite3"
    finally:
        sqlite.close()
    with pytest.raises(ValueError, match="unsupported link_store_url"):
        open_link_store(Settings(link_store_url="mysql://x"))


def test_unreachable_server_hides_the_password():
    with pytest.raises(ConnectionError) as exc:
        PostgresLinkStore("postgresql://user:s3cret@127.0.0.1:1/db", timeout=2)
    assert "s3cret" not in str(exc.value) and "***" in str(exc.value)


def test_postgresql_store_survives_killed_connections():
    """What a restart of PostgreSQL does to open connections (``pg_terminate_backend``, which
    waits here until they are gone): the pool checks each connection before lending it, so the
    next put and get just work."""
    import psycopg

    url = _postgres_url()
    table = f"links_test_{uuid.uuid4().hex[:12]}"
    app_name = f"se_{table}"  # tags this store's connections, so only they are killed
    tagged = f"{url}{'&' if '?' in url else '?'}application_name={app_name}"
    store = PostgresLinkStore(tagged, table=table, pool_size=2)
    try:
        lid = store.put(b'{"before":1}')
        with psycopg.connect(url, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = %s",
                (app_name,),
            ).fetchall()
        assert killed and all(ok for (ok,) in killed)
        assert store.get(lid) == b'{"before":1}'
        assert store.get(store.put(b'{"after":1}')) == b'{"after":1}'
    finally:
        store.close()
        _drop(url, table)


def test_api_links_on_postgresql(make_client, seed):
    url = _postgres_url()
    client = make_client(link_store_url=url)  # the lifespan opens the store, creating the table
    created = client.post("/api/v1/links", json=seed)
    assert created.status_code == 201
    lid = created.json()["id"]
    other = make_client(link_store_url=url, data_dir=Path("/nonexistent"))  # a second container
    assert other.get(f"/api/v1/links/{lid}").json()["num_events"] == seed["num_events"]


def test_size_grows_and_check_passes(make_store) -> None:
    store = make_store()
    store.check()
    before = store.size_bytes()
    for i in range(50):
        store.put(b'{"n": %d, "pad": "%s"}' % (i, b"x" * 4000))
    assert store.size_bytes() > before > 0
