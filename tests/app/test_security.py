"""Security headers on every response (errors, static files, /docs, a 500 included) and CORS."""

from __future__ import annotations

import pytest
from apitest_helpers import one_group

COSINE = {"type": "CosineAnnealingScheduler", "start_value": 0.1, "end_value": 0.0, "cycle_size": 10}
EXP = one_group(COSINE)


def directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def assert_secure(r) -> None:
    h = r.headers
    assert h["x-content-type-options"] == "nosniff", r.request.url
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "no-referrer"
    csp = directives(h["content-security-policy"])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert "'unsafe-eval'" not in h["content-security-policy"]
    assert "access-control-allow-origin" not in h


def big_body() -> dict:
    exp = one_group(COSINE)
    exp["param_groups"][0]["name"] = "x" * 3000
    return exp


REQUESTS = [
    ("GET", "/", None, 200),
    ("GET", "/s/AAAAAAAAAAAA", None, 404),
    ("GET", "/static/style.css", None, 200),
    ("GET", "/static/js/main.js", None, 200),
    ("GET", "/static/nope.js", None, 404),
    ("GET", "/vendor/plotly.min.js", None, 200),
    ("GET", "/favicon.ico", None, 308),
    ("GET", "/docs", None, 200),
    ("GET", "/docs/swagger-init.js", None, 200),
    ("GET", "/docs/assets/swagger-ui-bundle.js", None, 200),
    ("GET", "/docs/assets/nope.js", None, 404),
    ("GET", "/redoc", None, 200),
    ("GET", "/openapi.json", None, 200),
    ("GET", "/healthz", None, 200),
    ("GET", "/api/v1/schedulers", None, 200),
    ("GET", "/api/v1/nope", None, 404),
    ("GET", "/api/v1/series", None, 405),
    ("GET", "/api/v1/links/..%2F..%2Fetc", None, 404),
    ("POST", "/api/v1/series", EXP, 200),
    ("POST", "/api/v1/series?format=csv", EXP, 200),
    ("POST", "/api/v1/figure", EXP, 200),
    ("POST", "/api/v1/code?format=py", EXP, 200),
    ("POST", "/api/v1/links", EXP, 201),
    ("POST", "/api/v1/series", {"num_events": 0}, 422),
    ("POST", "/api/v1/series", big_body(), 413),
    ("OPTIONS", "/api/v1/series", None, 405),
    ("HEAD", "/static/style.css", None, 200),
]


@pytest.mark.parametrize(("method", "path", "body", "status"), REQUESTS, ids=lambda x: str(x)[:40])
def test_headers_on_every_response(make_client, method, path, body, status):
    c = make_client(max_body_bytes=2048)
    r = c.request(method, path, json=body, follow_redirects=False)
    assert r.status_code == status, r.text
    assert_secure(r)


def test_headers_on_304(client):
    tag = client.post("/api/v1/series", json=EXP).headers["etag"]
    r = client.post("/api/v1/series", json=EXP, headers={"If-None-Match": tag})
    assert r.status_code == 304
    assert_secure(r)


def test_headers_and_json_on_an_unhandled_error(client):
    def boom() -> None:
        raise RuntimeError("a bug")

    client.app.add_api_route("/boom", boom)
    r = client.get("/boom")
    assert r.status_code == 500
    assert r.json() == {"detail": [{"loc": [], "msg": "internal error (logged)", "type": "internal_error"}]}
    assert_secure(r)


def test_docs_pages_run_only_script_files_of_the_app(client):
    """Swagger UI and ReDoc come from the app (no CDN), started without inline script: see
    tests/app/test_docs.py, and tests/browser/test_docs_browser.py for the real CSP in Chromium."""
    for path in ("/docs", "/redoc"):
        page = client.get(path).text.lower()
        assert "cdn" not in page and "http" not in page
        assert page.count("<script") == page.count("<script src='/docs/") >= 1


def test_standalone_figure_page_is_sandboxed(client):
    r = client.post("/api/v1/figure?format=html", json=EXP)
    assert r.status_code == 200
    csp = directives(r.headers["content-security-policy"])
    assert csp["sandbox"] == ["allow-scripts", "allow-downloads"]  # opaque origin: no cookies, no API
    assert csp["frame-ancestors"] == ["'none'"] and csp["default-src"] == ["'none'"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_cors_is_off_by_default(client):
    origin = {"Origin": "https://evil.example"}
    r = client.post("/api/v1/series", json=EXP, headers=origin)
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    pre = client.options("/api/v1/series", headers={**origin, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers
    assert pre.status_code >= 400


def test_cors_when_configured(make_client):
    c = make_client(cors_origins=["https://ok.example"])
    good = {"Origin": "https://ok.example"}
    r = c.post("/api/v1/series", json=EXP, headers=good)
    assert r.headers["access-control-allow-origin"] == "https://ok.example"
    assert "etag" in r.headers["access-control-expose-headers"].lower()
    pre = c.options(
        "/api/v1/series",
        headers={
            **good,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "https://ok.example"
    assert pre.headers["x-content-type-options"] == "nosniff"
    bad = c.post("/api/v1/series", json=EXP, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in bad.headers


def test_cors_origins_from_the_environment(monkeypatch):
    from app.settings import Settings

    monkeypatch.setenv("SCHEDULE_EXPLORER_CORS_ORIGINS", '["https://ok.example"]')
    assert Settings().cors_origins == ["https://ok.example"]
    monkeypatch.delenv("SCHEDULE_EXPLORER_CORS_ORIGINS")
    assert Settings().cors_origins == []


def test_repeated_requests_never_leak_one_origins_cors_headers(make_client):
    c = make_client(cors_origins=["https://ok.example"])
    for _ in range(2):
        good = c.post("/api/v1/series", json=EXP, headers={"Origin": "https://ok.example"})
        assert good.headers["access-control-allow-origin"] == "https://ok.example"
        bad = c.post("/api/v1/series", json=EXP, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in bad.headers
        assert_secure_headers_only(bad)


def assert_secure_headers_only(r) -> None:
    assert [k for k, _ in r.headers.multi_items()].count("content-security-policy") == 1
    assert r.headers["x-frame-options"] == "DENY"


def test_identical_requests_share_one_computation(make_client):
    c = make_client()
    cache = c.app.state.series_cache
    first = c.post("/api/v1/series", json=EXP)
    again = [c.post("/api/v1/series", json=EXP) for _ in range(3)]
    assert (cache.misses, cache.hits) == (1, 3)  # one cache of series, no cache of replies
    assert all(r.content == first.content and r.headers["etag"] == first.headers["etag"] for r in again)
    assert_secure_headers_only(again[-1])
    csv = c.post("/api/v1/series", json=EXP, headers={"Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv") and cache.hits == 4
    bad = {**EXP, "num_events": 0}
    assert [c.post("/api/v1/series", json=bad).status_code for _ in range(2)] == [422, 422]
    off = make_client(cache_bytes=0)
    off.post("/api/v1/series", json=EXP)
    off.post("/api/v1/series", json=EXP)
    assert (off.app.state.series_cache.misses, off.app.state.series_cache.hits) == (2, 0)
