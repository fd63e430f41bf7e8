"""Save docs/compare.png: the comparison view of the seed example and a variant B whose second
group's cycle is one event longer (run by hand, not a test).

Usage: ``python tests/browser/screenshot_compare.py http://127.0.0.1:8000 [docs/compare.png]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import sync_playwright
from pwhelpers import draws, edit, field, open_dashboard, settle


def main() -> None:
    base = sys.argv[1].rstrip("/")
    out = Path(sys.argv[2] if len(sys.argv) > 2 else Path(__file__).parents[2] / "docs" / "compare.png")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1100}, base_url=base)
        open_dashboard(page)
        n = draws(page)
        page.click("#duplicate-variant")
        settle(page, n)
        edit(page, field("schedulers.1.cycle_size"), "101")
        page.click("#compare summary")
        page.wait_for_function("() => document.querySelector('#compare').dataset.state === 'ok'")
        page.select_option("#compare-pair", "1")
        page.wait_for_timeout(300)
        page.locator("#chart-panel").screenshot(path=str(out))
        browser.close()
    print(out)


if __name__ == "__main__":
    main()
