"""Share links, exports, API errors next to their field, hostile strings, the real CSP."""

from __future__ import annotations

import json
import urllib.request

import pytest
from conftest import watch
from pwhelpers import draws, edit, field, open_dashboard, settle, traces

pytestmark = pytest.mark.browser

PAYLOAD = "<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>"


def create_share_link(page) -> str:
    page.click("#btn-share")
    page.wait_for_function("() => document.querySelector('#share-url').value.includes('/s/')")
    return page.input_value("#share-url")


def test_share_link_restores_the_same_view_in_a_fresh_page(page, browser, server):
    open_dashboard(page)
    edit(page, field("schedulers.1.cycle_size"), "64")
    n = draws(page)
    page.click("#duplicate-variant")
    settle(page, n)
    edit(page, field("schedulers.0.end_value"), "3e-5")
    n = draws(page)
    page.check("#opt-log")
    settle(page, n)
    url = create_share_link(page)
    assert url.startswith(server + "/s/")
    assert page.evaluate("navigator.clipboard.readText()") == url
    before = traces(page)

    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    fresh = ctx.new_page()
    console = watch(fresh)
    fresh.goto(url)
    settle(fresh, 0)
    assert traces(fresh) == before
    assert fresh.is_checked("#opt-log")
    assert fresh.locator("#variant-tabs button").all_text_contents() == ["Variant A", "Variant B"]
    assert console.unexpected() == []
    ctx.close()


def test_invalid_value_shows_the_api_error_inline_and_keeps_the_chart(page):
    open_dashboard(page)
    before = traces(page)
    edit(page, field("schedulers.0.cycle_size"), "1")
    err = page.locator('#editor [data-path="schedulers.0.cycle_size"] > .field-error')
    assert err.is_visible()
    assert "greater than or equal to 2" in err.text_content()
    assert page.get_attribute(field("schedulers.0.cycle_size"), "aria-invalid") == "true"
    assert traces(page) == before
    assert page.get_attribute("#chart", "data-state") == "stale"
    # fixing the value clears the error and redraws
    edit(page, field("schedulers.0.cycle_size"), "20")
    assert not err.is_visible()
    assert traces(page) != before
    assert page.get_attribute("#chart", "data-state") == "ok"


def test_scheduler_and_group_level_api_errors_are_placed_on_their_fieldset(page):
    open_dashboard(page)
    edit(page, field("schedulers.0.warmup_duration"), "5")
    # a scheduler-level (cross-field) error sits at the first field its message names
    err = page.locator('#editor [data-path="schedulers.0.warmup_duration"] > .field-error')
    assert err.is_visible() and "warmup_duration" in err.text_content()
    assert page.locator('#editor [data-path="schedulers.0"] > .field-error').is_hidden()
    edit(page, field("schedulers.0.warmup_duration"), "")
    assert not err.is_visible()
    edit(page, field("schedulers.1.param_name"), "momentum")
    err = page.locator('#editor [data-path="param_groups.0"] > .field-error')
    assert err.is_visible() and "momentum" in err.text_content()
    assert page.locator("#chart-error").is_hidden()


def test_hostile_group_name_is_text_in_the_page_chart_and_share_link(page, browser):
    open_dashboard(page)
    name_input = '#editor [data-path="param_groups.0.name"] > input'
    n = draws(page)
    page.fill(name_input, PAYLOAD)
    page.press(name_input, "Tab")
    settle(page, n)
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('img, #editor script, #chart script').length") == 0
    options = page.eval_on_selector_all(
        field("schedulers.0.param_group_index", "select") + " option", "os => os.map(o => o.textContent)"
    )
    assert options[1] == f"0: {PAYLOAD}"
    titles = page.eval_on_selector_all("#chart .annotation-text", "as => as.map(a => a.textContent)")
    assert f"group 0: {PAYLOAD}" in titles
    assert traces(page)[0]["meta"]["group_name"] == PAYLOAD

    url = create_share_link(page)
    ctx = browser.new_context()
    fresh = ctx.new_page()
    console = watch(fresh)
    fresh.goto(url)
    settle(fresh, 0)
    assert fresh.evaluate("window.__pwned") is None
    assert fresh.evaluate("document.querySelectorAll('img').length") == 0
    assert fresh.input_value(name_input) == PAYLOAD
    assert console.unexpected() == []
    ctx.close()


