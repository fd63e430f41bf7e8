"""Timings printed, not asserted (targets: first load < 1 s, edit-to-redraw < 150 ms for 100k events).

The full measurement with repeats is ``python -m bench.browser_timing``.
"""

from __future__ import annotations

import base64
import json
import statistics

import pytest
from pwhelpers import draws, field, open_dashboard, settle

pytestmark = pytest.mark.browser

BIG = {
    "num_events": 100_000,
    "param_groups": [{"name": "base", "lr": 0.001}, {"name": "fc", "lr": 0.01}],
    "schedulers": [
        {"type": "LinearCyclicalScheduler", "param_name": "lr", "start_value": 1e-7,
         "end_value": 1e-5, "cycle_size": 1000, "param_group_index": 0},
        {"type": "CosineAnnealingScheduler", "param_name": "lr", "start_value": 1e-5,
         "end_value": 1e-3, "cycle_size": 1000, "param_group_index": 1},
    ],
}  # fmt: skip


def test_timings_for_a_100000_event_experiment(page, capsys):
    raw = json.dumps({"v": [["A", BIG]]}, separators=(",", ":")).encode()
    open_dashboard(page, "/#s=" + base64.urlsafe_b64encode(raw).decode().rstrip("="))
    first = page.evaluate("window.__scheduleExplorer")
    data = page.evaluate("document.querySelector('#chart').data")
    assert page.evaluate("document.querySelector('#chart').layout.xaxis.range[1]") > 99_000
    assert all(len(t["x"]) < 5000 for t in data)  # decimated to about twice the chart width
    times = []
    for k in range(5):
        n = draws(page)
        page.fill(field("schedulers.1.cycle_size"), str(700 + 13 * k))
        settle(page, n)
        times.append(page.evaluate("window.__scheduleExplorer.lastRedrawMs"))
    with capsys.disabled():
        print(
            f"\n[timing] first load: editor {first['editorReadyMs']:.0f} ms, chart {first['firstDrawMs']:.0f} ms;"
            f" edit-to-redraw (100,000 events): median {statistics.median(times):.0f} ms,"
            f" max {max(times):.0f} ms"
        )
