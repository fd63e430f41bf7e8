"""A phone layout that keeps the chart in view above the editor, and the chart as a data table."""

from __future__ import annotations

import json

import pytest
from conftest import watch
from pwhelpers import draws, open_dashboard, settle, traces

pytestmark = pytest.mark.browser


def test_phone_layout_keeps_the_chart_above_the_editor_in_view(browser, server, tmp_path):
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=server, is_mobile=True, has_touch=True
    )
    page = ctx.new_page()
    console = watch(page)
    open_dashboard(page)
    chart = page.locator("#chart")
    editor = page.locator("#editor")
    c, e = chart.bounding_box(), editor.bounding_box()
    assert c["y"] < e["y"] and c["y"] + c["height"] <= 844 / 2 + 20  # the chart first, in the top half
    assert e["y"] < 844  # and the editor starts on the first screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    # edit a field far down the editor: the chart stays in view, the field is not hidden under it
    target = page.locator('#editor [data-path="schedulers.1.cycle_size"] > input')
    target.scroll_into_view_if_needed()
    n = draws(page)
    target.fill("50")
    settle(page, n)
    c, t = chart.bounding_box(), target.bounding_box()
    assert 0 <= c["y"] and c["y"] + c["height"] <= 844
    panel = page.locator("#chart-panel").bounding_box()
    assert t["y"] >= panel["y"] + panel["height"] - 1 and t["y"] + t["height"] <= 844
    path = tmp_path / "phone.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    assert console.unexpected() == []
    ctx.close()


def test_the_chart_as_a_table_lists_every_drawn_point(page):
    open_dashboard(page)
    page.click("#data-table-box > summary")
    page.wait_for_selector("#data-table table")
    head = page.eval_on_selector_all("#data-table thead th", "hs => hs.map(h => h.textContent)")
    assert head == ["event", "base · lr", "fc · lr"]
    rows = page.eval_on_selector_all(
        "#data-table tbody tr", "rs => rs.map(r => [...r.cells].map(c => c.textContent))"
    )
    drawn = traces(page)
    assert len(rows) == len(drawn[0]["x"]) == 1000
    for col, t in enumerate(drawn, start=1):
        assert [float(r[col]) for r in rows] == t["y"]
    # it follows the chart
    n = draws(page)
    page.fill('#editor [data-path="num_events"] > input', "300")
    settle(page, n)
    page.wait_for_function("() => document.querySelectorAll('#data-table tbody tr').length === 300")
    exp = page.request.get("/api/v1/schedulers").json()["example"]
    full = page.request.post(
        "/api/v1/series",
        data=json.dumps({**exp, "num_events": 300}),
        headers={"Content-Type": "application/json"},
    ).json()["series"]
    last = page.eval_on_selector(
        "#data-table tbody tr:last-child", "r => [...r.cells].map(c => c.textContent)"
    )
    assert last == ["299", repr(full[0]["values"][299]), repr(full[1]["values"][299])] or [
        float(x) for x in last[1:]
    ] == [full[0]["values"][299], full[1]["values"][299]]
