"""Benchmark of whole-series evaluation: fast path vs stepping vs ignite vs a bare ``np.cos``.

Schedule: ``CosineAnnealingScheduler(start_value=1.0, end_value=0.0, cycle_size=100,
cycle_mult=2, start_value_mult=0.5)`` on one param group, for 1e3 .. 1e6 events.

    python -m bench.series              # the timing table (ignite's simulate_values included)
    python -m bench.series --memory     # peak RSS increase for a 10,000,000-event series
    python -m bench.series --no-ignite  # skip ignite (not installed / in a hurry)
    python -m bench.series --ecosystem  # only the other libraries' closed forms (also printed last)
    python -m bench.series --ecosystem --runs 3  # the same 3 times: median times and ratios

Columns: events/s and ns/event of ``simulate(experiment)`` (fast path, end to end), of
``simulate(experiment, method="step")`` (scheduler_core stepping), of ignite 0.5.5's
``CosineAnnealingScheduler.simulate_values`` and of one ``np.cos`` over as many float64 values
(the floor). Ratios are taken within the same run. Fast timings are the best of several runs;
stepping and ignite are timed once per size. ignite at 1e6 is extrapolated from 1e5 (and marked
"~") when the 1e5 run projects more than 60 s.
"""

from __future__ import annotations

import argparse
import gc
import math
import subprocess
import sys
import time
from collections.abc import Callable
from itertools import repeat

import numpy as np

from scheduler_core import libm
from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, simulate

