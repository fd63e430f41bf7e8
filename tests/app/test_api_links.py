"""Share links: idempotent ids, experiments and dashboard views, persistence, crash safety."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bench.server import start_server

ROOT = Path(__file__).resolve().parents[2]


def view_doc(seed: dict) -> dict:
    b = copy.deepcopy(seed)
    b["schedulers"][1]["cycle_size"] = 200
    return {
        "variants": [{"name": "A", "experiment": seed}, {"name": "B", "experiment": b}],
        "view": {
            "layout": "overlay",
            "log_y": True,
            "x_axis": "epochs",
            "iterations_per_epoch": 100,
            "cycle_markers": False,
        },
    }


def test_create_and_read_back(client, seed):
    r = client.post("/api/v1/links", json=seed)
    assert r.status_code == 201, r.text
    link = r.json()
    assert set(link) == {"id", "url"} and len(link["id"]) == 12
    assert link["url"] == f"/s/{link['id']}"  # relative: no public_base_url set
    got = client.get(f"/api/v1/links/{link['id']}", headers={"Accept-Encoding": "identity"})
    assert got.status_code == 200
    doc = got.json()
    assert doc["num_events"] == 1000 and doc["param_groups"] == seed["param_groups"]
    assert doc["schedulers"][0]["cycle_mult"] == 1.0  # canonical: defaults filled in
    assert got.headers["etag"] == f'"{link["id"]}"'  # weak (W/) to a client that accepts gzip
    assert (
        client.get(f"/api/v1/links/{link['id']}", headers={"If-None-Match": got.headers["etag"]}).status_code
        == 304
    )
    # the stored document is itself a valid experiment
    assert client.post("/api/v1/series", json=doc).status_code == 200


def test_same_document_same_id(client, seed):
    a = client.post("/api/v1/links", json=seed).json()["id"]
    reordered = {"schedulers": seed["schedulers"], "param_groups": seed["param_groups"], "num_events": 1000}
    reordered["schedulers"][0] = {**seed["schedulers"][0], "cycle_mult": 1.0, "warmup_duration": 0}
    assert client.post("/api/v1/links", json=reordered).json()["id"] == a
    seed["num_events"] = 1001
    assert client.post("/api/v1/links", json=seed).json()["id"] != a


def test_dashboard_view_round_trip(client, seed):
    doc = view_doc(seed)
    link = client.post("/api/v1/links", json=doc).json()
    got = client.get(f"/api/v1/links/{link['id']}").json()
    assert [v["name"] for v in got["variants"]] == ["A", "B"]
    assert got["variants"][1]["experiment"]["schedulers"][1]["cycle_size"] == 200
    assert got["view"] == doc["view"]
    doc["view"]["theme"] = "dark"  # unknown scalar options are kept
    got = client.get(f"/api/v1/links/{client.post('/api/v1/links', json=doc).json()['id']}").json()
    assert got["view"]["theme"] == "dark"


@pytest.mark.parametrize(
    ("mutate", "loc"),
    [
        (
            lambda d: d["variants"][1]["experiment"].update(num_events=0),
            ["body", "variants", 1, "experiment", "num_events"],
        ),
        (
            lambda d: d["variants"][0]["experiment"]["schedulers"][0].update(param_group_index=5),
            ["body", "variants", 0, "experiment", "schedulers", 0, "param_group_index"],
        ),
        (lambda d: d["view"].update(layout="grid"), ["body", "view", "layout"]),
        (lambda d: d["view"].update(script={"a": 1}), ["body", "view"]),
        (lambda d: d.update(variants=[]), ["body", "variants"]),
        (lambda d: d["variants"][0].update(name=""), ["body", "variants", 0, "name"]),
    ],
)
def test_invalid_documents(client, seed, mutate, loc):
    doc = view_doc(seed)
    mutate(doc)
    r = client.post("/api/v1/links", json=doc)
    assert r.status_code == 422, r.text
    assert any(e["loc"][: len(loc)] == loc for e in r.json()["detail"]), r.json()


def test_invalid_experiment_document(client, seed):
    seed["schedulers"][0]["cycle_size"] = 0
    r = client.post("/api/v1/links", json=seed)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "schedulers", 0, "cycle_size"]


def test_too_many_variants(make_client, seed):
    c = make_client(max_variants=1)
    r = c.post("/api/v1/links", json=view_doc(seed))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "variants"]


def test_links_persist_across_app_instances(make_client, seed):
    first = make_client()
    ids = []
    for n in range(1, 6):
        seed["num_events"] = n * 10
        ids.append(first.post("/api/v1/links", json=seed).json()["id"])
    second = make_client()  # a new app on the same data directory
    for n, lid in enumerate(ids, start=1):
        assert second.get(f"/api/v1/links/{lid}").json()["num_events"] == n * 10


def test_concurrent_creations(client, seed):
    docs = []
    for n in range(20):
        d = copy.deepcopy(seed)
        d["num_events"] = 100 + n % 10  # 10 distinct documents, each sent twice
        docs.append(d)
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda d: client.post("/api/v1/links", json=d).json()["id"], docs))
    assert len(set(ids)) == 10
    for d, lid in zip(docs, ids, strict=True):
        assert client.get(f"/api/v1/links/{lid}").json()["num_events"] == d["num_events"]


# ------------------------------------------------------------------ crash test (real server)
def _start_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    return start_server(data_dir, stdout=subprocess.DEVNULL)


@pytest.mark.slow
def test_links_survive_sigkill(tmp_path, seed):
    data = tmp_path / "data"
    proc, base = _start_server(data)
    created: dict[str, int] = {}
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            for n in range(1, 101):
                seed["num_events"] = n
                r = http.post("/api/v1/links", json=seed)
                assert r.status_code == 201
                created[r.json()["id"]] = n
        os.kill(proc.pid, signal.SIGKILL)  # right after the last acknowledgement
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert len(created) == 100
    proc, base = _start_server(data)
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            for lid, n in created.items():
                r = http.get(f"/api/v1/links/{lid}")
                assert r.status_code == 200, lid
                assert r.json()["num_events"] == n
            page = http.get(f"/s/{next(iter(created))}").status_code
            assert page == (200 if (ROOT / "static" / "index.html").is_file() else 404)
    finally:
        proc.terminate()
        proc.wait(10)
