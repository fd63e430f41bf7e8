"""POST /api/v1/figure: Plotly JSON (subplots / overlay, log y) and standalone HTML."""

from __future__ import annotations

from apitest_helpers import one_group


def test_subplots_side_by_side_with_shared_x(client, seed):
    r = client.post("/api/v1/figure", json=seed)
    assert r.status_code == 200, r.text
    fig = r.json()
    assert [t["type"] for t in fig["data"]] == ["scatter", "scatter"]
    assert fig["data"][0]["xaxis"] in (None, "x") and fig["data"][1]["xaxis"] == "x2"
    lay = fig["layout"]
    assert lay["xaxis2"]["matches"] == "x"  # shared event axis
    d1, d2 = lay["xaxis"]["domain"], lay["xaxis2"]["domain"]
    assert d1[1] < d2[0]  # side by side
    assert [a["text"] for a in lay["annotations"]] == ["base", "fc"]
    assert len(fig["data"][0]["x"]) == 1000
    assert r.headers["etag"]


def test_overlay_log_y_and_points(client, seed):
    seed["num_events"] = 50_000
    r = client.post("/api/v1/figure?layout=overlay&log_y=true&max_points=500", json=seed)
    fig = r.json()
    assert "xaxis2" not in fig["layout"]
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert [t["name"] for t in fig["data"]] == ["base · lr", "fc · lr"]
    assert all(len(t["x"]) <= 500 for t in fig["data"])
    assert fig["data"][0]["x"][-1] == 49_999


def test_group_names_are_escaped(client):
    exp = one_group(
        {"type": "CosineAnnealingScheduler", "start_value": 1.0, "end_value": 0.0, "cycle_size": 4},
        num_events=10,
    )
    exp["param_groups"][0]["name"] = "<img src=x onerror=alert(1)>"
    fig = client.post("/api/v1/figure?layout=overlay", json=exp).json()
    assert "<img" not in str(fig)
    assert fig["data"][0]["name"].startswith("&lt;img")


def test_html_is_standalone_and_sandboxed(client, seed):
    r = client.post("/api/v1/figure?format=html", json=seed)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert html.lstrip().lower().startswith("<html") or "<!doctype" in html[:100].lower()
    assert "<script src=" not in html and 'src="http' not in html  # plotly.js inlined
    assert len(html) > 1_000_000 and "Plotly.newPlot" in html
    csp = r.headers["content-security-policy"]
    assert csp.startswith("sandbox") and "frame-ancestors 'none'" in csp


def test_figure_errors(client, seed):
    seed["schedulers"][0]["cycle_size"] = 1
    r = client.post("/api/v1/figure", json=seed)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "schedulers", 0, "cycle_size"]
    r = client.post("/api/v1/figure?layout=grid", json=seed)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "layout"]
