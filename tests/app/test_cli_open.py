"""``schedule-explorer open``: store the document as a share link, serve, open the dashboard on it."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from app.cli import EXIT_INVALID, EXIT_USAGE, _browser_host, main
from app.presets import preset
from app.settings import get_settings
from bench.server import free_port, start_server


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as reply:
        return reply.status, reply.read()


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """The CLI's settings read a link store under a temporary directory."""
    monkeypatch.setenv("SCHEDULE_EXPLORER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PORT", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


@pytest.fixture
def view(seed) -> dict:
    return {
        "variants": [{"name": "A", "experiment": seed}, {"name": "B", "experiment": preset("one-cycle")}],
        "view": {"layout": "overlay", "log_y": True},
    }


def test_open_serves_the_dashboard_on_the_document_and_opens_the_browser(
    view, tmp_path, data_dir, monkeypatch, capsys, client
):
    """uvicorn.run is replaced by a real uvicorn server (in a thread) on the same settings; the
    browser is a stub that checks the URL answers and the link holds the document."""
    import webbrowser

    import uvicorn

    from app.main import create_app

    path = tmp_path / "view.json"
    path.write_text(json.dumps(view))
    port = free_port()
    opened: list[tuple[str, int, dict]] = []
    done = threading.Event()
    calls = []

    def fake_browser(url, *a, **kw):  # called by the CLI once the URL answers 200
        status, page = fetch(url)
        link = url.rsplit("/", 1)[1]
        _, doc = fetch(f"http://127.0.0.1:{port}/api/v1/links/{link}")
        opened.append((url, status, json.loads(doc)))
        assert b"<html" in page.lower()
        done.set()
        return True

    def fake_run(app, **kw):
        calls.append((app, kw))
        server = uvicorn.Server(
            uvicorn.Config(create_app(), host=kw["host"], port=kw["port"], log_level="warning")
        )
        thread = threading.Thread(target=server.run)
        thread.start()
        done.wait(60)
        server.should_exit = True
        thread.join(30)

    monkeypatch.setattr(webbrowser, "open", fake_browser)
    monkeypatch.setattr(uvicorn, "run", fake_run)
    assert main(["open", str(path), "--port", str(port), "--variant", "B"]) == 0
    out, err = capsys.readouterr()
    [(app, kw)] = calls
    assert app == "app.main:app" and (kw["host"], kw["port"]) == ("127.0.0.1", port)
    [(url, status, doc)] = opened
    assert out == url + "\n" and status == 200
    link = url.rsplit("/", 1)[1]
    assert url == f"http://127.0.0.1:{port}/s/{link}"
    expected = {**view, "view": {**view["view"], "active": 1}}  # the dashboard shows variant B
    assert link == client.post("/api/v1/links", json=expected).json()["id"]
    assert doc == client.get(f"/api/v1/links/{link}").json()
    assert [v["name"] for v in doc["variants"]] == ["A", "B"] and doc["view"]["active"] == 1
    assert (data_dir / "links.sqlite3").exists()


def test_no_browser_prints_the_url_and_the_url_serves_the_document(seed, tmp_path, data_dir, client):
    """The console script, for real: `open --no-browser` prints the URL, which serves the
    dashboard; the link holds the experiment as POST /links would store it."""
    path = tmp_path / "exp.json"
    path.write_text(json.dumps(seed))
    cmd = [sys.executable, "-m", "app.cli", "open", str(path), "--no-browser"]  # port: $PORT
    proc, base = start_server(data_dir, command=cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = proc.stdout.readline().decode().strip()
        link = client.post("/api/v1/links", json=seed).json()["id"]
        assert url == f"{base}/s/{link}"
        status, page = fetch(url)
        assert status == 200 and b"<html" in page.lower()
        _, doc = fetch(f"{base}/api/v1/links/{link}")
        assert json.loads(doc) == client.get(f"/api/v1/links/{link}").json()
        assert json.loads(doc)["num_events"] == seed["num_events"]
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C: uvicorn shuts down, the CLI exits quietly
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert proc.returncode in (0, 130) and b"Traceback" not in err, err.decode()


def test_a_busy_port_is_one_line_before_anything_is_stored(seed, tmp_path, data_dir, capsys):
    path = tmp_path / "exp.json"
    path.write_text(json.dumps(seed))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["open", str(path), "--port", str(port), "--no-browser"])
    out, err = capsys.readouterr()
    assert (code, out) == (EXIT_USAGE, "")
    assert err.startswith(f"schedule-explorer: error: cannot listen on 127.0.0.1:{port}: ")
    assert err.endswith("; use --port N\n") and err.count("\n") == 1


def test_invalid_documents_and_link_caps_are_refused(seed, tmp_path, data_dir, capsys, monkeypatch):
    bad = dict(seed, num_events=0)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    assert main(["open", str(path), "--no-browser"]) == EXIT_INVALID
    assert capsys.readouterr().err == (
        "schedule-explorer: error: num_events: Input should be greater than or equal to 1\n"
    )
    view = {"variants": [{"name": n, "experiment": seed} for n in "ABC"]}
    path.write_text(json.dumps(view))
    monkeypatch.setenv("SCHEDULE_EXPLORER_MAX_VARIANTS", "2")
    get_settings.cache_clear()
    assert main(["open", str(path), "--no-browser"]) == EXIT_INVALID
    assert capsys.readouterr().err == (
        "schedule-explorer: error: variants: at most 2 variants, but given 3; raise SCHEDULE_EXPLORER_MAX_VARIANTS\n"
    )
    assert not (data_dir / "links.sqlite3").exists()


@pytest.mark.parametrize(
    ("host", "browser"),
    [("127.0.0.1", "127.0.0.1"), ("0.0.0.0", "127.0.0.1"), ("::", "[::1]"), ("::1", "[::1]"), ("box", "box")],
)
def test_the_url_names_a_host_a_browser_can_reach(host, browser):
    assert _browser_host(host) == browser
