"""The presets gallery (each preset loaded and drawn exactly) and friendly pages for bad links."""

from __future__ import annotations

import json

import pytest
from pwhelpers import draws, open_dashboard, settle, traces

pytestmark = pytest.mark.browser


def test_every_preset_loads_and_draws_its_series_exactly(page):
    open_dashboard(page)
    presets = page.request.get("/api/v1/schedulers").json()["presets"]
    names = {p["name"] for p in presets}
    assert {"cosine-warmup", "one-cycle", "sgdr", "step-30-60-90", "warmup-stable-decay"} <= names
    page.click("summary:has-text('Presets')")
    for p in presets:
        assert p["description"] and p["source"]
        n = draws(page)
        page.click(f'#gallery button[data-preset="{p["name"]}"]')
        settle(page, n, timeout=90_000)  # the server's first torch scheduler imports torch.optim: seconds
        assert f"Loaded preset {p['name']}" in page.text_content("#status")
        assert page.input_value("#num-events") == str(p["experiment"]["num_events"])
        full = page.request.post(
            "/api/v1/series", data=json.dumps(p["experiment"]), headers={"Content-Type": "application/json"}
        ).json()["series"]
        drawn = traces(page)
        assert (
            len(drawn) == len(full)
            and page.evaluate("document.querySelector('#chart').dataset.state") == "ok"
        )
        for t, s in zip(drawn, full, strict=True):
            assert all(y == s["values"][x] for x, y in zip(t["x"], t["y"], strict=True)), p["name"]
    # loading a preset is an edit: undo brings the previous experiment back
    n = draws(page)
    page.click("#btn-undo")
    settle(page, n)
    assert page.input_value("#num-events") == str(presets[-2]["experiment"]["num_events"])


def test_unknown_share_link_is_a_friendly_page(browser, server):
    ctx = browser.new_context(base_url=server)
    page = ctx.new_page()  # the browser logs the 404 of the page itself: not the fixture's page
    response = page.goto("/s/AAAAAAAAAAAA")
    assert response.status == 404 and "text/html" in response.headers["content-type"]
    assert "This share link does not exist" in page.text_content("h1")
    page.click("text=Open the dashboard")
    settle(page, 0)
    assert page.url.split("#")[0] == server + "/"
    ctx.close()


def test_a_damaged_hash_on_a_shared_link_says_what_is_shown(page):
    open_dashboard(page)
    r = page.request.post(
        "/api/v1/links",
        data=json.dumps({"variants": [{"name": "A", "experiment": {**_seed(page), "num_events": 321}}]}),
        headers={"Content-Type": "application/json"},
    )
    link = r.json()["url"]
    for garbage in ("#s=garbage", "#s=garbage!"):
        page.goto("about:blank")  # a fresh load of the damaged address (not a hash change)
        page.goto(link + garbage)
        settle(page, 0)
        notice = page.text_content("#notice")
        assert "damaged" in notice and "showing the shared link instead" in notice
        assert page.input_value("#num-events") == "321"
        page.wait_for_function("!location.hash.includes('garbage')")  # the entry now holds the view
        page.reload()  # so a reload shows the shared view again, with nothing to warn about
        settle(page, 0)
        assert page.input_value("#num-events") == "321" and "damaged" not in page.text_content("#notice")


def _seed(page) -> dict:
    return page.request.get("/api/v1/schedulers").json()["example"]
