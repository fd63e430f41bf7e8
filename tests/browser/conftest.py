"""Browser-test fixtures: the real app under uvicorn (temp data dir) and Debian's Chromium.

Never ``playwright install``: the tests drive /usr/bin/chromium and FAIL when it is missing
(CI installs the ``chromium`` package).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.server import serving

CHROMIUM = os.environ.get("SCHEDULE_EXPLORER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# Console errors a test may expect: the browser logs every 4xx fetch.
EXPECTED_4XX = "the server responded with a status of 422"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start ``uvicorn app.main:app`` on a free port with a temporary data directory."""
    data = tmp_path_factory.mktemp("data")
    with open(data / "uvicorn.log", "w") as log, serving(data, stdout=log, stderr=subprocess.STDOUT) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (never `playwright install`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Console:
    """Console errors and uncaught page errors seen by a page."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if EXPECTED_4XX not in e]


@pytest.fixture
def context(browser, server):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=server, accept_downloads=True)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    yield ctx
    ctx.close()


def watch(page) -> Console:
    console = Console()
    page.on("console", lambda m: console.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.errors.append(f"pageerror: {e}"))
    return console


@pytest.fixture
def page(context):
    """A fresh page; fails the test if the page logged an unexpected console error."""
    pg = context.new_page()
    pg.console = watch(pg)
    yield pg
    assert pg.console.unexpected() == []
