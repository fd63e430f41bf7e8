"""/figure and /code outputs checked by value against /series.

* ``/figure`` (JSON; ``layout=subplots`` and ``overlay``; default and explicit ``max_points``): every
  trace is identified by what the figure itself says (``legendgroup`` ``"g<index>"`` for the param
  group, the trace ``name`` for the param, the subplot axis for the group's column) and its ``y``
  must equal, with ``==``, the ``/series`` values of that (group, param) at the trace's ``x``
  events. The experiments give each group a different schedule, so a trace carrying another
  group's (or param's) series fails.
* ``/code``: both flavours are executed (fresh namespace; a torch SGD; the ignite flavour runs an
  ignite ``Engine``) and the recorded ``history[g][param]`` must equal ``/series`` bit for bit.
  Fixed experiments cover what ``test_api_code.py`` does not (two groups with different schedules
  and momentum, every torch type, chained torch schedulers, warm-up helper variants); a hypothesis
  test draws experiments from the wire registry's per-type examples (the catalogue's types),
  rescaled in time and perturbed in value. Where ``/series`` answers 422, the generated programs
  must fail too (raise, or produce non-finite values).
"""

from __future__ import annotations

import html
import math
import os
import re
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import app.contract.schemas  # noqa: F401 - registers the wire models
from app.contract.metrics import EXAMPLE_METRICS
from app.contract.registry import REGISTRY

