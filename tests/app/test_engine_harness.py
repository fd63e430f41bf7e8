"""The exported ignite program, run in a real ignite Engine, records exactly ``/series``.

For every ignite and torch type of the catalogue (its example; torch types inside
``LRScheduler``, run as ignite runs them and stepped by torch itself), attached at each of
ignite's events, and for random experiments mixing events
and types (OneCycleLR / CyclicLR writing momentum included): ``POST /code?flavor=ignite`` is
executed as it is (real ``ignite.handlers`` classes attached to a real ``Engine``), and every
value it records must equal ``POST /series``'s with ``==``. The set of recorded (group, param)
pairs must equal the set of series. A 422 from ``/series`` must match a run of the exported
program that raises before the last iteration, or records a non-finite value.
"""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_series_vs_ignite import ALL, SETTINGS, budget, experiments

from app.contract.metrics import EXAMPLE_METRICS
from app.contract.registry import REGISTRY
from app.service.limits import UNSET_AT_FIRST_ITERATION
from scheduler_core.events import EVENTS
from scheduler_core.registry import TYPES

FAMILIES = ("ignite", "torch")
"""The core families whose types are exported as ignite code here (ignite's and torch's)."""


def run_exported(client, exp: dict) -> tuple[list[dict[str, list[float]]], BaseException | None]:
    """The exported program's ``history`` per param group, then (as one more "group") its
    ``state_history`` (series outside the optimizer, keyed ``"<holder>.<name>"``), and its error."""
    r = client.post("/api/v1/code?flavor=ignite", json=exp)
    assert r.status_code == 200, r.text
    code = r.json()["code"]
    assert "from ignite.engine import Engine, Events" in code and "scheduler_core" not in code
    namespace: dict = {"__name__": "exported"}
    error = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(compile(code, "<exported>", "exec"), namespace)  # noqa: S102 - the test's point
        except Exception as exc:  # noqa: BLE001 - compared with the API's answer
            error = exc
    history = list(namespace.get("history", []))
    if "state_history" in namespace:
        history.append(namespace["state_history"])
    return history, error


def _where(s: dict, count: int) -> tuple[int, str]:
    """A series' place in :func:`run_exported`'s history (state series: the last record)."""
    if s["param_group"] == -1:
        return count - 1, f"{s['group_name']}.{s['param_name']}"
    return s["param_group"], s["param_name"]


def check_engine_equals_series(client, exp: dict) -> str:
    """Compare; returns "200" or "422" (the API's answer)."""
    r = client.post("/api/v1/series", json=exp)
    assert r.status_code in (200, 422), r.text
    history, error = run_exported(client, exp)
    n = exp["num_events"]
    complete = bool(history) and all(len(v) == n for record in history for v in record.values())
    if r.status_code == 422:
        finite = complete and all(math.isfinite(x) for record in history for v in record.values() for x in v)
        assert not finite, f"/series refused {r.json()} but the Engine ran every iteration\n{exp}"
        return "422"
    # trailing *_COMPLETED calls after the last iteration may raise in the Engine: they change
    # no recorded value (scheduler_core.events), so only an incomplete history is a failure
    assert complete, f"/series answered but the Engine raised {error!r} before the end\n{exp}"
    series = r.json()["series"]
    recorded = {(g, name) for g, record in enumerate(history) for name in record}
    assert {_where(s, len(history)) for s in series} == recorded
    for s in series:
        g, name = _where(s, len(history))
        got, expected = s["values"], history[g][name]
        if got != expected:
            k = next(i for i, (a, e) in enumerate(zip(got, expected, strict=True)) if a != e)
            pytest.fail(
                f"{s['group_name']}/{s['param_name']} differs at iteration {k}: "
                f"/series {got[k]!r} Engine {expected[k]!r}\n{exp}"
            )
    return "200"


