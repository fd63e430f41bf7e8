"""Save docs/screenshot.png: the seed example with a variant B overlaid (run by hand, not a test).

Usage: ``python tests/browser/screenshot.py http://127.0.0.1:8000 [docs/screenshot.png]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import sync_playwright
from pwhelpers import draws, edit, field, open_dashboard, settle


def main() -> None:
    base = sys.argv[1].rstrip("/")
    out = Path(sys.argv[2] if len(sys.argv) > 2 else Path(__file__).parents[2] / "docs" / "screenshot.png")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 860}, base_url=base)
        open_dashboard(page)
        n = draws(page)
        page.click("#duplicate-variant")
        settle(page, n)
        edit(page, field("schedulers.1.cycle_size"), "250")
        n = draws(page)
        page.check("#opt-markers")
        settle(page, n)
        page.eval_on_selector("#editor-panel", "el => el.scrollTo(0, 0)")
        page.mouse.move(1100, 400)
        page.wait_for_timeout(300)
        page.screenshot(path=str(out))
        browser.close()
    print(out)


if __name__ == "__main__":
    main()
