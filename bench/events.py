"""Benchmark of attach events in the fast path: what holding values between calls costs.

One experiment, an iteration-level cosine on ``lr`` (CosineAnnealingScheduler, growing cycles)
and ``LRScheduler(OneCycleLR)`` writing ``lr`` and ``momentum`` of a second group, simulated
with ``method="fast"`` for 1e4 .. 1e6 iterations:

- ``default``: every scheduler at ITERATION_STARTED (the path of every experiment before events);
- ``epoch``: the OneCycleLR at EPOCH_COMPLETED (100 iterations per epoch): its closed form runs
  over n/100 calls and is held between them;
- ``mixed``: both on ``lr`` of every group, at different events: the join picks, per iteration,
  the latest call;
- ``np.cos``: one ``np.cos`` over n float64 values (the floor), for scale.

    python -m bench.events

Ratios are within the same run, best of several repeats.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, simulate

SIZES = (10_000, 100_000, 1_000_000)


def experiment(n: int, mode: str) -> Experiment:
    cosine = SchedulerSpec(
        "CosineAnnealingScheduler",
        {"param_name": "lr", "start_value": 0.1, "end_value": 0.0, "cycle_size": 100, "cycle_mult": 2.0},
    )
    if mode != "mixed":
        cosine = SchedulerSpec(cosine.type, {**cosine.kwargs, "param_group_index": 0})
    calls = n if mode == "default" else n // 100
    one_cycle = SchedulerSpec(
        "LRScheduler",
        {"lr_scheduler": SchedulerSpec("OneCycleLR", {"max_lr": 0.1, "total_steps": calls + 1})},
        "ITERATION_STARTED" if mode == "default" else "EPOCH_COMPLETED",
    )
    groups = (
        ParamGroupSpec("a", {"lr": 0.1, "momentum": 0.9}),
        ParamGroupSpec("b", {"lr": 0.1, "momentum": 0.9}),
    )
    exp = Experiment(n, groups, (one_cycle, cosine), iterations_per_epoch=100)
    return exp if mode != "default" else dataclasses.replace(exp, iterations_per_epoch=None)


def best(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    print(
        f"{'events':>10} {'default ms':>11} {'epoch ms':>9} {'mixed ms':>9} {'np.cos ms':>10} "
        f"{'epoch/def':>10} {'mixed/def':>10} {'def/np.cos':>11}"
    )
    for n in SIZES:
        t = {
            mode: best(lambda m=mode, n=n: simulate(experiment(n, m), "fast"))
            for mode in ("default", "epoch", "mixed")
        }
        x = np.linspace(0, 1, n)
        floor = best(lambda x=x: np.cos(x))
        print(
            f"{n:>10} {t['default'] * 1e3:>11.2f} {t['epoch'] * 1e3:>9.2f} {t['mixed'] * 1e3:>9.2f} "
            f"{floor * 1e3:>10.2f} {t['epoch'] / t['default']:>10.2f} {t['mixed'] / t['default']:>10.2f} "
            f"{t['default'] / floor:>11.1f}"
        )


if __name__ == "__main__":
    main()
