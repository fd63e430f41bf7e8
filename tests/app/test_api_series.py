"""POST /api/v1/series: JSON, decimated JSON, CSV, ETags and the cache."""

from __future__ import annotations

import csv
import io
import math

import pytest
from apitest_helpers import one_group

COSINE = {
    "type": "CosineAnnealingScheduler",
    "param_name": "lr",
    "start_value": 1.0,
    "end_value": 0.0,
    "cycle_size": 10,
}


def cosine(e: int, start=1.0, end=0.0, size=10) -> float:
    p = (e % size) / size
    return start + ((end - start) / 2) * (1 - math.cos(math.pi * p))


def test_seed_series(client, seed):
    r = client.post("/api/v1/series", json=seed)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["num_events"] == 1000 and body["decimated"] is False
    s0, s1 = body["series"]
    assert (s0["param_group"], s0["group_name"], s0["param_name"]) == (0, "base", "lr")
    assert (s1["param_group"], s1["group_name"]) == (1, "fc")
    assert len(s0["values"]) == len(s1["values"]) == 1000 and s0["events"] is None
    assert s0["values"][0] == pytest.approx(1e-7) and s0["values"][50] == pytest.approx(1e-5)
    assert s1["values"][0] == pytest.approx(1e-5) and s1["values"][50] == pytest.approx(5.05e-4)


def test_values_match_the_formula(client):
    r = client.post("/api/v1/series", json=one_group(COSINE, num_events=35))
    values = r.json()["series"][0]["values"]
    assert values == pytest.approx([cosine(e) for e in range(35)], rel=1e-12)


def test_untargeted_group_keeps_its_initial_value(client):
    exp = {
        "num_events": 20,
        "param_groups": [{"name": "a", "lr": 0.5}, {"name": "b", "lr": 0.25}],
        "schedulers": [{**COSINE, "param_group_index": 0}],
    }
    a, b = client.post("/api/v1/series", json=exp).json()["series"]
    assert a["values"][:3] == pytest.approx([cosine(e) for e in range(3)])
    assert b["values"] == [0.25] * 20


def test_series_per_param_name_in_order_of_appearance(client):
    mom = {**COSINE, "param_name": "momentum", "start_value": 0.9, "end_value": 0.8}
    exp = one_group(COSINE, mom, num_events=5, momentum=0.95)
    names = [s["param_name"] for s in client.post("/api/v1/series", json=exp).json()["series"]]
    assert names == ["lr", "momentum"]


def test_decimated_series_have_events(client):
    exp = one_group(COSINE, num_events=100_000)
    r = client.post("/api/v1/series?max_points=200", json=exp)
    assert r.status_code == 200
    body = r.json()
    assert body["decimated"] is True
    s = body["series"][0]
    assert len(s["events"]) == len(s["values"]) <= 210
    assert s["events"][0] == 0 and s["events"][-1] == 99_999
    assert s["events"] == sorted(s["events"])
    assert max(s["values"]) == pytest.approx(1.0) and min(s["values"]) < 0.03
    for e, v in zip(s["events"], s["values"], strict=True):
        assert v == pytest.approx(cosine(e), abs=1e-12)


def test_ten_million_events_decimated_is_allowed_by_default(client):
    exp = one_group(COSINE, num_events=10_000_000)
    from app.contract.schemas import Experiment
    from app.service.limits import check_caps
    from app.settings import Settings

    for output in ("series", "csv", "figure", "link"):
        check_caps(Experiment.model_validate(exp), Settings(), output=output, max_points=1000)
    # and the full download cap is at least a million events
    assert Settings().max_download_events >= 1_000_000


def test_csv_by_query_and_by_accept(client, seed):
    a = client.post("/api/v1/series?format=csv", json=seed)
    b = client.post("/api/v1/series", json=seed, headers={"Accept": "text/csv"})
    for r in (a, b):
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
    assert a.text == b.text
    rows = list(csv.reader(io.StringIO(a.text)))
    assert rows[0] == ["event", "base/lr", "fc/lr"]
    assert len(rows) == 1001
    js = client.post("/api/v1/series", json=seed).json()["series"]
    assert [float(v) for v in rows[51][1:]] == [js[0]["values"][50], js[1]["values"][50]]
    assert rows[51][0] == "50"


def test_csv_decimated_and_formula_safe_header(client):
    exp = one_group(COSINE, num_events=10_000)
    exp["param_groups"][0]["name"] = "=HYPERLINK(1)"
    r = client.post("/api/v1/series?format=csv&max_points=100", json=exp)
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["event", "'=HYPERLINK(1)/lr"]
    assert 3 < len(rows) <= 110
    assert float(rows[-1][0]) == 9999


def test_json_wins_over_csv_when_listed_first(client, seed):
    r = client.post("/api/v1/series", json=seed, headers={"Accept": "application/json, text/csv"})
    assert r.headers["content-type"] == "application/json"


def test_etag_304_and_cache(client, seed):
    r = client.post("/api/v1/series", json=seed)
    tag = r.headers["etag"]
    assert client.post("/api/v1/series", json=seed, headers={"If-None-Match": tag}).status_code == 304
    # the same experiment written differently (defaults spelled out, keys reordered): same ETag
    spelled = {**seed, "schedulers": [{**seed["schedulers"][0], "cycle_mult": 1.0}, seed["schedulers"][1]]}
    assert client.post("/api/v1/series", json=spelled).headers["etag"] == tag
    cache = client.app.state.series_cache
    hits = cache.hits
    client.post("/api/v1/series?max_points=100", json=spelled)
    assert cache.hits == hits + 1
    # different query → different representation → different ETag
    assert client.post("/api/v1/series?format=csv", json=seed).headers["etag"] != tag


def test_restart_events_per_group(client):
    exp = {
        "num_events": 40,
        "param_groups": [{"name": "a", "lr": 0.5}, {"name": "b", "lr": 0.25}],
        "schedulers": [{**COSINE, "cycle_size": 4, "cycle_mult": 1.5, "param_group_index": 0}],
    }
    a, b = client.post("/api/v1/series", json=exp).json()["series"]
    assert a["restarts"] == [4, 10, 19, 32]  # sizes 4, 6, 9, 13: truncated growth
    assert b["restarts"] == []


def test_csv_refused_when_writing_it_would_exceed_the_time_budget(make_client):
    exp = one_group(COSINE, num_events=200_000)
    c = make_client(request_time_budget_s=0.05)  # computing fits; writing 200k CSV rows does not
    assert c.post("/api/v1/series", json=exp).status_code == 200
    r = c.post("/api/v1/series?format=csv", json=exp)
    assert r.status_code == 422
    (e,) = r.json()["detail"]
    assert e["type"] == "over_time_budget" and "CSV" in e["msg"]
    assert c.post("/api/v1/series?format=csv&max_points=100", json=exp).status_code == 200


def test_csv_values_round_trip_exactly(client):
    exp = one_group({**COSINE, "cycle_mult": 1.5, "start_value": 0.1, "end_value": 1e-7}, num_events=500)
    rows = list(csv.reader(io.StringIO(client.post("/api/v1/series?format=csv", json=exp).text)))
    values = client.post("/api/v1/series", json=exp).json()["series"][0]["values"]
    assert [int(r[0]) for r in rows[1:]] == list(range(500))
    assert [float(r[1]) for r in rows[1:]] == values