SETTINGS = settings(
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Soak runs: SCHEDULER_CORE_EXAMPLES_SCALE=10 multiplies every example budget (as in tests/scheduler_core).
SCALE = float(os.environ.get("SCHEDULER_CORE_EXAMPLES_SCALE", "1"))
FIGURE_POINTS = 2_000  # Settings.figure_points, the default points per trace


def groups(*specs: tuple[str, float, float]) -> list[dict]:
    return [{"name": name, "lr": lr, "momentum": m} for name, lr, m in specs]


def series_of(client, exp: dict) -> dict[tuple[int, str], dict]:
    r = client.post("/api/v1/series", json=exp)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["decimated"] is False
    out = {(s["param_group"], s["param_name"]): s for s in body["series"]}
    assert len(out) == len(body["series"]), "a (group, param) pair appears twice in /series"
    return out


# ------------------------------------------------------------------------------------------------
# /figure
# ------------------------------------------------------------------------------------------------
COS = {"type": "CosineAnnealingScheduler", "start_value": 0.1, "end_value": 0.0}
LIN = {"type": "LinearCyclicalScheduler", "start_value": 0.0, "end_value": 0.05}

FIGURE_EXPERIMENTS: dict[str, dict] = {
    "two groups, different cyclical schedules, momentum on one": {
        "num_events": 5_000,  # more than the default 2,000 points: decimated by default
        "param_groups": groups(("base", 0.001, 0.9), ("fc", 0.01, 0.8)),
        "schedulers": [
            {**LIN, "param_group_index": 0, "cycle_size": 300, "cycle_mult": 1.5},
            {**COS, "param_group_index": 1, "cycle_size": 170, "warmup_duration": 40},
            {
                "type": "PiecewiseLinear",
                "param_name": "momentum",
                "param_group_index": 1,
                "milestones_values": [[0, 0.95], [1_000, 0.85], [1_000, 0.9], [4_000, 0.5]],
            },
        ],
    },
    "three groups: concat, torch on all then overridden on one, untouched momentum": {
        "num_events": 900,
        "param_groups": groups(("a", 0.1, 0.9), ("b", 0.2, 0.5), ("c", 0.3, 0.0)),
        "schedulers": [
            {"type": "LRScheduler", "lr_scheduler": {"type": "StepLR", "step_size": 50, "gamma": 0.7}},
            {
                "type": "ConcatScheduler",
                "param_group_index": 2,
                "schedulers": [{**LIN, "cycle_size": 40, "monotonic": True}, {**COS, "cycle_size": 90}],
                "durations": [20],
            },
            {**COS, "param_name": "momentum", "param_group_index": 0, "cycle_size": 33},
        ],
    },
    "duplicate group names: only the index tells the groups apart": {
        "num_events": 3_000,
        "param_groups": groups(("same", 0.1, 0.9), ("same", 0.01, 0.9)),
        "schedulers": [
            {**COS, "param_group_index": 0, "cycle_size": 100},
            {**LIN, "param_group_index": 1, "cycle_size": 250},
        ],
    },
    "warm-up helper on every group (per-group warm-up ends)": {
        "num_events": 2_500,
        "param_groups": groups(("x", 0.05, 0.9), ("y", 0.5, 0.9)),
        "schedulers": [
            {
                "type": "create_lr_scheduler_with_warmup",
                "lr_scheduler": {"type": "CosineAnnealingWarmRestarts", "T_0": 100, "T_mult": 2},
                "warmup_start_value": 0.0,
                "warmup_duration": 60,
            }
        ],
    },
}


def trace_identity(trace: dict, layout: str, exp: dict) -> tuple[int, str]:
    """(param group, param name) of a trace, read from the figure only."""
    m = re.fullmatch(r"g(\d+)", trace["legendgroup"])
    assert m, trace["legendgroup"]
    g = int(m.group(1))
    assert 0 <= g < len(exp["param_groups"])
    group_name = html.escape(exp["param_groups"][g]["name"], quote=True)
    name = trace["name"]
    if layout == "overlay" or len(exp["param_groups"]) == 1:
        prefix = f"{group_name} · "
        assert name.startswith(prefix), (name, prefix)
        name = name[len(prefix) :]
    return g, name


def subplot_column_titles(fig: dict) -> dict[str, str]:
    """x axis id ("x", "x2", ...) → the group name written above that column."""
    lay = fig["layout"]
    titles = {}
    for key, axis in lay.items():
        if not re.fullmatch(r"xaxis\d*", key):
            continue
        lo, hi = axis["domain"]
        above = [a["text"] for a in lay.get("annotations", []) if lo <= a["x"] <= hi]
        assert len(above) == 1, (key, above)
        titles["x" + key[len("xaxis") :]] = above[0]
    return titles


def check_figure(client, exp: dict, layout: str, max_points: int | None) -> None:
    series = series_of(client, exp)
    query = f"layout={layout}" + ("" if max_points is None else f"&max_points={max_points}")
    r = client.post(f"/api/v1/figure?{query}", json=exp)
    assert r.status_code == 200, r.text
    fig = r.json()
    n = exp["num_events"]
    points = FIGURE_POINTS if max_points is None else max_points
    multi = layout == "subplots" and len(exp["param_groups"]) > 1
    columns = subplot_column_titles(fig) if multi else {}
    seen = []
    for trace in fig["data"]:
        g, param = trace_identity(trace, layout, exp)
        seen.append((g, param))
        assert (g, param) in series, (g, param, sorted(series))
        values = series[(g, param)]["values"]
        x, y = trace["x"], trace["y"]
        assert all(type(e) is int for e in x)
        assert len(x) == len(y) and 0 < len(x) <= max(points, 2)
        assert x == sorted(set(x)) and x[0] == 0 and x[-1] == n - 1
        if n <= points:
            assert x == list(range(n))
        expected = [values[e] for e in x]
        if y != expected:
            k = next(i for i, (a, b) in enumerate(zip(y, expected, strict=True)) if a != b)
            pytest.fail(
                f"trace {trace['name']!r} (legendgroup {trace['legendgroup']}) at event {x[k]}: "
                f"figure {y[k]!r}, /series of group {g} {param!r} {expected[k]!r}"
            )
        if multi:  # drawn in its group's column
            column = columns[trace.get("xaxis") or "x"]
            assert column == html.escape(exp["param_groups"][g]["name"], quote=True)
    assert sorted(seen) == sorted(series), "traces and /series do not cover the same pairs"


@pytest.mark.parametrize("max_points", [None, 4, 37, 1_000])
@pytest.mark.parametrize("layout", ["subplots", "overlay"])
@pytest.mark.parametrize("name", list(FIGURE_EXPERIMENTS))
def test_figure_traces_equal_series(client, name, layout, max_points):
    exp = FIGURE_EXPERIMENTS[name]
    series = series_of(client, exp)
    lrs = [tuple(series[(g, "lr")]["values"]) for g in range(len(exp["param_groups"]))]
    assert len(set(lrs)) == len(lrs), "the groups' lr series should differ (else the test is blind)"
    check_figure(client, exp, layout, max_points)


@st.composite
def group_specific(draw, g: int) -> dict:
    """A schedule of group ``g`` only (a different type or arguments per group)."""
    param = draw(st.sampled_from(["lr", "lr", "momentum"]))
    start, end = draw(st.floats(0.0, 1.0)), draw(st.floats(0.0, 1.0))
    kind = draw(st.sampled_from(["cos", "lin", "piecewise", "concat"]))
    base = {"param_name": param, "param_group_index": g}
    if kind == "piecewise":
        e = sorted(draw(st.lists(st.integers(0, 3_000), min_size=2, max_size=4)))
        vals = draw(st.lists(st.floats(0.0, 1.0), min_size=len(e), max_size=len(e)))
        return {"type": "PiecewiseLinear", **base, "milestones_values": [list(p) for p in zip(e, vals)]}
    cyc = {
        "type": "CosineAnnealingScheduler" if kind != "lin" else "LinearCyclicalScheduler",
        "start_value": start,
        "end_value": end,
        "cycle_size": draw(st.integers(2, 400)),
        "cycle_mult": draw(st.sampled_from([1.0, 1.0, 1.5, 2.0])),
    }
    if kind != "concat":
        return {**cyc, **base}
    other = {**cyc, "type": "LinearCyclicalScheduler", "monotonic": True, "warmup_duration": 0}
    return {
        "type": "ConcatScheduler",
        **base,
        "schedulers": [other, cyc],
        "durations": [draw(st.integers(1, 500))],
    }


@st.composite
def figure_cases(draw) -> tuple[dict, str, int | None]:
    n_groups = draw(st.sampled_from([1, 2, 2, 3, 4]))
    names = draw(st.sampled_from(["distinct", "same", "html"]))
    name_of = {"distinct": "group {}", "same": "g", "html": "<b>{}</b> & co"}[names]
    exp = {
        "num_events": draw(st.integers(1, 6_000)),
        "param_groups": [
            {"name": name_of.format(i), "lr": 0.1 * (i + 1), "momentum": 0.9 - 0.1 * i}
            for i in range(n_groups)
        ],
        "schedulers": [draw(group_specific(g)) for g in range(n_groups)],
    }
    layout = draw(st.sampled_from(["subplots", "overlay"]))
    max_points = draw(st.one_of(st.none(), st.integers(4, 3_000)))
    event(f"layout {layout}, group names {names}")
    return exp, layout, max_points


@settings(SETTINGS, max_examples=max(1, int(25 * SCALE)))
@given(figure_cases())
def test_random_group_specific_figures_equal_series(client, case):
    exp, layout, max_points = case
    r = client.post("/api/v1/series", json=exp)
    assume(r.status_code == 200)  # e.g. a growing cycle overflowing is not the point here
    check_figure(client, exp, layout, max_points)


# ------------------------------------------------------------------------------------------------
# /code
# ------------------------------------------------------------------------------------------------
def run_code(code: str) -> list[dict[str, list[float]]]:
    """Execute a generated program in a fresh namespace; its ``history``."""
    namespace: dict[str, Any] = {"__name__": "generated"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, "<generated>", "exec"), namespace)  # noqa: S102 - the test's point
    return namespace["history"]


