"""The dashboard takes its caps and its default view from the server's catalogue, not from copies.

- A server started with ``SCHEDULE_EXPLORER_MAX_VARIANTS=3`` and ``..._MAX_POINTS=300``: the
  Duplicate button disables at the third variant and the chart asks for at most 300 points.
- The catalogue's ``view_defaults`` (rewritten on the way here) are the fresh dashboard's view,
  and what the URL hash leaves out.
"""

from __future__ import annotations

import subprocess

import pytest
from conftest import watch
from pwhelpers import draws, open_dashboard, settle

from bench.server import serving

pytestmark = pytest.mark.browser

# The compact view in the URL hash (#s=<base64url JSON>), or {} while there is none.
HASH_VIEW = """() => {
  const b64 = location.hash.slice(3).replace(/-/g, '+').replace(/_/g, '/');
  try { return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)))); }
  catch { return {}; }
}"""


@pytest.fixture
def small_server(tmp_path, monkeypatch):
    monkeypatch.setenv("SCHEDULE_EXPLORER_MAX_VARIANTS", "3")
    monkeypatch.setenv("SCHEDULE_EXPLORER_MAX_POINTS", "300")
    with (
        open(tmp_path / "uvicorn.log", "w") as log,
        serving(tmp_path, stdout=log, stderr=subprocess.STDOUT) as base,
    ):
        yield base


def test_duplicate_disables_at_the_servers_max_variants(browser, small_server):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=small_server)
    try:
        page = ctx.new_page()
        console = watch(page)
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url) if "/api/v1/series" in r.url else None)
        open_dashboard(page)
        button = page.locator("#duplicate-variant")
        for expected in (2, 3):
            assert button.is_enabled()
            n = draws(page)
            button.click()
            settle(page, n)
            assert page.locator("#variant-tabs button").count() == expected
        assert button.is_disabled()
        assert page.locator("#chart").get_attribute("data-state") == "ok"  # no 422 for max_points
        assert asked and all("max_points=300" in url for url in asked), asked
        assert console.unexpected() == []
    finally:
        ctx.close()


def test_the_fresh_view_is_the_catalogues_view_defaults(page):
    def rewrite(route):
        reply = route.fetch()
        body = reply.json()
        body["view_defaults"] |= {"layout": "overlay", "x_axis": "epochs", "iterations_per_epoch": 7}
        route.fulfill(response=reply, json=body)

    page.route("**/api/v1/schedulers", rewrite)
    open_dashboard(page)
    assert page.input_value("#opt-layout") == "overlay"
    assert page.input_value("#opt-x") == "epochs"
    assert page.input_value("#opt-ipe") == "7"
    assert max(page.evaluate("Array.from(document.querySelector('#chart').data[0].x)")) == 999 / 7
    n = draws(page)
    page.fill("#opt-ipe", "9")
    settle(page, n)
    page.wait_for_function(f"(i) => ({HASH_VIEW})().i === i", arg=9)  # the URL follows (debounced)
    compact = page.evaluate(HASH_VIEW)
    assert compact["i"] == 9 and "l" not in compact and "x" not in compact  # defaults left out


def test_the_unmodified_dashboard_starts_at_100_iterations_per_epoch(page):
    open_dashboard(page)
    assert page.input_value("#opt-ipe") == "100"
    view = page.evaluate("fetch('/api/v1/schedulers').then(r => r.json()).then(c => c.view_defaults)")
    assert view["iterations_per_epoch"] == 100
