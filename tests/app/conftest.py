"""Fixtures for the API tests: an app on a temporary data directory, a TestClient, examples."""

from __future__ import annotations

import copy
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# tests/app has no __init__.py (its name would shadow the app package); make sure `import app`
# finds the project's package, not a namespace package made of test directories.
ROOT = Path(__file__).resolve().parents[2]
if sys.path[0] != str(ROOT):
    sys.path.insert(0, str(ROOT))
for name in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
    if getattr(sys.modules[name], "__file__", None) is None:
        del sys.modules[name]

# The suite creates hundreds of links from one address (TestClient's, loopback's): no rate limit
# unless a test sets one (tests/app/test_link_store_health.py); servers started by tests inherit it.
os.environ.setdefault("SCHEDULE_EXPLORER_LINK_RATE_PER_MINUTE", "1000000")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from app.contract.schemas import SEED_EXPERIMENT  # noqa: E402
from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**settings)``: a TestClient over a fresh app (same data dir per test)."""
    clients: list[TestClient] = []

    def make(**overrides) -> TestClient:
        overrides.setdefault("data_dir", tmp_path / "data")
        client = TestClient(create_app(Settings(**overrides)), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


@pytest.fixture
def seed() -> dict:
    """The issue's seed experiment (a fresh deep copy)."""
    return copy.deepcopy(SEED_EXPERIMENT)
