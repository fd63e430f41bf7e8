"""The dashboard's type menus are exactly the catalogue's types (top-level and torch)."""

from __future__ import annotations

import pytest
from pwhelpers import draws, field, open_dashboard, settle

pytestmark = pytest.mark.browser


def _options(page, path: str) -> list[str]:
    return page.eval_on_selector_all(field(path, "select") + " option", "os => os.map(o => o.value)")


def test_type_menus_are_the_catalogue(page):
    open_dashboard(page)
    catalogue = page.evaluate("fetch('/api/v1/schedulers').then(r => r.json())")
    top = {t["type"] for t in catalogue["types"] if t["kind"] != "torch"}
    torch = {t["type"] for t in catalogue["types"] if t["kind"] == "torch"}
    assert set(_options(page, "schedulers.0.type")) == top
    n = draws(page)
    page.select_option(field("schedulers.0.type", "select"), "LRScheduler")
    settle(page, n)
    assert set(_options(page, "schedulers.0.lr_scheduler.type")) == torch
