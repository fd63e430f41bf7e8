"""/docs (Swagger UI) and /redoc in Chromium under the app's real Content-Security-Policy.

No inline script and no ``'unsafe-eval'``: each page must render every operation with no CSP
violation (collected from ``securitypolicyviolation`` events and the console, which the ``page``
fixture checks) and without a single request leaving the server. "Try it out" must work.
"""

from __future__ import annotations

import pytest
from conftest import watch

from app.server.middleware import APP_CSP

pytestmark = pytest.mark.browser


def _operations() -> set[str]:
    """Swagger UI's element id of every documented operation: ``operations-{tag}-{operationId}``."""
    from app.main import create_app

    paths = create_app().openapi()["paths"]
    return {
        f"operations-{op['tags'][0]}-{op['operationId']}"
        for methods in paths.values()
        for op in methods.values()
    }


OPERATIONS = _operations()
# the API's core operations must be among them (the set above is read from the app itself)
assert {"operations-series-series", "operations-links-create_link", "operations-health-healthz"} <= OPERATIONS
# Runs before the page's own scripts (injected by the browser, not subject to the page's CSP).
COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
    e => window.__csp.push(`${e.effectiveDirective} ${e.blockedURI}`));
"""


def open_page(page, server: str, path: str) -> list[str]:
    """Open ``path`` with violations collected; return the URLs it requested off the server."""
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((server, "data:")) else None)
    page.add_init_script(COLLECT_VIOLATIONS)
    reply = page.goto(path)
    assert reply.status == 200
    assert reply.headers["content-security-policy"] == APP_CSP
    assert "'unsafe-eval'" not in APP_CSP and "script-src 'self';" in APP_CSP
    return outside


def violations(page) -> list[str]:
    return page.evaluate("window.__csp")


def open_swagger(page, server: str) -> list[str]:
    outside = open_page(page, server, "/docs")
    page.wait_for_selector(".opblock", timeout=20000)
    return outside


def expand(page, op_id: str) -> None:
    page.click(f"#{op_id} .opblock-summary-control")
    page.wait_for_selector(f"#{op_id} .opblock-body")


def execute(page, op_id: str) -> tuple[str, str]:
    """Try it out, Execute: the live reply's status code and body text."""
    expand(page, op_id)
    page.click(f"#{op_id} .try-out__btn")
    page.click(f"#{op_id} .execute")
    cell = f"#{op_id} .live-responses-table tbody .response-col_status"
    page.wait_for_selector(cell, timeout=20000)
    body = page.inner_text(f"#{op_id} .live-responses-table tbody .response-col_description")
    return page.inner_text(cell).strip(), body


def test_swagger_ui_renders_every_operation_under_the_csp(page, server):
    outside = open_swagger(page, server)
    assert set(page.eval_on_selector_all(".opblock", "els => els.map(e => e.id)")) == OPERATIONS
    assert page.inner_text(".info .title").startswith("Schedule Explorer")
    assert page.locator(".swagger-ui .version-stamp, .swagger-ui .version").first.is_visible()
    assert violations(page) == []
    assert outside == []


def test_every_operation_shows_an_example(page, server):
    open_swagger(page, server)
    for op_id in sorted(OPERATIONS):
        expand(page, op_id)
        names = page.eval_on_selector_all(
            f"#{op_id} .examples-select select", "els => els.flatMap(s => Array.from(s.options, o => o.text))"
        )
        assert names, f"{op_id} shows no example"
    assert violations(page) == []


def test_try_it_out_on_the_catalogue_returns_200(page, server):
    outside = open_swagger(page, server)
    status, body = execute(page, "operations-schedulers-schedulers")
    assert status == "200"
    assert '"CosineAnnealingScheduler"' in body and '"experiment_schema"' in body
    assert violations(page) == [] and outside == []


def test_try_it_out_posts_the_example_experiment(page, server):
    open_swagger(page, server)
    status, body = execute(page, "operations-series-series")
    assert status == "200"
    assert '"num_events": 1000' in body and '"group_name": "fc"' in body
    assert violations(page) == []


def test_redoc_renders_every_operation_under_the_csp(page, server):
    outside = open_page(page, server, "/redoc")
    page.wait_for_selector("[data-section-id^='operation/']", timeout=20000)
    ids = page.eval_on_selector_all(
        "[data-section-id^='operation/']", "els => els.map(e => e.dataset.sectionId)"
    )
    assert {i.split("/", 1)[1] for i in ids} == {op.split("-", 2)[2] for op in OPERATIONS}
    assert page.locator("text=Request samples").first.is_visible()
    assert violations(page) == []
    assert outside == []  # its logo from a CDN included: the served bundle has it replaced


def test_the_violation_collector_sees_a_blocked_load(context, server):
    """Control: the same collector does report a violation (an image from another origin)."""
    pg = context.new_page()
    console = watch(pg)
    open_page(pg, server, "/docs")
    pg.wait_for_selector(".opblock", timeout=20000)
    pg.evaluate("""() => { const i = new Image(); i.src = "https://example.invalid/x.png";
                           document.body.append(i); }""")
    pg.wait_for_function("window.__csp.length > 0")
    assert violations(pg) == ["img-src https://example.invalid/x.png"]
    assert any("Content Security Policy" in e for e in console.errors)
    pg.close()
