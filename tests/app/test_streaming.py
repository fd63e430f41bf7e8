"""Big /series replies: streamed in chunks with the same bytes, one reply's size capped.

- The chunked JSON and CSV encoders give, joined, exactly the bytes of one ``orjson.dumps`` of
  the whole reply (the pinned ETags and bodies of ``test_pinned_ids.py`` rest on it): checked
  with chunks of a few values, so every boundary (inside a series, between series, between
  the values and the events of a decimated series) is crossed.
- Over the HTTP API a large reply is streamed (chunked transfer, no Content-Length) and a small
  one is not; both carry the ETag and answer ``If-None-Match`` with a 304.
- :func:`~app.service.limits.reply_bytes` bounds the real reply, and a request over
  ``max_reply_bytes`` is a 422 naming the cap and ``max_points`` as the way round.
- A large full download leaves nothing in the series cache (the worker's memory goes back).
"""

from __future__ import annotations

import csv
import gzip
import io

import numpy as np
import orjson
import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from app.contract.schemas import Experiment
from app.server.memory import trim_heap
from app.service import exports
from app.service.compute import SeriesCache, compute
from app.service.limits import BYTES_PER_VALUE, reply_bytes
from app.settings import Settings

COSINE = {"type": "CosineAnnealingScheduler", "param_name": "lr", "start_value": 0.1, "end_value": 1e-5,
          "cycle_size": 7, "cycle_mult": 1.5}  # fmt: skip


def experiment(num_events: int, groups: int = 3, start: float = 0.1) -> Experiment:
    return Experiment.model_validate(
        {
            "num_events": num_events,
            "param_groups": [{"name": f"g{i}", "lr": 0.1 * (i + 1), "momentum": 0.9} for i in range(groups)],
            "schedulers": [
                {**COSINE, "start_value": start},
                {**COSINE, "param_name": "momentum", "start_value": 0.95, "end_value": 0.85,
                 "param_group_index": groups - 1},
            ],
        }
    )  # fmt: skip


def whole_json(exp: Experiment, max_points: int | None) -> bytes:
    """The reply encoded in one piece, as before streaming (the reference)."""
    series = compute(exp, Settings(), SeriesCache(0))
    items = []
    for s in series:
        events = None if max_points is None else exports.decimate_indices(s.values, max_points)
        values = s.values if events is None else s.values[events]
        items.append({"param_group": s.param_group, "group_name": s.group_name, "param_name": s.param_name,
                      "values": values, "events": events, "restarts": s.restarts})  # fmt: skip
    body = {"num_events": exp.num_events, "decimated": max_points is not None, "series": items}
    return orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY)


def whole_csv(exp: Experiment, max_points: int | None) -> list[list[str]]:
    """The CSV as rows of cells, from the values themselves (``repr`` of each float)."""
    series = compute(exp, Settings(), SeriesCache(0))
    if max_points is None:
        events = np.arange(exp.num_events)
    else:
        events = np.unique(np.concatenate([exports.decimate_indices(s.values, max_points) for s in series]))
    head = ["event", *(f"{s.group_name}/{s.param_name}" for s in series)]
    return [head, *([str(e), *(repr(float(s.values[e])) for s in series)] for e in events)]


@pytest.mark.parametrize("max_points", [None, 10])
@pytest.mark.parametrize("chunk_values", [1, 3, 7, 64])
def test_chunks_join_to_the_whole_reply(monkeypatch, max_points, chunk_values) -> None:
    monkeypatch.setattr(exports, "CHUNK_VALUES", chunk_values)
    monkeypatch.setattr(exports, "CHUNK_BYTES", 16)  # every piece its own chunk
    exp = experiment(50)
    chunks = list(exports.series_json_chunks(exp, Settings(), SeriesCache(0), max_points))
    assert len(chunks) > 4
    assert b"".join(chunks) == whole_json(exp, max_points)
    rows = list(exports.series_csv_chunks(exp, Settings(), SeriesCache(0), max_points))
    assert len(rows) > 2
    assert list(csv.reader(io.StringIO(b"".join(rows).decode()))) == whole_csv(exp, max_points)


def test_empty_and_one_event_replies(monkeypatch) -> None:
    monkeypatch.setattr(exports, "CHUNK_VALUES", 2)
    exp = experiment(1, groups=1)
    assert exports.series_json(exp, Settings(), SeriesCache(0)) == whole_json(exp, None)


