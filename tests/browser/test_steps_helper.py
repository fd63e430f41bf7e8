"""The steps helper: num_events from epochs, batches, drop_last and gradient accumulation; the x
axis in events, epochs or samples; warnings for horizons that look like epoch counts."""

from __future__ import annotations

import pytest
from pwhelpers import draws, field, open_dashboard, settle, traces

pytestmark = pytest.mark.browser


def test_steps_helper_sets_num_events_and_warns(page):
    open_dashboard(page)
    page.click("summary:has-text('Steps helper')")
    page.fill("#steps-epochs", "90")
    page.fill("#steps-dataset", "50000")
    page.fill("#steps-batch", "128")
    page.check("#steps-drop-last")
    page.fill("#steps-accumulation", "2")
    # floor(50000 / 128) = 390 iterations, floor(390 / 2) = 195 optimizer steps per epoch
    result = page.text_content("#steps-result")
    assert "390 iterations per epoch" in result and "195 events" in result and "num_events = 17550" in result
    assert "256 samples per event" in result
    # the seed's cycles of 100 events do not line up with epochs of 195
    warnings = page.locator("#steps-warnings li").all_text_contents()
    assert any("schedulers.0.cycle_size = 100 does not line up with epochs of 195" in w for w in warnings)
    n = draws(page)
    page.click("#steps-apply")
    settle(page, n)
    assert page.input_value("#num-events") == "17550"
    assert page.input_value("#opt-x") == "epochs" and page.input_value("#opt-ipe") == "195"
    assert max(traces(page)[0]["x"]) == 17549 / 195
    n = draws(page)
    page.select_option("#opt-x", "samples")
    settle(page, n)
    assert page.input_value("#opt-spe") == "256" and max(traces(page)[0]["x"]) == 17549 * 256
    # a horizon equal to the epoch count is flagged
    n = draws(page)
    page.select_option(field("schedulers.1.type", "select"), "LRScheduler")
    settle(page, n)
    n = draws(page)
    page.select_option(field("schedulers.1.lr_scheduler.type", "select"), "CosineAnnealingLR")
    settle(page, n)
    n = draws(page)
    page.fill(field("schedulers.1.lr_scheduler.T_max"), "90")
    settle(page, n)
    warnings = page.locator("#steps-warnings li").all_text_contents()
    assert any("schedulers.1.lr_scheduler.T_max = 90 is the number of epochs" in w for w in warnings), (
        warnings
    )
    # one undoable edit
    for _ in range(5):
        n = draws(page)
        page.click("#btn-undo")
        settle(page, n)
    assert page.input_value("#num-events") == "1000" and page.input_value("#opt-x") == "events"
