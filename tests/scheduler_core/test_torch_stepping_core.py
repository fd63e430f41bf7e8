"""``scheduler_core.torch_stepping``: who steps a torch scheduler, its errors, the registry fields
it adds (values against real torch: ``tests/app/test_torch_stepping.py``)."""

from __future__ import annotations

import warnings

import pytest
import torch

from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, build, simulate
from scheduler_core.registry import TYPES
from scheduler_core.torch_stepping import TorchStepped, ignite_refuses, step_calls, stepping_of

LIN = SchedulerSpec("LinearLR", {"start_factor": 0.25, "total_iters": 4})
EXP = SchedulerSpec("ExponentialLR", {"gamma": 0.9})
SEQ = SchedulerSpec("SequentialLR", {"schedulers": [LIN, EXP], "milestones": [4]})
CHAIN = SchedulerSpec("ChainedScheduler", {"schedulers": [LIN, EXP]})


def one(kwargs: dict, event: str = "ITERATION_STARTED", n: int = 12) -> Experiment:
    return Experiment(n, (ParamGroupSpec("g", {"lr": 0.1}),), (SchedulerSpec("LRScheduler", kwargs, event),))


def test_stepping_defaults_and_the_only_torch_types():
    assert stepping_of({"lr_scheduler": LIN}) == "ignite"
    assert stepping_of({"lr_scheduler": SEQ}) == stepping_of({"lr_scheduler": CHAIN}) == "torch"
    assert stepping_of({"lr_scheduler": LIN, "stepping": "torch"}) == "torch"
    assert ignite_refuses(LIN) == "" and "NotImplementedError" in ignite_refuses(SEQ)
    with pytest.raises(
        ValueError, match=r"stepping should be one of \['ignite', 'torch'\], but given 'both'"
    ):
        stepping_of({"lr_scheduler": LIN, "stepping": "both"})


def test_refusals_at_build():
    with pytest.raises(ValueError, match="stepping should be 'torch' here: .*SequentialLR"):
        build(one({"lr_scheduler": SEQ, "stepping": "ignite"}))
    with pytest.raises(ValueError, match="use_legacy applies to stepping 'ignite' only"):
        build(one({"lr_scheduler": LIN, "stepping": "torch", "use_legacy": True}))
    with pytest.raises(TypeError, match="should be a torch.optim.lr_scheduler scheduler"):
        TorchStepped(object())


def test_the_handler_steps_the_real_scheduler():
    optimizer, (handler,) = build(one({"lr_scheduler": CHAIN}))
    assert isinstance(handler, TorchStepped)
    assert isinstance(handler.lr_scheduler, torch.optim.lr_scheduler.ChainedScheduler)
    before = handler.lr_scheduler._schedulers[1].last_epoch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        handler(None)
    assert handler.lr_scheduler._schedulers[1].last_epoch == before + 1


def test_fast_equals_step_for_every_torch_type_stepped_by_torch():
    """The closed forms with last_epoch from 1 equal stepping the real schedulers (values:
    against torch itself in tests/app/test_torch_stepping.py)."""
    examples = {
        "StepLR": {"step_size": 3}, "MultiStepLR": {"milestones": [2, 5]}, "ExponentialLR": {"gamma": 0.9},
        "ConstantLR": {"factor": 0.4, "total_iters": 4}, "LinearLR": {"start_factor": 0.25},
        "PolynomialLR": {"total_iters": 7, "power": 1.5}, "CosineAnnealingWarmRestarts": {"T_0": 3, "T_mult": 2},
        "OneCycleLR": {"max_lr": 0.5, "total_steps": 40}, "CyclicLR": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3},
        "LambdaLR": {"lr_lambda": "0.9 ** epoch"}, "MultiplicativeLR": {"lr_lambda": "0.95"},
    }  # fmt: skip
    assert set(examples) == {n for n, t in TYPES.items() if t.kind == "torch" and t.closed_form is not None}
    for name, kw in examples.items():
        for event in ("ITERATION_STARTED", "ITERATION_COMPLETED"):
            exp = one({"lr_scheduler": SchedulerSpec(name, kw), "stepping": "torch"}, event, n=30)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fast, step = simulate(exp, "fast"), simulate(exp, "step")
            assert [s.values.tolist() for s in fast] == [s.values.tolist() for s in step], (name, event)


def test_restarts_of_sequential_and_chained():
    from scheduler_core.restarts import restart_events

    ms = SchedulerSpec("MultiStepLR", {"milestones": [3, 7]})
    seq = SchedulerSpec("SequentialLR", {"schedulers": [LIN, EXP], "milestones": [5]})
    assert restart_events(one({"lr_scheduler": seq}, "ITERATION_COMPLETED"), 0, "lr") == [5]
    chained = SchedulerSpec("ChainedScheduler", {"schedulers": [LIN, ms]})
    assert restart_events(one({"lr_scheduler": chained}, "ITERATION_COMPLETED"), 0, "lr") == [3, 7]


def test_registry_fields_and_step_calls():
    assert TYPES["ChainedScheduler"].takes_optimizer is False and TYPES["SequentialLR"].takes_optimizer
    assert TYPES["ChainedScheduler"].steps_all_children and not TYPES["SequentialLR"].steps_all_children
    top = one({"lr_scheduler": CHAIN}).schedulers[0]
    assert step_calls(top) == 2
    assert step_calls(one({"lr_scheduler": SEQ}).schedulers[0]) == 1
    assert step_calls(one({"lr_scheduler": LIN}).schedulers[0]) == 0
    warm = SchedulerSpec("create_lr_scheduler_with_warmup", {"lr_scheduler": LIN, "warmup_start_value": 0.0,
                                                             "warmup_duration": 3})  # fmt: skip
    assert step_calls(warm) == 0
