"""The stepping cost model against measured times, over random experiments.

For each random experiment (a random type, 1 to 32 param groups, a few thousand events, one or
two schedulers, sometimes nested in a warm-up or a Concat, or a plateau type reading a metric,
torch schedulers also stepped by torch itself and in SequentialLR / ChainedScheduler) it times stepping
(``simulate_built(method="step")``, what the server runs when there is no closed form) and
prints the model's estimate (:func:`app.service.limits.step_seconds_per_event`) against it.
The target of the reliability issue: every estimate within 2x of the measured time, and never
under it by more than that. A calibration loop (``--repeat``) takes each experiment's fastest
run, so other load on the machine inflates the measured times as little as it can.

    python -m bench.cost              # 40 experiments
    python -m bench.cost --n 100 --seed 3
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

TORCH = [
    ("StepLR", {"step_size": 30}),
    ("MultiStepLR", {"milestones": [100, 500]}),
    ("ExponentialLR", {"gamma": 0.999}),
    ("LinearLR", {"total_iters": 100}),
    ("PolynomialLR", {"total_iters": 10**6}),
    ("CosineAnnealingLR", {"T_max": 500}),
    ("CosineAnnealingWarmRestarts", {"T_0": 100}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10**6}),
    ("CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 100}),
]
IGNITE = [
    {"type": "LinearCyclicalScheduler", "start_value": 0.0, "end_value": 0.1, "cycle_size": 100},
    {"type": "CosineAnnealingScheduler", "start_value": 0.1, "end_value": 0.0, "cycle_size": 100},
    {"type": "PiecewiseLinear", "milestones_values": [[0, 0.0], [100, 0.1], [1000, 0.0]]},
]


PLATEAU = [
    {"type": "ReduceLROnPlateauScheduler", "metric_name": "val_loss", "patience": 3},
    {"type": "ReduceLROnPlateau", "metric_name": "val_loss", "patience": 3},
    {"type": "timm.scheduler.PlateauLRScheduler", "metric_name": "val_loss", "mode": "min"},
]
METRICS = {
    "val_loss": {
        "kind": "exp_plateau",
        "start": 1.0,
        "plateau": 0.2,
        "rate": 0.01,
        "noise_std": 0.01,
        "seed": 0,
    }
}


def random_scheduler(rng: random.Random, groups: int) -> dict:
    kind = rng.choice(
        ["torch", "warmup", "ignite", "concat", "plateau", "torch-stepped", "sequential", "chained"]
    )
    if kind == "plateau":  # the metric-driven types: stepped only
        return dict(rng.choice(PLATEAU))
    if kind in ("sequential", "chained"):  # torch's schedulers of schedulers: torch steps them
        children = [{"type": n, **kw} for n, kw in rng.sample(TORCH, 2)]
        inner = {"type": "ChainedScheduler", "schedulers": children}
        if kind == "sequential":
            inner = {"type": "SequentialLR", "schedulers": children, "milestones": [300]}
        return {"type": "LRScheduler", "lr_scheduler": inner}
    if kind in ("torch", "warmup", "torch-stepped"):
        name, kwargs = rng.choice(TORCH)
        inner = {"type": name, **kwargs}
        if kind == "torch":
            return {"type": "LRScheduler", "lr_scheduler": inner}
        if kind == "torch-stepped":
            return {"type": "LRScheduler", "lr_scheduler": inner, "stepping": "torch"}
        return {"type": "create_lr_scheduler_with_warmup", "lr_scheduler": inner,
                "warmup_start_value": 0.0, "warmup_duration": 50}  # fmt: skip
    index = {"param_group_index": rng.randrange(groups)} if rng.random() < 0.3 else {}
    if kind == "ignite":
        return {**rng.choice(IGNITE), "param_name": "lr", **index}
    return {"type": "ConcatScheduler", "param_name": "lr", "durations": [200],
            "schedulers": [rng.choice(IGNITE), rng.choice(IGNITE)], **index}  # fmt: skip


def random_experiment(rng: random.Random) -> dict:
    groups = rng.choice([1, 2, 4, 8, 16, 32])
    count = rng.choice([1, 1, 2])
    body = {
        "num_events": rng.choice([1000, 2000, 4000]),
        "param_groups": [{"name": f"g{i}", "lr": 0.1, "momentum": 0.9} for i in range(groups)],
        "schedulers": [random_scheduler(rng, groups) for _ in range(count)],
    }
    if any("metric_name" in s for s in body["schedulers"]):  # the curve they read; timm's epochs
        body |= {"metrics": METRICS, "iterations_per_epoch": 10}
    return body


def measure(body: dict, repeat: int) -> tuple[float, float, str]:
    """(estimated s, fastest measured s of ``repeat`` runs, a short description)."""
    from app.contract.schemas import Experiment
    from app.service.convert import to_core
    from app.service.limits import step_seconds_per_event
    from scheduler_core.experiment import build, simulate_built

    exp = Experiment.model_validate(body)
    core = to_core(exp)
    best = float("inf")
    for _ in range(repeat):
        built = build(core)
        start = time.perf_counter()
        simulate_built(core, built, method="step")
        best = min(best, time.perf_counter() - start)
    names = "+".join(
        s["type"]
        + (f"({s['lr_scheduler']['type']})" if "lr_scheduler" in s else "")
        + ("/torch" if "stepping" in s else "")
        for s in body["schedulers"]
    )
    return exp.num_events * step_seconds_per_event(exp), best, f"{len(body['param_groups'])}g {names}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    measure(random_experiment(rng), 1)  # warm up: imports torch
    ratios = []
    print(f"{'experiment':<70}{'events':>7}{'est ms':>9}{'real ms':>9}{'est/real':>9}")
    for _ in range(args.n):
        body = random_experiment(rng)
        est, real, what = measure(body, args.repeat)
        ratios.append(est / real)
        print(f"{what[:69]:<70}{body['num_events']:>7}{est * 1e3:>9.1f}{real * 1e3:>9.1f}{est / real:>9.2f}")
    within = sum(0.5 <= r <= 2 for r in ratios)
    under = sum(r < 0.5 for r in ratios)
    print(
        f"est/real: min {min(ratios):.2f}, median {statistics.median(ratios):.2f}, max {max(ratios):.2f}; "
        f"{within}/{len(ratios)} within 2x, {under} under by more than 2x"
    )
    print(f"target (all within 2x, none under by more): {'met' if within == len(ratios) else 'NOT met'}")


if __name__ == "__main__":
    main()