KWARGS = {
    "param_name": "lr",
    "start_value": 1.0,
    "end_value": 0.0,
    "cycle_size": 100,
    "cycle_mult": 2,
    "start_value_mult": 0.5,
}
SIZES = (1_000, 10_000, 100_000, 1_000_000)
ECOSYSTEM_EVENTS = 1_000_000
ECOSYSTEM: list[tuple[str, dict] | tuple[str, dict, int]] = [
    # other libraries' schedules (type, kwargs[, iterations_per_epoch]): their closed forms
    # against the cosine above
    ("transformers.get_constant_schedule", {}),
    ("transformers.get_constant_schedule_with_warmup", {"num_warmup_steps": 10_000}),
    (
        "transformers.get_linear_schedule_with_warmup",
        {"num_warmup_steps": 10_000, "num_training_steps": 900_000},
    ),
    (
        "transformers.get_cosine_schedule_with_warmup",
        {"num_warmup_steps": 10_000, "num_training_steps": 900_000},
    ),
    (
        "transformers.get_cosine_with_hard_restarts_schedule_with_warmup",
        {"num_warmup_steps": 10_000, "num_training_steps": 900_000, "num_cycles": 5},
    ),
    (
        "transformers.get_polynomial_decay_schedule_with_warmup",
        {"num_warmup_steps": 10_000, "num_training_steps": 900_000, "lr_end": 1e-4, "power": 1.5},
    ),
    ("transformers.get_inverse_sqrt_schedule", {"num_warmup_steps": 10_000}),
    (
        "transformers.get_cosine_with_min_lr_schedule_with_warmup",
        {"num_warmup_steps": 10_000, "num_training_steps": 900_000, "min_lr_rate": 0.1},
    ),
    (
        "transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
        {
            "num_warmup_steps": 10_000,
            "num_training_steps": 900_000,
            "min_lr_rate": 0.1,
            "warmup_lr_rate": 0.01,
        },
    ),
    (
        "transformers.get_wsd_schedule",
        {
            "num_warmup_steps": 10_000,
            "num_decay_steps": 200_000,
            "num_training_steps": 900_000,
            "warmup_type": "cosine",
        },
    ),
    # timm: per update (t_in_epochs=False), and per epoch (1,000 epochs of 1,000 updates)
    ("timm.scheduler.CosineLRScheduler", {"t_in_epochs": False, "t_initial": 10**6, "warmup_t": 10**4}),
    (
        "timm.scheduler.CosineLRScheduler",
        {"t_in_epochs": False, "t_initial": 1000, "cycle_mul": 2.0, "cycle_decay": 0.8, "cycle_limit": 20},
    ),
    ("timm.scheduler.CosineLRScheduler", {"t_initial": 1000, "warmup_t": 5, "noise_range_t": 100}, 1000),
    ("timm.scheduler.TanhLRScheduler", {"t_in_epochs": False, "t_initial": 10**6}),
    ("timm.scheduler.TanhLRScheduler", {"t_initial": 1000, "warmup_t": 5}, 1000),
    ("timm.scheduler.PolyLRScheduler", {"t_in_epochs": False, "t_initial": 10**6, "power": 1.0}),
    ("timm.scheduler.PolyLRScheduler", {"t_in_epochs": False, "t_initial": 10**6}),
    ("timm.scheduler.PolyLRScheduler", {"t_in_epochs": False, "t_initial": 10**6, "power": 2.0}),
    ("timm.scheduler.PolyLRScheduler", {"t_in_epochs": False, "t_initial": 10**6, "power": 0.9}),
    ("timm.scheduler.PolyLRScheduler", {"t_initial": 1000}, 1000),
    ("timm.scheduler.StepLRScheduler", {"t_in_epochs": False, "decay_t": 30000.0, "decay_rate": 0.5}),
    (
        "timm.scheduler.MultiStepLRScheduler",
        {"t_in_epochs": False, "decay_t": [300000, 600000, 900000], "decay_rate": 0.1},
    ),
    # optax: "pow" cases call the C library's pow once per distinct value, as XLA does (exact):
    # with numpy for the exponents 0.5 and 2.0 (scheduler_core.libm), else element by element
    ("optax.constant_schedule", {"value": 1.0}),
    ("optax.warmup_cosine_decay_schedule", {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 10_000,
                                            "decay_steps": 1_000_000}),
    ("optax.warmup_cosine_decay_schedule", {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 10_000,
                                            "decay_steps": 1_000_000, "precision": "float32"}),
    ("optax.cosine_decay_schedule", {"init_value": 1.0, "decay_steps": 1_000_000, "exponent": 1.5}),  # pow
    ("optax.linear_schedule", {"init_value": 1.0, "end_value": 0.0, "transition_steps": 1_000_000}),
    ("optax.polynomial_schedule", {"init_value": 1.0, "end_value": 0.0, "power": 2.0,
                                   "transition_steps": 1_000_000}),  # pow
    ("optax.polynomial_schedule", {"init_value": 1.0, "end_value": 0.0, "power": 2,
                                   "transition_steps": 1_000_000}),  # integer_pow: products
    ("optax.exponential_decay", {"init_value": 1.0, "transition_steps": 1000, "decay_rate": 0.99,
                                 "staircase": True}),
    ("optax.exponential_decay", {"init_value": 1.0, "transition_steps": 1000, "decay_rate": 0.99}),  # pow
    ("optax.warmup_exponential_decay_schedule", {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 10_000,
                                                 "transition_steps": 1000, "decay_rate": 0.99,
                                                 "staircase": True}),
    ("optax.piecewise_constant_schedule", {"init_value": 1.0,
                                           "boundaries_and_scales": dict.fromkeys(range(50_000, 10**6, 50_000), 0.5)}),
    ("optax.piecewise_interpolate_schedule", {"interpolate_type": "cosine", "init_value": 1.0,
                                              "boundaries_and_scales": dict.fromkeys(range(50_000, 10**6, 50_000), 0.5)}),
    ("optax.cosine_onecycle_schedule", {"transition_steps": 1_000_000, "peak_value": 1.0}),
    ("optax.linear_onecycle_schedule", {"transition_steps": 1_000_000, "peak_value": 1.0}),
    ("optax.sgdr_schedule", {"cosine_kwargs": [{"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 1000,
                                                "decay_steps": 100_000}] * 10}),
    ("optax.join_schedules", {"boundaries": [10_000], "schedules": [
        SchedulerSpec("optax.linear_schedule", {"init_value": 0.0, "end_value": 1.0, "transition_steps": 10_000}),
        SchedulerSpec("optax.cosine_decay_schedule", {"init_value": 1.0, "decay_steps": 990_000})]}),
]  # fmt: skip
IGNITE_BUDGET_S = 60.0
MEMORY_EVENTS = 10_000_000


def experiment(num_events: int) -> Experiment:
    """The benchmarked experiment: one group, one CosineAnnealingScheduler on ``lr``."""
    return Experiment(
        num_events=num_events,
        param_groups=(ParamGroupSpec("all", {"lr": 1.0}),),
        schedulers=(SchedulerSpec("CosineAnnealingScheduler", KWARGS),),
    )