def catalogue_cases(client) -> list[tuple[str, dict]]:
    entries = client.get("/api/v1/schedulers").json()["types"]
    cases = []
    for e in entries:
        if TYPES[e["type"]].family not in FAMILIES:
            continue
        top = {"type": "LRScheduler", "lr_scheduler": e["example"]} if e["kind"] == "torch" else e["example"]
        groups = [{"name": "a", "lr": 0.1, "momentum": 0.9}, {"name": "b", "lr": 0.01, "momentum": 0.5}]
        name = top.get("param_name", "lr")
        for g in groups:
            g.setdefault(name, 0.3)
        # a torch type also stepped by torch itself: the export attaches stepped(scheduler)
        ways = (
            [("", top), (" stepped by torch", {**top, "stepping": "torch"})]
            if e["kind"] == "torch"
            else [("", top)]
        )
        for way, scheduler in ways:
            for attach in EVENTS:
                exp = {
                    "num_events": 700,  # past the examples' first milestones and restarts
                    "iterations_per_epoch": 7,
                    "param_groups": groups,
                    "schedulers": [{**scheduler, "event": attach}],
                }
                if TYPES[e["type"]].metric_reads is not None:  # a plateau type reads its example's curve
                    exp["metrics"] = EXAMPLE_METRICS
                cases.append((f"{e['type']}{way}@{attach}", exp))
    return cases


def test_every_ignite_and_torch_type_of_the_catalogue(client):
    cases = catalogue_cases(client)
    assert len(cases) >= 4 * 15  # 15 types before the issue, each at the 4 events
    stepped = {label.split("@")[0] for label, _ in cases if " stepped by torch" in label}
    assert stepped == {
        f"{n} stepped by torch" for n, t in TYPES.items() if t.kind == "torch" and n in REGISTRY
    }
    for label, exp in cases:
        (top,) = exp["schedulers"]
        if TYPES[top["type"]].holder == "engine.state" and top["event"] in UNSET_AT_FIRST_ITERATION:
            # engine.state.<name> is None during the first iteration there: refused, by name
            r = client.post("/api/v1/series", json=exp)
            assert r.status_code == 422, label
            assert r.json()["detail"][0]["loc"] == ["body", "schedulers", 0, "event"], label
            continue
        assert check_engine_equals_series(client, exp) == "200", label


