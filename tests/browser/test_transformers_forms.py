"""The dashboard draws every transformers schedule from its catalogue form (no type list in JS)."""

from __future__ import annotations

import math

import pytest
from pwhelpers import draws, field, open_dashboard, settle, traces

pytestmark = pytest.mark.browser


def test_each_transformers_type_draws_from_its_form(page):
    open_dashboard(page)
    catalogue = page.evaluate("fetch('/api/v1/schedulers').then(r => r.json())")
    names = [t["type"] for t in catalogue["types"] if t["type"].startswith("transformers.")]
    assert len(names) == 10
    for name in names:
        n = draws(page)
        page.select_option(field("schedulers.0.type", "select"), name)
        settle(page, n)
        assert page.locator("#chart-error").is_hidden(), name
        ys = [y for t in traces(page) for y in t["y"]]
        assert ys and all(math.isfinite(y) for y in ys), name
        assert page.locator(field("schedulers.0.num_warmup_steps")).count() == (
            name != "transformers.get_constant_schedule"
        ), name
