"""POST /compare: every number checked against series computed independently (scheduler_core's
stepping, not the service's closed-form path), the bit-equal case, the first differing event,
and the caps of /series at their edge (each experiment, both together, the body size)."""

from __future__ import annotations

import math

import numpy as np
import orjson
import pytest

from app.contract.schemas import Experiment
from app.service.compare import differences
from app.service.convert import to_core
from scheduler_core.decimate import decimate_indices
from scheduler_core.experiment import simulate

URL = "/api/v1/compare"


def cosine_port(events: int, cycle: int, groups=("base",)) -> dict:
    """A 100-event warm-up to 0.01, then a cosine of ``cycle`` events, on ``groups``."""
    return {
        "num_events": events,
        "param_groups": [{"name": g, "lr": 0.01 * (i + 1), "momentum": 0.9} for i, g in enumerate(groups)],
        "schedulers": [
            {
                "type": "ConcatScheduler",
                "param_name": "lr",
                "schedulers": [
                    {
                        "type": "LinearCyclicalScheduler",
                        "start_value": 0.0,
                        "end_value": 0.01,
                        "cycle_size": 100,
                        "monotonic": True,
                    },  # fmt: skip
                    {
                        "type": "CosineAnnealingScheduler",
                        "start_value": 0.01,
                        "end_value": 0.0,
                        "cycle_size": cycle,
                    },  # fmt: skip
                ],
                "durations": [100],
            }
        ],
    }


def piecewise(points, events: int = 1000, param: str = "lr") -> dict:
    return {
        "num_events": events,
        "param_groups": [{"name": "g", "lr": 0.1, "momentum": 0.9}],
        "schedulers": [{"type": "PiecewiseLinear", "param_name": param, "milestones_values": points}],
    }


def stepped(exp: dict) -> dict[tuple[int, str], np.ndarray]:
    """The series of ``exp`` stepped event by event (the reference for the service's numbers)."""
    core = to_core(Experiment.model_validate(exp))
    return {(s.param_group, s.param_name): s.values for s in simulate(core, method="step")}


def expected(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> dict:
    """The reply's numbers for one pair, computed one event at a time in plain Python."""
    diffs = [float(y) - float(x) for x, y in zip(a.tolist(), b.tolist(), strict=True)]
    rels = [d / max(abs(x), abs(y)) if max(abs(x), abs(y)) > 0 else 0.0
            for d, x, y in zip(diffs, a.tolist(), b.tolist(), strict=True)]  # fmt: skip
    first = next(
        (i for i, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True))
         if not math.isclose(x, y, rel_tol=rtol, abs_tol=atol)),
        None,
    )  # fmt: skip
    sizes = [abs(d) for d in diffs]
    rel_sizes = [abs(r) for r in rels]
    return {
        "abs": diffs,
        "rel": rels,
        "bit_equal": all(x.hex() == y.hex() for x, y in zip(a.tolist(), b.tolist(), strict=True)),
        "max_abs_diff": max(sizes),
        "max_abs_diff_event": sizes.index(max(sizes)),
        "max_rel_diff": max(rel_sizes),
        "max_rel_diff_event": rel_sizes.index(max(rel_sizes)),
        "first_difference": first,
    }


def post(client, body: dict, query: str = ""):
    reply = client.post(URL + query, json=body)
    assert reply.status_code == 200, reply.text
    return reply.json()


