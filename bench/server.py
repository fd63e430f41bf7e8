"""Run the app locally in a subprocess for benchmarks and end-to-end tests.

>>> port = free_port()
>>> 1024 <= port < 65536
True
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def uvicorn_command(port: int, workers: int = 1) -> list[str]:
    """``uvicorn app.main:app`` on 127.0.0.1:``port`` with ``workers`` processes, warnings only."""
    cmd = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    return cmd + ["--log-level", "warning"]


def wait_healthy(base_url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Wait until ``base_url``/healthz answers 200.

    Raises:
        RuntimeError: the process exited, or ``timeout`` seconds passed (the process is killed).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the server did not answer {base_url}/healthz within {timeout:g} s")


def start_server(
    data_dir: str | Path, *, workers: int = 1, command: list[str] | None = None, **popen: Any
) -> tuple[subprocess.Popen, str]:
    """Start uvicorn (or ``command``, which must listen on the port in ``$PORT``) with the link
    store in ``data_dir``, wait until it is healthy, and return the process and its base URL."""
    port = free_port()
    env = {**os.environ, "SCHEDULE_EXPLORER_DATA_DIR": str(data_dir), "PORT": str(port)}
    proc = subprocess.Popen(command or uvicorn_command(port, workers), cwd=ROOT, env=env, **popen)
    base_url = f"http://127.0.0.1:{port}"
    wait_healthy(base_url, proc)
    return proc, base_url


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate ``proc``, killing it if it is still there after 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def serving(data_dir: str | Path, **popen: Any) -> Iterator[str]:
    """:func:`start_server` as a context manager: yields the base URL, stops the server after."""
    proc, base_url = start_server(data_dir, **popen)
    try:
        yield base_url
    finally:
        stop_server(proc)