def test_damaged_url_hash_falls_back_to_the_example(page, server):
    page.goto(f"{server}/#s=PHNjcmlwdD53aW5kb3cuX19wd25lZD0xPC9zY3JpcHQ-")  # "<script>..." base64url
    settle(page, 0)
    assert page.evaluate("window.__pwned") is None
    assert "damaged" in page.text_content("#notice") and "example" in page.text_content("#notice")
    assert [t["meta"]["group_name"] for t in traces(page)] == ["base", "fc"]


def test_unknown_link_id_is_a_404_and_runs_nothing(browser, server):
    ctx = browser.new_context()
    fresh = ctx.new_page()
    response = fresh.goto(f"{server}/s/%3Cscript%3Ewindow.__pwned=1%3C%2Fscript%3E")
    assert response.status == 404
    assert fresh.evaluate("window.__pwned") is None
    assert fresh.evaluate("document.querySelectorAll('script').length") == 0
    ctx.close()


def test_exports_code_csv_png(page):
    open_dashboard(page)
    page.click("#btn-code-ignite")
    page.wait_for_function("() => document.querySelector('#code-dialog').open")
    code = page.input_value("#code-text")
    assert "ignite" in code and "CosineAnnealingScheduler" in code
    assert page.evaluate("navigator.clipboard.readText()") == code
    page.click("#code-close")
    page.click("#btn-code-core")
    page.wait_for_function("() => document.querySelector('#code-text').value.includes('scheduler_core')")
    page.keyboard.press("Escape")

    with page.expect_download() as dl:
        page.click("#btn-csv")
    csv_text = open(dl.value.path()).read()
    header, *rows = csv_text.strip().splitlines()
    assert len(rows) == 1000 and "base" in header and "fc" in header
    with page.expect_download() as dl:
        page.click("#btn-png")
    assert dl.value.suggested_filename.endswith(".png")
    assert open(dl.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_real_csp_header_without_unsafe_eval_and_chart_draws(page, server):
    with urllib.request.urlopen(server + "/") as r:
        csp = r.headers["Content-Security-Policy"]
    assert csp and "script-src 'self'" in csp
    assert "unsafe-eval" not in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    open_dashboard(page)
    assert page.locator("#chart .scatterlayer .trace path.js-line").count() >= 2
    edit(page, field("schedulers.0.cycle_size"), "30")
    page.hover("#chart .nsewdrag >> nth=0")
    assert violations == []
    # nothing in the modebar sends the chart to an external service
    titles = page.eval_on_selector_all(".modebar-btn", "bs => bs.map(b => b.dataset.title)")
    assert "Download plot as a PNG" in titles and not any("Share" in t for t in titles)


def test_no_console_errors_while_using_the_dashboard(page):
    open_dashboard(page)
    edit(page, field("schedulers.0.start_value"), "0.002")
    n = draws(page)
    page.select_option("#opt-layout", "overlay")
    settle(page, n)
    page.click("#duplicate-variant")
    settle(page, n + 1)
    assert page.console.errors == []


def test_link_document_is_the_api_dashboard_view(page, server):
    open_dashboard(page)
    url = create_share_link(page)
    link_id = url.rsplit("/", 1)[1]
    with urllib.request.urlopen(f"{server}/api/v1/links/{link_id}") as r:
        doc = json.load(r)
    assert doc["variants"][0]["name"] == "A"
    assert doc["variants"][0]["experiment"]["num_events"] == 1000
    assert doc["view"]["layout"] == "subplots"