@pytest.mark.parametrize(
    "a, b, rtol, atol",
    [
        (cosine_port(1000, 900), cosine_port(1000, 901), 1e-12, 0.0),
        (cosine_port(700, 600, ("x", "y")), cosine_port(700, 600, ("x", "y")), 0.0, 0.0),
        (
            piecewise([[0, 0.0], [300, 0.1]]),
            {
                **piecewise([[0, 0.0], [300, 0.1]]),
                "schedulers": [
                    {
                        "type": "LinearCyclicalScheduler",
                        "param_name": "lr",
                        "start_value": 0.0,
                        "end_value": 0.1,
                        "cycle_size": 300,
                        "monotonic": True,
                    }
                ],
            },
            1e-16,
            0.0,
        ),  # fmt: skip
        (piecewise([[0, 1.0], [400, 0.0]]), piecewise([[0, 1.0], [500, -0.5]]), 0.01, 1e-3),
    ],
    ids=["off_by_one", "bit_equal_two_groups", "rounding", "tolerances"],
)
def test_numbers_and_full_curves_equal_an_independent_computation(client, a, b, rtol, atol):
    reply = post(client, {"a": a, "b": b, "rtol": rtol, "atol": atol})
    ref_a, ref_b = stepped(a), stepped(b)
    assert [(p["param_group"], p["param_name"]) for p in reply["pairs"]] == list(ref_a)
    assert reply["decimated"] is False and reply["compared_events"] == a["num_events"]
    for pair in reply["pairs"]:
        want = expected(ref_a[pair["param_group"], "lr"], ref_b[pair["param_group"], "lr"], rtol, atol)
        assert pair["abs_diff"]["events"] is None and pair["rel_diff"]["events"] is None
        assert [v.hex() for v in pair["abs_diff"]["values"]] == [v.hex() for v in want["abs"]]
        assert [v.hex() for v in pair["rel_diff"]["values"]] == [v.hex() for v in want["rel"]]
        for key in ("bit_equal", "max_abs_diff", "max_abs_diff_event", "max_rel_diff",
                    "max_rel_diff_event", "first_difference"):  # fmt: skip
            assert pair[key] == want[key], key
    assert reply["within_tolerance"] == all(p["first_difference"] is None for p in reply["pairs"])


def test_bit_equal_case(client):
    exp = cosine_port(1000, 900, ("x", "y"))
    reply = post(client, {"a": exp, "b": exp, "rtol": 0.0})
    assert reply["within_tolerance"] is True and reply["only_in_a"] == reply["only_in_b"] == []
    for pair in reply["pairs"]:
        assert pair["bit_equal"] is True and pair["first_difference"] is None
        assert pair["max_abs_diff"] == pair["max_rel_diff"] == 0.0
        assert set(pair["abs_diff"]["values"]) == {0.0}


def test_equal_values_with_other_bits_are_not_bit_equal():
    """-0.0 and 0.0 differ by nothing, but not bit for bit (no schedule here writes -0.0)."""
    d = differences(np.array([1.0, 0.0]), np.array([1.0, -0.0]), 0.0, 0.0)
    assert d["bit_equal"] is False and d["max_abs_diff"] == 0.0 and d["first_difference"] is None


def test_first_differing_event_is_exact(client):
    a = piecewise([[0, 1.0], [500, 1.0], [501, 0.0]])
    b = piecewise([[0, 1.0], [600, 1.0], [601, 0.0]])
    assert post(client, {"a": a, "b": b, "rtol": 0.0})["pairs"][0]["first_difference"] == 501
    assert post(client, {"a": a, "b": b, "atol": 1.0})["pairs"][0]["first_difference"] is None
    # a difference of one unit in the last place at one event only
    c = piecewise([[0, 0.3], [700, 0.3], [701, math.nextafter(0.3, 1)], [702, 0.3]])
    pair = post(client, {"a": piecewise([[0, 0.3]]), "b": c, "rtol": 0.0})["pairs"][0]
    assert pair["first_difference"] == 701 == pair["max_abs_diff_event"]
    assert pair["max_abs_diff"] == math.ulp(0.3)
    assert post(client, {"a": piecewise([[0, 0.3]]), "b": c})["pairs"][0]["first_difference"] is None


