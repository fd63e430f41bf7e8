"""The dashboard in a real Chromium: forms from the catalogue, redraws, subplots, variants, URL state."""

from __future__ import annotations

import math

import pytest
from pwhelpers import draws, edit, field, open_dashboard, settle, traces

pytestmark = pytest.mark.browser


def group_trace(page, group: int) -> dict:
    return next(t for t in traces(page) if t["meta"]["group"] == group)


def test_page_loads_with_seed_example_side_by_side(page):
    open_dashboard(page)
    assert page.title() == "Schedule Explorer"
    data = traces(page)
    assert [t["meta"]["group_name"] for t in data] == ["base", "fc"]
    assert [t["xaxis"] for t in data] == ["x", "x2"]
    layout = page.evaluate("document.querySelector('#chart').layout")
    assert layout["xaxis2"]["matches"] == "x"
    # The type select lists the catalogue's top-level schedulers, not the torch classes.
    options = page.eval_on_selector_all(
        field("schedulers.0.type", "select") + " option", "os => os.map(o => o.value)"
    )
    assert "CosineAnnealingScheduler" in options and "ConcatScheduler" in options
    assert "StepLR" not in options


def test_cosine_cycle_size_changes_the_period(page):
    open_dashboard(page)
    n = draws(page)
    page.select_option(field("schedulers.0.type", "select"), "CosineAnnealingScheduler")
    settle(page, n)
    edit(page, field("schedulers.0.start_value"), "1e-3")
    edit(page, field("schedulers.0.end_value"), "0")
    edit(page, field("schedulers.0.cycle_size"), "50")
    t = group_trace(page, 0)
    y = dict(zip(t["x"], t["y"], strict=True))
    assert t["x"][0] == 0 and len(y) > 200
    for k, v in y.items():
        expected = 1e-3 + (0 - 1e-3) / 2 * (1 - math.cos(math.pi * (k % 50) / 50))
        assert math.isclose(v, expected, rel_tol=1e-9, abs_tol=1e-15), (k, v, expected)
    # the period is 50 events: restarts at 0, 50, 100, ...
    assert y[0] == y[50] == y[100] == 1e-3
    assert y[25] < 6e-4
    # the other group keeps its own cosine of period 100
    other = dict(zip(*(group_trace(page, 1)[k] for k in ("x", "y")), strict=True))
    assert other[50] != other[0] and math.isclose(other[100], other[0])


def test_numbers_accept_exponent_notation_and_reject_text_locally(page):
    open_dashboard(page)
    edit(page, field("schedulers.1.end_value"), "2E-2")
    assert max(group_trace(page, 1)["y"]) > 0.019
    before = traces(page)
    n = draws(page)
    page.fill(field("schedulers.1.end_value"), "abc")
    err = page.locator('#editor [data-path="schedulers.1.end_value"] > .field-error')
    assert err.is_visible() and "number" in err.text_content()
    page.wait_for_timeout(300)
    assert draws(page) == n and traces(page) == before


def test_add_second_param_group_gives_two_subplots(page):
    open_dashboard(page)
    n = draws(page)
    page.click('#editor [data-path="param_groups.1"] .remove-group')
    settle(page, n)
    data = traces(page)
    assert {t["xaxis"] for t in data} == {"x"}
    assert "xaxis2" not in page.evaluate("document.querySelector('#chart').layout")
    # the cosine scheduler pinned to the removed group went with it: it does not take over
    # the remaining group, whose linear cycle still peaks at 1e-5
    assert page.locator('#editor [data-path="schedulers.1"]').count() == 0
    assert max(data[0]["y"]) == pytest.approx(1e-5)
    n = draws(page)
    page.click("#add-group")
    settle(page, n)
    layout = page.evaluate("document.querySelector('#chart').layout")
    assert {t["xaxis"] for t in traces(page)} == {"x", "x2"}
    assert layout["xaxis2"]["matches"] == "x"
    # rename the new group: the subplot title and the group pickers follow
    page.fill('#editor [data-path="param_groups.1.name"] > input', "head")
    page.press('#editor [data-path="param_groups.1.name"] > input', "Tab")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#chart .annotation-text')].some(a => a.textContent.includes('head'))"
    )
    options = page.eval_on_selector_all(
        field("schedulers.0.param_group_index", "select") + " option", "os => os.map(o => o.textContent)"
    )
    assert options == ["all groups", "0: base", "1: head"]


