"""scheduler_core: PyTorch-Ignite-compatible parameter schedulers, plus fast whole-series evaluation.

Swap ``from ignite.handlers import CosineAnnealingScheduler`` for
``from scheduler_core import CosineAnnealingScheduler``: same arguments, values and errors.
torch is imported only when a torch scheduler is used.
"""

from . import optax, timm, transformers  # noqa: F401  (register the optax.*, timm.scheduler.* and transformers.* types)
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

from .registry import TYPES as _TYPES

for _type in _TYPES.values():  # every registered type is importable from the package
    # (types of other libraries, named like "timm.scheduler.CosineLRScheduler", are imported
    # from their own module instead, e.g. scheduler_core.timm)
    if _type.public is not None and _type.name.isidentifier() and _type.name not in __all__:
        globals()[_type.name] = _type.public
        __all__.append(_type.name)
