"""The browser's Back and Forward move through the dashboard's views, in step with undo/redo:
one history entry per edit (typing in a field replaces its entry), variant switches and
presets included; Back leaves the app only from the page it opened on."""

from __future__ import annotations

import pytest
from pwhelpers import draws, edit, field, open_dashboard, settle

pytestmark = pytest.mark.browser

CYCLE = field("schedulers.0.cycle_size")
END = field("schedulers.0.end_value")


def entries(page) -> tuple[int, int]:
    """(history.length, this entry's position)."""
    length, here = page.evaluate("() => [history.length, history.state && history.state.se]")
    return length, here


def back(page, forward: bool = False) -> None:
    n = draws(page)
    page.evaluate("() => history.%s()" % ("forward" if forward else "back"))
    settle(page, n)


def test_back_and_forward_go_through_the_edits(page, server):
    page.goto("about:blank")
    open_dashboard(page, server + "/")
    start_cycle, start_end = page.input_value(CYCLE), page.input_value(END)
    length, here = entries(page)
    assert here == 0
    # typing a number key by key: one entry, which follows the text
    n = draws(page)
    page.click(CYCLE, click_count=3)
    page.keyboard.type("321", delay=40)
    settle(page, n)
    page.wait_for_timeout(300)
    assert entries(page) == (length + 1, 1)
    edit(page, END, "0.002")
    assert entries(page) == (length + 2, 2)
    # Back: the view before the last edit, then before the first, inside the app
    back(page)
    assert (page.input_value(CYCLE), page.input_value(END)) == ("321", start_end)
    back(page)
    assert (page.input_value(CYCLE), page.input_value(END)) == (start_cycle, start_end)
    assert page.url.startswith(server)
    # Forward again, twice
    back(page, forward=True)
    assert page.input_value(CYCLE) == "321"
    back(page, forward=True)
    assert page.input_value(END) == "0.002"
    # from the first entry, Back leaves the app
    back(page)
    back(page)
    page.go_back()
    assert page.url == "about:blank"


def test_undo_and_back_move_along_the_same_entries(page):
    open_dashboard(page)
    start_cycle = page.input_value(CYCLE)
    length = entries(page)[0]
    edit(page, CYCLE, "300")
    edit(page, END, "0.003")
    assert entries(page)[1] == 2
    n = draws(page)
    page.click("#btn-undo")
    settle(page, n)
    page.wait_for_function("() => history.state.se === 1")
    assert page.input_value(END) != "0.003" and page.input_value(CYCLE) == "300"
    # Back goes on from there (it does not show the undone edit's view again)
    back(page)
    assert page.input_value(CYCLE) == start_cycle and entries(page)[1] == 0
    # Forward twice brings both edits back, as redo would
    back(page, forward=True)
    back(page, forward=True)
    assert (page.input_value(CYCLE), page.input_value(END)) == ("300", "0.003")
    # and Undo after Back is the undo of what is shown
    back(page)
    n = draws(page)
    page.keyboard.press("Control+z")
    settle(page, n)
    assert page.input_value(CYCLE) == start_cycle
    # a new edit after undoing starts a new branch: Forward has nothing more
    edit(page, CYCLE, "77")
    assert entries(page) == (length + 1, 1)


def test_variant_switches_and_presets_are_entries(page):
    open_dashboard(page)
    shown = []  # the address of each view
    n = draws(page)
    page.click("#duplicate-variant")
    settle(page, n)
    shown.append(page.url)
    n = draws(page)
    page.click("#variant-tabs button >> text=Variant A")
    settle(page, n)
    shown.append(page.url)
    page.click(".gallery-box > summary")
    n = draws(page)
    page.locator("#gallery button.preset").nth(1).click()
    settle(page, n)
    shown.append(page.url)
    assert len(set(shown)) == 3 and entries(page)[1] == 3
    preset_groups = page.locator("#editor [data-path^='param_groups.']").count()
    back(page)  # before the preset: variant A active
    assert page.url == shown[1]
    assert page.locator("#variant-tabs [aria-pressed=true]").text_content() == "Variant A"
    back(page)  # variant B active again
    assert page.url == shown[0]
    assert page.locator("#variant-tabs [aria-pressed=true]").text_content() == "Variant B"
    back(page)  # before the duplicate: one variant
    assert page.locator("#variant-tabs button").all_text_contents() == ["Variant A"]
    for _ in range(3):
        back(page, forward=True)
    assert page.url == shown[2]
    assert page.locator("#editor [data-path^='param_groups.']").count() == preset_groups


def test_a_link_to_a_view_inside_the_page_is_an_entry_too(page):
    open_dashboard(page)
    edit(page, CYCLE, "123")
    page.wait_for_timeout(300)
    url_123 = page.url
    edit(page, CYCLE, "456")
    # the user pastes the earlier view's address: a new entry showing it, undoable
    n = draws(page)
    page.evaluate("(u) => { location.href = u; }", url_123)
    settle(page, n)
    assert page.input_value(CYCLE) == "123"
    n = draws(page)
    page.click("#btn-undo")
    settle(page, n)
    assert page.input_value(CYCLE) == "456"


def test_back_right_after_typing_keeps_every_keystroke_for_forward(page):
    open_dashboard(page)
    start_cycle = page.input_value(CYCLE)
    page.click(CYCLE, click_count=3)
    page.keyboard.type("4321", delay=20)
    # at once, before the entry's address follows the last keystrokes (it does so 150 ms later)
    page.evaluate("() => history.back()")
    page.wait_for_function("([sel, v]) => document.querySelector(sel).value === v", arg=[CYCLE, start_cycle])
    page.wait_for_function("() => !window.__scheduleExplorer.dirty")
    page.wait_for_timeout(200)
    assert page.input_value(CYCLE) == start_cycle
    back(page, forward=True)
    assert page.input_value(CYCLE) == "4321"
    page.wait_for_timeout(300)
    page.reload()  # the entry's address holds the whole text
    settle(page, 0)
    assert page.input_value(CYCLE) == "4321"
