"""The dashboard's timings in Chromium against the targets of issue 14.

Usage (from the repository root): ``python -m bench.browser [--url URL] [--repeat N]``. Starts a
server unless ``--url`` is given, runs :func:`bench.browser_timing.measure` (Playwright) and
:func:`bench.browser_cold.measure_cold` (no DevTools client: the cold first chart a user sees)
and prints each figure with its target, its ratio to a baseline measured in the same run (a
redraw that fetches nothing), and where the cold first chart's time goes.
"""

from __future__ import annotations

import argparse
import tempfile

from bench.browser_cold import measure_cold
from bench.browser_timing import measure
from bench.server import start_server, stop_server

TARGETS = [
    # (label, measured key, target ms, baseline key)
    ("zoom refetch, 10,000,000 events (median)", "zoom_refetch_10M_median_ms", 150,
     "zoom_redraw_without_fetch_10M_median_ms"),
    ("edit-to-redraw, 100,000 events x 2 variants (median)", "edit_to_redraw_100k_2_variants_median_ms", 80,
     "view_redraw_100k_2_variants_median_ms"),
    ("first chart, cold cache, no DevTools attached (median)", "nodevtools_first_draw_median_ms", 1200, None),
    ("first chart, cold cache, under Playwright (median)", "first_load_cold_cache_median_ms", 1200, None),
    ("first chart, warm cache (median)", "first_load_warm_cache_median_ms", 300, None),
]  # fmt: skip


COLD_NOTE = """where the cold first chart's time goes (no DevTools attached, medians, ms from navigation):
  plotly.min.js requested {nodevtools_plotly_requested_median_ms:7.0f}, parsed off the main thread by \
{nodevtools_plotly_parsed_off_main_thread_median_ms:7.0f}
  plotly.js runs on the main thread for {nodevtools_plotly_run_median_ms:5.0f} (compiling the functions it calls), \
ready at {nodevtools_plotly_ready_median_ms:7.0f}
  the editor is ready at {nodevtools_editor_ready_median_ms:7.0f}; first Plotly.react done at \
{nodevtools_first_draw_median_ms:7.0f}
  under Playwright plotly.js is ready at {plotly_ready_cold_cache_median_ms:7.0f}: its DevTools Runtime domain makes V8
  collect source positions for the exceptions plotly.js throws (and catches) while it starts"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a running server (default: start one)")
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    proc, url = (None, args.url) if args.url else start_server(tempfile.mkdtemp(prefix="se-bench-"))
    try:
        out = measure(url.rstrip("/"), args.repeat)
        out |= measure_cold(url.rstrip("/"), max(3, args.repeat // 2 + 1))
    finally:
        if proc:
            stop_server(proc)
    for label, key, target, base in TARGETS:
        ratio = f"  {out[key] / out[base]:5.2f}x a redraw without fetch" if base else ""
        verdict = "ok" if out[key] < target else "OVER"
        print(f"{label:55s} {out[key]:8.1f} ms  (target < {target} ms: {verdict}){ratio}")
    print(COLD_NOTE.format(**out))
    print("all figures:")
    for k, v in out.items():
        print(f"  {k:42s} {v:10.1f}")


if __name__ == "__main__":
    main()
