"""TCP_NODELAY on the server's accepted sockets under ``uvicorn --workers 2``, per event loop.

With several workers uvicorn binds the socket without ``IPPROTO_TCP``, and asyncio's loop then
leaves Nagle's algorithm on (uvicorn issue Kludex/uvicorn#3149): each small reply on a
keep-alive connection waits ~40 ms for the client's delayed ACK. Each server here runs with
``--http tcp_probe:Probe``, which logs the option as read on the server side for every
connection, and answers 20 small requests on one keep-alive connection (~0.5 ms each with
TCP_NODELAY, ~44 ms each without it on Linux loopback).

- the bare loops: uvloop sets the option by itself, asyncio does not (so ``app/server/netfix.py``
  is still needed, and only there; when this changes, delete it);
- the app on each loop: the option is set on every connection and replies stay fast;
- ``schedule-explorer serve`` (production) runs uvloop.
"""

from __future__ import annotations

import http.client
import inspect
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.server import ROOT, free_port, start_server, uvicorn_command, wait_healthy

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
STALL = 0.030  # Nagle + delayed ACK costs >= 40 ms per reply; without it ~0.5 ms


def keep_alive_median(port: int, n: int = 20) -> float:
    """The median time of ``n`` GET /healthz on one keep-alive connection, in seconds."""
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    try:
        for _ in range(n):
            t = time.perf_counter()
            con.request("GET", "/healthz")
            assert con.getresponse().read()
            times.append(time.perf_counter() - t)
    finally:
        con.close()
    return statistics.median(times)


def serve_and_probe(tmp_path: Path, app: str, loop: str) -> tuple[set[str], float]:
    """Run ``uvicorn app --workers 2 --loop loop`` with the probe; return the set of
    ``nodelay=…`` values seen by the server and the keep-alive median reply time."""
    port = free_port()
    log = tmp_path / "probe.log"
    log.touch()
    cmd = uvicorn_command(port, workers=2) + ["--loop", loop, "--http", "tcp_probe:Probe"]
    cmd[cmd.index("app.main:app")] = app
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
        "TCP_PROBE_LOG": str(log),
        "SCHEDULE_EXPLORER_DATA_DIR": str(tmp_path / "data"),
    }
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        median = keep_alive_median(port)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    lines = log.read_text().splitlines()
    assert lines and all(loop in line.split()[1] for line in lines), lines  # the loop we asked for
    return {line.split()[2] for line in lines}, median


@pytest.mark.parametrize(("loop", "nodelay"), [("asyncio", "nodelay=0"), ("uvloop", "nodelay=1")])
def test_what_each_loop_does_on_its_own(tmp_path, loop, nodelay):
    seen, median = serve_and_probe(tmp_path, "tcp_probe:bare", loop)
    assert seen == {nodelay}, (
        "asyncio now sets TCP_NODELAY under --workers N: remove app/server/netfix.py"
        if loop == "asyncio"
        else "uvloop no longer sets TCP_NODELAY: apply app/server/netfix.py's fix to it too"
    )
    assert (median > STALL) == (nodelay == "nodelay=0"), median  # the latency shows the option


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_the_app_sets_tcp_nodelay_and_replies_fast_on_each_loop(tmp_path, loop):
    seen, median = serve_and_probe(tmp_path, "app.main:app", loop)
    assert seen == {"nodelay=1"}
    assert median < STALL, f"median {median * 1000:.1f} ms per keep-alive reply"


def test_schedule_explorer_serve_runs_uvloop(monkeypatch):
    import uvicorn
    import uvloop

    from app import cli

    default = inspect.signature(uvicorn.run).parameters["loop"].default
    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **kwargs: seen.update(kwargs, app=target))
    assert cli.main(["serve", "--workers", "2", "--port", "0"]) == 0
    config = uvicorn.Config(seen["app"], loop=seen.get("loop", default), log_config=None)
    loop = config.get_loop_factory()()
    try:
        assert isinstance(loop, uvloop.Loop), type(loop)
    finally:
        loop.close()


def test_schedule_explorer_serve_with_two_workers_replies_fast(tmp_path):
    exe = Path(sys.executable).with_name("schedule-explorer")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "app.cli"]
    proc, base_url = start_server(
        tmp_path, command=cmd + ["serve", "--workers", "2"], start_new_session=True, stderr=subprocess.DEVNULL
    )
    try:
        median = keep_alive_median(int(base_url.rsplit(":", 1)[1]))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    assert median < STALL, f"median {median * 1000:.1f} ms per keep-alive reply"
