"""Bounded field types shared by the wire models: every scalar strict, every float finite, every
count capped, so that the JSON Schema tells a client what is valid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict

from scheduler_core.events import DEFAULT_EVENT
from scheduler_core.expressions import FUNCTIONS, Expression, ExpressionError
from scheduler_core.expressions import MAX_LENGTH as EXPRESSION_MAX_LENGTH

MAX_SIZE = 1_000_000_000
"""Largest event count, cycle size, duration or milestone a field may hold."""

Value = Annotated[
    float, Strict(), Field(allow_inf_nan=False, ge=-1e12, le=1e12, description="A finite value.")
]
NonNegValue = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=1e12)]
PosValue = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, le=1e12)]
Multiplier = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=-1e3, le=1e3)]
Growth = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, le=1e3)]
Fraction = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=1)]
Gamma = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, le=1e3)]
Count = Annotated[int, Strict(), Field(ge=0, le=MAX_SIZE)]
PosCount = Annotated[int, Strict(), Field(ge=1, le=MAX_SIZE)]
FOLLOWS_NUM_EVENTS = Field(json_schema_extra={"follows": "num_events"})
"""Marks a horizon field (``T_max``, ``total_steps``, ...): in its JSON Schema, ``"follows":
"num_events"`` tells the dashboard to keep it equal to the experiment's ``num_events`` until the
user edits it."""
CycleSize = Annotated[int, Strict(), Field(ge=2, le=MAX_SIZE)]
Flag = Annotated[bool, Strict()]
PARAM_NAME_RE = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
RESERVED_PARAM_NAMES = frozenset({"params", "name"})
ParamName = Annotated[
    str,
    Strict(),
    Field(
        pattern=PARAM_NAME_RE,
        description="An optimizer param-group key such as 'lr', 'momentum', 'weight_decay'.",
    ),
]
GroupIndex = Annotated[int, Strict(), Field(ge=0, le=1023)]
GroupName = Annotated[str, Strict(), Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]
VariantName = Annotated[str, Strict(), Field(min_length=1, max_length=40)]
"""A dashboard variant's legend name (A, B, ...)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Event = Literal["ITERATION_STARTED", "ITERATION_COMPLETED", "EPOCH_STARTED", "EPOCH_COMPLETED"]
"""ignite's attach events (``scheduler_core.events.EVENTS``); epoch events need the
experiment's ``iterations_per_epoch``."""


class _Attached(BaseModel):
    """A top-level scheduler: the ignite event it is attached at."""

    event: Event = Field(
        DEFAULT_EVENT,
        # left out of the canonical form at its default, so that existing link ids stay
        exclude_if=lambda v: v == DEFAULT_EVENT,
        description="When the scheduler is called (ignite's Events): before or after every "
        "iteration, or at the start or end of every epoch (needs iterations_per_epoch). "
        "Series give the value in force during each iteration.",
    )


class _Targeted(_Attached):
    param_name: ParamName = Field("lr", description="The param-group key to schedule.")
    param_group_index: GroupIndex | None = Field(
        None, description="Only this param group (0-based); null = every group."
    )


@dataclass(frozen=True)
class ExpressionOf:
    """Marks a string field holding an expression of ``variable`` (see
    :mod:`scheduler_core.expressions`): validated when parsed; the code export writes it as
    ``lambda <variable>: ...``."""

    variable: str

    def __call__(self, text: str) -> str:
        try:
            Expression(text, self.variable)
        except ExpressionError as exc:
            raise ValueError(str(exc)) from None
        return text


def expression(variable: str, what: str) -> Any:
    """A string field holding an expression of ``variable`` (the position of an error is in the
    422's message)."""
    marker = ExpressionOf(variable)
    return Annotated[
        str,
        Strict(),
        Field(
            min_length=1,
            max_length=EXPRESSION_MAX_LENGTH,
            description=f"{what}: an expression of {variable} (numbers, + - * / // % **, comparisons, "
            f"'a if cond else b', pi, e, {', '.join(FUNCTIONS)}).",
        ),
        AfterValidator(marker),
        marker,
    ]
