"""Save the README's screenshot of the exports of every variant (run by hand, not a test).

Usage: ``python tests/browser/screenshot_exports.py http://127.0.0.1:8000`` writes
docs/screenshot-export-all.png: two variants, the toolbar's exports of every variant and the
code of each variant in one text.
"""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import sync_playwright
from pwhelpers import draws, edit, field, open_dashboard, settle

DOCS = Path(__file__).parents[2] / "docs"


def main() -> None:
    base = sys.argv[1].rstrip("/")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900}, base_url=base)
        open_dashboard(page)
        n = draws(page)
        page.click("#duplicate-variant")
        settle(page, n)
        edit(page, field("schedulers.1.cycle_size"), "64")
        page.click("#btn-code-all")
        page.wait_for_selector("#code-dialog[open]")
        page.evaluate(
            "() => { const t = document.querySelector('#code-text'); t.scrollTop = 0; t.setSelectionRange(0, 0); }"
        )
        page.wait_for_timeout(300)
        page.screenshot(path=str(DOCS / "screenshot-export-all.png"))
        browser.close()


if __name__ == "__main__":
    main()