def generated(client, exp: dict, flavor: str) -> str:
    r = client.post(f"/api/v1/code?flavor={flavor}", json=exp)
    assert r.status_code == 200, r.text
    code = r.json()["code"]
    if flavor == "ignite":
        assert "Engine" in code and "scheduler_core" not in code
    else:
        assert "ignite" not in code
    return code


def check_code(client, exp: dict, flavor: str) -> None:
    series = series_of(client, exp)
    history = run_code(generated(client, exp, flavor))
    assert len(history) == len(exp["param_groups"])
    recorded = {(g, name) for g, h in enumerate(history) for name in h}
    assert recorded == set(series)
    for (g, name), s in series.items():
        got = history[g][name]
        assert len(got) == len(s["values"]), f"{flavor} program recorded {len(got)} events"
        if got != s["values"]:
            k = next(i for i, (a, b) in enumerate(zip(got, s["values"], strict=True)) if a != b)
            pytest.fail(
                f"{flavor} program: group {g} {name!r} at event {k}: "
                f"program {got[k]!r}, /series {s['values'][k]!r}"
            )


TORCH_EXAMPLES = {
    "StepLR": {"step_size": 7, "gamma": 0.5},
    "MultiStepLR": {"milestones": [30, 5, 5, 12], "gamma": 0.3},  # unsorted, repeated
    "ExponentialLR": {"gamma": 0.97},
    "ConstantLR": {"factor": 0.25, "total_iters": 9},
    "LinearLR": {"start_factor": 0.1, "end_factor": 0.9, "total_iters": 17},
    "PolynomialLR": {"total_iters": 30, "power": 2.5},
    "CosineAnnealingLR": {"T_max": 15, "eta_min": 0.001},
    "CosineAnnealingWarmRestarts": {"T_0": 5, "T_mult": 2, "eta_min": 0.001},
    "OneCycleLR": {"max_lr": 0.4, "epochs": 5, "steps_per_epoch": 20, "three_phase": True},
    "CyclicLR": {
        "base_lr": 0.01,
        "max_lr": 0.2,
        "step_size_up": 6,
        "step_size_down": 4,
        "mode": "triangular2",
    },
    "LambdaLR": {"lr_lambda": "0.9 ** (epoch // 5) * min(1, (epoch + 1) / 10)"},
    "MultiplicativeLR": {"lr_lambda": "0.95 if epoch % 4 else 1.1"},
    "SequentialLR": {  # torch steps it (its only mode)
        "schedulers": [
            {"type": "LinearLR", "start_factor": 0.2, "total_iters": 8},
            {"type": "CosineAnnealingWarmRestarts", "T_0": 7, "T_mult": 2},
            {"type": "MultiStepLR", "milestones": [3, 9], "gamma": 0.5},
        ],
        "milestones": [8, 40],
    },
    "ChainedScheduler": {
        "schedulers": [
            {"type": "ConstantLR", "factor": 0.5, "total_iters": 6},
            {"type": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5},
        ]
    },
}
assert set(TORCH_EXAMPLES) == {n for n, e in REGISTRY.items() if e.kind == "torch"}, (
    "a torch type is untested"
)