def test_overlay_log_epochs_and_cycle_markers(page):
    open_dashboard(page)
    n = draws(page)
    page.select_option("#opt-layout", "overlay")
    settle(page, n)
    assert {t["xaxis"] for t in traces(page)} == {"x"}
    n = draws(page)
    page.check("#opt-log")
    settle(page, n)
    assert page.evaluate("document.querySelector('#chart').layout.yaxis.type") == "log"
    n = draws(page)
    page.select_option("#opt-x", "epochs")
    settle(page, n)
    edit(page, "#opt-ipe", "50")
    assert max(traces(page)[0]["x"]) == 999 / 50
    n = draws(page)
    page.check("#opt-markers")
    settle(page, n)
    shapes = page.evaluate("document.querySelector('#chart').layout.shapes")
    assert sorted({s["x0"] for s in shapes}) == [k * 100 / 50 for k in range(1, 10)]


def test_variants_overlay_with_legend(page):
    open_dashboard(page)
    n = draws(page)
    page.click("#duplicate-variant")
    settle(page, n)
    assert page.locator("#variant-tabs button[aria-pressed=true]").text_content() == "Variant B"
    edit(page, field("schedulers.1.cycle_size"), "250")
    data = traces(page)
    assert sorted(t["name"] for t in data) == ["A · lr", "A · lr", "B · lr", "B · lr"]
    assert page.evaluate("document.querySelector('#chart').layout.showlegend") is True
    a = next(t for t in data if t["meta"]["variant"] == "A" and t["meta"]["group"] == 1)
    b = next(t for t in data if t["meta"]["variant"] == "B" and t["meta"]["group"] == 1)
    assert a["y"] != b["y"]
    # switching back to A shows A's form
    page.click("#variant-tabs button >> text=Variant A")
    assert page.input_value(field("schedulers.1.cycle_size")) == "100"


def test_reload_reproduces_the_view_from_the_url(page):
    open_dashboard(page)
    edit(page, field("schedulers.0.cycle_size"), "40")
    n = draws(page)
    page.select_option("#opt-layout", "overlay")
    settle(page, n)
    page.wait_for_function("() => location.hash.startsWith('#s=')")
    page.wait_for_timeout(300)
    before = traces(page)
    page.reload()
    settle(page, 0)
    assert traces(page) == before
    assert page.input_value(field("schedulers.0.cycle_size")) == "40"
    assert page.input_value("#opt-layout") == "overlay"


def test_nested_concat_and_torch_schedulers_are_editable(page):
    open_dashboard(page)
    n = draws(page)
    page.select_option(field("schedulers.0.type", "select"), "ConcatScheduler")
    settle(page, n)
    assert page.locator('#editor [data-path="schedulers.0.schedulers.1.type"] > select').count() == 1
    edit(page, field("schedulers.0.durations"), "300")
    n = draws(page)
    page.select_option(field("schedulers.1.type", "select"), "LRScheduler")
    settle(page, n)
    n = draws(page)
    page.select_option(field("schedulers.1.lr_scheduler.type", "select"), "StepLR")
    settle(page, n)
    edit(page, field("schedulers.1.lr_scheduler.step_size"), "250")
    edit(page, field("schedulers.1.lr_scheduler.gamma"), "0.5")
    ys = group_trace(page, 1)["y"]
    levels = sorted(set(ys), reverse=True)
    assert len(levels) == 4 and all(math.isclose(levels[i + 1], levels[i] * 0.5) for i in range(3))


def test_narrow_window_stacks_panels_and_subplots(browser, server):
    ctx = browser.new_context(viewport={"width": 480, "height": 900}, base_url=server)
    page = ctx.new_page()
    open_dashboard(page)
    chart = page.locator("#chart-panel").bounding_box()
    editor = page.locator("#editor-panel").bounding_box()
    assert chart["y"] + chart["height"] <= editor["y"] + 1
    layout = page.evaluate("document.querySelector('#chart').layout")
    assert layout["xaxis"]["domain"] == [0, 1] and layout["xaxis2"]["domain"] == [0, 1]
    ctx.close()


def test_every_control_has_a_label_and_tab_reaches_the_editor(page):
    open_dashboard(page)
    unlabeled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter(el => !el.closest('dialog'))
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
            .map(el => el.id)"""
    )
    assert unlabeled == []
    seen = []
    for _ in range(16):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.id || document.activeElement.textContent"))
    assert "btn-share" in seen and "num-events" in seen


def test_keyboard_focus_survives_structural_edits(page):
    open_dashboard(page)
    name = '#editor [data-path="param_groups.1.name"] > input'
    page.focus(name)
    page.keyboard.press("Control+A")
    page.keyboard.type("head")
    page.keyboard.press("Tab")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#editor select option')].some(o => o.textContent === '1: head')"
    )
    focused = page.evaluate("document.activeElement.closest('[data-path]').dataset.path")
    assert focused == "param_groups.1.lr"
    # changing a scheduler's type with the keyboard keeps focus on the type select
    page.focus(field("schedulers.0.type", "select"))
    n = draws(page)
    page.keyboard.press("ArrowDown")
    settle(page, n)
    assert page.evaluate("document.activeElement.closest('[data-path]').dataset.path") == "schedulers.0.type"
