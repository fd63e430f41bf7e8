"""Code export of a torch scheduler stepped by torch itself (``LRScheduler`` with ``stepping``
"torch", see ``scheduler_core.torch_stepping``): the handler is ``stepped(<torch scheduler>)``,
a small function the program defines, returning ``lambda engine: scheduler.step()`` (what an
ignite user attaches; the scheduler_core flavor's loop calls it the same way)."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from scheduler_core.torch_stepping import stepping_of

FIELD = "stepping"
"""The wire field saying who steps the torch scheduler: not a constructor argument."""

HELPER = '''
def stepped(lr_scheduler):
    """A handler stepping a torch scheduler by itself, as a plain torch loop does (torch warns
    that step() runs before optimizer.step(): this program has no training step)."""
    return lambda engine: lr_scheduler.step()
'''


def torch_stepped(model: BaseModel) -> bool:
    """Whether ``model`` is a wrapper whose torch scheduler torch steps by itself."""
    if FIELD not in type(model).model_fields:
        return False
    return stepping_of({"stepping": model.stepping, "lr_scheduler": model.lr_scheduler}) == "torch"


def call(model: BaseModel, render: Callable[[BaseModel], str]) -> str:
    """``stepped(<the torch scheduler's constructor call>)``."""
    return f"stepped({render(model.lr_scheduler)})"
