"""Undo/redo over every edit, announced removals, type switches that keep typed values, errors at
their field, a stale chart while input is invalid, invalid variants kept across a reload."""

from __future__ import annotations

import pytest
from conftest import watch
from pwhelpers import draws, edit, field, open_dashboard, settle, traces

pytestmark = pytest.mark.browser

UNDO = "Control+z"
REDO = "Control+Shift+z"


def press(page, keys: str) -> None:
    n = draws(page)
    page.keyboard.press(keys)
    settle(page, n)


def test_undo_and_redo_typed_values_with_keys_and_buttons(page):
    open_dashboard(page)
    assert page.is_disabled("#btn-undo") and page.is_disabled("#btn-redo")
    before = traces(page)
    edit(page, field("schedulers.0.cycle_size"), "40")
    changed = traces(page)
    assert changed != before and page.is_enabled("#btn-undo")
    page.focus(field("schedulers.0.cycle_size"))
    press(page, UNDO)
    assert page.input_value(field("schedulers.0.cycle_size")) == "100" and traces(page) == before
    press(page, REDO)
    assert page.input_value(field("schedulers.0.cycle_size")) == "40" and traces(page) == changed
    n = draws(page)
    page.click("#btn-undo")
    settle(page, n)
    assert page.input_value(field("schedulers.0.cycle_size")) == "100" and page.is_enabled("#btn-redo")
    # view options are edits too
    n = draws(page)
    page.select_option("#opt-layout", "overlay")
    settle(page, n)
    press(page, UNDO)
    assert page.input_value("#opt-layout") == "subplots"


def test_removing_a_group_is_announced_and_undone(page):
    open_dashboard(page)
    n = draws(page)
    page.click('#editor [data-path="param_groups.1"] .remove-group')
    settle(page, n)
    assert "Removed group 1 (fc) and its 1 scheduler" in page.text_content("#status")
    assert page.locator('#editor [data-path="schedulers.1"]').count() == 0
    n = draws(page)
    page.click("#status button:has-text('Undo')")
    settle(page, n)
    assert page.locator('#editor [data-path="param_groups.1"]').count() == 1
    assert page.input_value(field("schedulers.1.cycle_size")) == "100"
    assert {t["meta"]["group"] for t in traces(page)} == {0, 1}
    n = draws(page)
    page.click("#editor button:has-text('Remove scheduler 0')")
    settle(page, n)
    assert "Removed scheduler 0 (LinearCyclicalScheduler)" in page.text_content("#status")
    press(page, UNDO)
    assert page.input_value(field("schedulers.0.type", "select")) == "LinearCyclicalScheduler"


def test_switching_type_keeps_the_values_of_same_name_fields(page):
    open_dashboard(page)
    edit(page, field("schedulers.0.start_value"), "0.25")
    edit(page, field("schedulers.0.cycle_size"), "64")
    n = draws(page)
    page.select_option(field("schedulers.0.type", "select"), "CosineAnnealingScheduler")
    settle(page, n)
    assert page.input_value(field("schedulers.0.start_value")) == "0.25"
    assert page.input_value(field("schedulers.0.cycle_size")) == "64"
    assert page.input_value(field("schedulers.0.param_group_index", "select")) == "0"


def test_cross_field_error_sits_at_the_field_it_names_and_is_scrolled_into_view(page):
    page.set_viewport_size({"width": 1400, "height": 500})
    open_dashboard(page)
    n = draws(page)
    page.fill(field("schedulers.0.warmup_duration"), "5")
    page.wait_for_function("() => document.querySelector('#chart').dataset.state === 'stale'")
    err = page.locator('#editor [data-path="schedulers.0.warmup_duration"] > .field-error')
    err.wait_for(state="visible")
    assert "warmup_duration" in err.text_content()
    assert page.get_attribute(field("schedulers.0.warmup_duration"), "aria-invalid") == "true"
    # not at the top of the card
    assert page.locator('#editor [data-path="schedulers.0"] > .field-error').is_hidden()
    assert draws(page) >= n
    box = err.bounding_box()
    panel = page.locator("#editor-panel").bounding_box()
    assert panel["y"] <= box["y"] and box["y"] + box["height"] <= panel["y"] + panel["height"]
    assert "fix the highlighted field" in page.text_content("#status")
    page.check(field("schedulers.0.monotonic"))
    page.wait_for_function("() => document.querySelector('#chart').dataset.state === 'ok'")
    assert err.is_hidden()


