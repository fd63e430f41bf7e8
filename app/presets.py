"""Starter experiments for ``schedule-explorer init``: one named, validated document per preset.

Each preset is plain JSON in the API's wire format (:class:`app.contract.schemas.Experiment`);
the tests validate and compute every one of them.

>>> sorted(PRESETS) == sorted(["seed", "cosine-warmup", "warmup-cosine-concat", "one-cycle", "step"])
True
>>> preset("step")["schedulers"][0]["lr_scheduler"]["type"]
'StepLR'
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

from .contract.schemas import SEED_EXPERIMENT


class Preset(NamedTuple):
    """A starter experiment and a one-line description of it."""

    description: str
    document: dict[str, Any]


PRESETS: dict[str, Preset] = {
    "seed": Preset(
        "the dashboard's example: two param groups, a linear cycle and a cosine cycle",
        SEED_EXPERIMENT,
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
    ),
}
"""Every preset by name; ``seed`` (the API's example experiment) is the default."""

DEFAULT_PRESET = "seed"


def preset(name: str) -> dict[str, Any]:
    """A fresh copy of preset ``name``'s document.

    Raises:
        KeyError: no preset has that name.
    """
    return copy.deepcopy(PRESETS[name].document)
