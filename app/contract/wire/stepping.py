"""The ``stepping`` field of ``LRScheduler`` (who steps the torch scheduler), and the 422s of the
places where torch's own stepping cannot go.

"ignite": ignite's ``LRScheduler`` (``get_lr()``, then ``last_epoch += 1``); "torch": the torch
scheduler's own ``step()`` at the handler's event, as a plain torch loop. Left out (null): "ignite",
except for ``SequentialLR`` / ``ChainedScheduler``, whose only mode is "torch"
(``scheduler_core.torch_stepping``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from scheduler_core.torch_stepping import ignite_refuses

Stepping = Literal["ignite", "torch"]

STEPPING_FIELD: Any = Field(
    None,
    # left out of the canonical form when not given, so that existing link ids stay
    exclude_if=lambda v: v is None,
    description="Who steps the torch scheduler: 'ignite' (ignite's LRScheduler writes get_lr(), "
    "then adds one to last_epoch) or 'torch' (scheduler.step() at the event, as a plain torch "
    "loop; attach at ITERATION_COMPLETED for the loop's values). Null: 'ignite', except "
    "SequentialLR and ChainedScheduler, which only torch steps.",
)


def field_error(loc: tuple[str | int, ...], message: str, value: Any) -> ValidationError:
    """A validation error at ``loc`` under the model being validated (raise it from a validator)."""
    return ValidationError.from_exception_data(
        "stepping",
        [InitErrorDetails(type=PydanticCustomError("stepping", message), loc=loc, input=value)],
    )


def check_ignite_can_run(
    stepping: str | None, lr_scheduler: Any, loc: tuple[str | int, ...], where: str = ""
) -> None:
    """Refuse stepping "ignite" (given, or the only one of ``where``: a wrapper that runs its
    torch scheduler through ignite's ``LRScheduler``) of a torch scheduler ignite's
    ``LRScheduler`` cannot run; ``loc``: where the 422 points."""
    reason = ignite_refuses(lr_scheduler)
    if not reason or stepping != "ignite":
        return
    if where:
        raise field_error(loc, f"{lr_scheduler.type} cannot be used {where}: {reason}", lr_scheduler.type)
    raise field_error(
        loc, f"stepping should be 'torch' (or left out) for {lr_scheduler.type}: {reason}", stepping
    )


WARMUP_NO_TORCH_STEPPING = (
    "create_lr_scheduler_with_warmup always runs its torch scheduler through ignite's LRScheduler "
    "inside a ConcatScheduler; for a warm-up stepped by torch, use an LRScheduler with stepping "
    "'torch' around SequentialLR([LinearLR(...), your scheduler], milestones=[warm-up length])"
)
GROUPS_NO_TORCH_STEPPING = (
    "ignite's ParamGroupScheduler calls ignite param schedulers only; a torch scheduler stepped "
    "by torch is its own handler: put it in the experiment's schedulers instead"
)
