"""Save the README's screenshots of the dashboard's views (run by hand, not a test).

Usage: ``python tests/browser/screenshots_views.py http://127.0.0.1:8000`` writes
docs/screenshot-zoom.png (a zoom at full resolution, one y-axis per param, the reading table),
docs/screenshot-phone.png (390 x 844) and docs/screenshot-tools.png (steps helper, presets).
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

from conftest import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import sync_playwright
from pwhelpers import draws, open_dashboard, settle

DOCS = Path(__file__).parents[2] / "docs"
EXP = {
    "num_events": 100_000,
    "param_groups": [{"name": "base", "lr": 0.001, "momentum": 0.9}],
    "schedulers": [
        {"type": "CosineAnnealingScheduler", "param_name": "lr", "start_value": 1e-3, "end_value": 1e-6,
         "cycle_size": 997},
        {"type": "LinearCyclicalScheduler", "param_name": "momentum", "start_value": 0.95, "end_value": 0.85,
         "cycle_size": 3001},
    ],
}  # fmt: skip


def view_url(exp: dict) -> str:
    raw = json.dumps({"v": [["A", exp]]}, separators=(",", ":")).encode()
    return "/#s=" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def main() -> None:
    base = sys.argv[1].rstrip("/")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, base_url=base)
        open_dashboard(page, view_url(EXP))
        n = draws(page)
        page.evaluate("Plotly.relayout(document.querySelector('#chart'), {'xaxis.range': [500, 1700]})")
        settle(page, n)
        box = page.locator("#chart .nsewdrag").first.bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + 30)
        page.mouse.move(box["x"] + box["width"] * 0.62, box["y"] + 30)
        page.wait_for_timeout(800)
        page.screenshot(path=str(DOCS / "screenshot-zoom.png"))
        page.click("summary:has-text('Steps helper')")
        page.click("summary:has-text('Presets')")
        page.wait_for_timeout(300)
        page.locator("#editor-panel").screenshot(path=str(DOCS / "screenshot-tools.png"))
        phone = browser.new_page(viewport={"width": 390, "height": 844}, base_url=base, is_mobile=True)
        open_dashboard(phone)
        phone.locator('#editor [data-path="schedulers.1.cycle_size"] > input').scroll_into_view_if_needed()
        phone.wait_for_timeout(300)
        phone.screenshot(path=str(DOCS / "screenshot-phone.png"))
        browser.close()


if __name__ == "__main__":
    main()
