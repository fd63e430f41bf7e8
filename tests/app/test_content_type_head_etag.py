"""JSON bodies only (415 otherwise), HEAD wherever GET, and no 304 past the caps."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from app.server.middleware import is_json_media_type

EXP = {
    "num_events": 50,
    "param_groups": [{"name": "g", "lr": 0.1}],
    "schedulers": [
        {
            "type": "LinearCyclicalScheduler",
            "param_name": "lr",
            "start_value": 0.1,
            "end_value": 0.0,
            "cycle_size": 10,
        }
    ],
}
JSON_POSTS = ["/api/v1/series", "/api/v1/figure", "/api/v1/code", "/api/v1/links"]
NOT_JSON = [
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "text/plain",
    "text/plain; charset=utf-8",
    "application/xml",
    "application/jsonp",
    "application/json; charset=latin-1",
    "application/+json",
]
JSON = [
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON;charset=UTF-8",
    "application/merge-patch+json",
]


def assert_415(reply) -> None:
    assert reply.status_code == 415, reply.text
    assert reply.headers["content-type"] == "application/json"
    (error,) = reply.json()["detail"]
    assert error["loc"] == ["header", "content-type"] and error["type"] == "unsupported_media_type"
    assert error["msg"]


@pytest.mark.parametrize("content_type", NOT_JSON)
@pytest.mark.parametrize("path", JSON_POSTS)
def test_other_content_types_get_415(client, path, content_type):
    assert_415(client.post(path, content=orjson.dumps(EXP), headers={"Content-Type": content_type}))


@pytest.mark.parametrize("path", ["/api/v1/series", "/api/v1/links"])
def test_form_posts_get_415(client, path):
    assert_415(client.post(path, data={"num_events": "50"}))  # urlencoded, as an HTML form
    assert_415(client.post(path, files={"f": ("x.json", orjson.dumps(EXP), "application/json")}))


@pytest.mark.parametrize("path", JSON_POSTS)
def test_missing_content_type_with_a_body_gets_415(client, path):
    reply = client.post(path, content=orjson.dumps(EXP))
    assert "content-type" not in reply.request.headers
    assert_415(reply)
    assert "no Content-Type" in reply.json()["detail"][0]["msg"]


def test_chunked_body_without_content_type_gets_415(client):
    assert_415(client.post("/api/v1/series", content=iter([orjson.dumps(EXP)])))


@pytest.mark.parametrize("content_type", JSON)
@pytest.mark.parametrize("path", JSON_POSTS)
def test_json_content_types_pass(client, path, content_type):
    reply = client.post(path, content=orjson.dumps(EXP), headers={"Content-Type": content_type})
    assert reply.status_code in (200, 201), reply.text


def test_no_body_no_content_type_reaches_the_route(client):
    reply = client.post("/api/v1/series")
    assert reply.status_code == 422 and reply.json()["detail"][0]["loc"] == ["body"], reply.text


def test_413_before_415(make_client):
    client = make_client(max_body_bytes=2048)
    reply = client.post("/api/v1/series", content=b"x" * 5000, headers={"Content-Type": "text/plain"})
    assert reply.status_code == 413


def test_415_carries_security_headers(client):
    reply = client.post("/api/v1/series", content=b"a=1", headers={"Content-Type": "text/plain"})
    assert reply.headers["x-content-type-options"] == "nosniff"


def test_outside_the_api_no_content_type_rule(client):
    # not under /api/: the rule does not apply (the route's own answer: no POST there)
    assert client.post("/", content=b"a=1", headers={"Content-Type": "text/plain"}).status_code == 405


def test_is_json_media_type():
    assert all(is_json_media_type(t.encode()) for t in JSON)
    assert not any(is_json_media_type(t.encode()) for t in NOT_JSON)
    assert not is_json_media_type(None) and not is_json_media_type(b"")


# --- HEAD wherever GET ---------------------------------------------------------------------


def asgi_request(app, method: str, path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    """Drive the ASGI app directly (the test client drops HEAD bodies itself): status, headers, body."""
    messages: list[dict] = []
    requested = False

    async def receive() -> dict:
        nonlocal requested
        if requested:  # a streaming reply waits for a disconnect: never comes, it is cancelled
            await asyncio.Event().wait()
        requested = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body


@pytest.fixture
def link_id(client) -> str:
    return client.post("/api/v1/links", json=EXP).json()["id"]


GET_PATHS = [
    "/",
    "/healthz",
    "/api/v1/healthz",
    "/s/{id}",
    "/api/v1/schedulers",
    "/api/v1/links/{id}",
    "/docs",
    "/redoc",
    "/docs/swagger-init.js",
    "/openapi.json",
    "/static/style.css",
    "/static/vendor/plotly.min.js",
]
VARYING = {b"x-request-id", b"date"}


@pytest.mark.parametrize("path", GET_PATHS)
def test_head_is_get_without_body(client, link_id, path):
    path = path.format(id=link_id)
    get_status, get_headers, get_body = asgi_request(client.app, "GET", path)
    status, headers, body = asgi_request(client.app, "HEAD", path)
    assert get_status == status == 200 and get_body
    assert body == b""
    assert headers[b"content-type"] == get_headers[b"content-type"]
    assert {k: v for k, v in headers.items() if k not in VARYING} == {
        k: v for k, v in get_headers.items() if k not in VARYING
    }
    reply = client.head(path)  # and through the test client
    assert reply.status_code == 200 and reply.content == b""


def test_head_on_unknown_link_is_404(client):
    assert client.head("/api/v1/links/AAAAAAAAAAAA").status_code == 404
    assert client.head("/s/AAAAAAAAAAAA").status_code == 404


def test_head_where_only_post_is_405(client):
    reply = client.head("/api/v1/series")
    assert reply.status_code == 405 and reply.content == b""


def test_head_variants_are_not_in_the_openapi(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert all("head" not in item for item in paths.values())


# --- If-None-Match after the caps ----------------------------------------------------------


OVER_CAPS = [  # (settings, path): the seed-like EXP is over these caps for this path
    ({"max_download_events": 10}, "/api/v1/series"),
    ({"max_download_events": 10}, "/api/v1/series?format=csv"),
    ({"max_events": 10}, "/api/v1/series?max_points=4"),
    ({"max_events": 10}, "/api/v1/figure"),
    ({"max_events": 10}, "/api/v1/figure?format=html"),
    ({"max_param_groups": 1}, "/api/v1/code"),
]


def two_groups() -> dict:
    return {**EXP, "param_groups": [{"name": "a", "lr": 0.1}, {"name": "b", "lr": 0.2}]}


@pytest.mark.parametrize(("caps", "path"), OVER_CAPS)
def test_if_none_match_star_over_the_caps_is_422(make_client, caps, path):
    client = make_client(**caps)
    for inm in ("*", 'W/"x", *'):
        reply = client.post(path, json=two_groups(), headers={"If-None-Match": inm})
        assert reply.status_code == 422, reply.text
        assert reply.json()["detail"][0]["type"].startswith("too_many")


@pytest.mark.parametrize("path", [p for _, p in OVER_CAPS])
def test_if_none_match_under_the_caps_is_304(client, path):
    reply = client.post(path, json=two_groups(), headers={"If-None-Match": "*"})
    assert reply.status_code == 304 and reply.content == b""
    tag = reply.headers["etag"]
    again = client.post(path, json=two_groups(), headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["etag"] == tag
    assert client.post(path, json=two_groups()).headers["etag"] == tag


def test_matching_etag_over_the_caps_is_422(make_client):
    tag = make_client().post("/api/v1/series", json=two_groups()).headers["etag"]
    reply = make_client(max_download_events=10).post(
        "/api/v1/series", json=two_groups(), headers={"If-None-Match": tag}
    )
    assert reply.status_code == 422


def test_query_over_the_caps_is_422_not_304(client):
    reply = client.post("/api/v1/series?max_points=100000", json=EXP, headers={"If-None-Match": "*"})
    assert reply.status_code == 422
