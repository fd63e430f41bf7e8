"""Benchmark of ``/compare``: the service against its baseline, the two ``/series`` replies.

    python -m bench.compare

Experiments: the ``off_by_one`` example of ``/compare`` (a warm-up and a cosine, one cycle one
event longer in b) at 1e4 .. 1e7 events, decimated to 2,000 points (the dashboard asks for 800).
Columns: the best time of ``series_json(a) + series_json(b)`` (cache off: both computed), of
``compare_json(a, b)`` (cache off) and their ratio, measured in the same run; the ratio is the
cost of the differences (curves, maxima, first event, decimation of two curves per pair).
"""

from __future__ import annotations

import tempfile

from app.contract.compare import COMPARE_EXAMPLES, CompareRequest
from app.contract.schemas import Experiment
from app.service.compare import compare_json
from app.service.compute import SeriesCache
from app.service.exports import series_json
from app.settings import Settings
from bench.series import best_time

SIZES = (10_000, 100_000, 1_000_000, 10_000_000)
POINTS = 2_000


def main() -> None:
    settings = Settings(data_dir=tempfile.mkdtemp(prefix="bench-compare-"))
    example = COMPARE_EXAMPLES["off_by_one"]["value"]
    print(f"/compare vs two /series replies (cache off, {POINTS} points per curve)")
    print(f"{'events':>10} | {'2 x series s':>12} | {'compare s':>10} | {'compare/series':>14}")
    for n in SIZES:
        a = Experiment.model_validate({**example["a"], "num_events": n})
        b = Experiment.model_validate({**example["b"], "num_events": n})
        req = CompareRequest(a=a, b=b)
        off = SeriesCache(0)
        series = best_time(
            lambda a=a, b=b, off=off: (
                series_json(a, settings, off, POINTS),
                series_json(b, settings, off, POINTS),
            )
        )
        compared = best_time(lambda req=req, off=off: compare_json(req, settings, off, POINTS))
        print(f"{n:>10} | {series:>12.4f} | {compared:>10.4f} | {compared / series:>13.2f}x")


if __name__ == "__main__":
    main()
