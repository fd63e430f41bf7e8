"""Load test: start the server as the README does (2 uvicorn workers) and hammer it from loopback.

Runs one ``wrk`` process per request kind, concurrently, for ``--duration`` seconds with
``--clients`` connections in all (split by the mix below), then prints requests per second,
p50/p99 latency and errors per kind. Needs Debian's ``wrk`` (``apt-get install wrk``).

    python -m bench.load                 # 60 s, 50 clients, 2 workers
    python -m bench.load --duration 10   # a quick look
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.server import start_server


def seed_with(num_events: int, **cosine: object) -> dict:
    """The API's seed experiment (linear cyclical on group 0, cosine on group 1), resized."""
    from app.contract.schemas import SEED_EXPERIMENT

    linear, cos = SEED_EXPERIMENT["schedulers"]
    return {**SEED_EXPERIMENT, "num_events": num_events, "schedulers": [linear, {**cos, **cosine}]}


SERIES_10K = seed_with(10_000, cycle_mult=1.5)
FIGURE_1M = {
    "num_events": 1_000_000,
    "param_groups": [{"name": "base", "lr": 0.1}],
    "schedulers": [
        {
            "type": "CosineAnnealingScheduler",
            "param_name": "lr",
            "start_value": 0.1,
            "end_value": 0.001,
            "cycle_size": 1000,
            "cycle_mult": 2.0,
            "start_value_mult": 0.5,
        },
    ],
}

# kind: (share of clients, method, path, body or None; "%s" in a link body gets a random number)
MIX = {
    "catalogue": (0.1, "GET", "/api/v1/schedulers", None),
    # every series / figure request is a new experiment (a random start value), so no cache
    # answers it: each one is validated, computed and encoded
    "series_10k": (0.5, "POST", "/api/v1/series", json.dumps(SERIES_10K).replace("1e-07", "%s")),
    "figure_1M_decimated": (
        0.2,
        "POST",
        "/api/v1/figure?max_points=2000",
        json.dumps(FIGURE_1M).replace('"end_value": 0.001', '"end_value": %s'),
    ),
    "link_create": (0.2, "POST", "/api/v1/links", json.dumps(SERIES_10K).replace("1e-07", "%s")),
}

LUA = r"""
wrk.method = "%(method)s"
wrk.headers["Content-Type"] = "application/json"
local body = [==[%(body)s]==]
local random_body = %(random)s
request = function()
  if body == "" then return wrk.format(nil, "%(path)s") end
  if random_body then
    return wrk.format(nil, "%(path)s", nil, string.format(body, tostring(math.random() * 1e-6)))
  end
  return wrk.format(nil, "%(path)s", nil, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "errors": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def run_mix(base_url: str, clients: int, duration: int, workdir: Path) -> dict[str, dict]:
    procs = {}
    for kind, (share, method, path, body) in MIX.items():
        script = workdir / f"{kind}.lua"
        script.write_text(
            LUA
            % {
                "method": method,
                "path": path,
                "body": body or "",
                "random": "true" if body and "%s" in body else "false",
            }
        )
        connections = max(1, round(clients * share))
        procs[kind] = subprocess.Popen(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{duration}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                base_url,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
    results = {}
    for kind, proc in procs.items():
        out, _ = proc.communicate()
        line = next((x for x in out.splitlines() if x.startswith("{")), None)
        if line is None:
            raise SystemExit(f"wrk failed for {kind}:\n{out}")
        results[kind] = json.loads(line)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        server, base_url = start_server(tmp, workers=args.workers)
        try:
            results = run_mix(base_url, args.clients, args.duration, Path(tmp))
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"{args.clients} clients, {args.workers} workers, {args.duration} s, loopback")
    print(f"{'kind':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    total_errors = 0
    for kind, r in results.items():
        rps = r["requests"] / (r["duration_us"] / 1e6)
        total_errors += r["errors"]
        print(f"{kind:<22}{rps:>9.1f}{r['p50_us'] / 1e3:>9.1f}{r['p99_us'] / 1e3:>9.1f}{r['errors']:>8}")
    p99 = results["series_10k"]["p99_us"] / 1e3
    verdict = "met" if total_errors == 0 and p99 < 250 else "NOT met"
    print(f"target (0 errors, series_10k p99 < 250 ms): {verdict}")


if __name__ == "__main__":
    main()
