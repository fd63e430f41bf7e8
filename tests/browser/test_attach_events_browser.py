"""The dashboard attaches a scheduler at an epoch event: the form's ``event`` and the
experiment's ``iterations_per_epoch``."""

from __future__ import annotations

from pwhelpers import draws, edit, field, open_dashboard, settle, traces


def test_epoch_level_step_lr(page):
    open_dashboard(page)  # the seed: two groups, schedulers 0 and 1 on one group each
    n = draws(page)
    page.select_option(field("schedulers.1.type", "select"), "LRScheduler")
    settle(page, n)
    n = draws(page)
    page.select_option(field("schedulers.1.lr_scheduler.type", "select"), "StepLR")
    settle(page, n)
    edit(page, field("schedulers.1.lr_scheduler.step_size"), "1")
    edit(page, field("schedulers.1.lr_scheduler.gamma"), "0.5")
    page.select_option(field("schedulers.1.event", "select"), '"EPOCH_COMPLETED"')
    # the API's 422 (until iterations_per_epoch is given) is shown
    page.wait_for_function(
        "() => document.body.innerText.includes('iterations_per_epoch should be given')", timeout=15000
    )
    edit(page, field("iterations_per_epoch"), "250")
    fc = [t for t in traces(page) if t["y"] and t["y"][0] == 0.01]
    assert fc, traces(page)
    points = list(zip(fc[0]["x"], fc[0]["y"], strict=True))

    def at(k: int) -> float:  # the drawn (maybe decimated) step function at iteration k
        return max((x, y) for x, y in points if x <= k)[1]

    # StepLR per epoch of 250 iterations: the first call (end of epoch 0) keeps the lr
    assert at(0) == at(499) == 0.01 and at(500) == 0.005 and at(750) == 0.0025
