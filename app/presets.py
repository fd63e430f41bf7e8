"""Documented recipes: starter experiments for ``schedule-explorer init`` and the dashboard's
presets gallery (the catalogue serves them, ``GET /api/v1/schedulers``: ``presets``).

Each preset is plain JSON in the API's wire format (:class:`app.contract.schemas.Experiment`),
with a one-line description and where the recipe comes from; the tests validate and compute
every one of them.

>>> sorted(PRESETS) == sorted(["seed", "cosine-warmup", "warmup-cosine-concat", "one-cycle", "step",
...     "sgdr", "step-30-60-90", "warmup-stable-decay", "inverse-sqrt-warmup"])
True
>>> preset("step")["schedulers"][0]["lr_scheduler"]["type"]
'StepLR'
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

from .contract.schemas import SEED_EXPERIMENT


class Preset(NamedTuple):
    """A starter experiment, a one-line description of it and the recipe's source."""

    description: str
    document: dict[str, Any]
    source: str = ""


PRESETS: dict[str, Preset] = {
    "seed": Preset(
        "the dashboard's example: two param groups, a linear cycle and a cosine cycle",
        SEED_EXPERIMENT,
        "pytorch-ignite's documentation of LinearCyclicalScheduler and CosineAnnealingScheduler",
    ),
    "cosine-warmup": Preset(
        "linear warm-up over 500 events, then torch CosineAnnealingLR (create_lr_scheduler_with_warmup)",
        {
            "num_events": 10_000,
            "param_groups": [{"name": "model", "lr": 0.1}],
            "schedulers": [
                {
                    "type": "create_lr_scheduler_with_warmup",
                    "lr_scheduler": {"type": "CosineAnnealingLR", "T_max": 9_500, "eta_min": 0.0},
                    "warmup_start_value": 0.0,
                    "warmup_duration": 500,
                }
            ],
        },
        "linear warm-up: Goyal et al. 2017, arXiv:1706.02677; cosine annealing: Loshchilov & "
        "Hutter 2017, arXiv:1608.03983",
    ),
    "warmup-cosine-concat": Preset(
        "ignite only: PiecewiseLinear warm-up, then a CosineAnnealingScheduler (ConcatScheduler)",
        {
            "num_events": 10_000,
            "param_groups": [{"name": "model", "lr": 0.1}],
            "schedulers": [
                {
                    "type": "ConcatScheduler",
                    "param_name": "lr",
                    "schedulers": [
                        {"type": "PiecewiseLinear", "milestones_values": [[0, 0.0], [500, 0.1]]},
                        {
                            "type": "CosineAnnealingScheduler",
                            "start_value": 0.1,
                            "end_value": 0.0,
                            "cycle_size": 9_500,
                        },
                    ],
                    "durations": [500],
                }
            ],
        },
        "linear warm-up: Goyal et al. 2017, arXiv:1706.02677; cosine annealing: Loshchilov & "
        "Hutter 2017, arXiv:1608.03983; pytorch-ignite's ConcatScheduler",
    ),
    "one-cycle": Preset(
        "torch OneCycleLR driven by ignite's LRScheduler (lr up to max_lr, then far below)",
        {
            "num_events": 10_000,
            "param_groups": [{"name": "model", "lr": 0.004, "momentum": 0.9}],
            "schedulers": [
                {
                    "type": "LRScheduler",
                    "lr_scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 10_000},
                }
            ],
        },
        "Smith & Topin 2018, super-convergence, arXiv:1708.07120; torch.optim.lr_scheduler.OneCycleLR",
    ),
    "step": Preset(
        "torch StepLR driven by ignite's LRScheduler (lr x 0.1 every 3000 events)",
        {
            "num_events": 10_000,
            "param_groups": [{"name": "model", "lr": 0.1}],
            "schedulers": [
                {"type": "LRScheduler", "lr_scheduler": {"type": "StepLR", "step_size": 3_000, "gamma": 0.1}}
            ],
        },
        "torch.optim.lr_scheduler.StepLR",
    ),
    "sgdr": Preset(
        "SGDR warm restarts: cosine cycles of 1000, 2000, 4000 and 8000 events (ignite's cycle_mult)",
        {
            "num_events": 15_000,
            "param_groups": [{"name": "model", "lr": 0.1}],
            "schedulers": [
                {
                    "type": "CosineAnnealingScheduler",
                    "param_name": "lr",
                    "start_value": 0.1,
                    "end_value": 0.0,
                    "cycle_size": 1_000,
                    "cycle_mult": 2.0,
                }
            ],
        },
        "Loshchilov & Hutter 2017, SGDR, arXiv:1608.03983 (T_0 = 1000 events, T_mult = 2)",
    ),
    "step-30-60-90": Preset(
        "step decay: lr x 0.1 at epochs 30, 60 and 90 of 100 (100 iterations per epoch)",
        {
            "num_events": 10_000,
            "iterations_per_epoch": 100,
            "param_groups": [{"name": "model", "lr": 0.1, "momentum": 0.9}],
            "schedulers": [
                {
                    "type": "LRScheduler",
                    "lr_scheduler": {
                        "type": "MultiStepLR",
                        "milestones": [3_000, 6_000, 9_000],
                        "gamma": 0.1,
                    },
                }
            ],
        },
        "He et al. 2016, ResNet, arXiv:1512.03385 (ImageNet: lr 0.1, / 10 at epochs 30, 60, 90)",
    ),
    "warmup-stable-decay": Preset(
        "warmup-stable-decay: linear warm-up over 500 events, constant lr, linear decay over the last 20%",
        {
            "num_events": 10_000,
            "param_groups": [{"name": "model", "lr": 0.001}],
            "schedulers": [
                {
                    "type": "PiecewiseLinear",
                    "param_name": "lr",
                    "milestones_values": [[0, 0.0], [500, 0.001], [8_000, 0.001], [10_000, 0.0]],
                }
            ],
        },
        "Hu et al. 2024, MiniCPM, arXiv:2404.06395 (the WSD schedule)",
    ),
    "inverse-sqrt-warmup": Preset(
        "inverse square root with a linear warm-up over 4000 updates (transformers' schedule)",
        {
            "num_events": 20_000,
            "param_groups": [{"name": "model", "lr": 0.001}],
            "schedulers": [
                {
                    "type": "transformers.get_inverse_sqrt_schedule",
                    "param_name": "lr",
                    "num_warmup_steps": 4_000,
                }
            ],
        },
        "Vaswani et al. 2017, Attention Is All You Need, arXiv:1706.03762 (section 5.3); "
        "transformers.get_inverse_sqrt_schedule",
    ),
}
"""Every preset by name; ``seed`` (the API's example experiment) is the default."""

DEFAULT_PRESET = "seed"


def gallery() -> list[dict[str, Any]]:
    """Every preset for the catalogue: ``name``, ``description``, ``source`` and ``experiment``."""
    return [
        {"name": name, "description": p.description, "source": p.source, "experiment": preset(name)}
        for name, p in PRESETS.items()
    ]


def preset(name: str) -> dict[str, Any]:
    """A fresh copy of preset ``name``'s document.

    Raises:
        KeyError: no preset has that name.
    """
    return copy.deepcopy(PRESETS[name].document)
