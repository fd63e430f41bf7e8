"""Pinned share-link ids and ETags: the canonical form of a document must not drift.

A link id is a hash of the document's canonical JSON (validated, defaults filled in, keys
sorted, compact), and the ``/series``, ``/figure`` and ``/code`` ETags hash the same bytes. The
ids below were produced once by the code and are written here as literals on purpose: changing
the canonical form (dropping the key sort, filling defaults differently, spelling floats
differently, ...) is a deliberate, versioned decision. If one of these tests fails, every share
link ever made breaks (``/s/{id}`` of a re-shared document no longer matches the stored one), so
do not "fix" the test by re-pinning; fix the code, or version the canonical form.

Every document is also sent in many spellings that must reach the same id: keys reordered at
every nesting level, floats written differently in the raw JSON text, defaults omitted or
written out. Only the HTTP API is used, so the tests survive any reorganisation of the code.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import random
import warnings
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

API = "/api/v1"


# ---------------------------------------------------------------- documents
def _exp(groups: list[dict], schedulers: list[dict], num_events: int = 1000) -> dict:
    return {"num_events": num_events, "param_groups": groups, "schedulers": schedulers}


CYCLICAL_DEFAULTS = {"cycle_mult": 1.0, "start_value_mult": 1.0, "end_value_mult": 1.0, "warmup_duration": 0}
TARGET_DEFAULTS = {"param_name": "lr", "param_group_index": None}

# The README / docs/api.md example; both document its id: /s/odL_5BVvNOYF.
README = _exp(
    [{"name": "base", "lr": 0.001}, {"name": "fc", "lr": 0.01}],
    [
        {"type": "LinearCyclicalScheduler", "param_name": "lr", "start_value": 1e-7,
         "end_value": 1e-5, "cycle_size": 100, "param_group_index": 0},
        {"type": "CosineAnnealingScheduler", "param_name": "lr", "start_value": 1e-5,
         "end_value": 1e-3, "cycle_size": 100, "param_group_index": 1},
    ],
)  # fmt: skip
README_EXPLICIT = _exp(
    README["param_groups"],
    [
        {**README["schedulers"][0], **CYCLICAL_DEFAULTS, "monotonic": False},
        {**README["schedulers"][1], **CYCLICAL_DEFAULTS},
    ],
)

SINGLE = _exp(
    [{"name": "all", "lr": 0.1, "momentum": 0.9, "weight_decay": 5e-4}],
    [{"type": "CosineAnnealingScheduler", "start_value": 0.1, "end_value": 1e-4, "cycle_size": 100,
      "cycle_mult": 2.0, "warmup_duration": 10}],
    num_events=500,
)  # fmt: skip
SINGLE_EXPLICIT = _exp(
    SINGLE["param_groups"],
    [{**SINGLE["schedulers"][0], **TARGET_DEFAULTS, "start_value_mult": 1.0, "end_value_mult": 1.0}],
    num_events=500,
)

TWO_GROUPS = _exp(
    [{"name": "backbone", "lr": 1e-4, "momentum": 0.9}, {"name": "head", "lr": 1e-2, "momentum": 0.9}],
    [
        {"type": "PiecewiseLinear", "milestones_values": [[0, 0.0], [100, 1e-4], [300, 1e-5]],
         "param_group_index": 0},
        {"type": "LinearCyclicalScheduler", "param_name": "momentum", "start_value": 0.95,
         "end_value": 0.85, "cycle_size": 50, "param_group_index": 1},
    ],
    num_events=300,
)  # fmt: skip
TWO_GROUPS_EXPLICIT = _exp(
    TWO_GROUPS["param_groups"],
    [
        {**TWO_GROUPS["schedulers"][0], "param_name": "lr"},
        {**TWO_GROUPS["schedulers"][1], **CYCLICAL_DEFAULTS, "monotonic": False},
    ],
    num_events=300,
)

CONCAT = _exp(
    [{"name": "base", "lr": 0.01, "momentum": 0.9}],
    [{"type": "ConcatScheduler", "durations": [100], "schedulers": [
        {"type": "LinearCyclicalScheduler", "start_value": 0.0, "end_value": 0.01, "cycle_size": 200,
         "monotonic": True},
        {"type": "CosineAnnealingScheduler", "start_value": 0.01, "end_value": 0.0, "cycle_size": 900},
    ]}],
)  # fmt: skip
CONCAT_EXPLICIT = _exp(
    CONCAT["param_groups"],
    [{"type": "ConcatScheduler", **TARGET_DEFAULTS, "durations": [100], "schedulers": [
        {**CONCAT["schedulers"][0]["schedulers"][0], **CYCLICAL_DEFAULTS},
        {**CONCAT["schedulers"][0]["schedulers"][1], **CYCLICAL_DEFAULTS},
    ]}],
)  # fmt: skip

LR_SCHEDULER = _exp(
    [{"name": "base", "lr": 0.1}],
    [{"type": "LRScheduler", "lr_scheduler": {"type": "StepLR", "step_size": 300}}],
)
LR_SCHEDULER_EXPLICIT = _exp(
    LR_SCHEDULER["param_groups"],
    [{"type": "LRScheduler", "lr_scheduler": {"type": "StepLR", "step_size": 300, "gamma": 0.1}}],
)

WARMUP = _exp(
    [{"name": "base", "lr": 0.1}],
    [{"type": "create_lr_scheduler_with_warmup", "lr_scheduler": {"type": "CosineAnnealingLR", "T_max": 900},
      "warmup_start_value": 0.0, "warmup_duration": 100}],
)  # fmt: skip
WARMUP_EXPLICIT = _exp(
    WARMUP["param_groups"],
    [{**WARMUP["schedulers"][0], "warmup_end_value": None,
      "lr_scheduler": {"type": "CosineAnnealingLR", "T_max": 900, "eta_min": 0.0}}],
)  # fmt: skip

VIEW = {
    "variants": [{"name": "A", "experiment": README}, {"name": "B", "experiment": CONCAT}],
    "view": {"layout": "overlay", "log_y": True, "active": 1, "theme": "dark", "smoothing": 0.25},
}
VIEW_EXPLICIT = {
    "variants": [{"name": "A", "experiment": README_EXPLICIT}, {"name": "B", "experiment": CONCAT_EXPLICIT}],
    "view": {**VIEW["view"], "x_axis": "events", "iterations_per_epoch": 1, "cycle_markers": False},
}

# name: (document with defaults omitted, the same with defaults written out, pinned id)
DOCS: dict[str, tuple[dict, dict, str]] = {
    "readme": (README, README_EXPLICIT, "odL_5BVvNOYF"),
    "single": (SINGLE, SINGLE_EXPLICIT, "p0bfOsOmhWcp"),
    "two_groups": (TWO_GROUPS, TWO_GROUPS_EXPLICIT, "1SbhBR56UyNe"),
    "concat": (CONCAT, CONCAT_EXPLICIT, "pJnEIxtroe3q"),
    "lr_scheduler": (LR_SCHEDULER, LR_SCHEDULER_EXPLICIT, "I1VQCpojyRCa"),
    "warmup": (WARMUP, WARMUP_EXPLICIT, "XrjAdvVvjzGy"),
    "view": (VIEW, VIEW_EXPLICIT, "MHLVQirH5Tx2"),
}

# The exact stored bytes of the README example, so that a failure shows what changed.
README_CANONICAL = (
    '{"num_events":1000,"param_groups":[{"lr":0.001,"name":"base"},{"lr":0.01,"name":"fc"}],"schedulers":['
    '{"cycle_mult":1.0,"cycle_size":100,"end_value":0.00001,"end_value_mult":1.0,"monotonic":false,'
    '"param_group_index":0,"param_name":"lr","start_value":1e-7,"start_value_mult":1.0,'
    '"type":"LinearCyclicalScheduler","warmup_duration":0},'
    '{"cycle_mult":1.0,"cycle_size":100,"end_value":0.001,"end_value_mult":1.0,'
    '"param_group_index":1,"param_name":"lr","start_value":0.00001,"start_value_mult":1.0,'
    '"type":"CosineAnnealingScheduler","warmup_duration":0}]}'
)


# ---------------------------------------------------------------- raw JSON spellings
def _exponent(x: float) -> tuple[str, int]:
    mantissa, exp = f"{Decimal(repr(x)).normalize():e}".split("e")
    return mantissa, int(exp)


def _exp_short(x: float) -> str:  # 0.001 -> 1e-3, 100.0 -> 1e2
    m, e = _exponent(x)
    return f"{m}e{e}"


def _exp_dot(x: float) -> str:  # 0.001 -> 1.0E-3, 100.0 -> 1.0E+2
    m, e = _exponent(x)
    return f"{m if '.' in m else m + '.0'}E{e:+d}"


def _fixed(x: float) -> str:  # 1e-07 -> 0.00000010000, 100.0 -> 100.0000
    s = f"{Decimal(repr(x)):f}"
    return (s if "." in s else s + ".") + "000"


NUMBERS: dict[str, Callable[[float], str]] = {
    "repr": repr,  # 0.001, 1e-07, 100.0
    "exp": _exp_short,
    "exp_dot": _exp_dot,
    "digits17": lambda x: f"{x:.17e}",  # 1.00000000000000002e-03: a longer decimal, same double
    "fixed": _fixed,
    "int": lambda x: str(int(x)) if x.is_integer() else repr(x),  # 100.0 -> 100
}

ORDERS: dict[str, Callable[[list[str]], list[str]]] = {
    "as_written": lambda keys: keys,
    "reversed": lambda keys: keys[::-1],  # differs at every level with two keys or more
    "shuffled": lambda keys: random.Random(",".join(keys)).sample(keys, len(keys)),
}


def dumps(obj: Any, order: str = "as_written", number: str = "repr") -> bytes:
    """The raw JSON text of ``obj``, keys of every object in ``order``, floats spelled by ``number``."""

    def enc(o: Any) -> str:
        if isinstance(o, dict):
            return "{" + ", ".join(f"{json.dumps(k)}: {enc(o[k])}" for k in ORDERS[order](list(o))) + "}"
        if isinstance(o, list):
            return "[" + ", ".join(enc(v) for v in o) + "]"
        if isinstance(o, float):
            text = NUMBERS[number](o)
            assert json.loads(text) == o, text
            return text
        return json.dumps(o)

    return enc(obj).encode()


SPELLINGS = list(itertools.product(["minimal", "explicit"], ORDERS, NUMBERS))


def spelled(name: str, form: str, order: str, number: str) -> bytes:
    minimal, explicit, _ = DOCS[name]
    return dumps(explicit if form == "explicit" else minimal, order, number)


# ---------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("pinned") / "data")
    with TestClient(create_app(settings)) as client:
        yield client


def post(api: TestClient, path: str, body: bytes, **params: Any):
    # the identity representation: a gzip-encoded reply's ETag is the same tag made weak (W/)
    headers = {"Content-Type": "application/json", "Accept-Encoding": "identity"}
    r = api.post(API + path, content=body, params=params, headers=headers)
    assert r.status_code in (200, 201), r.text
    return r


def link_id(api: TestClient, body: bytes) -> str:
    return post(api, "/links", body).json()["id"]


# ---------------------------------------------------------------- link ids
def test_readme_example_is_the_documented_one(api: TestClient) -> None:
    assert link_id(api, dumps(README)) == "odL_5BVvNOYF"
    assert api.get(f"{API}/links/odL_5BVvNOYF").text == README_CANONICAL


@pytest.mark.parametrize("spelling", SPELLINGS, ids="-".join)
@pytest.mark.parametrize("name", DOCS)
def test_link_id_is_pinned(api: TestClient, name: str, spelling: tuple[str, str, str]) -> None:
    assert link_id(api, spelled(name, *spelling)) == DOCS[name][2]


def _nudge(path: tuple, value: Callable[[Any], Any]) -> Callable[[dict], dict]:
    def change(doc: dict) -> dict:
        doc = copy.deepcopy(doc)
        *parents, last = path
        target = doc
        for key in parents:
            target = target[key]
        target[last] = value(target[last])
        return doc

    return change


DIFFERENT = {
    "lr": _nudge(("param_groups", 0, "lr"), lambda v: 0.002),
    "next_float": _nudge(("schedulers", 0, "start_value"), lambda v: math.nextafter(v, 1.0)),
    "cycle_size": _nudge(("schedulers", 1, "cycle_size"), lambda v: v + 1),
    "group_index": _nudge(("schedulers", 1, "param_group_index"), lambda v: None),
    "group_name": _nudge(("param_groups", 1, "name"), lambda v: "head"),
    "scheduler_order": _nudge(("schedulers",), lambda v: v[::-1]),
    "as_view": lambda doc: {"variants": [{"name": "A", "experiment": doc}]},
    "iterations_per_epoch": lambda doc: {**doc, "iterations_per_epoch": 100},
}


def test_different_documents_get_different_ids(api: TestClient) -> None:
    ids = {name: link_id(api, dumps(change(README))) for name, change in DIFFERENT.items()}
    pinned = {doc[2] for doc in DOCS.values()}
    assert len(pinned) == len(DOCS)
    assert len(set(ids.values())) == len(ids) and not set(ids.values()) & pinned, ids


def test_a_later_optional_field_at_its_default_keeps_the_id(api: TestClient) -> None:
    """Fields added after links were shared (``iterations_per_epoch``) are left out of the
    canonical form at their ``None`` default: sending them as null keeps the pinned id."""
    assert link_id(api, dumps({**README, "iterations_per_epoch": None})) == "odL_5BVvNOYF"


# ---------------------------------------------------------------- ETags
QUERIES = {
    "series": ("/series", {}),
    "series_decimated": ("/series", {"max_points": 100}),
    "series_csv": ("/series", {"format": "csv"}),
    "series_csv_decimated": ("/series", {"format": "csv", "max_points": 100}),
    "figure": ("/figure", {}),
    "code": ("/code", {}),
}
# ETags also hash the app version (app.__version__): a version bump re-pins these, not the ids.
ETAG_VERSION = "0.1.0"
ETAGS = {
    ("readme", "series"): '"a6da3e8a52d3020d5585782fa0e1885a"',
    ("readme", "series_decimated"): '"5447841b6fca294cef133592a679f413"',
    ("readme", "series_csv"): '"4dffeba134a82c123055e743941481ac"',
    ("readme", "series_csv_decimated"): '"06c835a857feb8f0e69e4665379e37f1"',
    ("readme", "figure"): '"b487d39e35ff02248fdce16009b0e26e"',
    ("readme", "code"): '"f7c154954f8717272d302fe2a98859fd"',
    ("concat", "series"): '"253af7276178287b16abe6e08be32524"',
    ("concat", "series_decimated"): '"517b69f92d6ffe14036dd40d54486b40"',
    ("concat", "series_csv"): '"e559164a320ea39f28d424b27f055235"',
    ("concat", "series_csv_decimated"): '"d7d53de1367d0f77c00c072d3ad96c8e"',
    ("concat", "figure"): '"386bdc5a40567a6201208701898ffef9"',
    ("concat", "code"): '"f57aa616e108171acb1c394bfd7a6d8b"',
}
ETAG_SPELLINGS = [
    ("minimal", "as_written", "repr"),
    ("explicit", "reversed", "exp_dot"),
    ("minimal", "shuffled", "digits17"),
    ("explicit", "shuffled", "int"),
]


@pytest.mark.parametrize(("name", "query"), ETAGS)
def test_etag_is_pinned(api: TestClient, name: str, query: str) -> None:
    assert api.get("/healthz").json()["version"] == ETAG_VERSION, "version bump: re-pin ETAGS"
    path, params = QUERIES[query]
    tags = {s: post(api, path, spelled(name, *s), **params).headers["ETag"] for s in ETAG_SPELLINGS}
    assert set(tags.values()) == {ETAGS[name, query]}, tags


def test_different_document_gets_a_different_etag(api: TestClient) -> None:
    for query, (path, params) in QUERIES.items():
        tag = post(api, path, dumps(DIFFERENT["lr"](README)), **params).headers["ETag"]
        assert tag != ETAGS["readme", query], query
