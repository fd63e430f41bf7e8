"""Measure the dashboard in Chromium: first load (cold and warm cache), edit-to-redraw at
100,000 events (one variant, and two), and the zoom refetch on a 10,000,000-event experiment.

Usage (from the repository root): ``python -m bench.browser_timing [--url http://127.0.0.1:8000] [--repeat 10]``
(``python -m bench.browser`` prints the same with the targets). Without ``--url`` it starts
``uvicorn app.main:app`` on a free port (temporary data directory). Prints the numbers; asserts
nothing.
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


HUGE = {
    "num_events": 10_000_000,
    "param_groups": [{"name": "base", "lr": 0.01}],
    "schedulers": [
        {"type": "CosineAnnealingScheduler", "param_name": "lr", "start_value": 0.01, "end_value": 0.0,
         "cycle_size": 99_991},
    ],
}  # fmt: skip
"""A 10,000,000-event experiment (one series, cosine cycles of 99,991 events)."""


def view_hash(*experiments: dict) -> str:
    """URL hash of a view holding ``experiments`` as variants A, B, ... (the dashboard's #s= format)."""
    raw = json.dumps({"v": [[chr(65 + i), e] for i, e in enumerate(experiments)]}, separators=(",", ":"))
    return "#s=" + base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def big_hash() -> str:
    """URL hash of a view holding the 100,000-event experiment."""
    return view_hash(BIG)


def wait_draw(page, after: int) -> None:
    page.wait_for_function(
        "n => window.__scheduleExplorer && window.__scheduleExplorer.draws > n"
        " && !window.__scheduleExplorer.dirty",
        arg=after,
    )


def edit_to_redraw(page, repeat: int) -> list[float]:
    """Edit-to-redraw times of ``repeat`` edits of the active variant's cycle_size."""
    sel = '#editor [data-path="schedulers.1.cycle_size"] > input'
    times = []
    for k in range(repeat):
        n = page.evaluate("window.__scheduleExplorer.draws")
        page.fill(sel, str(500 + 37 * k))
        wait_draw(page, n)
        times.append(page.evaluate("window.__scheduleExplorer.lastRedrawMs"))
    return times


def view_redraw(page, repeat: int) -> list[float]:
    """Baseline: redraws that fetch nothing (the log-scale switch), timed like an edit."""
    times = []
    for _ in range(repeat):
        n = page.evaluate("window.__scheduleExplorer.draws")
        page.evaluate("window.__scheduleExplorer.editAt = performance.now()")
        page.click("#opt-log")
        wait_draw(page, n)
        times.append(page.evaluate("window.__scheduleExplorer.lastRedrawMs"))
    return times


ZOOM = "([a, b]) => Plotly.relayout(document.querySelector('#chart'), {'xaxis.range': [a, b]})"


def zoom_times(page, repeat: int) -> tuple[list[float], list[float]]:
    """Zoom refetch times (relayout to the redraw with the window's series) on windows of
    1,000 to 5,000,000 events, and a baseline: the same relayouts drawn without any fetch."""
    spans = [1_000, 7_000, 50_000, 400_000, 5_000_000]
    times, local = [], []
    for k in range(repeat):
        span = spans[k % len(spans)]
        start = (k * 1_234_567) % (10_000_000 - span)
        n = page.evaluate("window.__scheduleExplorer.draws")
        page.evaluate(ZOOM, [start, start + span])
        wait_draw(page, n)
        times.append(page.evaluate("window.__scheduleExplorer.lastZoomMs"))
        t = page.evaluate(
            "async ([a, b]) => { const t = performance.now(); const gd = document.querySelector('#chart');"
            " await Plotly.react(gd, gd.data, {...gd.layout, xaxis: {...gd.layout.xaxis, range: [a, b]}});"
            " return performance.now() - t; }",
            [start + 1, start + span - 1],
        )
        local.append(t)
    return times, local


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
        times = edit_to_redraw(page, repeat)
        out["edit_to_redraw_100k_median_ms"] = statistics.median(times)
        out["edit_to_redraw_100k_max_ms"] = max(times)
        out["points_drawn_per_trace"] = page.evaluate("document.querySelector('#chart').data[0].x.length")
        ctx.close()

        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        page = ctx.new_page()
        page.goto(url + "/" + view_hash(BIG, BIG))
        wait_draw(page, 0)
        times = edit_to_redraw(page, repeat)
        base = view_redraw(page, repeat)
        out["edit_to_redraw_100k_2_variants_median_ms"] = statistics.median(times)
        out["edit_to_redraw_100k_2_variants_max_ms"] = max(times)
        out["view_redraw_100k_2_variants_median_ms"] = statistics.median(base)
        ctx.close()

        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        page = ctx.new_page()
        page.goto(url + "/" + view_hash(HUGE))
        wait_draw(page, 0)
        times, local = zoom_times(page, repeat)
        out["zoom_refetch_10M_median_ms"] = statistics.median(times)
        out["zoom_refetch_10M_max_ms"] = max(times)
        out["zoom_redraw_without_fetch_10M_median_ms"] = statistics.median(local)
        ctx.close()
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
