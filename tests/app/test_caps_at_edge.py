"""Every cap at the cap (accepted) and one past it (refused, naming the field), per endpoint.

Caps are lowered through settings so each case stays cheap; what is tested is the comparison
(``>`` not ``>=``) and which endpoints apply it.
"""

from __future__ import annotations

import orjson
import pytest

COSINE = {"type": "CosineAnnealingScheduler", "param_name": "lr", "start_value": 1.0, "end_value": 0.0,
          "cycle_size": 10}  # fmt: skip


def experiment(events: int = 50, groups: int = 1, schedulers: int = 1) -> dict:
    return {
        "num_events": events,
        "param_groups": [{"name": f"g{i}", "lr": 0.1} for i in range(groups)],
        "schedulers": [COSINE] * schedulers,
    }


# (endpoint, query) pairs applying the experiment caps; /code checks shape caps only
COMPUTED = [("/api/v1/series", ""), ("/api/v1/series", "?format=csv"), ("/api/v1/figure", ""),
            ("/api/v1/links", "")]  # fmt: skip
ALL = [*COMPUTED, ("/api/v1/code", "")]


def post(client, path: str, query: str, body: dict):
    return client.post(path + query, json=body)


def assert_refused(reply, loc: list, kind: str) -> None:
    assert reply.status_code == 422, reply.text
    item = reply.json()["detail"][0]
    assert item["loc"] == loc and item["type"] == kind, item


@pytest.mark.parametrize("path, query", ALL)
def test_max_schedulers(make_client, path, query):
    client = make_client(max_schedulers=3)
    assert post(client, path, query, experiment(schedulers=3)).status_code in (200, 201)
    assert_refused(post(client, path, query, experiment(schedulers=4)), ["body", "schedulers"], "too_many")


@pytest.mark.parametrize("path, query", ALL)
def test_max_param_groups(make_client, path, query):
    client = make_client(max_param_groups=3)
    assert post(client, path, query, experiment(groups=3)).status_code in (200, 201)
    assert_refused(post(client, path, query, experiment(groups=4)), ["body", "param_groups"], "too_many")


@pytest.mark.parametrize("query", ["", "?format=csv"])
def test_max_download_events_for_full_series(make_client, query):
    client = make_client(max_download_events=300, max_events=10_000)
    assert post(client, "/api/v1/series", query, experiment(events=300)).status_code == 200
    reply = post(client, "/api/v1/series", query, experiment(events=301))
    assert_refused(reply, ["body", "num_events"], "too_many_events")
    # decimated series are held to max_events instead
    assert post(client, "/api/v1/series", "?max_points=100", experiment(events=301)).status_code == 200


@pytest.mark.parametrize(
    "path, query", [("/api/v1/series", "?max_points=50"), ("/api/v1/figure", ""), ("/api/v1/links", "")]
)
def test_max_events_for_decimated_outputs(make_client, path, query):
    client = make_client(max_events=400, max_download_events=100)
    assert post(client, path, query, experiment(events=400)).status_code in (200, 201)
    assert_refused(
        post(client, path, query, experiment(events=401)), ["body", "num_events"], "too_many_events"
    )


def test_code_has_no_event_cap(make_client):
    client = make_client(max_events=400, max_download_events=100)
    assert post(client, "/api/v1/code", "", experiment(events=401)).status_code == 200


@pytest.mark.parametrize("path, query", COMPUTED)
def test_max_values(make_client, path, query):
    client = make_client(max_values=600)  # 2 groups x 1 param: 300 events is the cap
    assert post(client, path, query, experiment(events=300, groups=2)).status_code in (200, 201)
    reply = post(client, path, query, experiment(events=301, groups=2))
    assert_refused(reply, ["body", "num_events"], "too_many_values")


@pytest.mark.parametrize("path", ["/api/v1/series", "/api/v1/figure"])
def test_max_points(make_client, path):
    client = make_client(max_points=64)
    assert post(client, path, "?max_points=64", experiment()).status_code == 200
    assert_refused(
        post(client, path, "?max_points=65", experiment()), ["query", "max_points"], "too_many_points"
    )


@pytest.mark.parametrize("path, query", COMPUTED)
def test_time_budget(make_client, path, query):
    # closed forms: events x (schedulers + series) / 20e6 s, so 20,000 events take 2 ms;
    # CSV formatting on its own: rows x (1 + series) / 4e6 s, so 20,000 rows take 10 ms
    budget = 0.01 if query == "?format=csv" else 0.002
    client = make_client(request_time_budget_s=budget, max_download_events=10**6)
    assert post(client, path, query, experiment(events=20_000)).status_code in (200, 201)
    reply = post(client, path, query, experiment(events=20_001))
    assert_refused(reply, ["body", "num_events"], "over_time_budget")


def test_max_variants(make_client):
    client = make_client(max_variants=3)
    view = {"variants": [{"name": n, "experiment": experiment()} for n in "ABC"]}
    assert client.post("/api/v1/links", json=view).status_code == 201
    view["variants"].append({"name": "D", "experiment": experiment()})
    reply = client.post("/api/v1/links", json=view)
    assert reply.status_code == 422 and reply.json()["detail"][0]["loc"][:2] == ["body", "variants"], (
        reply.text
    )


@pytest.mark.parametrize("path", ["/api/v1/series", "/api/v1/code", "/api/v1/links"])
def test_max_body_bytes(make_client, path):
    client = make_client(max_body_bytes=2048)
    body = orjson.dumps(experiment())
    at_cap = body + b" " * (2048 - len(body))
    headers = {"content-type": "application/json"}
    assert client.post(path, content=at_cap, headers=headers).status_code in (200, 201)
    reply = client.post(path, content=at_cap + b" ", headers=headers)
    assert reply.status_code == 413 and reply.json()["detail"][0]["type"] == "body_too_large"


@pytest.mark.parametrize(
    "field, at_cap, schema_cap",
    [
        ("milestones_values", lambda n: {"type": "PiecewiseLinear", "param_name": "lr",
                                         "milestones_values": [[i, 0.1] for i in range(n)]}, 1000),
        ("schedulers", lambda n: {"type": "ConcatScheduler", "param_name": "lr",
                                  "schedulers": [{k: v for k, v in COSINE.items() if k != "param_name"}] * n,
                                  "durations": [5] * (n - 1)}, 16),
    ],
)  # fmt: skip
def test_schema_list_lengths(client, field, at_cap, schema_cap):
    ok = {**experiment(), "schedulers": [at_cap(schema_cap)]}
    assert client.post("/api/v1/series", json=ok).status_code == 200
    over = {**experiment(), "schedulers": [at_cap(schema_cap + 1)]}
    reply = client.post("/api/v1/series", json=over)
    assert reply.status_code == 422
    assert any(field in item["loc"] for item in reply.json()["detail"]), reply.text
