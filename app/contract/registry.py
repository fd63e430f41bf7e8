"""The one table of scheduler types: type name → model, title, description, example, code facts.

Pydantic models register themselves with :func:`register` in :mod:`app.contract.schemas`; the
discriminated unions, the catalogue (``GET /schedulers``, :mod:`app.contract.catalogue`),
conversion to ``scheduler_core`` and the code export all read this table, so a type is defined
exactly once. This module imports nothing of the app: the schemas import it, never the reverse.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

Kind = Literal["param", "composite", "torch"]
"""param: optimizer param schedulers (top level and ConcatScheduler children);
composite: top-level schedulers built from other schedulers; torch: torch.optim.lr_scheduler."""


@dataclass(frozen=True)
class Entry:
    """One scheduler type.

    ``model`` validates the top-level form; ``child_model`` (param kinds only) the form used
    inside ``ConcatScheduler.schedulers`` (no ``param_name`` / ``param_group_index``: inherited).
    ``takes_optimizer``: the constructor's first argument is the optimizer. ``passes_down``:
    fields given to the children instead of the constructor itself.
    """

    name: str
    kind: Kind
    model: type[BaseModel]
    title: str
    description: str
    example: dict[str, Any]
    child_model: type[BaseModel] | None = None
    takes_optimizer: bool = True
    passes_down: tuple[str, ...] = ()
    imports: dict[str, str] = field(default_factory=dict)  # flavor -> module


REGISTRY: dict[str, Entry] = {}

_MODULES = {
    "param": {"scheduler_core": "scheduler_core", "ignite": "ignite.handlers"},
    "composite": {"scheduler_core": "scheduler_core", "ignite": "ignite.handlers"},
    "torch": {"scheduler_core": "torch.optim.lr_scheduler", "ignite": "torch.optim.lr_scheduler"},
}


def register(
    kind: Kind,
    title: str,
    description: str,
    example: dict[str, Any],
    *,
    child_model: type[BaseModel] | None = None,
    takes_optimizer: bool = True,
    passes_down: tuple[str, ...] = (),
) -> Callable[[type[BaseModel]], type[BaseModel]]:
    """Class decorator adding a model to :data:`REGISTRY` under its ``type`` literal."""

    def deco(model: type[BaseModel]) -> type[BaseModel]:
        name = typing.get_args(model.model_fields["type"].annotation)[0]
        if name in REGISTRY:
            raise ValueError(f"scheduler type {name!r} registered twice")
        REGISTRY[name] = Entry(
            name=name,
            kind=kind,
            model=model,
            title=title,
            description=description,
            example=example,
            child_model=child_model,
            takes_optimizer=takes_optimizer,
            passes_down=passes_down,
            imports=_MODULES[kind],
        )
        return model

    return deco


def union(*kinds: Kind, child: bool = False) -> Any:
    """The discriminated union (on ``type``) of the registered models of ``kinds``."""
    models = [
        (e.child_model if child else e.model)
        for e in REGISTRY.values()
        if e.kind in kinds and (e.child_model if child else e.model) is not None
    ]
    if len(models) == 1:
        return models[0]
    return typing.Annotated[typing.Union[tuple(models)], Field(discriminator="type")]  # noqa: UP007


def entry_for(model: BaseModel) -> Entry:
    """The registry entry of a validated scheduler model (top-level or child form)."""
    return REGISTRY[model.type]  # type: ignore[attr-defined]