def test_a_large_reply_is_streamed_a_small_one_is_not(client) -> None:
    big = experiment(100_000).model_dump(mode="json")
    r = client.post("/api/v1/series", json=big)
    assert r.status_code == 200 and "content-length" not in r.headers
    assert r.content == whole_json(experiment(100_000), None)
    tag = r.headers["etag"]
    again = client.post("/api/v1/series", json=big, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["etag"] == tag
    r = client.post("/api/v1/series?format=csv", json=big)
    assert r.status_code == 200 and "content-length" not in r.headers
    assert r.content.count(b"\n") == 100_001
    small = client.post(
        "/api/v1/series", json=experiment(10).model_dump(mode="json"), headers={"Accept-Encoding": "identity"}
    )
    assert small.headers["content-length"] == str(len(small.content))


def test_a_large_full_download_is_not_kept_in_the_cache(client) -> None:
    cache = client.app.state.series_cache
    client.post("/api/v1/series", json=experiment(100_000).model_dump(mode="json"))
    assert cache._lru.currsize == 0
    client.post("/api/v1/series?max_points=100", json=experiment(100_000).model_dump(mode="json"))
    assert cache._lru.currsize > 0  # decimated: the dashboard asks again


@hyp_settings(max_examples=25, deadline=None)
@given(
    num_events=st.integers(1, 3000),
    groups=st.integers(1, 4),
    max_points=st.none() | st.integers(4, 500),
    start=st.floats(1e-300, 1e12),
)
def test_reply_bytes_bounds_the_reply(num_events, groups, max_points, start) -> None:
    exp = experiment(num_events, groups, -start)
    settings = Settings()
    size_json = len(exports.series_json(exp, settings, SeriesCache(0), max_points))
    size_csv = len(exports.series_csv(exp, settings, SeriesCache(0), max_points))
    assert size_json <= reply_bytes(exp, "series", max_points) + 200 * len(exp.param_groups) + 100
    assert size_csv <= reply_bytes(exp, "csv", max_points) + 100 * len(exp.param_groups) + 10


def test_the_longest_float_fits_bytes_per_value() -> None:
    worst = np.array([-2.2250738585072014e-308, -1.7976931348623157e308, -1.2345678901234567e-100])
    assert max(len(orjson.dumps(float(x))) for x in worst) + 1 <= BYTES_PER_VALUE


def test_over_the_reply_cap_names_it_and_the_way_round(make_client) -> None:
    client = make_client(max_reply_bytes=2**20)
    body = experiment(20_000).model_dump(mode="json")
    r = client.post("/api/v1/series", json=body)
    assert r.status_code == 422
    [item] = r.json()["detail"]
    assert item["type"] == "reply_too_large" and item["loc"] == ["body", "num_events"]
    assert "1 MB" in item["msg"] and "max_points" in item["msg"]
    assert client.post("/api/v1/series?format=csv", json=body).status_code == 422
    assert client.post("/api/v1/series?max_points=1000", json=body).status_code == 200


def test_trim_heap_asks_glibc() -> None:
    assert trim_heap() is True


# ---------------------------------------------------------------- compression
def raw_post(client, path: str, body: dict, **headers: str):
    """POST and keep the body as sent (httpx would decode gzip): a streamed request."""
    request = client.build_request("POST", path, json=body, headers=headers)
    reply = client.send(request, stream=True)
    raw = b"".join(reply.iter_raw())
    reply.close()
    return reply, raw


def test_large_replies_are_gzipped_with_a_weak_etag(client) -> None:
    body = experiment(20_000).model_dump(mode="json")
    plain, plain_raw = raw_post(client, "/api/v1/series", body, **{"Accept-Encoding": "identity"})
    zipped, zipped_raw = raw_post(client, "/api/v1/series", body, **{"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers and zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped_raw) == plain_raw and len(zipped_raw) < len(plain_raw) / 2
    assert zipped.headers["etag"] == "W/" + plain.headers["etag"]
    assert "Accept-Encoding" in zipped.headers["vary"]
    again = client.post("/api/v1/series", json=body, headers={"If-None-Match": zipped.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == zipped.headers["etag"]


def test_small_replies_are_not_gzipped(client) -> None:
    r, _ = raw_post(client, "/api/v1/series", experiment(3, groups=1).model_dump(mode="json"))
    assert "content-encoding" not in r.headers


def test_static_files_are_gzipped_and_revalidate(client) -> None:
    r, raw = raw_post_get(client, "/static/vendor/plotly.min.js")
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert len(raw) < int(len(gzip.decompress(raw)) / 2)
    again = client.get("/static/vendor/plotly.min.js", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def raw_post_get(client, path: str):
    reply = client.send(client.build_request("GET", path, headers={"Accept-Encoding": "gzip"}), stream=True)
    raw = b"".join(reply.iter_raw())
    reply.close()
    return reply, raw
