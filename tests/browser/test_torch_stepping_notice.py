"""The dashboard shows where ignite's LRScheduler gives other values than torch's own stepping (a
note above the chart and a marker at the first differing event), and its button switches the
scheduler to torch's own stepping."""

from __future__ import annotations

import pytest
from pwhelpers import draws, edit, field, open_dashboard, settle, traces

from app.contract.schemas import SEED_EXPERIMENT

NOTES = "#torch-notices"


def notice_markers(page) -> list[float]:
    return page.evaluate(
        """() => (document.querySelector('#chart').layout.shapes || [])
            .filter(s => s.name === 'torch-stepping-notice').map(s => s.x0)"""
    )


def test_notice_shows_and_switches_to_torch_stepping(page):
    open_dashboard(page)  # the seed: two groups, schedulers 0 and 1 on one group each
    assert page.locator(NOTES).is_hidden()  # ignite's own schedulers: nothing to say
    n = draws(page)
    page.select_option(field("schedulers.1.type", "select"), "LRScheduler")
    settle(page, n)
    n = draws(page)
    page.select_option(field("schedulers.1.lr_scheduler.type", "select"), "LinearLR")
    settle(page, n)
    page.wait_for_selector(f"{NOTES}:not([hidden])", timeout=15000)
    text = page.locator(NOTES).inner_text()
    assert "LinearLR" in text and "from event 0" in text and "ITERATION_COMPLETED" in text, text
    assert notice_markers(page) and set(notice_markers(page)) == {0}

    n = draws(page)
    page.click(f"{NOTES} button.torch-switch")
    settle(page, n)
    page.wait_for_selector(f"{NOTES}[hidden]", state="attached", timeout=15000)
    assert notice_markers(page) == []
    assert page.locator(field("schedulers.1.stepping", "select")).input_value() == '"torch"'
    assert page.locator(field("schedulers.1.event", "select")).input_value() == '"ITERATION_COMPLETED"'
    # torch's loop: LinearLR starts at start_factor x group 1's lr (group 0 is scheduler 0's) and is
    # back at that lr after total_iters; chained products round, hence approx (exactness:
    # tests/app/test_torch_stepping.py)
    start = float(page.locator(field("schedulers.1.lr_scheduler.start_factor")).input_value())
    fc = [t["y"] for t in traces(page) if t["meta"]["param_name"] == "lr" and t["meta"]["group"] == 1]
    lr = SEED_EXPERIMENT["param_groups"][1]["lr"]
    assert fc and fc[0][0] == pytest.approx(start * lr, rel=1e-12) and start < 1
    assert fc[0][-1] == pytest.approx(lr, rel=1e-12)


def test_sequential_lr_from_its_form(page):
    """SequentialLR (torch steps it: no notice) is built from its form; its milestone is a marker."""
    open_dashboard(page)
    n = draws(page)
    page.select_option(field("schedulers.1.type", "select"), "LRScheduler")
    settle(page, n)
    n = draws(page)
    page.select_option(field("schedulers.1.lr_scheduler.type", "select"), "SequentialLR")
    settle(page, n)
    assert page.locator(field("schedulers.1.lr_scheduler.schedulers.1.type", "select")).count() == 1
    assert "100" in page.locator(field("schedulers.1.lr_scheduler.milestones")).input_value()
    edit(page, field("schedulers.1.lr_scheduler.milestones"), "300")
    fc = [t for t in traces(page) if t["meta"]["param_name"] == "lr" and t["meta"]["group"] == 1]
    assert fc and max(fc[0]["y"]) == pytest.approx(SEED_EXPERIMENT["param_groups"][1]["lr"], rel=1e-12)
    assert page.locator(NOTES).is_hidden()
    page.check("#opt-markers")
    page.wait_for_function(
        """() => (document.querySelector('#chart').layout.shapes || []).some(s => s.x0 === 299)""",
        timeout=15000,
    )