def test_decimated_curves_are_the_series_decimation_of_the_difference(client):
    a, b = cosine_port(5000, 4900), cosine_port(5000, 4700)
    reply = post(client, {"a": a, "b": b}, "?max_points=100")
    ref_a, ref_b = stepped(a)[0, "lr"], stepped(b)[0, "lr"]
    full = post(client, {"a": a, "b": b})["pairs"][0]
    pair = reply["pairs"][0]
    assert reply["decimated"] is True
    for name in ("abs_diff", "rel_diff"):
        values = np.array(full[name]["values"])
        events = decimate_indices(values, 100)
        assert pair[name]["events"] == events.tolist() and pair[name]["values"] == values[events].tolist()
        assert len(events) <= 100
    assert np.array_equal(np.array(full["abs_diff"]["values"]), ref_b - ref_a)
    # the extremes survive decimation
    assert max(map(abs, pair["abs_diff"]["values"])) == pair["max_abs_diff"]


def test_series_only_in_one_experiment_and_other_horizons(client):
    a = cosine_port(1000, 900, ("x", "y"))
    b = {**cosine_port(800, 900, ("x",)), "schedulers": [
        *cosine_port(800, 900)["schedulers"],
        {"type": "PiecewiseLinear", "param_name": "momentum", "milestones_values": [[0, 0.9], [800, 0.8]]},
    ]}  # fmt: skip
    reply = post(client, {"a": a, "b": b})
    assert [(p["param_group"], p["param_name"]) for p in reply["pairs"]] == [(0, "lr")]
    assert reply["only_in_a"] == [{"param_group": 1, "group_name": "y", "param_name": "lr"}]
    assert reply["only_in_b"] == [{"param_group": 0, "group_name": "x", "param_name": "momentum"}]
    assert (reply["num_events_a"], reply["num_events_b"], reply["compared_events"]) == (1000, 800, 800)
    assert reply["pairs"][0]["bit_equal"] is True and reply["within_tolerance"] is False


def test_uses_the_one_series_cache(client):
    a, b = cosine_port(1000, 900), cosine_port(1000, 901)
    post(client, {"a": a, "b": b})
    cache = client.app.state.series_cache
    hits = cache.hits
    assert client.post("/api/v1/series", json=b).status_code == 200
    assert cache.hits == hits + 1


# ---------------------------------------------------------------- caps and errors, at the edge
def small(events: int = 50, groups: int = 1) -> dict:
    return {
        "num_events": events,
        "param_groups": [{"name": f"g{i}", "lr": 0.1} for i in range(groups)],
        "schedulers": [{"type": "CosineAnnealingScheduler", "param_name": "lr", "start_value": 1.0,
                        "end_value": 0.0, "cycle_size": 10}],
    }  # fmt: skip


def refused(client, body: dict, loc: list, kind: str, query: str = "") -> None:
    reply = client.post(URL + query, json=body)
    assert reply.status_code == 422, reply.text
    item = reply.json()["detail"][0]
    assert (item["loc"], item["type"]) == (loc, kind), item


@pytest.mark.parametrize("side", ["a", "b"])
def test_event_caps_per_experiment(make_client, side):
    client = make_client(max_download_events=300, max_events=400)
    other = "b" if side == "a" else "a"
    assert post(client, {side: small(300), other: small()})
    refused(client, {side: small(301), other: small()}, ["body", side, "num_events"], "too_many_events")
    assert post(client, {side: small(400), other: small()}, "?max_points=50")
    refused(client, {side: small(401), other: small()}, ["body", side, "num_events"], "too_many_events",
            "?max_points=50")  # fmt: skip


def test_max_points(make_client):
    client = make_client(max_points=64)
    assert post(client, {"a": small(), "b": small()}, "?max_points=64")
    refused(
        client, {"a": small(), "b": small()}, ["query", "max_points"], "too_many_points", "?max_points=65"
    )


