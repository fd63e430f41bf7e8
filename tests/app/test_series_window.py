"""POST /series?start=&stop=: an event window of the same series, decimated the same way."""

from __future__ import annotations

import numpy as np
import pytest
from apitest_helpers import one_group

from scheduler_core.decimate import decimate_indices

COSINE = {"type": "CosineAnnealingScheduler", "start_value": 1.0, "end_value": 0.0, "cycle_size": 700}
EXP = one_group(COSINE, num_events=5000)


def full(client) -> np.ndarray:
    return np.array(client.post("/api/v1/series", json=EXP).json()["series"][0]["values"])


def test_a_window_within_max_points_holds_every_event_exactly(client):
    values = full(client)
    body = client.post("/api/v1/series?start=300&stop=700&max_points=400", json=EXP).json()
    (s,) = body["series"]
    assert (body["start"], body["stop"], body["num_events"]) == (300, 700, 5000)
    assert s["events"] == list(range(300, 700))
    assert [v.hex() for v in s["values"]] == [v.hex() for v in values[300:700]]


def test_a_larger_window_is_decimated_keeping_min_and_max(client):
    values = full(client)
    (s,) = client.post("/api/v1/series?start=123&stop=4567&max_points=100", json=EXP).json()["series"]
    expected = 123 + decimate_indices(values[123:4567], 100)
    assert s["events"] == expected.tolist() and len(s["events"]) <= 100
    assert s["values"] == values[expected].tolist()
    assert min(s["values"]) == values[123:4567].min() and max(s["values"]) == values[123:4567].max()
    assert s["events"][0] == 123 and s["events"][-1] == 4566


def test_one_bound_alone_and_csv(client):
    values = full(client)
    (s,) = client.post("/api/v1/series?start=4990", json=EXP).json()["series"]
    assert s["events"] == list(range(4990, 5000)) and s["values"] == values[4990:].tolist()
    text = client.post("/api/v1/series?stop=3&format=csv", json=EXP).text
    assert text.splitlines()[1:] == [f"{e},{float(values[e])!r}" for e in range(3)]


@pytest.mark.parametrize(
    ("query", "field"),
    [("start=10&stop=10", "start"), ("start=20&stop=10", "start"), ("stop=5001", "stop"), ("start=5000", "start"),
     ("start=-1", "start"), ("stop=x", "stop")],
)  # fmt: skip
def test_bad_windows_are_refused_at_the_field(client, query, field):
    r = client.post(f"/api/v1/series?{query}", json=EXP)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["query", field]


def test_the_window_is_in_the_etag_and_whole_series_tags_unchanged(client):
    whole = client.post("/api/v1/series?max_points=100", json=EXP).headers["etag"]
    a = client.post("/api/v1/series?max_points=100&start=0&stop=5000", json=EXP).headers["etag"]
    b = client.post("/api/v1/series?max_points=100&start=1&stop=5000", json=EXP).headers["etag"]
    assert len({whole, a, b}) == 3
    r = client.post("/api/v1/series?max_points=100&start=1&stop=5000", json=EXP, headers={"If-None-Match": b})
    assert r.status_code == 304
    r = client.post("/api/v1/series?start=9&stop=3", json=EXP, headers={"If-None-Match": "*"})
    assert r.status_code == 422


def test_summary_only_when_asked_for_json_and_csv(client):
    values = full(client)
    plain = client.post("/api/v1/series?max_points=100", json=EXP)
    assert "summary" not in plain.text and "area_rule" not in plain.text
    body = client.post("/api/v1/series?max_points=100&summary=true", json=EXP).json()
    (s,) = body["series"]
    assert body["area_rule"] == "sum"
    summary = s["summary"]
    assert summary["initial"] == values[0] and summary["final"] == values[-1]
    assert summary["min"] == values.min() and summary["max"] == values.max()
    assert summary["peak_event"] == 0 and summary["warmup_end"] is None
    assert summary["restarts"] == len(s["restarts"]) == 7  # cycles of 700 in 5000 events
    assert summary["mean"] == pytest.approx(values.mean(), rel=1e-14)
    assert summary["area"] == pytest.approx(values.sum(), rel=1e-14)
    r = client.post("/api/v1/series?format=csv&summary=true", json=EXP)
    assert 'filename="summary.csv"' in r.headers["content-disposition"]
    head, row = r.text.splitlines()
    assert head == "series,initial,final,min,max,peak_event,mean,area,restarts,warmup_end"
    assert row.split(",")[0] == "g/lr" and float(row.split(",")[7]) == summary["area"]
    assert row.endswith(",7,")
