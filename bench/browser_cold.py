"""The first chart on a cold cache as a user's Chromium loads it: no DevTools client attached.

Playwright drives Chromium through the DevTools protocol with its ``Runtime`` domain enabled.
With it, V8 gathers source positions for the exceptions plotly.js throws (and catches) while it
starts: a trace shows about 0.45 s of ``V8.CollectSourcePositions`` (re-parsing the bundle's
three enclosing functions of 4.8 MB) inside plotly.js's run, which takes about 0.95 s under
Playwright and about 0.5 s without a DevTools client. So this measure drives Chromium with the
protocol's ``Target`` and ``Tracing`` domains only, and reads the page's own
``performance.mark`` marks (``se:editor-ready``, ``se:plotly-ready``, ``se:first-draw``) and
the loading of plotly.js from the trace.

Usage: ``python -m bench.browser_cold [--url URL] [--repeat N]`` (``python -m bench.browser``
prints it with the targets).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import re
import statistics
import subprocess
import tempfile
import time
import urllib.request

from bench.browser_timing import ARGS, CHROMIUM
from bench.server import start_server, stop_server

CATEGORIES = ["blink.user_timing", "devtools.timeline", "v8", "v8.execute", "loading"]
MARKS = ("se:editor-ready", "se:plotly-ready", "se:first-draw")


class Cdp:
    """A bare DevTools protocol connection to a Chromium started here (browser target only)."""

    def __init__(self) -> None:
        from websockets.sync.client import connect

        self.profile = tempfile.TemporaryDirectory(prefix="se-cold-")
        flags = [*ARGS, "--headless", "--remote-debugging-port=0", f"--user-data-dir={self.profile.name}"]
        self.proc = subprocess.Popen(
            [CHROMIUM, *flags, "--window-size=1400,900", "about:blank"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for line in self.proc.stderr:
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                break
        else:
            raise RuntimeError("Chromium did not open its DevTools port")
        self.stack = contextlib.ExitStack()
        self.ws = self.stack.enter_context(connect(found.group(1), max_size=None))
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def send(self, method: str, **params) -> dict:
        i = next(self.ids)
        self.ws.send(json.dumps({"id": i, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == i:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def trace_load(self, url: str, wait_s: float) -> list[dict]:
        """Trace events of loading ``url`` in a fresh browser context (empty caches)."""
        context = self.send("Target.createBrowserContext")["browserContextId"]
        self.send(
            "Tracing.start", traceConfig={"includedCategories": CATEGORIES}, transferMode="ReportEvents"
        )
        target = self.send("Target.createTarget", url=url, browserContextId=context)["targetId"]
        time.sleep(wait_s)
        self.send("Tracing.end")
        trace: list[dict] = []
        while True:
            msg = self.events.pop(0) if self.events else json.loads(self.ws.recv())
            if msg.get("method") == "Tracing.dataCollected":
                trace += msg["params"]["value"]
            elif msg.get("method") == "Tracing.tracingComplete":
                break
        self.send("Target.closeTarget", targetId=target)
        self.send("Target.disposeBrowserContext", browserContextId=context)
        return trace

    def close(self) -> None:
        self.stack.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.profile.cleanup()


def breakdown(trace: list[dict], url: str) -> dict[str, float] | None:
    """Milliseconds from navigation start: the page's marks, plotly.js requested and parsed off
    the main thread; ``plotly_run``: how long plotly.js ran on the main thread (None when the
    first chart was not drawn within the trace)."""
    starts = [e["ts"] for e in trace if e.get("name") == "navigationStart"
              and e.get("args", {}).get("data", {}).get("documentLoaderURL", "").startswith(url)]  # fmt: skip
    if not starts:
        return None
    t0 = starts[-1]
    ms = lambda ts: (ts - t0) / 1000  # noqa: E731
    out: dict[str, float] = {}
    for e in trace:
        name, args = e.get("name", ""), json.dumps(e.get("args", {}))
        if name in MARKS and "user_timing" in e.get("cat", ""):
            out[name] = ms(e["ts"])
        elif name == "ResourceSendRequest" and "plotly.min.js" in args:
            out["plotly_requested"] = ms(e["ts"])
        elif name == "v8.parseOnBackground" and "plotly.min.js" in args:
            out["plotly_parsed_off_main_thread"] = ms(e["ts"] + e.get("dur", 0))
        elif name == "EvaluateScript" and "plotly.min.js" in args:
            out["plotly_run"] = e.get("dur", 0) / 1000
    return out if "se:first-draw" in out else None


def measure_cold(url: str, repeat: int, wait_s: float = 5.0) -> dict[str, float]:
    """Medians over ``repeat`` cold loads of ``url`` (the first load, the server's, not counted)."""
    cdp = Cdp()
    runs = []
    try:
        urllib.request.urlopen(url + "/").read()
        cdp.trace_load(url + "/", wait_s)  # the server's first plotly.js (compressed once)
        for _ in range(repeat):
            got = breakdown(cdp.trace_load(url + "/", wait_s), url)
            if got:
                runs.append(got)
    finally:
        cdp.close()
    if not runs:
        raise RuntimeError(f"no first chart within {wait_s} s in {repeat} loads")
    keys = sorted(set.intersection(*(set(r) for r in runs)))
    out = {f"nodevtools_{k.removeprefix('se:').replace('-', '_')}_median_ms": statistics.median(r[k] for r in runs)
           for k in keys}  # fmt: skip
    out["nodevtools_runs"] = len(runs)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a running server (default: start one)")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    proc, url = (None, args.url) if args.url else start_server(tempfile.mkdtemp(prefix="se-bench-"))
    try:
        for k, v in measure_cold(url.rstrip("/"), args.repeat).items():
            print(f"{k:52s} {v:10.1f}")
    finally:
        if proc:
            stop_server(proc)


if __name__ == "__main__":
    main()
