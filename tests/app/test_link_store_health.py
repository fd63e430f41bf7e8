"""The link store's failures are clear, and its growth is bounded.

- At start: ``schedule-explorer serve`` opens and checks the store before serving; an unusable
  one (a file that is not a database, a data dir that is a file, an unknown scheme) ends it with
  one line on stderr and exit status 2, no traceback.
- ``/healthz`` is liveness only; ``/readyz`` reports the store (503 with the reason when it is
  unusable). Store errors answer 503 JSON with the reason and ``Retry-After``, logged in one
  line without a traceback; a full SQLite database is such an error.
- Caps: a document over ``max_link_bytes`` is a 413; a store over ``max_link_store_bytes``
  takes no new link (507) but still re-shares an existing one; more than
  ``link_rate_per_minute`` new links from one client is a 429 with ``Retry-After``.
- ``LINK_STORE_SCHEMES`` and the store's PostgreSQL schemes are one fact.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from app import settings as settings_module
from app.main import create_app
from app.settings import Settings
from app.storage import links
from app.storage.links import SQLiteLinkStore, StoreUnavailable

ROOT = Path(__file__).resolve().parents[2]


def piecewise(points: int, start: float = 0.0) -> dict:
    milestones = [[i * 10, start + i * 1e-3] for i in range(points)]
    return {
        "num_events": 100,
        "param_groups": [{"name": "g", "lr": 0.1}],
        "schedulers": [{"type": "PiecewiseLinear", "param_name": "lr", "milestones_values": milestones}],
    }


def serve(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SCHEDULE_EXPLORER_")}
    environ.update({"SCHEDULE_EXPLORER_DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--port", "1"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


# ---------------------------------------------------------------- at start
def test_a_file_that_is_not_a_database_stops_serve_in_one_line(tmp_path) -> None:
    bad = tmp_path / "links.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    line = one_line_error(serve(tmp_path, SCHEDULE_EXPLORER_LINK_STORE_URL=f"sqlite:///{bad}"))
    assert line.startswith("schedule-explorer: error: link store ") and "not a database" in line


@pytest.mark.parametrize(
    "env, says",
    [
        ({"SCHEDULE_EXPLORER_LINK_STORE_URL": "mysql://x"}, "unsupported link_store_url scheme 'mysql://'"),
        ({"SCHEDULE_EXPLORER_DATA_DIR": "/etc/hostname"}, "is not a directory"),
    ],
)
def test_other_unusable_stores_stop_serve_in_one_line(tmp_path, env, says) -> None:
    assert says in one_line_error(serve(tmp_path, **env))


def test_the_schemes_are_one_fact() -> None:
    assert links.POSTGRES_SCHEMES is settings_module.POSTGRES_SCHEMES
    assert set(settings_module.LINK_STORE_SCHEMES) == {settings_module.SQLITE_SCHEME, *links.POSTGRES_SCHEMES}


# ---------------------------------------------------------------- readiness and 503s
def test_readyz_reports_a_working_store(client) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready" and r.json()["link_store"] == "ok"
    assert client.head("/api/v1/readyz").status_code == 200


def test_a_broken_store_is_a_503_with_its_reason_not_a_traceback(tmp_path, caplog) -> None:
    bad = tmp_path / "links.sqlite3"
    bad.write_bytes(b"garbage" * 1000)
    app = create_app(Settings(data_dir=tmp_path, link_store_url=f"sqlite:///{bad}"))
    client = TestClient(app, raise_server_exceptions=False)  # no lifespan: the store opens on use
    assert client.get("/healthz").status_code == 200  # liveness: the process answers
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
    assert "not a database" in ready.json()["link_store"]
    with caplog.at_level(logging.WARNING, logger="app"):
        for r in (client.post("/api/v1/links", json=piecewise(3)), client.get("/api/v1/links/AAAAAAAAAAAA")):
            assert r.status_code == 503 and r.headers["retry-after"] == "5"
            [item] = r.json()["detail"]
            assert item["type"] == "link_store_unavailable" and "not a database" in item["msg"]
    assert len(caplog.records) == 2 and all(rec.exc_info is None for rec in caplog.records)


def test_a_full_database_is_store_unavailable(tmp_path) -> None:
    store = SQLiteLinkStore(tmp_path / "links.sqlite3")
    try:
        store._con().execute("PRAGMA max_page_count = 8")  # this thread's connection: ~32 kB
        with pytest.raises(StoreUnavailable, match="full"):
            for i in range(100):
                store.put(b'{"n": %d, "pad": "%s"}' % (i, b"x" * 2000))
        store._con().execute("PRAGMA max_page_count = 100000")
        store.check()  # usable again once there is room
    finally:
        store.close()


# ---------------------------------------------------------------- caps and rate
def test_a_document_over_max_link_bytes_is_refused(make_client) -> None:
    client = make_client(max_link_bytes=2048)
    assert client.post("/api/v1/links", json=piecewise(20)).status_code == 201
    r = client.post("/api/v1/links", json=piecewise(200))
    assert r.status_code == 413
    [item] = r.json()["detail"]
    assert item["type"] == "link_too_large" and "2048 bytes" in item["msg"]


def test_a_full_store_takes_no_new_link_but_reshares_old_ones(make_client) -> None:
    client = make_client(max_link_store_bytes=2**16, link_rate_per_minute=1000)
    first = client.post("/api/v1/links", json=piecewise(900))
    assert first.status_code == 201
    statuses = [
        client.post("/api/v1/links", json=piecewise(900, start=i + 1.0)).status_code for i in range(8)
    ]
    assert 507 in statuses and statuses.index(507) > 0
    assert set(statuses[statuses.index(507) :]) == {507}
    again = client.post("/api/v1/links", json=piecewise(900))
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert client.get(f"/api/v1/links/{first.json()['id']}").status_code == 200


def test_more_than_the_rate_from_one_client_is_a_429(make_client) -> None:
    client = make_client(link_rate_per_minute=2)
    assert [client.post("/api/v1/links", json=piecewise(3, start=i)).status_code for i in range(2)] == [
        201
    ] * 2
    r = client.post("/api/v1/links", json=piecewise(3, start=5.0))
    assert r.status_code == 429 and r.headers["retry-after"] == "30"
    [item] = r.json()["detail"]
    assert item["type"] == "rate_limited" and "2 new links a minute" in item["msg"]
    assert client.get("/healthz").status_code == 200  # reading is not limited
