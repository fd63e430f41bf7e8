"""The wire side of each scheduler type: its pydantic model(s), title, description, example.

Pydantic models register themselves with :func:`register` in :mod:`app.contract.schemas`; the
discriminated unions, the catalogue (``GET /schedulers``, :mod:`app.contract.catalogue`),
conversion to ``scheduler_core`` and the code export all read this table. Whatever the core's
record of the type knows (kind, written param, children, closed form, torch) is read from
:data:`scheduler_core.registry.TYPES`, never restated here. This module imports nothing of the
app: the schemas import it, never the reverse.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from scheduler_core.registry import TYPES, Kind, SchedulerType

_IMPORTS = {
    "ignite": {"scheduler_core": "scheduler_core", "ignite": "ignite.handlers"},
    "torch": {"scheduler_core": "torch.optim.lr_scheduler", "ignite": "torch.optim.lr_scheduler"},
    "scheduler_core": {"scheduler_core": "scheduler_core", "ignite": "scheduler_core"},
    "timm": {"scheduler_core": "scheduler_core.timm", "timm": "timm.scheduler"},
    "transformers": {"scheduler_core": "scheduler_core.transformers", "transformers": "transformers"},
    "optax": {"scheduler_core": "scheduler_core.optax", "optax": "optax"},
}
"""Module a generated program imports a type from, by the core family and the code flavour."""


@dataclass(frozen=True)
class Entry:
    """One scheduler type on the wire.

    ``model`` validates the top-level form; ``child_model`` (param kinds only) the form used
    inside ``ConcatScheduler.schedulers`` (no ``param_name`` / ``param_group_index``: inherited).
    ``core`` is the type's record in ``scheduler_core``.
    """

    name: str
    model: type[BaseModel]
    title: str
    description: str
    example: dict[str, Any]
    core: SchedulerType
    child_model: type[BaseModel] | None = None

    @property
    def kind(self) -> Kind:
        return self.core.kind

    def exports_to(self, flavor: str) -> bool:
        """Whether a ``flavor`` program can hold this type (no program mixes libraries)."""
        return flavor in _IMPORTS[self.core.family]

    def import_module(self, flavor: str) -> str:
        """The module a ``flavor`` program imports this type from."""
        return _IMPORTS[self.core.family][flavor]


REGISTRY: dict[str, Entry] = {}


def register(
    title: str,
    description: str,
    example: dict[str, Any],
    *,
    child_model: type[BaseModel] | None = None,
) -> Callable[[type[BaseModel]], type[BaseModel]]:
    """Class decorator adding a model to :data:`REGISTRY` under its ``type`` literal, which must
    name a ``scheduler_core`` type."""

    def deco(model: type[BaseModel]) -> type[BaseModel]:
        name = typing.get_args(model.model_fields["type"].annotation)[0]
        if name in REGISTRY:
            raise ValueError(f"scheduler type {name!r} registered twice")
        if name not in TYPES:
            raise ValueError(f"wire model {model.__name__} names no scheduler_core type: {name!r}")
        REGISTRY[name] = Entry(name, model, title, description, example, TYPES[name], child_model)
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


def written_param(model: BaseModel) -> str:
    """The param-group key a validated top-level scheduler writes (the core record says)."""
    return entry_for(model).core.written_param({"param_name": getattr(model, "param_name", None)})