def best_time(fn: Callable[[], object], min_total: float = 0.3, max_runs: int = 20) -> float:
    """Best wall time of ``fn`` over repeated runs (at least 3, up to ``min_total`` seconds)."""
    best, total, runs = float("inf"), 0.0, 0
    while runs < 3 or (total < min_total and runs < max_runs):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best, total, runs = min(best, dt), total + dt, runs + 1
    return best


def once(fn: Callable[[], object]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def ignite_simulate(n: int) -> Callable[[], object]:
    from ignite.handlers import CosineAnnealingScheduler

    return lambda: CosineAnnealingScheduler.simulate_values(num_events=n, **KWARGS)


def fmt(n: int, seconds: float | None, approx: bool = False) -> str:
    if seconds is None:
        return f"{'-':>13} {'-':>9}"
    mark = "~" if approx else " "
    return f"{mark}{n / seconds:>12.3g} {seconds / n * 1e9:>9.1f}"


OPTAX_SHOWN = ("precision", "exponent", "power", "staircase")
"""optax arguments named in a case's label (those that tell its cases apart)."""


def _label(name: str, kwargs: dict, iterations_per_epoch: int | None = None) -> str:
    """The case's name; timm's with its arguments, optax's with those that tell its cases apart
    (the same type runs several cases)."""
    if name.startswith("optax."):
        args = " ".join(f"{k}={kwargs[k]!r}" for k in OPTAX_SHOWN if k in kwargs)
        return f"{name} {args}".rstrip()
    if not name.startswith("timm."):
        return name
    args = " ".join(f"{k}={v}" for k, v in kwargs.items() if k != "t_in_epochs")
    per = f"{iterations_per_epoch}/epoch" if iterations_per_epoch else "per update"
    return f"timm {name.rsplit('.', 1)[-1]} {args} ({per})"


def libm_floors(n: int) -> list[tuple[str, Callable[[], object]]]:
    """The floors of an exact series that needs one C-library call per event (no structure to
    reuse): ``scheduler_core.libm`` (numexpr: the C call per element in C, what the closed forms
    use for timm's tanh and for pow), and ``math.tanh`` / ``math.pow`` mapped over ``n`` floats
    into a float64 array (the same calls from Python)."""
    x = np.linspace(0.001, 0.999, n)
    return [
        ("floor: libm.tanh (numexpr)", lambda: libm.tanh(x)),
        ("floor: libm.power(x, 0.9) (numexpr)", lambda: libm.power(x, 0.9)),
        ("floor: math.tanh per element (list -> fromiter)",
         lambda: np.fromiter(map(math.tanh, x.tolist()), np.float64, n)),
        ("floor: math.pow(x, 0.9) per element (list -> fromiter)",
         lambda: np.fromiter(map(math.pow, x.tolist(), repeat(0.9)), np.float64, n)),
    ]  # fmt: skip


def run_ecosystem(rounds: int = 15, runs: int = 1) -> None:
    """Each :data:`ECOSYSTEM` closed form at 1M events over the cosine's (target: <= 2x).

    The cosine and the cases run in turn, ``rounds`` times; each keeps its best time, so that a
    load that comes and goes on a shared machine hits them alike. With ``runs > 1`` that is
    repeated and the median of the runs' times and ratios is shown, with the ratios' range.
    """
    n = ECOSYSTEM_EVENTS
    group = (ParamGroupSpec("all", {"lr": 1.0}),)
    exps = [("the cosine above", experiment(n))]
    exps += [
        (
            _label(name, kw, *ipe),
            Experiment(n, group, (SchedulerSpec(name, {"param_name": "lr", **kw}),), *ipe),
        )
        for name, kw, *ipe in ECOSYSTEM
    ]
    cases: list[tuple[str, Callable[[], object]]] = [
        (label, lambda exp=exp: simulate(exp, method="fast")) for label, exp in exps
    ]
    cases += libm_floors(n)
    times = np.empty((runs, len(cases)))
    for run in range(runs):
        best = [float("inf")] * len(cases)
        for _ in range(rounds):
            for k, (_, fn) in enumerate(cases):
                best[k] = min(best[k], once(fn))
        times[run] = best
    ratios = times / times[:, :1]
    what = f"best of {rounds} interleaved runs" + (f", median of {runs} such" if runs > 1 else "")
    print(f"\nclosed forms at {n:,} events, {what}, over the cosine's")
    for k, (name, _) in enumerate(cases):
        spread = f"  ({ratios[:, k].min():.2f}-{ratios[:, k].max():.2f})" if runs > 1 else ""
        print(f"{name:<72} {np.median(times[:, k]) * 1e3:>8.1f} ms {np.median(ratios[:, k]):>6.2f}x{spread}")


def run_table(with_ignite: bool) -> None:
    print("CosineAnnealingScheduler(cycle_size=100, cycle_mult=2, start_value_mult=0.5), 1 group")
    head = ["events", "fast ev/s", "ns/ev", "step ev/s", "ns/ev", "ignite ev/s", "ns/ev"]
    head += ["np.cos ev/s", "ns/ev", "ignite/fast", "fast/floor"]
    print(
        f"{head[0]:>9} | {head[1]:>13} {head[2]:>9} | {head[3]:>13} {head[4]:>9} | "
        f"{head[5]:>13} {head[6]:>9} | {head[7]:>13} {head[8]:>9} | {head[9]:>11} {head[10]:>10}"
    )
    ignite_per_event, extrapolated = None, False
    if with_ignite:
        ignite_simulate(10)()  # import ignite and warm up outside the timings
    simulate(experiment(10), method="step")
    for n in SIZES:
        exp = experiment(n)
        fast = best_time(lambda exp=exp: simulate(exp))
        x = np.linspace(0.0, np.pi, n)
        floor = best_time(lambda x=x: np.cos(x))
        step = once(lambda exp=exp: simulate(exp, method="step"))
        ign, approx = None, False
        if with_ignite:
            if ignite_per_event is not None and ignite_per_event * n > IGNITE_BUDGET_S:
                ign, approx, extrapolated = ignite_per_event * n, True, True
            else:
                ign = once(ignite_simulate(n))
                ignite_per_event = ign / n
        ratio = f"{ign / fast:>10.0f}x" if ign is not None else f"{'-':>11}"
        ratio = ("~" + ratio.strip()).rjust(11) if approx else ratio
        print(
            f"{n:>9} | {fmt(n, fast)} | {fmt(n, step)} | {fmt(n, ign, approx)} | "
            f"{fmt(n, floor)} | {ratio} {fast / floor:>9.2f}x"
        )
    if extrapolated:
        print("(~ = ignite extrapolated from the previous size: it would exceed the 60 s budget)")


MEMORY_CHILD = f"""
import gc, numpy as np
from bench.series import experiment, vm_kib
from scheduler_core.experiment import simulate
simulate(experiment(1000))  # load everything once
gc.collect()
base = vm_kib("VmHWM")
series = simulate(experiment({MEMORY_EVENTS}))
peak = vm_kib("VmHWM")
print(base, peak, series[0].values.nbytes)
"""


def vm_kib(field: str) -> int:
    """A ``/proc/self/status`` memory field in KiB (``VmHWM``: peak resident set size)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not found in /proc/self/status")


def run_memory() -> None:
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD], check=True, capture_output=True, text=True
    ).stdout.split()
    base, peak, nbytes = int(out[0]), int(out[1]), int(out[2])
    increase = (peak - base) * 1024
    print(f"{MEMORY_EVENTS:,} events, output {nbytes / 1e6:.0f} MB of float64")
    print(f"peak RSS after imports {base / 1024:.0f} MiB, after the series {peak / 1024:.0f} MiB")
    print(f"increase {increase / 1e6:.0f} MB = {increase / nbytes:.2f}x the output (target < 3x)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", action="store_true", help="peak RSS check for 10M events")
    parser.add_argument("--no-ignite", action="store_true", help="skip ignite's simulate_values")
    parser.add_argument("--ecosystem", action="store_true", help="only the other libraries' closed forms")
    parser.add_argument("--runs", type=int, default=1, help="repeat the ecosystem table, show medians")
    args = parser.parse_args(argv)
    if args.memory:
        run_memory()
    elif args.ecosystem:
        run_ecosystem(runs=args.runs)
    else:
        run_table(with_ignite=not args.no_ignite)
        run_ecosystem(runs=args.runs)


if __name__ == "__main__":
    main()
