"""Full resolution at every zoom, one y-axis per param, exact reading (hover and pins)."""

from __future__ import annotations

import base64
import json

import pytest
from pwhelpers import draws, edit, field, open_dashboard, settle, traces

pytestmark = pytest.mark.browser

BIG = {
    "num_events": 100_000,
    "param_groups": [{"name": "base", "lr": 0.001, "momentum": 0.9}],
    "schedulers": [
        {"type": "CosineAnnealingScheduler", "param_name": "lr", "start_value": 1e-3,
         "end_value": 1e-6, "cycle_size": 997},
        {"type": "LinearCyclicalScheduler", "param_name": "momentum", "start_value": 0.95,
         "end_value": 0.85, "cycle_size": 3001},
    ],
}  # fmt: skip


def view_url(exp: dict) -> str:
    raw = json.dumps({"v": [["A", exp]]}, separators=(",", ":")).encode()
    return "/#s=" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def full_series(page, exp: dict) -> dict[str, list[float]]:
    """Every value of every series, straight from the API (no decimation)."""
    r = page.request.post(
        "/api/v1/series", data=json.dumps(exp), headers={"Content-Type": "application/json"}
    )
    assert r.ok, r.text()
    return {s["param_name"]: s["values"] for s in r.json()["series"]}


def zoom_to(page, x0: float, x1: float) -> None:
    n = draws(page)
    page.evaluate(
        "([a, b]) => Plotly.relayout(document.querySelector('#chart'), {'xaxis.range': [a, b]})", [x0, x1]
    )
    settle(page, n)


def test_zoom_fetches_the_window_and_draws_every_event_exactly(page):
    open_dashboard(page, view_url(BIG))
    values = full_series(page, BIG)
    before = {t["meta"]["param_name"]: t for t in traces(page)}
    assert len(before["lr"]["x"]) < 10_000  # the whole range is decimated
    assert "min/max kept" in page.text_content("#resolution")
    zoom_to(page, 300.4, 1450.6)
    for t in traces(page):
        name = t["meta"]["param_name"]
        # every event of the visible window (and one beyond each edge) is drawn, with its exact value
        assert t["x"] == list(range(299, 1453)), name
        assert [v.hex() for v in t["y"]] == [values[name][e].hex() for e in t["x"]], name
    assert page.text_content("#resolution").startswith("Resolution: every event")
    # an edit keeps the zoom: the new series is fetched for the same window
    edit(page, field("schedulers.1.cycle_size"), "1001")
    edited = full_series(
        page, {**BIG, "schedulers": [BIG["schedulers"][0], {**BIG["schedulers"][1], "cycle_size": 1001}]}
    )
    momentum = next(t for t in traces(page) if t["meta"]["param_name"] == "momentum")
    assert momentum["x"] == list(range(299, 1453)) and momentum["y"] == edited["momentum"][299:1453]
    # a wide window is decimated again, min and max of the window kept exactly
    zoom_to(page, 7000, 90000)
    lr = next(t for t in traces(page) if t["meta"]["param_name"] == "lr")
    assert all(lr["y"][i] == values["lr"][e] for i, e in enumerate(lr["x"]))
    assert min(lr["y"]) == min(values["lr"][6999:90002]) and max(lr["y"]) == max(values["lr"][6999:90002])
    assert "1 point per" in page.text_content("#resolution")
    # double-click (autorange) goes back to the whole series
    n = draws(page)
    page.evaluate("Plotly.relayout(document.querySelector('#chart'), {'xaxis.autorange': true})")
    settle(page, n)
    assert traces(page)[0]["x"][-1] == 99_999 and "all 100,000 events" in page.text_content("#resolution")


def test_each_param_has_its_own_y_axis_with_its_own_log_scale(page):
    open_dashboard(page, view_url({**BIG, "num_events": 2000}))
    axes = {t["meta"]["param_name"]: t["yaxis"] for t in traces(page)}
    assert axes["lr"] != axes["momentum"]
    layout = page.evaluate("document.querySelector('#chart').layout")
    key = {name: "yaxis" + ax[1:] for name, ax in axes.items()}
    assert (
        layout[key["lr"]]["title"]["text"] == "lr" and layout[key["momentum"]]["title"]["text"] == "momentum"
    )
    n = draws(page)
    page.check('#opt-log-axes input[value="lr"]')
    settle(page, n)
    layout = page.evaluate("document.querySelector('#chart').layout")
    assert layout[key["lr"]]["type"] == "log" and layout[key["momentum"]]["type"] == "linear"
    # the choice is in the URL: a reload keeps it
    page.wait_for_timeout(300)
    page.reload()
    settle(page, 0)
    assert page.is_checked('#opt-log-axes input[value="lr"]')
    assert not page.is_checked('#opt-log-axes input[value="momentum"]')


def test_hover_reads_every_series_in_full_precision_and_click_pins(page):
    exp = {**BIG, "num_events": 2000}
    open_dashboard(page, view_url(exp))
    values = full_series(page, exp)
    box = page.locator("#chart .nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.31, box["y"] + box["height"] / 2)
    page.wait_for_function("() => document.querySelector('#reading th[scope=col] + th')")
    head = page.text_content("#reading thead th:nth-child(2)")
    event = int(head.rsplit(" ", 1)[1])
    assert 0 < event < 2000
    rows = dict(
        page.eval_on_selector_all(
            "#reading tbody tr", "rs => rs.map(r => [r.cells[0].textContent, r.cells[1].textContent])"
        )
    )
    # the readout covers both subplots (lr and momentum), each text reading back as the same double
    assert {k: float(v) for k, v in rows.items()} == {
        "base · lr": values["lr"][event],
        "base · momentum": values["momentum"][event],
    }
    assert len(page.query_selector_all("#crosshair .crosshair-line")) >= 1
    page.mouse.click(box["x"] + box["width"] * 0.31, box["y"] + box["height"] / 2)
    page.wait_for_function("() => document.querySelector('#reading .unpin')")
    page.mouse.move(0, 0)
    page.wait_for_function(
        "() => ![...document.querySelectorAll('#reading td')].some(td => td.textContent === '…')"
    )
    pinned = page.eval_on_selector_all(
        "#reading tbody tr", "rs => rs.map(r => r.cells[r.cells.length - 1].textContent)"
    )
    assert [float(v) for v in pinned] == [values["lr"][event], values["momentum"][event]]


def test_an_event_is_pinned_from_the_keyboard(page):
    exp = {**BIG, "num_events": 2000}
    open_dashboard(page, view_url(exp))
    values = full_series(page, exp)
    page.fill("#pin-event", "1234")
    page.press("#pin-event", "Enter")
    page.wait_for_function(
        "() => document.querySelector('#reading .unpin')"
        " && ![...document.querySelectorAll('#reading td')].some(td => td.textContent === '…')"
    )
    assert "Pinned event 1234" in page.text_content("#status")
    cells = page.eval_on_selector_all("#reading tbody tr", "rs => rs.map(r => r.cells[1].textContent)")
    assert [float(c) for c in cells] == [values["lr"][1234], values["momentum"][1234]]