def test_max_values_of_both_together(make_client):
    client = make_client(max_values=600)
    assert post(client, {"a": small(300), "b": small(300)})
    refused(client, {"a": small(301), "b": small(300)}, ["body", "b", "num_events"], "too_many_values")
    refused(client, {"a": small(601), "b": small()}, ["body", "a", "num_events"], "too_many_values")


def test_time_budget_of_both_together(make_client):
    # closed forms: events x (schedulers + series) / 20e6 s: 2 x 10,000 events take 2 ms
    client = make_client(request_time_budget_s=0.002, max_download_events=10**6)
    assert post(client, {"a": small(10_000), "b": small(10_000)})
    refused(client, {"a": small(10_000), "b": small(10_001)}, ["body", "b", "num_events"], "over_time_budget")


def test_shape_caps_name_the_side(make_client):
    client = make_client(max_param_groups=2, max_schedulers=1)
    refused(client, {"a": small(), "b": small(groups=3)}, ["body", "b", "param_groups"], "too_many")
    two = {**small(), "schedulers": small()["schedulers"] * 2}
    refused(client, {"a": two, "b": small()}, ["body", "a", "schedulers"], "too_many")


def test_scheduler_errors_name_the_side(client):
    bad = {**small(), "schedulers": [{"type": "LinearCyclicalScheduler", "param_name": "lr", "start_value": 1.0,
                                      "end_value": 0.0, "cycle_size": 10, "warmup_duration": 3}]}  # fmt: skip
    reply = client.post(URL, json={"a": small(), "b": bad})
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"][:3] == ["body", "b", "schedulers"], reply.text


@pytest.mark.parametrize(
    "body, loc",
    [
        ({"a": small()}, ["body", "b"]),
        ({"a": small(), "b": small(), "rtol": -1.0}, ["body", "rtol"]),
        ({"a": small(), "b": small(), "atol": "0"}, ["body", "atol"]),
        ({"a": small(), "b": small(), "c": 1}, ["body", "c"]),
    ],
)
def test_bad_bodies_name_the_field(client, body, loc):
    reply = client.post(URL, json=body)
    assert reply.status_code == 422 and reply.json()["detail"][0]["loc"] == loc, reply.text


def test_max_body_bytes(make_client):
    client = make_client(max_body_bytes=2048)
    body = orjson.dumps({"a": small(), "b": small()})
    at_cap = body + b" " * (2048 - len(body))
    headers = {"content-type": "application/json"}
    assert client.post(URL, content=at_cap, headers=headers).status_code == 200
    reply = client.post(URL, content=at_cap + b" ", headers=headers)
    assert reply.status_code == 413 and reply.json()["detail"][0]["type"] == "body_too_large"


def test_openapi_documents_compare_with_examples(client):
    op = client.get("/openapi.json").json()["paths"]["/api/v1/compare"]["post"]
    examples = op["requestBody"]["content"]["application/json"]["examples"]
    assert len(examples) >= 5
    for example in examples.values():  # every example is a valid request the server answers
        assert client.post(URL, json=example["value"]).status_code == 200


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 18])
def test_differences_are_the_same_whatever_the_chunk(monkeypatch, chunk):
    """Chunked work: maxima, their first events and the first difference across chunk edges."""
    from app.service import compare as service

    rng = np.random.default_rng(chunk)
    a = rng.choice([0.0, 1e-3, 0.5, 2.0], 200)
    b = a.copy()
    b[[37, 120, 121]] += [1e-15, 0.25, -0.25]  # the first difference, then a tie for the largest
    b[150] = 0.0 if a[150] else 1e-300
    monkeypatch.setattr(service, "CHUNK", chunk)
    got = differences(a, b, 1e-12, 0.0)
    want = expected(a, b, 1e-12, 0.0)
    assert got["abs"].tolist() == want["abs"] and got["rel"].tolist() == want["rel"]
    assert {k: got[k] for k in want if k not in ("abs", "rel")} == {
        k: v for k, v in want.items() if k not in ("abs", "rel")
    }