def test_issue_examples(client):
    """The issue's cases: OneCycleLR / CyclicLR momentum, warm restarts, epoch StepLR + cosine."""
    groups = [{"name": "g", "lr": 0.1, "momentum": 0.9}]
    cases = [  # the torch scheduler, and the momentum range it should sweep (the issue's)
        ({"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 300}, (0.85, 0.95)),
        ({"type": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 40}, (0.8, 0.9)),
    ]
    for torch_scheduler, (low, high) in cases:
        top = {"type": "LRScheduler", "lr_scheduler": torch_scheduler}
        exp = {"num_events": 300, "param_groups": groups, "schedulers": [top]}
        assert check_engine_equals_series(client, exp) == "200"
        series = client.post("/api/v1/series", json=exp).json()["series"]
        assert [s["param_name"] for s in series] == ["lr", "momentum"]
        momentum = series[1]["values"]
        assert (min(momentum), max(momentum)) == (pytest.approx(low), pytest.approx(high))
    mixed = {
        "num_events": 250,
        "iterations_per_epoch": 25,
        "param_groups": groups,
        "schedulers": [
            {
                "type": "LRScheduler",
                "event": "EPOCH_COMPLETED",
                "lr_scheduler": {"type": "StepLR", "step_size": 3},
            },
            {
                "type": "CosineAnnealingScheduler",
                "param_name": "momentum",
                "start_value": 0.95,
                "end_value": 0.85,
                "cycle_size": 25,
            },
        ],
    }
    assert check_engine_equals_series(client, mixed) == "200"


@st.composite
def attached(draw) -> dict:
    exp = draw(experiments(ALL))
    for s in exp["schedulers"]:
        choice = draw(st.sampled_from((None, *EVENTS)))
        if choice is not None:
            s["event"] = choice
        if s["type"] == "LRScheduler" and draw(st.booleans()):
            s["stepping"] = draw(st.sampled_from(("ignite", "torch")))
    if any(s.get("event", "").startswith("EPOCH") for s in exp["schedulers"]) or draw(st.booleans()):
        exp["iterations_per_epoch"] = draw(st.integers(1, 40))
    return exp


@settings(SETTINGS, max_examples=budget(120))
@given(attached())
def test_random_attached_experiments(client, exp):
    event(check_engine_equals_series(client, exp))
    torch_types = {s["lr_scheduler"]["type"] for s in exp["schedulers"] if "lr_scheduler" in s}
    if any(s.get("stepping") == "torch" for s in exp["schedulers"]):
        event("a torch scheduler stepped by torch")
    if torch_types & {"OneCycleLR", "CyclicLR"}:
        event("momentum written by a torch scheduler")
    event("several events" if len({s.get("event") for s in exp["schedulers"]}) > 1 else "one event")


@st.composite
def plateau_experiments(draw) -> dict:
    """A plateau scheduler (ignite's or torch's) reading a pasted or generated metric curve at a
    random event, sometimes beside an ignite scheduler writing lr or momentum."""
    n = draw(st.integers(1, 120))
    ipe = draw(st.integers(1, 9))
    kind = draw(st.sampled_from(["ReduceLROnPlateauScheduler", "ReduceLROnPlateau"]))
    plateau = {
        "type": kind,
        "metric_name": "val.loss",
        "event": draw(st.sampled_from(EVENTS)),
        "mode": draw(st.sampled_from(["min", "max"])),
        "patience": draw(st.integers(0, 4)),
        "cooldown": draw(st.integers(0, 3)),
        "threshold_mode": draw(st.sampled_from(["rel", "abs"])),
        "factor": draw(st.sampled_from([0.1, 0.5, 0.9])),
        "min_lr": draw(st.sampled_from([0.0, 0.001])),
    }
    groups = [{"name": f"g{i}", "lr": 0.1 * (i + 1), "momentum": 0.9} for i in range(draw(st.integers(1, 3)))]
    if kind == "ReduceLROnPlateauScheduler" and draw(st.booleans()):
        plateau["param_group_index"] = draw(st.integers(0, len(groups) - 1))
    if draw(st.booleans()):
        curve = {"kind": "exp_plateau", "start": 1.0, "plateau": draw(st.sampled_from([0.2, 1.0])),
                 "rate": draw(st.sampled_from([0.05, 0.5])), "noise_std": draw(st.sampled_from([0.0, 0.01, 0.1])),
                 "seed": draw(st.integers(0, 2**32 - 1))}  # fmt: skip
    else:
        values = draw(st.lists(st.sampled_from([1.0, 0.9, 0.95, 1.1]), min_size=n + 1, max_size=n + 1))
        curve = {"kind": "values", "values": values}
    schedulers = [plateau]
    other = draw(st.sampled_from([None, "lr", "momentum"]))
    if other is not None:
        cosine = {"type": "CosineAnnealingScheduler", "param_name": other, "start_value": 0.5, "end_value": 0.05,
                  "cycle_size": 10}  # fmt: skip
        schedulers.insert(draw(st.integers(0, 1)), cosine)
    return {"num_events": n, "iterations_per_epoch": ipe, "param_groups": groups, "metrics": {"val.loss": curve},
            "schedulers": schedulers}  # fmt: skip


@settings(SETTINGS, max_examples=budget(80))
@given(plateau_experiments())
def test_random_plateau_experiments(client, exp):
    """/series of a metric-driven experiment equals the exported ignite program run in a real
    Engine (the program feeds engine.state.metrics before each read); /series carries the curve."""
    event(check_engine_equals_series(client, exp))
    body = client.post("/api/v1/series", json=exp).json()
    (metric,) = body["metrics"]
    assert metric["name"] == "val.loss" and len(metric["events"]) == len(metric["values"])
