"""/docs (Swagger UI) and /redoc: served offline from the fastapi-offline package, started without
inline script; short operation ids; an example for every operation. The browser half (rendering
under the real CSP, "Try it out") is tests/browser/test_docs_browser.py; the generated client is
tests/app/test_docs_client.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app.api.routes import docs
from app.api.routes.schedulers import catalogue_example
from app.contract.schemas import Catalogue, Health
from app.server.middleware import APP_CSP

OPERATION_IDS = {
    ("get", "/api/v1/schedulers"): "schedulers",
    ("post", "/api/v1/series"): "series",
    ("post", "/api/v1/series/variants"): "series_of_variants",
    ("post", "/api/v1/compare"): "compare",
    ("post", "/api/v1/translate"): "translate",
    ("post", "/api/v1/figure"): "figure",
    ("post", "/api/v1/code"): "code",
    ("post", "/api/v1/links"): "create_link",
    ("get", "/api/v1/links/{link_id}"): "get_link",
    ("get", "/api/v1/healthz"): "healthz",
    ("get", "/api/v1/readyz"): "readyz",
}


class Page(HTMLParser):
    """The tags of a page: scripts (src and inline text), links, and every URL attribute."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline: list[str] = []
        self.urls: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        self.urls += [v for k, v in a.items() if k in ("src", "href", "spec-url", "data-openapi-url") and v]
        if tag == "script":
            self.scripts.append(a)
            self._in_script = True
        if any(k.startswith("on") for k in a):  # onload=..., an inline handler
            self.inline.append(f"{tag} {a}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append(data)


@pytest.fixture
def schema(client) -> dict:
    return client.get("/openapi.json").json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            yield method, path, op


def test_every_operation_has_its_short_operation_id(schema):
    assert {(m, p): op["operationId"] for m, p, op in operations(schema)} == OPERATION_IDS


def example_names(op: dict) -> list[str]:
    """The named examples of an operation: of its parameters, its body and its replies."""
    holders = list(op.get("parameters", []))
    holders += op.get("requestBody", {}).get("content", {}).values()
    holders += [c for r in op["responses"].values() for c in r.get("content", {}).values()]
    return [name for h in holders for name in h.get("examples", {})]


def test_every_operation_has_an_example(schema):
    for method, path, op in operations(schema):
        assert example_names(op), f"{method.upper()} {path} has no example"
    bodies = [op for _, _, op in operations(schema) if "requestBody" in op]
    assert all(len(op["requestBody"]["content"]["application/json"]["examples"]) >= 5 for op in bodies)


def test_response_examples_are_valid_replies(schema):
    """FastAPI drops nulls from the OpenAPI document: the published examples must still validate."""
    ok = schema["paths"]["/api/v1/schedulers"]["get"]["responses"]["200"]["content"]["application/json"]
    published = ok["examples"]["abbreviated"]["value"]
    assert published == catalogue_example()
    Catalogue.model_validate(published)
    health = schema["paths"]["/api/v1/healthz"]["get"]["responses"]["200"]["content"]["application/json"]
    for example in health["examples"].values():
        Health.model_validate(example["value"])


def test_docs_page_runs_only_the_apps_own_script_files(client, schema):
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == APP_CSP
    page = Page(r.text)
    assert page.inline == []
    assert [s["src"] for s in page.scripts] == ["/docs/assets/swagger-ui-bundle.js", "/docs/swagger-init.js"]
    assert all(u.startswith("/") and not u.startswith("//") for u in page.urls), page.urls
    assert ("div", {"id": "swagger-ui", "data-openapi-url": "/openapi.json"}) in page.tags
    assert "cdn" not in r.text.lower()
    # without JavaScript: the <noscript> table still names every operation
    for method, path, _ in operations(schema):
        assert f"{method.upper()} {path}" in r.text


def test_docs_assets_come_from_the_installed_package(client):
    for name, media_type in docs.ASSETS.items():
        r = client.get(f"/docs/assets/{name}")
        assert r.status_code == 200, name
        assert r.headers["content-type"] == media_type
        if name != "redoc.standalone.js":
            assert r.content == (docs.asset_dir() / name).read_bytes()
    bundle = client.get("/docs/assets/swagger-ui-bundle.js").text
    version = re.search(r'PACKAGE_VERSION:"(\d+)\.(\d+)\.(\d+)"', bundle)
    assert version and int(version[1]) >= 5, "Swagger UI 5+ is needed to read OpenAPI 3.1"
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")


@pytest.mark.parametrize("name", ["core.py", "..%2F__init__.py", "..%2F..%2Fsix.py", "nope.js"])
def test_only_the_listed_assets_are_served(client, name):
    assert client.get(f"/docs/assets/{name}").status_code == 404


def test_swagger_init_is_a_same_origin_script(client):
    r = client.get("/docs/swagger-init.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["content-security-policy"] == APP_CSP
    assert "SwaggerUIBundle(" in r.text and "dataset.openapiUrl" in r.text
    assert "validatorUrl: null" in r.text  # no badge fetched from the public validator


def test_redoc_page_starts_itself_with_search_off(client):
    r = client.get("/redoc")
    assert r.status_code == 200 and r.headers["content-security-policy"] == APP_CSP
    page = Page(r.text)
    assert page.inline == []
    assert [s["src"] for s in page.scripts] == ["/docs/assets/redoc.standalone.js"]
    assert ("redoc", {"spec-url": "/openapi.json", "disable-search": None}) in page.tags


def test_redoc_bundle_has_no_outside_logo(client):
    served = client.get("/docs/assets/redoc.standalone.js").content
    original = (docs.asset_dir() / "redoc.standalone.js").read_bytes()
    assert original.count(docs.REDOC_LOGO) == 1 and docs.REDOC_LOGO not in served
    assert len(served) == len(original) - len(docs.REDOC_LOGO) + len(b"data:,")


def test_pages_honour_the_root_path(schema):
    page = Page(docs.render(schema, root="/explorer"))
    assert [s["src"] for s in page.scripts] == [
        "/explorer/docs/assets/swagger-ui-bundle.js",
        "/explorer/docs/swagger-init.js",
    ]
    assert ("div", {"id": "swagger-ui", "data-openapi-url": "/explorer/openapi.json"}) in page.tags
    redoc = Page(docs.render_redoc(schema, root="/explorer"))
    assert ("redoc", {"spec-url": "/explorer/openapi.json", "disable-search": None}) in redoc.tags
