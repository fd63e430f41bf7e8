"""Exports of every variant at once: one CSV with a column per variant/group/param, and the code
of each variant, each checked against the API's own reply for that variant."""

from __future__ import annotations

import csv
import io

import pytest
from pwhelpers import draws, edit, field, open_dashboard, settle

pytestmark = pytest.mark.browser


def two_variants(page) -> None:
    open_dashboard(page)
    n = draws(page)
    page.click("#duplicate-variant")
    settle(page, n)
    edit(page, field("schedulers.1.cycle_size"), "64")
    edit(page, field("num_events"), "700")
    page.wait_for_timeout(300)  # the URL (read below for the variants) follows the edits


def test_one_csv_holds_every_variant_value_for_value(page):
    two_variants(page)
    with page.expect_download() as info:
        page.click("#btn-csv-all")
    download = info.value
    assert download.suggested_filename == "schedules-all-variants.csv"
    rows = list(csv.reader(io.StringIO(open(download.path()).read())))
    header, rows = rows[0], rows[1:]
    expected = page.evaluate(
        """async () => {
          const hash = location.hash.slice(3).replace(/-/g, '+').replace(/_/g, '/');
          const view = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(hash), c => c.charCodeAt(0))));
          const out = {};
          for (const [name, exp] of view.v) {
            const r = await (await fetch('/api/v1/series', {method: 'POST', headers: {'Content-Type': 'application/json'},
              body: JSON.stringify(exp)})).json();
            for (const s of r.series) out[`${name}/${s.group_name}/${s.param_name}`] = s.values;
          }
          return out;
        }"""
    )
    assert header == ["event", *expected]
    assert [c.split("/")[0] for c in header[1:]] == ["A", "A", "B", "B"]
    assert len(rows) == 1000
    for row in rows:
        event = int(row[0])
        for name, cell in zip(header[1:], row[1:], strict=True):
            values = expected[name]
            assert cell == "" if event >= len(values) else float(cell) == values[event], (name, event)
    assert "downloaded" in page.text_content("#status")


def test_the_code_of_every_variant_in_one_text(page):
    two_variants(page)
    page.click("#btn-code-all")
    page.wait_for_selector("#code-dialog[open]")
    text = page.input_value("#code-text")
    assert "every variant" in page.text_content("#code-title")
    parts = text.split("# ---- Variant ")
    assert [p.split(" ----")[0] for p in parts[1:]] == ["A", "B"]
    own = page.evaluate(
        """async () => {
          const hash = location.hash.slice(3).replace(/-/g, '+').replace(/_/g, '/');
          const view = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(hash), c => c.charCodeAt(0))));
          const codes = [];
          for (const [, exp] of view.v) {
            const r = await fetch('/api/v1/code?flavor=ignite', {method: 'POST', headers: {'Content-Type': 'application/json'},
              body: JSON.stringify(exp)});
            codes.push((await r.json()).code.trimEnd());
          }
          return codes;
        }"""
    )
    assert [p.split(" ----\n", 1)[1].strip() for p in parts[1:]] == [c.strip() for c in own]
    page.click("#code-close")


def test_an_invalid_variant_is_named_with_its_field(page):
    two_variants(page)
    edit(page, field("schedulers.0.cycle_size"), "1")
    page.click("#btn-csv-all")
    page.wait_for_function("() => document.querySelector('#status').textContent.includes('Could not')")
    assert "variant B: schedulers.0.cycle_size:" in page.text_content("#status")
