"""GET /api/v1/schedulers, /healthz, the pages and the security headers."""

from __future__ import annotations

from app.contract.metrics import EXAMPLE_METRICS
from app.contract.registry import REGISTRY


def test_catalogue_lists_every_registered_type(client):
    r = client.get("/api/v1/schedulers")
    assert r.status_code == 200
    body = r.json()
    types = {e["type"]: e for e in body["types"]}
    assert set(types) == set(REGISTRY)
    for name, e in types.items():
        assert e["title"] and e["description"] and e["kind"] in ("param", "composite", "torch", "state")
        assert e["json_schema"]["properties"]["type"]["const"] == name
        assert e["example"]["type"] == name
    assert types["CosineAnnealingScheduler"]["defaults"]["cycle_mult"] == 1.0
    assert types["CosineAnnealingScheduler"]["child_json_schema"] is not None
    assert "param_name" not in types["CosineAnnealingScheduler"]["child_json_schema"]["properties"]
    assert body["example"]["num_events"] == 1000
    assert "param_groups" in body["experiment_schema"]["properties"]


def test_catalogue_schemas_carry_bounds(client):
    types = {e["type"]: e for e in client.get("/api/v1/schedulers").json()["types"]}
    props = types["CosineAnnealingScheduler"]["json_schema"]["properties"]
    assert props["cycle_size"]["minimum"] == 2 and props["cycle_size"]["maximum"] > 0
    assert props["start_value"]["maximum"] == 1e12
    # the torch classes are discoverable through lr_scheduler's discriminated union
    lr_sched = types["LRScheduler"]["json_schema"]
    mapping = lr_sched["properties"]["lr_scheduler"]["discriminator"]["mapping"]
    assert {"StepLR", "OneCycleLR", "CosineAnnealingWarmRestarts", "CyclicLR"} <= set(mapping)
    assert "scale_fn" not in str(lr_sched)  # no callables over the wire


def test_every_example_is_a_valid_experiment(client):
    for e in REGISTRY.values():
        if e.kind == "torch":
            sched = {"type": "LRScheduler", "lr_scheduler": e.example}
        else:
            sched = e.example
        groups = [{"name": "g", "lr": 0.1}, {"name": "h", "lr": 0.01}]  # ParamGroupScheduler's has two
        exp = {"num_events": 50, "param_groups": groups, "schedulers": [sched]}
        if e.core.metric_reads is not None:  # a plateau scheduler reads the example's metric curve
            exp |= {"metrics": EXAMPLE_METRICS, "iterations_per_epoch": 5}
        r = client.post("/api/v1/series", json=exp)
        assert r.status_code == 200, (e.name, r.text)


def test_catalogue_etag_and_304(client):
    r = client.get("/api/v1/schedulers")
    tag = r.headers["etag"]
    r2 = client.get("/api/v1/schedulers", headers={"If-None-Match": tag})
    assert r2.status_code == 304 and r2.headers["etag"] == tag and r2.content == b""


def test_healthz_both_paths(client):
    for path in ("/healthz", "/api/v1/healthz"):
        r = client.get(path)
        assert r.status_code == 200 and r.json()["status"] == "ok"


def test_security_headers_and_no_cors_by_default(client):
    r = client.get("/api/v1/healthz", headers={"Origin": "https://evil.example"})
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "access-control-allow-origin" not in r.headers


def test_cors_when_configured(make_client):
    c = make_client(cors_origins=["https://ok.example"])
    r = c.get("/api/v1/healthz", headers={"Origin": "https://ok.example"})
    assert r.headers["access-control-allow-origin"] == "https://ok.example"


def test_dashboard_pages(client, tmp_path, make_client, seed):
    static = tmp_path / "static"
    static.mkdir()
    (static / "index.html").write_text("")  # a static_dir without index.html is refused at start
    c = make_client(static_dir=static)
    (static / "index.html").unlink()
    assert c.get("/").status_code == 404  # index.html gone: a JSON 404, never a 500
    (static / "index.html").write_text("<!doctype html><title>x</title>")
    (static / "app.js").write_text("export {};")
    r = c.get("/")
    assert r.status_code == 200 and r.text.startswith("<!doctype html>")
    assert r.headers["content-type"].startswith("text/html")
    link = c.post("/api/v1/links", json=seed).json()
    assert link["url"].endswith(f"/s/{link['id']}")
    assert c.get(f"/s/{link['id']}").text == r.text
    assert c.get("/s/AAAAAAAAAAAA").status_code == 404
    assert c.get("/s/<script>").status_code == 404
    js = c.get("/static/app.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert c.get("/static/missing.js").status_code == 404


def test_plotly_js_is_served_from_the_package(client):
    r = client.get("/static/vendor/plotly.min.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert "max-age" in r.headers["cache-control"] and r.headers.get("etag")
    assert len(r.content) > 1_000_000


def test_favicon_redirects_to_the_dashboard_icon(client):
    r = client.get("/favicon.ico", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == "/static/favicon.svg"


def test_wire_catalogue_and_core_table_cover_the_same_types(client):
    """Every core type is on the wire unless it needs Python code (no code goes over the wire;
    LambdaLR's and MultiplicativeLR's callables are expressions there)."""
    from scheduler_core.registry import TYPES

    wire = {e["type"] for e in client.get("/api/v1/schedulers").json()["types"]}
    expressible = {name for name, t in TYPES.items() if not t.code_args}
    assert wire == expressible
    assert {"LambdaLR", "MultiplicativeLR", "BatchSizeScheduler", "ParamGroupScheduler"} <= wire
    for name in wire:
        assert REGISTRY[name].kind == TYPES[name].kind  # read from the core record, not restated


def test_every_type_has_a_closed_form_or_says_why_not(client):
    types = {e["type"]: e for e in client.get("/api/v1/schedulers").json()["types"]}
    for name, e in types.items():
        assert e["closed_form"] != bool(e["stepping_only"]), name
    assert types["CosineAnnealingScheduler"]["closed_form"] is True
    assert types["CosineAnnealingLR"]["closed_form"] is False
    assert "recursive" in types["CosineAnnealingLR"]["stepping_only"]
    assert "no closed form for negative cycle sizes" in types["CosineAnnealingScheduler"]["declines"]


def test_the_dashboard_keeps_no_list_of_types():
    """The dashboard's type menus come from the catalogue: no type name is written in static/js."""
    import re
    from pathlib import Path

    from scheduler_core.registry import TYPES

    static = Path(__file__).resolve().parents[2] / "static" / "js"
    literals = set()
    for path in static.glob("*.js"):
        code = re.sub(r"/\*.*?\*/|//[^\n]*", "", path.read_text(), flags=re.S)  # comments aside
        literals |= set(re.findall(r"""['"`]([A-Za-z_]+)['"`]""", code))
    assert literals & set(TYPES) == set()
