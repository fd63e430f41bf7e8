"""Smoke test of an installed server: ``pip install 'schedule-explorer[server]'`` (the wheel).

Run by ``scripts/smoke-packages.sh`` while ``schedule-explorer serve`` runs from a directory
outside the checkout::

    python tests/deploy/smoke_server.py http://127.0.0.1:PORT STATIC_DIR

It waits for ``/healthz``, then loads the dashboard ``/``, ``/static/js/main.js`` (byte for byte
the checkout's ``STATIC_DIR/js/main.js``), plotly.js, ``/docs`` and ``/redoc`` with the files they
link, and ``/openapi.json``, and posts an experiment to ``/api/v1/series`` and ``/api/v1/links``. Standard library only. Not collected
by pytest (no ``test_`` prefix).
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def fetch(url: str, body: object | None = None) -> tuple[int, str, bytes]:
    """``(status, content type, body)`` of a GET, or of a JSON POST when ``body`` is given."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.headers.get("Content-Type", ""), reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def wait_ready(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if fetch(base + "/healthz")[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"server at {base} not ready after {seconds:.0f} s")
        time.sleep(0.2)


def main(base: str, static_dir: str) -> None:
    wait_ready(base)

    status, kind, body = fetch(base + "/")
    assert status == 200 and kind.startswith("text/html"), (status, kind)
    assert b"js/main.js" in body, body[:300]

    status, kind, body = fetch(base + "/static/js/main.js")
    assert status == 200 and "javascript" in kind, (status, kind)
    assert body == (Path(static_dir) / "js" / "main.js").read_bytes(), "main.js differs from the checkout's"

    status, kind, body = fetch(base + "/static/vendor/plotly.min.js")
    assert status == 200 and len(body) > 1_000_000, (status, len(body))

    for page in ("/docs", "/redoc"):  # and every script, style sheet and icon they load
        status, kind, body = fetch(base + page)
        assert status == 200 and kind.startswith("text/html"), (page, status, kind)
        assets = re.findall(r"(?:src|href)='(/[^']+)'", body.decode())
        assert any(a.endswith(".js") for a in assets), (page, assets)
        for asset in assets:
            assert fetch(base + asset)[0] == 200, (page, asset)
    status, kind, body = fetch(base + "/openapi.json")
    assert status == 200 and "/api/v1/series" in json.loads(body)["paths"], status

    status, kind, body = fetch(base + "/api/v1/schedulers")
    assert status == 200, status
    experiment = json.loads(body)["example"]  # the API's seed: one scheduler per group
    status, kind, body = fetch(base + "/api/v1/series", experiment)
    assert status == 200, (status, body[:500])
    series = json.loads(body)["series"]
    n, groups = experiment["num_events"], len(experiment["param_groups"])
    shape = [(s["param_group"], s["param_name"], len(s["values"])) for s in series]
    assert shape == [(g, "lr", n) for g in range(groups)], shape
    firsts = [s["values"][0] for s in series]
    starts = [s["start_value"] for s in experiment["schedulers"]]
    assert all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(firsts, starts, strict=True)), firsts

    status, kind, body = fetch(base + "/api/v1/links", experiment)
    assert status == 201, (status, body[:500])
    link = json.loads(body)
    status, kind, body = fetch(f"{base}/api/v1/links/{link['id']}")
    assert status == 200 and json.loads(body)["num_events"] == n, status
    print(f"server smoke test: ok ({base})")


if __name__ == "__main__":
    main(*sys.argv[1:])
