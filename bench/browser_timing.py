"""Measure the dashboard in Chromium: first load and edit-to-redraw for a 100,000-event experiment.

Usage (from the repository root): ``python -m bench.browser_timing [--url http://127.0.0.1:8000] [--repeat 10]``.
Without ``--url`` it starts ``uvicorn app.main:app`` on a free port (temporary data directory).
Prints the numbers; asserts nothing (targets: first load < 1 s, edit-to-redraw < 150 ms).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import tempfile

from bench.server import start_server

CHROMIUM = os.environ.get("SCHEDULE_EXPLORER_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def big_seed() -> dict:
    """The API's seed experiment at 100,000 events with 1,000-event cycles."""
    from app.contract.schemas import SEED_EXPERIMENT

    return {
        **SEED_EXPERIMENT,
        "num_events": 100_000,
        "schedulers": [{**s, "cycle_size": 1000} for s in SEED_EXPERIMENT["schedulers"]],
    }


BIG = big_seed()


def big_hash() -> str:
    """URL hash of a view holding the 100,000-event experiment (the dashboard's #s= format)."""
    raw = json.dumps({"v": [["A", BIG]]}, separators=(",", ":")).encode()
    return "#s=" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def wait_draw(page, after: int) -> None:
    page.wait_for_function(
        "n => window.__scheduleExplorer && window.__scheduleExplorer.draws > n"
        " && !window.__scheduleExplorer.dirty",
        arg=after,
    )


def measure(url: str, repeat: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    out: dict[str, float] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        cold, warm, plotly, editor = [], [], [], []
        for _ in range(repeat + 1):
            ctx = browser.new_context(viewport={"width": 1400, "height": 900})
            page = ctx.new_page()
            page.goto(url + "/")  # empty browser cache
            wait_draw(page, 0)
            cold.append(page.evaluate("window.__scheduleExplorer.firstDrawMs"))
            plotly.append(page.evaluate("window.__scheduleExplorer.plotlyReadyMs"))
            editor.append(page.evaluate("window.__scheduleExplorer.editorReadyMs"))
            page.goto(url + "/")  # same context: HTTP cache and V8 code cache warm
            wait_draw(page, 0)
            page.goto(url + "/")
            wait_draw(page, 0)
            warm.append(page.evaluate("window.__scheduleExplorer.firstDrawMs"))
            ctx.close()
        out["first_load_server_cold_ms"] = cold[0]
        out["first_load_cold_cache_median_ms"] = statistics.median(cold[1:])
        out["plotly_ready_cold_cache_median_ms"] = statistics.median(plotly[1:])
        out["first_load_warm_cache_median_ms"] = statistics.median(warm[1:])
        out["editor_ready_cold_cache_median_ms"] = statistics.median(editor[1:])

        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        page = ctx.new_page()
        page.goto(url + "/" + big_hash())
        wait_draw(page, 0)
        sel = '#editor [data-path="schedulers.1.cycle_size"] > input'
        times = []
        for k in range(repeat):
            n = page.evaluate("window.__scheduleExplorer.draws")
            page.fill(sel, str(500 + 37 * k))
            wait_draw(page, n)
            times.append(page.evaluate("window.__scheduleExplorer.lastRedrawMs"))
        out["edit_to_redraw_100k_median_ms"] = statistics.median(times)
        out["edit_to_redraw_100k_max_ms"] = max(times)
        out["points_drawn_per_trace"] = page.evaluate("document.querySelector('#chart').data[0].x.length")
        browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a running server (default: start one)")
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    proc = None
    url = args.url
    if not url:
        proc, url = start_server(tempfile.mkdtemp(prefix="se-bench-"))
    try:
        for k, v in measure(url.rstrip("/"), args.repeat).items():
            print(f"{k:32s} {v:10.1f}")
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
