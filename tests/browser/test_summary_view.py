"""Summary numbers of each series under the chart and as a CSV download."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pwhelpers import draws, open_dashboard, settle

pytestmark = pytest.mark.browser


def test_summary_table_matches_the_series_and_downloads(page):
    open_dashboard(page)
    exp = page.request.get("/api/v1/schedulers").json()["example"]  # what a fresh page shows
    full = page.request.post(
        "/api/v1/series", data=json.dumps(exp), headers={"Content-Type": "application/json"}
    ).json()["series"]
    rows = page.eval_on_selector_all(
        "#summary tbody tr", "rs => rs.map(r => [...r.cells].map(c => c.textContent))"
    )
    head = page.eval_on_selector_all("#summary thead th", "hs => hs.map(h => h.textContent)")
    assert head[:3] == ["series", "initial", "final"] and "area (Σ over events)" in head
    assert [row[0] for row in rows] == [f"{s['group_name']} · {s['param_name']}" for s in full]
    for row, s in zip(rows, full, strict=True):
        values = np.array(s["values"])
        cells = dict(zip(head[1:], row[1:], strict=True))
        assert float(cells["initial"]) == values[0] and float(cells["final"]) == values[-1]
        assert float(cells["min"]) == values.min() and float(cells["max"]) == values.max()
        assert int(cells["peak at event"]) == int(np.argmax(values))
        assert float(cells["area (Σ over events)"]) == pytest.approx(values.sum(), rel=1e-14)
        assert int(cells["restarts"]) == len(s["restarts"])
    # a variant shows its own rows
    n = draws(page)
    page.click("#duplicate-variant")
    settle(page, n)
    assert page.locator("#summary tbody tr").count() == 2 * len(full)
    with page.expect_download() as dl:
        page.click("#btn-summary-csv")
    lines = open(dl.value.path()).read().splitlines()
    assert lines[0].startswith("series,initial,final,min,max,peak_event,mean,area")
    assert len(lines) == 1 + len(full)
