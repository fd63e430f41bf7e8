"""POST /series/variants: one CSV of every variant of a view, a column per variant/group/param,
checked value by value against each variant's own /series."""

from __future__ import annotations

import copy
import csv
import io

import pytest

from app.presets import preset

URL = "/api/v1/series/variants"


@pytest.fixture
def view(seed) -> dict:
    short = copy.deepcopy(preset("step"))
    short["num_events"] = 700
    return {"variants": [{"name": "A", "experiment": seed}, {"name": "B", "experiment": short}]}


def table(reply) -> tuple[list[str], list[list[str]]]:
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(reply.text)))
    return rows[0], rows[1:]


def own_series(client, exp: dict, name: str) -> dict[str, list[float]]:
    """Every value of each series of one variant, by its column name, from /series."""
    data = client.post("/api/v1/series", json=exp).json()
    return {f"{name}/{s['group_name']}/{s['param_name']}": s["values"] for s in data["series"]}


def expected_columns(client, view: dict) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for v in view["variants"]:
        out |= own_series(client, v["experiment"], v["name"])
    return out


def check_cells(header, rows, columns) -> None:
    """Each cell equals its series at the row's event bit for bit, empty past the variant's end."""
    assert header[0] == "event" and header[1:] == list(columns)
    for row in rows:
        event = int(row[0])
        for name, cell in zip(header[1:], row[1:], strict=True):
            values = columns[name]
            if event < len(values):
                assert float(cell).hex() == values[event].hex(), (name, event)
            else:
                assert cell == "", (name, event)


def test_every_event_of_every_variant_side_by_side(client, view):
    header, rows = table(client.post(URL, json=view))
    columns = expected_columns(client, view)
    assert [int(r[0]) for r in rows] == list(range(view["variants"][0]["experiment"]["num_events"]))
    assert len(columns) == 3
    check_cells(header, rows, columns)
    assert rows[699][3] != "" and rows[700][3] == ""  # B has 700 events


def test_decimated_rows_are_the_union_of_each_series_kept_events_in_the_window(client, view):
    q = "?max_points=20&start=150&stop=900"
    header, rows = table(client.post(URL + q, json=view))
    events = [int(r[0]) for r in rows]
    kept = set()
    for v in view["variants"]:
        stop = min(900, v["experiment"]["num_events"])
        one = client.post(f"/api/v1/series?max_points=20&start=150&stop={stop}", json=v["experiment"]).json()
        for s in one["series"]:
            kept |= set(s["events"])
    assert events == sorted(kept) and events[0] >= 150 and events[-1] < 900
    check_cells(header, rows, expected_columns(client, view))


def test_the_window_is_checked_against_the_longest_variant(client, view):
    r = client.post(URL + "?start=10&stop=1001", json=view)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "stop"]
    header, rows = table(client.post(URL + "?start=990&stop=1000", json=view))
    assert [r[0] for r in rows] == [str(e) for e in range(990, 1000)] and all(r[3] == "" for r in rows)


def test_an_invalid_variant_is_refused_naming_its_field(client, view):
    view["variants"][1]["experiment"]["num_events"] = "many"
    r = client.post(URL, json=view)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "variants", 1, "experiment", "num_events"]


def test_a_draft_is_not_computed(client, view):
    view["variants"][1] = {"name": "B", "draft": {"num_events": "many"}}
    r = client.post(URL, json=view)
    assert r.status_code == 422
    item = r.json()["detail"][0]
    assert item["loc"] == ["body", "variants", 1, "draft"] and "not computed" in item["msg"]


def test_the_caps_of_each_variant_and_of_all_together(make_client, view):
    client = make_client(max_variants=2)
    view["variants"].append({"name": "C", "experiment": view["variants"][0]["experiment"]})
    r = client.post(URL, json=view)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "variants"]
    # each variant alone within max_values (2,000 and 700 values), both together over it
    client = make_client(max_values=2500)
    view["variants"].pop()
    r = client.post(URL, json=view)
    item = r.json()["detail"][0]
    assert r.status_code == 422 and item["type"] == "too_many_values"
    assert item["loc"] == ["body", "variants", 0, "experiment", "num_events"]
    assert client.post("/api/v1/series", json=view["variants"][0]["experiment"]).status_code == 200
    # one variant over its own cap is named
    client = make_client(max_download_events=800)
    r = client.post(URL, json=view)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "variants", 0, "experiment", "num_events"]
    assert client.post(URL + "?max_points=50", json=view).status_code == 200


def test_the_reply_size_of_all_together_is_capped(make_client, view):
    client = make_client(max_reply_bytes=2**20)
    for v in view["variants"]:  # about 0.8 MB and 0.45 MB of CSV alone, 1.2 MB together
        v["experiment"]["num_events"] = 15_000
        assert client.post("/api/v1/series?format=csv", json=v["experiment"]).status_code == 200
    r = client.post(URL, json=view)
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "reply_too_large"


def test_header_cells_are_not_formulas(client, view):
    view["variants"][0]["name"] = "=HYPERLINK(1)"
    header, _ = table(client.post(URL + "?max_points=10", json=view))
    assert header[1].startswith("'=HYPERLINK(1)/")


def test_metric_curves_read_get_a_column_each_as_in_the_single_csv(client, seed):
    from test_api_plateau import experiment as plateau

    view = {"variants": [{"name": "A", "experiment": seed}, {"name": "B", "experiment": plateau()}]}
    header, rows = table(client.post(URL, json=view))
    assert header == ["event", "A/base/lr", "A/fc/lr", "B/g/lr", "B/metric/val_loss"]
    own = list(csv.reader(io.StringIO(client.post("/api/v1/series?format=csv", json=plateau()).text)))
    assert own[0] == ["event", "g/lr", "metric/val_loss"]
    assert [r[3:] for r in rows[: len(own) - 1]] == [r[1:] for r in own[1:]]
    assert all(r[3:] == ["", ""] for r in rows[len(own) - 1 :])
    # decimated: every kept read has its row
    header, rows = table(client.post(URL + "?max_points=4", json=view))
    read = {int(r[0]) for r in rows if r[4] != ""}
    assert {4, 8, 36} <= read
