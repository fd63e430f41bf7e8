"""scheduler_core: PyTorch-Ignite-compatible parameter schedulers, plus fast whole-series evaluation.

Swap ``from ignite.handlers import CosineAnnealingScheduler`` for
``from scheduler_core import CosineAnnealingScheduler``: same arguments, values and errors.
torch is imported only when a torch scheduler is used.
"""

from .base import BaseParamScheduler, GroupsOptimizer, ParamScheduler
from .composite import ConcatScheduler, ParamGroupScheduler, create_lr_scheduler_with_warmup
from .cyclical import CosineAnnealingScheduler, CyclicalScheduler, LinearCyclicalScheduler
from .piecewise import PiecewiseLinear
from .state import (
    ExpStateScheduler,
    LambdaStateScheduler,
    MultiStepStateScheduler,
    PiecewiseLinearStateScheduler,
    StateParamScheduler,
    StepStateScheduler,
)
from .torch_wrappers import LRScheduler, ReduceLROnPlateauScheduler

__all__ = [
    "BaseParamScheduler",
    "ParamScheduler",
    "CyclicalScheduler",
    "LinearCyclicalScheduler",
    "CosineAnnealingScheduler",
    "PiecewiseLinear",
    "ConcatScheduler",
    "ParamGroupScheduler",
    "LRScheduler",
    "ReduceLROnPlateauScheduler",
    "create_lr_scheduler_with_warmup",
    "StateParamScheduler",
    "LambdaStateScheduler",
    "PiecewiseLinearStateScheduler",
    "ExpStateScheduler",
    "StepStateScheduler",
    "MultiStepStateScheduler",
    "GroupsOptimizer",
]