TWO = groups(("base", 0.1, 0.9), ("head", 0.02, 0.8))

CODE_EXPERIMENTS: dict[str, dict] = {
    "two groups, different cyclical schedules with cycle_mult and warm-up, momentum": {
        "num_events": 200,
        "param_groups": TWO,
        "schedulers": [
            {
                **COS,
                "param_group_index": 0,
                "cycle_size": 9,
                "cycle_mult": 1.7,
                "warmup_duration": 4,
                "start_value_mult": 0.8,
                "end_value_mult": 2.0,
            },
            {**LIN, "param_group_index": 1, "cycle_size": 6, "cycle_mult": 2.0},
            {
                "type": "PiecewiseLinear",
                "param_name": "momentum",
                "param_group_index": 1,
                "milestones_values": [[3, 0.95], [40, 0.85], [40, 0.99], [120, 0.5]],
            },
        ],
    },
    "values needing 17 significant digits (repr, not rounded, in the program)": {
        "num_events": 60,
        "param_groups": groups(("a", 0.1 + 0.2, 1 / 3), ("b", math.pi / 10, 0.9)),
        "schedulers": [
            {**COS, "param_group_index": 0, "start_value": 0.1 + 0.2, "end_value": 1 / 3, "cycle_size": 9},
            {
                "type": "PiecewiseLinear",
                "param_name": "momentum",
                "milestones_values": [[0, 2 / 3], [25, math.e / 10]],
            },
            {"type": "LRScheduler", "lr_scheduler": {"type": "ExponentialLR", "gamma": 1 - 1 / 97}},
        ],
    },
    "concat on momentum of group 1 with three children": {
        "num_events": 150,
        "param_groups": TWO,
        "schedulers": [
            {
                "type": "ConcatScheduler",
                "param_name": "momentum",
                "param_group_index": 1,
                "schedulers": [
                    {**LIN, "cycle_size": 10, "monotonic": True, "warmup_duration": 3},
                    {"type": "PiecewiseLinear", "milestones_values": [[0, 0.5], [20, 0.9]]},
                    {**COS, "cycle_size": 8, "cycle_mult": 1.5},
                ],
                "durations": [25, 30],
            }
        ],
    },
    "two chained torch schedulers and a cosine overriding group 0": {
        "num_events": 120,
        "param_groups": TWO,
        "schedulers": [
            {"type": "LRScheduler", "lr_scheduler": {"type": "StepLR", "step_size": 11, "gamma": 0.5}},
            {"type": "LRScheduler", "lr_scheduler": {"type": "ExponentialLR", "gamma": 0.98}},
            {**COS, "param_group_index": 0, "cycle_size": 13},
        ],
    },
    "OneCycleLR cycles momentum, a later scheduler on group 1's momentum wins there": {
        "num_events": 100,
        "param_groups": TWO,
        "schedulers": [
            {
                "type": "LRScheduler",
                "lr_scheduler": {"type": "OneCycleLR", "max_lr": 0.3, "total_steps": 100},
            },
            {**COS, "param_name": "momentum", "param_group_index": 1, "cycle_size": 12},
        ],
    },
    "warm-up helper ending at the group lr over CyclicLR with momentum": {
        "num_events": 90,
        "param_groups": groups(("only", 0.05, 0.9)),
        "schedulers": [
            {
                "type": "create_lr_scheduler_with_warmup",
                "lr_scheduler": {"type": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 7},
                "warmup_start_value": 0.0,
                "warmup_duration": 10,
                "warmup_end_value": 0.05,
            }
        ],
    },
    "warm-up helper on two groups, OneCycleLR with epochs": {
        "num_events": 80,
        "param_groups": TWO,
        "schedulers": [
            {
                "type": "create_lr_scheduler_with_warmup",
                "lr_scheduler": TORCH_EXAMPLES["OneCycleLR"] | {"type": "OneCycleLR"},
                "warmup_start_value": 0.001,
                "warmup_duration": 5,
            }
        ],
    },
    **{
        f"LRScheduler({name}) on two groups": {
            "num_events": 100,
            "param_groups": TWO,
            "schedulers": [{"type": "LRScheduler", "lr_scheduler": {"type": name, **kw}}],
        }
        for name, kw in TORCH_EXAMPLES.items()
    },
    **{  # stepped by torch itself, as a plain torch loop (scheduler.step() after each iteration)
        f"LRScheduler({name}, stepping torch) on two groups": {
            "num_events": 100,
            "param_groups": TWO,
            "schedulers": [
                {
                    "type": "LRScheduler",
                    "lr_scheduler": {"type": name, **kw},
                    "stepping": "torch",
                    "event": "ITERATION_COMPLETED",
                }
            ],
        }
        for name, kw in TORCH_EXAMPLES.items()
    },
}


