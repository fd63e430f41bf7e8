"""The dashboard's comparison view (static/js/compare.js): two variants → the numbers of
POST /compare and the difference curve, in a real Chromium."""

from __future__ import annotations

import base64
import json

import pytest
from pwhelpers import draws, edit, field, open_dashboard, settle

pytestmark = pytest.mark.browser


def open_compare(page) -> None:
    page.click("#compare summary")
    wait_compared(page)


def wait_compared(page, previous: str | None = None) -> None:
    """Wait until the panel shows a reply (other than ``previous`` verdict text, if given)."""
    page.wait_for_function(
        "prev => { const d = document.querySelector('#compare'); const v = document.querySelector('#compare-verdict');"
        " return d.dataset.state !== 'loading' && v.textContent !== '' && v.textContent !== prev; }",
        arg=previous,
        timeout=15000,
    )


def table(page) -> list[list[str]]:
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('#compare-table tbody tr'))"
        ".map(r => Array.from(r.cells).map(c => c.textContent))"
    )


def test_identical_variants_are_bit_equal(page):
    open_dashboard(page)
    n = draws(page)
    page.click("#duplicate-variant")
    settle(page, n)
    open_compare(page)
    assert (page.input_value("#compare-a"), page.input_value("#compare-b")) == ("A", "B")
    assert page.text_content("#compare-verdict") == "B equals A bit for bit."
    rows = table(page)
    assert [r[2] for r in rows] == ["yes", "yes"] and [r[-1] for r in rows] == ["none", "none"]
    assert page.locator("#compare-chart .compare-first").count() == 0


def test_difference_numbers_and_curve_are_the_apis(page):
    open_dashboard(page)
    n = draws(page)
    page.click("#duplicate-variant")
    settle(page, n)
    edit(page, field("schedulers.1.cycle_size"), "101")  # group 1 of B: one event longer cycles
    open_compare(page)
    verdict = page.text_content("#compare-verdict")
    assert page.input_value(field("schedulers.1.cycle_size")) == "101"  # B is active and holds the edit
    # the same request straight to the API
    seed = page.request.get("/api/v1/schedulers").json()["example"]
    edited = {**seed, "schedulers": [seed["schedulers"][0], {**seed["schedulers"][1], "cycle_size": 101}]}
    reply = page.request.post(
        "/api/v1/compare?max_points=800", data={"a": seed, "b": edited, "rtol": 1e-12, "atol": 0.0}
    ).json()
    pairs = reply["pairs"]
    assert pairs[0]["bit_equal"] is True and pairs[1]["first_difference"] is not None
    assert verdict.startswith(f"B differs from A from event {pairs[1]['first_difference']}.")
    rows = table(page)
    assert len(rows) == len(pairs)
    for row, p in zip(rows, pairs, strict=True):  # full precision: each shown number reads back exactly
        assert row[:3] == [p["group_name_a"], p["param_name"], "yes" if p["bit_equal"] else "no"]
        assert [float(x) for x in row[3:7]] == [p["max_abs_diff"], p["max_abs_diff_event"], p["max_rel_diff"],
                                               p["max_rel_diff_event"]]  # fmt: skip
        assert row[7] == ("none" if p["first_difference"] is None else str(p["first_difference"]))
    # draw group 1's curve: as many points as the API's decimated curve, marker at the first difference
    page.select_option("#compare-pair", "1")
    curve = page.locator("#compare-chart .compare-curve")
    assert curve.get_attribute("data-count") == str(len(pairs[1]["abs_diff"]["values"]))
    assert len(curve.get_attribute("points").split()) == len(pairs[1]["abs_diff"]["values"])
    marker = page.locator("#compare-chart .compare-first")
    assert marker.get_attribute("data-event") == str(pairs[1]["first_difference"])
    page.select_option("#compare-mode", "rel")
    assert page.locator("#compare-chart .compare-curve").get_attribute("data-count") == str(
        len(pairs[1]["rel_diff"]["values"])
    )
    # a looser tolerance is asked for again
    previous = page.text_content("#compare-verdict")
    page.fill("#compare-atol", "1")
    wait_compared(page, previous)
    assert page.text_content("#compare-verdict") == "B is the same schedule as A within the tolerance."


def test_one_variant_and_bad_tolerance(page):
    open_dashboard(page)
    open_compare(page)  # A against itself
    assert page.text_content("#compare-verdict") == "A equals A bit for bit."
    page.fill("#compare-rtol", "abc")
    assert page.get_attribute("#compare-rtol", "aria-invalid") == "true"
    assert page.text_content("#compare-verdict") == "rtol should be a number of at least 0, e.g. 1e-12"
    page.fill("#compare-rtol", "0")
    wait_compared(page, "rtol should be a number of at least 0, e.g. 1e-12")
    assert page.text_content("#compare-verdict") == "A equals A bit for bit."


def test_translate_a_transformers_variant_into_ignite(page):
    experiment = {
        "num_events": 1000,
        "param_groups": [{"name": "base", "lr": 0.01}],
        "schedulers": [{"type": "transformers.get_cosine_schedule_with_warmup", "param_name": "lr",
                        "num_warmup_steps": 100, "num_training_steps": 1000}],
    }  # fmt: skip
    state = base64.urlsafe_b64encode(json.dumps({"v": [["A", experiment]]}).encode()).decode().rstrip("=")
    open_dashboard(page, f"/#s={state}")
    open_compare(page)
    previous = page.text_content("#compare-verdict")
    page.click("#compare-translate")
    wait_compared(page, previous)
    assert page.locator("#variant-tabs button").all_text_contents() == ["Variant A", "Variant B"]
    assert (page.input_value("#compare-a"), page.input_value("#compare-b")) == ("A", "B")
    notes = page.text_content("#compare-notes")
    assert (
        notes
        == "Variant B = variant A in ignite. schedulers[0] transformers.get_cosine_schedule_with_warmup: exact"
    )
    assert float(page.input_value("#compare-atol")) == 1e-15 * 0.01
    assert page.text_content("#compare-verdict") == "B is the same schedule as A within the tolerance."
    # variant B holds the ignite composition
    page.click("#variant-tabs button >> text=Variant B")
    assert page.input_value(field("schedulers.0.type", "select")) == "ConcatScheduler"
