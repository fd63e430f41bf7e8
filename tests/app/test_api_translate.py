"""POST /translate: transformers schedules in, ignite compositions and their comparison out."""

from __future__ import annotations

import numpy as np

from app.contract.compare import TRANSLATE_EXAMPLES
from scheduler_core.experiment import simulate
from scheduler_core.spec import Experiment, ParamGroupSpec, SchedulerSpec
from scheduler_core.translate import translate

URL = "/api/v1/translate"


def example(name: str) -> dict:
    return TRANSLATE_EXAMPLES[name]["value"]


def test_cosine_with_warmup_becomes_concat_of_warmup_and_cosine(client):
    reply = client.post(URL, json=example("cosine"))
    assert reply.status_code == 200, reply.text
    body = reply.json()
    (concat,) = body["experiment"]["schedulers"]
    assert concat["type"] == "ConcatScheduler" and concat["durations"] == [100]
    warm, cosine = concat["schedulers"]
    assert (warm["type"], warm["cycle_size"], warm["monotonic"]) == ("LinearCyclicalScheduler", 100, True)
    assert (cosine["type"], cosine["cycle_size"], cosine["end_value"]) == (
        "CosineAnnealingScheduler",
        900,
        0.0,
    )
    assert body["notes"] == [
        {"type": "transformers.get_cosine_schedule_with_warmup", "exact": True, "reason": ""}
    ]
    comparison = body["comparison"]
    assert comparison["within_tolerance"] is True and comparison["atol"] == 1e-15 * 0.01
    # the comparison's numbers are those of the two experiments' own series
    original = client.post("/api/v1/series", json=example("cosine")).json()["series"][0]["values"]
    ported = client.post("/api/v1/series", json=body["experiment"]).json()["series"][0]["values"]
    diff = np.array(ported) - np.array(original)
    assert comparison["pairs"][0]["abs_diff"]["values"] == diff.tolist()
    assert comparison["pairs"][0]["max_abs_diff"] == float(np.max(np.abs(diff))) <= 1e-15 * 0.01


def test_every_example_translates_and_matches_the_library(client):
    for name, item in TRANSLATE_EXAMPLES.items():
        reply = client.post(URL + "?max_points=100", json=item["value"])
        assert reply.status_code == 200, (name, reply.text)
        body = reply.json()
        exp = item["value"]
        core = Experiment(
            exp["num_events"],
            tuple(ParamGroupSpec(g["name"], {"lr": g["lr"]}) for g in exp["param_groups"]),
            tuple(
                SchedulerSpec(s["type"], {k: v for k, v in s.items() if k != "type"})
                for s in exp["schedulers"]
            ),
        )
        t = translate(core)
        assert [n["exact"] for n in body["notes"]] == [n["exact"] for n in t.notes], name
        assert [p["max_abs_diff"] for p in body["comparison"]["pairs"]] == [
            float(np.max(np.abs(a.values - b.values)))
            for a, b in zip(simulate(core), simulate(t.experiment), strict=True)
        ], name
        assert all(s["type"].startswith("transformers.") is False for s in body["experiment"]["schedulers"])


def test_no_exact_equivalent_is_said_with_the_distance(client):
    body = client.post(URL, json=example("inverse_sqrt")).json()
    (note,) = body["notes"]
    assert note["exact"] is False and note["reason"].startswith("no exact ignite equivalent")
    pair = body["comparison"]["pairs"][0]
    assert body["comparison"]["within_tolerance"] is False and pair["max_abs_diff"] > 0
    assert pair["first_difference"] is not None


def test_tolerances_from_the_query(client):
    body = client.post(URL + "?rtol=0&atol=0", json=example("cosine")).json()
    assert (body["comparison"]["rtol"], body["comparison"]["atol"]) == (0.0, 0.0)
    assert body["comparison"]["pairs"][0]["first_difference"] is not None  # rounding at some event


def test_errors_are_located_in_this_request(make_client):
    client = make_client(max_schedulers=1, max_events=500, max_download_events=500)
    reply = client.post(URL, json=example("cosine"))  # 1,000 events
    assert reply.status_code == 422 and reply.json()["detail"][0]["loc"] == ["body", "num_events"], reply.text
    two = {**example("linear_two_groups"), "num_events": 400}  # one ignite scheduler per group: 2
    reply = client.post(URL, json=two)
    item = reply.json()["detail"][0]
    assert reply.status_code == 422 and item["loc"] == ["body", "schedulers"], reply.text
    assert item["msg"].startswith("the translation: ")


def test_translation_keeps_to_the_wires_sizes(client):
    """17 half cosines need 18 ConcatScheduler children: over the wire's 16, so the API says so
    and sends the closest composition; the library with room for them translates exactly."""
    from app.service.translate import wire_limits
    from scheduler_core.translate import Limits, ignite_equivalent

    scheduler = {"type": "transformers.get_cosine_schedule_with_warmup", "param_name": "lr",
                 "num_warmup_steps": 10, "num_training_steps": 110, "num_cycles": 0.5}  # fmt: skip
    exp = {"num_events": 10 + 17 * 100, "param_groups": [{"name": "g", "lr": 0.1}], "schedulers": [scheduler]}
    body = client.post(URL, json=exp).json()
    assert wire_limits() == Limits(16, 1000)
    assert (
        body["notes"][0]["exact"] is False
        and "more than 16 ConcatScheduler children" in body["notes"][0]["reason"]
    )
    core = Experiment(exp["num_events"], (ParamGroupSpec("g", {"lr": 0.1}),),
                      (SchedulerSpec(scheduler["type"], {k: v for k, v in scheduler.items() if k != "type"}),))  # fmt: skip
    assert ignite_equivalent(core.schedulers[0], core, Limits(children=18)).exact
