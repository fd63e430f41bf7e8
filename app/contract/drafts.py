"""Variants kept as typed: a dashboard view's experiment that does not validate, stored in a
share link as a draft so that the link shows it again, with its errors, as the user left it.

A draft is checked as JSON only (an object, at most ``MAX_DRAFT_DEPTH`` levels deep, finite
numbers); its size is bounded by the whole link's (``max_link_bytes``). Nothing computes a
draft: the dashboard sends it to ``/series`` like any edit, and the API validates it there.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import AfterValidator, Field, JsonValue

from .fields import VariantName, _Model

MAX_DRAFT_DEPTH = 32
"""Nesting levels of a draft (an experiment's composites nest a few levels: ample)."""


def _plain_json(value: dict[str, Any]) -> dict[str, Any]:
    stack: list[tuple[Any, int, str]] = [(value, 1, "draft")]
    while stack:
        item, depth, where = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError(f"{where} is {item}: a draft holds finite numbers only")
        if isinstance(item, dict | list):
            if depth > MAX_DRAFT_DEPTH:
                raise ValueError(f"a draft is at most {MAX_DRAFT_DEPTH} levels deep ({where} is deeper)")
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            stack.extend((v, depth + 1, f"{where}.{k}") for k, v in pairs)
    return value


Draft = Annotated[dict[str, JsonValue], AfterValidator(_plain_json)]


class DraftVariant(_Model):
    """A variant kept as typed: its experiment as the dashboard holds it, stored but never
    computed (the dashboard shows its errors, naming the field, once the link is opened)."""

    name: VariantName
    draft: Draft = Field(
        description="The variant's experiment as typed, which the API refuses: any JSON object "
        f"(at most {MAX_DRAFT_DEPTH} levels deep); the link reproduces it, nothing computes it."
    )
