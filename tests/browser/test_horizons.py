"""Horizons tied to the experiment: T_max, total_steps, total_iters follow num_events until edited."""

from __future__ import annotations

import pytest
from pwhelpers import draws, edit, field, open_dashboard, settle

pytestmark = pytest.mark.browser


def choose(page, path: str, value: str) -> None:
    n = draws(page)
    page.select_option(field(path, "select"), value)
    settle(page, n)


def test_horizons_follow_num_events_until_edited(page):
    open_dashboard(page)
    edit(page, "#num-events", "600")
    choose(page, "schedulers.1.type", "LRScheduler")
    choose(page, "schedulers.1.lr_scheduler.type", "OneCycleLR")
    # a new OneCycleLR gets the experiment's horizon, not the example's 1000
    assert page.input_value(field("schedulers.1.lr_scheduler.total_steps")) == "600"
    choose(page, "schedulers.0.type", "LRScheduler")
    choose(page, "schedulers.0.lr_scheduler.type", "CosineAnnealingLR")
    assert page.input_value(field("schedulers.0.lr_scheduler.T_max")) == "600"
    edit(page, "#num-events", "2500")
    # no "Tried to step 601 times": total_steps followed num_events, and the chart is valid
    page.wait_for_function("() => document.querySelector('#chart').dataset.state === 'ok'")
    assert page.input_value(field("schedulers.1.lr_scheduler.total_steps")) == "2500"
    assert page.input_value(field("schedulers.0.lr_scheduler.T_max")) == "2500"
    # a value the user typed stays
    edit(page, field("schedulers.0.lr_scheduler.T_max"), "700")
    edit(page, "#num-events", "3000")
    assert page.input_value(field("schedulers.0.lr_scheduler.T_max")) == "700"
    assert page.input_value(field("schedulers.1.lr_scheduler.total_steps")) == "3000"
    choose(page, "schedulers.0.lr_scheduler.type", "PolynomialLR")
    assert page.input_value(field("schedulers.0.lr_scheduler.total_iters")) == "3000"
    assert page.evaluate("document.querySelector('#chart').dataset.state") == "ok"
