"""The SQLite link store under a real uvicorn with 2 workers: concurrent creations, then SIGKILL.

- Many threads create the same and different documents at once: nothing is lost, the same
  document always gets the same id, and the table holds exactly one row per document.
- A creation storm is killed with SIGKILL (the whole process group, workers included): the file
  passes ``PRAGMA integrity_check`` and every link acknowledged with a 201 is there after a
  restart, with its document.
- The same 2-worker server answers small replies on a keep-alive connection without Nagle's
  40 ms stall (TCP_NODELAY, see app/server/netfix.py).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.server import start_server

pytestmark = pytest.mark.slow


def doc(i: int) -> dict:
    return {
        "num_events": 100 + i,
        "param_groups": [{"name": f"g{i}", "lr": 0.1}],
        "schedulers": [
            {"type": "CosineAnnealingScheduler", "start_value": 0.1, "end_value": 0.0, "cycle_size": 10}
        ],
    }


class Server:
    """``uvicorn app.main:app --workers 2`` in its own process group on a free port."""

    def __init__(self, data: Path) -> None:
        self.proc, base_url = start_server(data, workers=2, start_new_session=True)
        self.port = int(base_url.rsplit(":", 1)[1])

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            payload = None if body is None else json.dumps(body)
            con.request(method, path, payload, {"Content-Type": "application/json"})
            r = con.getresponse()
            return r.status, r.read()
        finally:
            con.close()

    def create(self, body: dict) -> str:
        status, out = self.request("POST", "/api/v1/links", body)
        assert status == 201, out
        return json.loads(out)["id"]

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


def rows(db: Path) -> list[tuple[str, bytes]]:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [(i, bytes(d)) for i, d in con.execute("SELECT id, doc FROM links")]
    finally:
        con.close()


def test_concurrent_creations_lose_nothing_and_never_duplicate(tmp_path):
    server = Server(tmp_path)
    try:
        server.create(doc(-1))  # the store exists before the storm
        jobs = [i % 40 for i in range(400)]  # 40 documents, each created 10 times
        with ThreadPoolExecutor(32) as pool:
            ids = list(pool.map(lambda i: (i, server.create(doc(i))), jobs))
        by_doc: dict[int, set[str]] = {}
        for i, lid in ids:
            by_doc.setdefault(i, set()).add(lid)
        assert all(len(v) == 1 for v in by_doc.values()), by_doc
        assert len({next(iter(v)) for v in by_doc.values()}) == 40
        for i, (lid,) in by_doc.items():
            status, body = server.request("GET", f"/api/v1/links/{lid}")
            assert status == 200 and json.loads(body)["num_events"] == 100 + i
    finally:
        server.stop()
    stored = rows(tmp_path / "links.sqlite3")
    assert len(stored) == 41 and len({i for i, _ in stored}) == 41


def test_sigkill_during_a_creation_storm_keeps_every_acknowledged_link(tmp_path):
    server = Server(tmp_path)
    server.create(doc(-1))
    acked: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def storm(worker: int) -> None:
        n = 0
        while not stop.is_set():
            i = 1000 * worker + n
            n += 1
            try:
                lid = server.create(doc(i))
            except (OSError, http.client.HTTPException, AssertionError):
                return  # the server died mid-request: not acknowledged
            with lock:
                acked[lid] = i

    threads = [threading.Thread(target=storm, args=(w,)) for w in range(16)]
    for t in threads:
        t.start()
    time.sleep(2.0)
    server.kill()
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert len(acked) > 20  # the storm really ran

    stored = dict(rows(tmp_path / "links.sqlite3"))
    missing = set(acked) - set(stored)
    assert missing == set()
    restarted = Server(tmp_path)
    try:
        for lid, i in list(acked.items())[:: max(1, len(acked) // 50)]:
            status, body = restarted.request("GET", f"/api/v1/links/{lid}")
            assert status == 200 and json.loads(body)["num_events"] == 100 + i
        assert restarted.create(doc(10**6)) in dict(rows(tmp_path / "links.sqlite3"))
    finally:
        restarted.stop()


def test_two_workers_answer_keep_alive_requests_without_the_nagle_stall(tmp_path):
    server = Server(tmp_path)
    try:
        con = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        times = []
        for _ in range(30):
            t = time.perf_counter()
            con.request("GET", "/healthz")
            assert con.getresponse().read()
            times.append(time.perf_counter() - t)
        con.close()
    finally:
        server.stop()
    # without TCP_NODELAY every reply after the first waits ~40 ms for the delayed ACK
    assert sorted(times)[len(times) // 2] < 0.02, times
