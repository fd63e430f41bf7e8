"""Save the README's screenshot of a metric-driven schedule (run by hand, not a test).

Usage: ``python tests/browser/screenshot_plateau.py http://127.0.0.1:8000`` writes
docs/screenshot-plateau.png: a ReduceLROnPlateauScheduler reading a pasted CSV column, the metric
curve drawn in a panel under the lr it drives, the editor's metric curves section beside it.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from conftest import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import sync_playwright
from pwhelpers import draws, edit, field, open_dashboard, settle

DOCS = Path(__file__).parents[2] / "docs"
# 30 epochs of a validation loss that improves, then wobbles on a plateau
LOSSES = [round(0.35 + 0.6 * math.exp(-0.3 * k) + 0.012 * math.sin(2.3 * k), 4) for k in range(30)]
CSV = "epoch,val_acc,val_loss\n" + "\n".join(
    f"{k},{round(0.6 + 0.3 * (1 - math.exp(-0.2 * k)), 4)},{v}" for k, v in enumerate(LOSSES)
)


def choose(page, path: str, value: str) -> None:
    n = draws(page)
    page.select_option(field(path, "select"), value)
    settle(page, n)


def main() -> None:
    base = sys.argv[1].rstrip("/")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, base_url=base)
        open_dashboard(page)
        edit(page, field("num_events"), "3000")
        edit(page, field("iterations_per_epoch"), "100")
        n = draws(page)
        page.click("#add-metric")
        settle(page, n)
        choose(page, "metrics.val_loss.kind", "values")
        edit(page, field("metrics.val_loss.values", "textarea"), CSV)
        choose(page, "schedulers.0.type", "ReduceLROnPlateauScheduler")
        choose(page, "schedulers.0.event", '"EPOCH_COMPLETED"')
        edit(page, field("schedulers.0.patience"), "2")
        edit(page, field("schedulers.0.factor"), "0.5")
        page.locator('#editor [data-path="metrics"]').scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(DOCS / "screenshot-plateau.png"))
        browser.close()


if __name__ == "__main__":
    main()
