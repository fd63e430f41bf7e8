"""A client generated from /openapi.json by openapi-python-client reads well and fetches a series.

The app's schema is dumped to a file, ``openapi-python-client generate`` writes a package into
tmp_path, and the test imports it and calls ``series`` against a live server (bench/server.py).
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.main import create_app
from bench.server import serving

PACKAGE = "schedule_explorer_client"
OPERATION_MODULES = {
    "schedulers": ["schedulers"],
    "series": ["series", "series_of_variants"],
    "compare": ["compare", "translate"],
    "figure": ["figure"],
    "code": ["code"],
    "links": ["create_link", "get_link"],
    "health": ["healthz", "readyz"],
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    """The generated package, imported from a temporary directory (removed from sys.modules after)."""
    out = tmp_path_factory.mktemp("client")
    spec = out / "openapi.json"
    spec.write_text(json.dumps(create_app().openapi()))
    bindir = str(Path(sys.executable).parent)  # the generator formats its output with ruff
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    generate = ["generate", "--path", str(spec), "--output-path", "gen"]
    run = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", *generate],
        cwd=out,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    sys.path.insert(0, str(out / "gen"))
    try:
        yield importlib.import_module(PACKAGE), out / "gen" / PACKAGE
    finally:
        sys.path.remove(str(out / "gen"))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory):
    with serving(tmp_path_factory.mktemp("data"), stdout=subprocess.DEVNULL) as base:
        yield base


def test_operations_are_modules_named_after_their_ids(generated):
    _, root = generated
    found = {
        tag.name: sorted(p.stem for p in tag.glob("*.py") if p.stem != "__init__")
        for tag in (root / "api").iterdir()
        if tag.is_dir() and tag.name != "__pycache__"
    }
    assert found == {tag: sorted(ops) for tag, ops in OPERATION_MODULES.items()}


def test_generated_client_fetches_a_series(generated, base_url, seed):
    pkg, _ = generated
    series_op = importlib.import_module(f"{PACKAGE}.api.series.series")
    healthz_op = importlib.import_module(f"{PACKAGE}.api.health.healthz")
    models = importlib.import_module(f"{PACKAGE}.models")

    with pkg.Client(base_url=base_url, raise_on_unexpected_status=True) as client:
        assert healthz_op.sync(client=client).status == "ok"
        reply = series_op.sync(client=client, body=models.Experiment.from_dict(seed))
        decimated = series_op.sync(client=client, body=models.Experiment.from_dict(seed), max_points=200)

    assert isinstance(reply, models.SeriesResponse)
    assert reply.num_events == 1000 and reply.decimated is False
    assert [(s.param_group, s.group_name, s.param_name) for s in reply.series] == [
        (0, "base", "lr"),
        (1, "fc", "lr"),
    ]
    linear, cosine = (s.values for s in reply.series)
    assert len(linear) == len(cosine) == 1000
    # LinearCyclicalScheduler: 1e-7 -> 1e-5 -> 1e-7 over each cycle of 100 events
    assert linear[0] == pytest.approx(1e-7) and linear[50] == pytest.approx(1e-5)
    assert linear[25] == pytest.approx((1e-7 + 1e-5) / 2) and linear[100] == pytest.approx(1e-7)
    # CosineAnnealingScheduler: 1e-5 + (1e-3 - 1e-5) * (1 - cos(pi * t / 100)) / 2, t = event % 100
    assert cosine[0] == pytest.approx(1e-5) and cosine[100] == pytest.approx(1e-5)
    assert cosine[50] == pytest.approx((1e-5 + 1e-3) / 2)
    assert cosine[25] == pytest.approx(1e-5 + (1e-3 - 1e-5) * (1 - 0.5**0.5) / 2)
    assert [s.restarts for s in reply.series] == [list(range(100, 1000, 100))] * 2

    assert decimated.decimated is True
    for whole, part in zip(reply.series, decimated.series, strict=True):
        assert 0 < len(part.values) <= 200 and len(part.events) == len(part.values)
        assert [whole.values[e] for e in part.events] == part.values