@pytest.mark.parametrize("flavor", ["scheduler_core", "ignite"])
@pytest.mark.parametrize("name", list(CODE_EXPERIMENTS))
def test_generated_code_equals_series_exactly(client, name, flavor):
    check_code(client, CODE_EXPERIMENTS[name], flavor)


# random experiments from the registry's examples ---------------------------------------------
TIME_KEYS = frozenset(
    {
        "cycle_size",
        "warmup_duration",
        "durations",
        "step_size",
        "milestones",
        "total_iters",
        "T_max",
        "T_0",
        "total_steps",
        "steps_per_epoch",
        "step_size_up",
        "step_size_down",
    }
)
AT_LEAST_2 = frozenset({"cycle_size", "warmup_duration"})
VALUE_KEYS = frozenset(
    {"start_value", "end_value", "max_lr", "base_lr", "warmup_start_value", "warmup_end_value", "eta_min"}
)
# ignite's and our own types (other libraries' types export in their own flavor: tests/ecosystem)
TOP_LEVEL = [
    n
    for n, e in REGISTRY.items()
    if e.kind in ("param", "composite") and e.core.family in ("ignite", "scheduler_core")
]
TORCH = [n for n, e in REGISTRY.items() if e.kind == "torch"]


def rescale(node: Any, key: str | None, time: float, scale: float) -> Any:
    """The example with durations scaled by ``time`` (>= the field's minimum) and values by
    ``scale``; nested schedulers alike."""
    if isinstance(node, dict):
        return {k: rescale(v, k, time, scale) for k, v in node.items()}
    if key == "milestones_values":
        return [[max(0, round(e * time)), v * scale] for e, v in node]
    if isinstance(node, list):
        return [rescale(v, key, time, scale) for v in node]
    if key in TIME_KEYS and isinstance(node, int) and not isinstance(node, bool):
        return max(2 if key in AT_LEAST_2 else 1, round(node * time))
    if key in VALUE_KEYS and isinstance(node, float):
        return node * scale
    return node


