"""Rendering at its edges: CSV/JSON/figure bytes, canonical JSON, link ids (mutation-testing kills).

Each test pins something the broader API tests leave loose: the CSV's exact first row and line
endings, a one-event CSV, every spreadsheet-formula prefix, the figure's defaults, that each
output hands its settings and cache key on to ``compute``, that canonical JSON is the model's
JSON-mode dump, and the shape of a link id.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import orjson
import pytest
from apitest_helpers import one_group
from pydantic import BaseModel, field_serializer

from app import __version__
from app.contract.canonical import ID_LENGTH, canonical_json, is_link_id, link_id
from app.contract.schemas import Experiment
from app.service import exports
from app.service.compute import SeriesCache, SeriesData
from app.settings import Settings

LINEAR = {"type": "LinearCyclicalScheduler", "param_name": "lr", "start_value": 0.5, "end_value": 1.5,
          "cycle_size": 4}  # fmt: skip


def exp_of(num_events: int = 6, name: str = "g") -> Experiment:
    body = one_group(LINEAR, num_events=num_events)
    body["param_groups"][0]["name"] = name
    return Experiment.model_validate(body)


def test_csv_exact_bytes() -> None:
    text = exports.series_csv(exp_of(), Settings(), SeriesCache(0)).decode()
    # LinearCyclicalScheduler: end + (start - end) * |i/C - 0.5| * 2
    assert text == "event,g/lr\n0,0.5\n1,1.0\n2,1.5\n3,1.0\n4,0.5\n5,1.0\n"


def test_csv_of_one_event_has_its_row() -> None:
    assert exports.series_csv(exp_of(num_events=1), Settings(), SeriesCache(0)) == b"event,g/lr\n0,0.5\n"


def test_csv_rows_of_no_event_are_empty() -> None:
    assert exports._csv_rows(np.arange(0), [np.empty(0)]) == b""


def test_decimated_csv_exact_bytes() -> None:
    exp = exp_of(num_events=9)  # 0.5 1 1.5 1 0.5 1 1.5 1 0.5: buckets 1-4 and 5-7 keep 2 each
    text = exports.series_csv(exp, Settings(), SeriesCache(0), max_points=6).decode()
    assert text == "event,g/lr\n0,0.5\n2,1.5\n4,0.5\n5,1.0\n6,1.5\n8,0.5\n"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_prefix_is_quoted(prefix: str) -> None:
    assert exports._csv_cell(prefix + "SUM(A1)/lr") == "'" + prefix + "SUM(A1)/lr"
    assert exports._csv_cell("a" + prefix) == "a" + prefix  # only a leading one counts
    assert exports._csv_cell("") == ""


def test_figure_defaults() -> None:
    body = one_group(LINEAR, num_events=50)
    body["param_groups"].append({"name": "h", "lr": 0.2})  # two groups: subplots != overlay
    exp, settings, cache = Experiment.model_validate(body), Settings(), SeriesCache(2**20)
    plain = exports.figure(exp, settings, cache)
    explicit = exports.figure(exp, settings, cache, layout="subplots", log_y=False, fmt="json")
    assert plain == explicit
    assert plain != exports.figure(exp, settings, cache, layout="overlay")
    assert plain != exports.figure(exp, settings, cache, log_y=True)
    assert orjson.loads(plain)["layout"]  # JSON, not the HTML page


def test_code_names_the_version() -> None:
    assert f"Schedule Explorer {__version__}" in exports.code(exp_of(), Settings(), "ignite")


def test_full_series_are_not_copied() -> None:
    values = np.arange(10.0)
    [(events, kept)] = exports._decimated([SeriesData(0, "g", "lr", values)], 100)
    assert kept is values and events.tolist() == list(range(10))


@pytest.mark.parametrize("output", ["series_json", "series_csv", "figure"])
def test_each_output_passes_its_settings_and_key_to_compute(monkeypatch, output: str) -> None:
    seen = []
    real = exports.compute

    def spy(exp, settings, cache, key=None, **kw):
        seen.append((settings, key))
        return real(exp, settings, cache, key, **kw)

    monkeypatch.setattr(exports, "compute", spy)
    exp, settings = exp_of(), Settings()
    key = canonical_json(exp)
    getattr(exports, output)(exp, settings, SeriesCache(0), key=key)
    assert seen == [(settings, key)]


def test_link_id_shape() -> None:
    ident = link_id(b"{}")
    assert len(ident) == ID_LENGTH and is_link_id(ident)
    assert not is_link_id(ident[:-1])  # valid characters, too short
    assert not is_link_id(ident + "A")
    assert not is_link_id("!" * ID_LENGTH)  # right length, bad characters
    assert not is_link_id("")


class Doc(BaseModel):
    z: int = 1
    every: timedelta = timedelta(seconds=90)
    tags: tuple[str, ...] = ("b", "a")

    @field_serializer("z", when_used="json")
    def _z(self, z: int) -> str:
        return f"z{z}"


def test_canonical_json_is_the_json_mode_dump_with_sorted_keys() -> None:
    # test_pinned_ids.py pins real documents, whose values are all JSON-native: it cannot tell a
    # JSON-mode dump from a Python-mode one. A field with a JSON-only serializer can.
    assert canonical_json(Doc()) == b'{"every":"PT1M30S","tags":["b","a"],"z":"z1"}'
