"""The catalogue of scheduler types (``GET /schedulers``), read from the filled registry.

It lives apart from :mod:`app.contract.registry` because it needs the registry filled, i.e.
:mod:`app.contract.schemas` imported, and the schemas import the registry: importing both here
keeps the two free of a cycle.
"""

from __future__ import annotations

from typing import Any

from . import schemas  # noqa: F401  (fills the registry)
from .registry import REGISTRY


def catalogue() -> list[dict[str, Any]]:
    """Every type with its title, description, kind, JSON Schema, defaults, example, and whether
    its series come from an exact closed form or from stepping (and why)."""
    out = []
    for e in REGISTRY.values():
        defaults = {
            name: f.get_default(call_default_factory=True)
            for name, f in e.model.model_fields.items()
            if not f.is_required() and name != "type"
        }
        out.append(
            {
                "type": e.name,
                "kind": e.kind,
                "title": e.title,
                "description": e.description,
                "json_schema": e.model.model_json_schema(),
                "child_json_schema": (
                    e.child_model.model_json_schema() if e.child_model is not None else None
                ),
                "defaults": defaults,
                "example": e.example,
                "closed_form": e.core.closed_form is not None,
                "stepping_only": e.core.stepping_only or None,
                "declines": list(e.core.declines),
            }
        )
    return out