def test_a_half_typed_integer_is_not_drawn_and_marks_the_chart_stale(page):
    open_dashboard(page)
    before = traces(page)
    n = draws(page)
    page.fill(field("schedulers.0.cycle_size"), "2.")
    page.wait_for_function("() => document.querySelector('#chart').dataset.state === 'stale'")
    page.fill(field("schedulers.0.cycle_size"), "2.5")
    page.wait_for_timeout(300)
    assert draws(page) == n and traces(page) == before
    err = page.locator('#editor [data-path="schedulers.0.cycle_size"] > .field-error')
    assert "whole number" in err.text_content()
    assert "fix the highlighted field" in page.text_content("#status")
    edit(page, field("schedulers.0.cycle_size"), "20")
    assert page.evaluate("document.querySelector('#chart').dataset.state") == "ok"


def test_an_invalid_inactive_variant_survives_a_reload_and_names_its_field(page):
    open_dashboard(page)
    n = draws(page)
    page.click("#duplicate-variant")
    settle(page, n)
    n = draws(page)
    page.fill(field("schedulers.1.cycle_size"), "1")
    settle(page, n)
    # text the editor cannot read is kept as typed too (not drawn: the chart stays stale)
    page.fill(field("schedulers.0.end_value"), "1e-5x")
    assert "number" in page.text_content('#editor [data-path="schedulers.0.end_value"] > .field-error')
    n = draws(page)
    page.click("#variant-tabs button >> text=Variant A")
    settle(page, n)
    page.wait_for_timeout(300)  # the URL follows
    page.reload()
    settle(page, 0)
    assert page.locator("#variant-tabs button").all_text_contents() == ["Variant A", "Variant B"]
    assert "Variant B: schedulers.1.cycle_size:" in page.text_content("#chart-error")
    assert "Variant B: schedulers.0.end_value:" in page.text_content("#chart-error")
    page.click("#variant-tabs button >> text=Variant B")
    assert page.input_value(field("schedulers.1.cycle_size")) == "1"
    assert page.input_value(field("schedulers.0.end_value")) == "1e-5x"
    page.locator('#editor [data-path="schedulers.0.end_value"] > .field-error').wait_for(state="visible")
    # the short link keeps B as typed too (a draft, never computed) and names its fields again
    page.click("#btn-share")
    page.wait_for_function("() => document.querySelector('#share-url').value.includes('/s/')")
    assert "Variant B kept as typed" in page.text_content("#status")
    url = page.input_value("#share-url")
    assert "#" not in url
    link_id = url.rsplit("/", 1)[1]
    stored = page.evaluate("async (id) => (await fetch(`/api/v1/links/${id}`)).json()", link_id)
    assert [sorted(v) for v in stored["variants"]] == [["experiment", "name"], ["draft", "name"]]
    assert stored["variants"][1]["draft"]["schedulers"][0]["end_value"] == "1e-5x"
    shared = page.context.new_page()
    shared.console = watch(shared)
    open_dashboard(shared, url)
    assert shared.locator("#variant-tabs button").all_text_contents() == ["Variant A", "Variant B"]
    # B was active when shared: its errors sit at its fields; from A they are listed by field
    assert shared.input_value(field("schedulers.1.cycle_size")) == "1"
    assert shared.input_value(field("schedulers.0.end_value")) == "1e-5x"
    for path in ("schedulers.1.cycle_size", "schedulers.0.end_value"):
        shared.locator(f'#editor [data-path="{path}"] > .field-error').wait_for(state="visible")
    n = draws(shared)
    shared.click("#variant-tabs button >> text=Variant A")
    settle(shared, n)
    assert "Variant B: schedulers.1.cycle_size:" in shared.text_content("#chart-error")
    assert "Variant B: schedulers.0.end_value:" in shared.text_content("#chart-error")
    assert shared.console.unexpected() == []


def test_the_type_menu_is_grouped_by_library(page):
    open_dashboard(page)
    groups = page.eval_on_selector_all(
        field("schedulers.0.type", "select") + " optgroup",
        "gs => gs.map(g => [g.label, [...g.querySelectorAll('option')].map(o => o.value)])",
    )
    labels = [label for label, _ in groups]
    assert labels[0] == "ignite" and "transformers" in labels
    for label, values in groups:
        assert (
            all(v.startswith(label + ".") for v in values)
            if label != "ignite"
            else all("." not in v for v in values)
        )