@st.composite
def example_like(draw, n_groups: int) -> dict:
    """A registry example of a top-level type (a torch type goes into one of the wrappers'
    examples), rescaled, with options the example leaves out."""
    name = draw(st.sampled_from(TOP_LEVEL + TORCH))
    time = draw(st.sampled_from([0.01, 0.03, 0.1, 0.2]))
    scale = draw(st.one_of(st.sampled_from([1.0, 0.5, 3.0, 100.0]), st.floats(0.1, 10.0)))
    if name in TORCH:
        wrapper = draw(st.sampled_from(["LRScheduler", "create_lr_scheduler_with_warmup"]))
        if REGISTRY[name].core.torch_stepped_only:  # torch steps it: no warm-up helper
            wrapper = "LRScheduler"
        s = {**REGISTRY[wrapper].example, "lr_scheduler": REGISTRY[name].example}
    else:
        s = dict(REGISTRY[name].example)
    s = rescale(s, None, time, scale)
    event(f"type: {name}" + (f" in {s['type']}" if name in TORCH else ""))
    if "cycle_size" in s or s["type"] == "ConcatScheduler":
        for c in [s, *s.get("schedulers", [])]:
            if "cycle_size" in c and draw(st.booleans()):
                c["cycle_mult"] = draw(st.sampled_from([1.5, 2.0, 1.25]))
            if "cycle_size" in c and draw(st.booleans()):
                c["warmup_duration"] = draw(st.integers(1, 8))
                if c["type"] == "LinearCyclicalScheduler":
                    c["monotonic"] = True
    if "param_name" in s:
        s["param_name"] = draw(st.sampled_from(["lr", "lr", "momentum"]))
        if n_groups > 1 and draw(st.booleans()):
            s["param_group_index"] = draw(st.integers(0, n_groups - 1))
    if s["type"] == "create_lr_scheduler_with_warmup" and draw(st.booleans()):
        s["warmup_end_value"] = draw(st.sampled_from([0.1, 0.05]))
    if s["type"] == "ParamGroupScheduler":  # children that name a group name one that exists
        s["schedulers"] = [
            {**c, "param_group_index": c["param_group_index"] % n_groups} if "param_group_index" in c else c
            for c in s["schedulers"]
        ]
    return s


@st.composite
def code_experiments(draw) -> dict:
    n_groups = draw(st.integers(1, 3))
    exp = {
        "num_events": draw(st.integers(20, 250)),
        "param_groups": [
            {"name": f"group {i}", "lr": draw(st.sampled_from([0.1, 0.05, 0.003])), "momentum": 0.9 - 0.2 * i}
            for i in range(n_groups)
        ],
        "schedulers": [draw(example_like(n_groups)) for _ in range(draw(st.integers(1, 3)))],
    }
    if any(REGISTRY[s["type"]].core.metric_reads is not None for s in exp["schedulers"]):
        exp["metrics"] = EXAMPLE_METRICS  # what the plateau examples read
    return exp


def _fails(code: str) -> bool:
    try:
        history = run_code(code)
    except Exception:  # noqa: BLE001 - any failure of the program will do
        return True
    return not all(math.isfinite(v) for h in history for vs in h.values() for v in vs)


@settings(SETTINGS, max_examples=max(1, int(30 * SCALE)))
@given(code_experiments())
def test_random_generated_code_equals_series_exactly(client, exp):
    r = client.post("/api/v1/series", json=exp)
    assert r.status_code in (200, 422), r.text
    if r.status_code == 422:
        event("/series 422: the programs must fail too")
        for flavor in ("scheduler_core", "ignite"):
            assert _fails(generated(client, exp, flavor)), f"{flavor} program runs fine, /series 422"
        return
    event("/series 200")
    for flavor in ("scheduler_core", "ignite"):
        check_code(client, exp, flavor)
