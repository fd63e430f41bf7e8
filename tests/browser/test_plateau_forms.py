"""Metric-driven schedules in the dashboard: the metric curves' editor (a pasted CSV, its column,
errors by row; undo; share links) and the plateau schedulers of each family (ignite, torch, timm)
built from their forms, the lr drawn as /series says and the metric curve in a panel under it."""

from __future__ import annotations

import base64
import json

import pytest
from conftest import watch
from pwhelpers import draws, edit, field, open_dashboard, settle, traces

pytestmark = pytest.mark.browser

UNDO = "Control+z"
HASH_VIEW = """() => {
  const b64 = location.hash.slice(3).replace(/-/g, '+').replace(/_/g, '/');
  try { return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)))); }
  catch { return {}; }
}"""
# one evaluation per epoch: val_loss improves, then stalls (the plateau schedulers cut the lr)
LOSSES = [0.9, 0.7, 0.6, 0.58, 0.59, 0.6, 0.61, 0.6, 0.62, 0.63, 0.64, 0.65]
CSV = "epoch,val_acc,val_loss\n" + "\n".join(f"{k},{0.5 + k / 100},{v}" for k, v in enumerate(LOSSES))
PASTE = field("metrics.val_loss.values", "textarea")


def choose(page, path: str, value: str) -> None:
    n = draws(page)
    page.select_option(field(path, "select"), value)
    settle(page, n, timeout=60000)  # a type switch refetches the series: slow under load


def shown_experiment(page) -> dict:
    """The active variant's experiment, from the URL the dashboard keeps in sync (debounced)."""
    page.wait_for_function(f"() => ({HASH_VIEW})().v !== undefined")
    page.wait_for_timeout(300)
    view = page.evaluate(HASH_VIEW)
    return view["v"][view.get("a", 0)][1]


def series_reply(page, exp: dict) -> dict:
    r = page.request.post(
        "/api/v1/series", data=json.dumps(exp), headers={"Content-Type": "application/json"}
    )
    assert r.ok, r.text()
    return r.json()


def metric_traces(page) -> dict[str, dict]:
    return {t["meta"]["metric"]: t for t in traces(page) if t["meta"].get("metric")}


def lr_trace(page, group: int) -> dict:
    return next(
        t for t in traces(page) if t["meta"].get("group") == group and t["meta"]["param_name"] == "lr"
    )


def assert_drawn_as_series(page, group: int = 0) -> dict:
    """The lr of `group` and every metric curve drawn equal /series (float.hex); returns the reply."""
    reply = series_reply(page, shown_experiment(page))
    lr = next(s for s in reply["series"] if s["param_group"] == group and s["param_name"] == "lr")
    drawn = lr_trace(page, group)
    assert drawn["x"] == list(range(len(lr["values"])))  # 1,000 events: every event drawn
    assert [v.hex() for v in drawn["y"]] == [v.hex() for v in lr["values"]]
    metrics = metric_traces(page)
    assert sorted(metrics) == sorted(m["name"] for m in reply["metrics"])
    for m in reply["metrics"]:
        assert metrics[m["name"]]["x"] == m["events"]
        assert [v.hex() for v in metrics[m["name"]]["y"]] == [v.hex() for v in m["values"]]
    return reply


def add_pasted_curve(page, text: str) -> None:
    n = draws(page)
    page.click("#add-metric")
    settle(page, n)
    choose(page, "metrics.val_loss.kind", "values")
    edit(page, PASTE, text)


def test_reduce_lr_on_plateau_from_the_form_with_a_pasted_csv(page):
    open_dashboard(page)
    edit(page, field("iterations_per_epoch"), "100")  # 1,000 events: 10 epochs
    add_pasted_curve(page, CSV)
    values = '#editor [data-path="metrics.val_loss.values"]'
    # the header names the columns: the one named as the curve is read
    assert page.input_value(f"{values} select") == "2"
    assert page.text_content(f"{values} .metric-count") == (
        f"Read {len(LOSSES)} values from column “val_loss” (header row skipped)."
    )
    assert page.locator(f"{values} > .field-error").is_hidden()
    choose(page, "schedulers.0.type", "ReduceLROnPlateauScheduler")
    # the metric_name menu offers the experiment's curves
    assert page.locator(f"{field('schedulers.0.metric_name', 'select')} option").all_text_contents() == [
        "val_loss"
    ]
    assert page.input_value(field("schedulers.0.metric_name", "select")) == "val_loss"
    page.select_option(field("schedulers.0.event", "select"), '"EPOCH_COMPLETED"')
    edit(page, field("schedulers.0.patience"), "1")
    edit(page, field("schedulers.0.factor"), "0.5")
    assert page.locator("#chart-error").is_hidden()
    reply = assert_drawn_as_series(page)
    # the scheduler read the pasted values in order, one per epoch, at the epochs' last iterations
    (m,) = reply["metrics"]
    # (the value read at the end of epoch k is in force from event 100 (k + 1): 9 reads in 1,000 events)
    assert m["name"] == "val_loss" and m["values"] == LOSSES[:9]
    assert m["events"] == [100 * (k + 1) for k in range(9)]
    lr = lr_trace(page, 0)["y"]
    assert lr[-1] < lr[0]  # the loss stalled: the lr was cut
    # the panel under the lr: its own y-axis, markers at the evaluations, titled with what it drives
    panel = metric_traces(page)["val_loss"]
    assert panel["yaxis"] != lr_trace(page, 0)["yaxis"] and "markers" in page.evaluate(
        "document.querySelector('#chart').data.find(t => t.meta.metric).mode"
    )
    titles = [a["text"] for a in page.evaluate("document.querySelector('#chart').layout.annotations")]
    assert "metric val_loss → lr of group 0" in titles
    # hovering reads the value last read at or before the event under the cursor
    box = page.locator("#chart .nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + 20)
    cursor = page.locator("#reading thead th", has_text="cursor: event")
    cursor.wait_for()
    at = int(cursor.text_content().split()[-1])
    k = max(i for i, e in enumerate(m["events"]) if e <= at)
    read = "" if m["events"][k] == at else f" (read at {m['events'][k]})"
    assert page.locator("#reading tr.metric-row td").first.text_content() == f"{LOSSES[k]}{read}"
    page.mouse.move(0, 0)
    # the reading at a pinned event shows the value last read, and where
    page.fill("#pin-event", "250")
    page.click("#pin-form button")
    row = page.locator("#reading tr.metric-row")
    assert row.locator("th").text_content() == "metric val_loss"
    assert row.locator("td").last.text_content() == f"{LOSSES[1]} (read at 200)"
    # the data table: a column for the curve, its value at each evaluation, empty elsewhere
    page.click("#data-table-box summary")
    page.locator("#data-table thead th", has_text="metric val_loss").wait_for()
    head = page.locator("#data-table thead th").all_text_contents()
    col = head.index("metric val_loss")
    cells = {
        r.locator("th").text_content(): r.locator("td").nth(col - 1).text_content()
        for r in page.locator("#data-table tbody tr").all()[195:205]
    }
    assert cells["200"] == str(LOSSES[1]) and cells["199"] == "" and cells["201"] == ""
    # picking the other column reads it instead
    n = draws(page)
    page.select_option(f"{values} select", "1")
    settle(page, n)
    assert shown_experiment(page)["metrics"]["val_loss"]["values"] == [0.5 + k / 100 for k in range(12)]


def test_paste_errors_are_shown_at_the_field_by_row(page):
    open_dashboard(page)
    add_pasted_curve(page, "0.5\n0.4")
    before = traces(page)
    page.fill(PASTE, "val_loss\n0.5\nabc\n0.3\n\n1e999\n0.2\n")
    err = page.locator('#editor [data-path="metrics.val_loss.values"] > .field-error')
    err.wait_for(state="visible")
    assert err.text_content() == "row 3: “abc” is not a number; row 6: 1e999 is not a finite number"
    assert page.get_attribute(PASTE, "aria-invalid") == "true"
    assert page.get_attribute("#chart", "data-state") == "stale" and traces(page) == before
    # kept as typed in the URL: a reload shows the same text and errors
    page.wait_for_function(f"() => typeof ({HASH_VIEW})().v?.[0][1].metrics?.val_loss.values === 'string'")
    page.reload()
    settle(page, 0)
    assert page.input_value(PASTE).startswith("val_loss\n0.5\nabc")
    assert "row 3: “abc” is not a number" in err.text_content()
    edit(page, PASTE, "val_loss\n0.5\n0.3\n0.2\n")
    assert err.is_hidden() and page.get_attribute(PASTE, "aria-invalid") == "false"
    assert shown_experiment(page)["metrics"]["val_loss"]["values"] == [0.5, 0.3, 0.2]
    # more than the server takes in one request body: said at the field, not sent
    page.evaluate(  # a paste (page.fill types 1 MB too slowly)
        "([sel, text]) => { const a = document.querySelector(sel); a.value = text;"
        " a.dispatchEvent(new Event('input', { bubbles: true })); }",
        [PASTE, "\n".join(["0.12345678901234567"] * 60_000)],
    )
    err.wait_for(state="visible")
    limit = page.evaluate("fetch('/api/v1/schedulers').then(r => r.json())")["limits"]["max_body_bytes"]
    assert err.text_content().startswith("These 60000 values make the experiment 1,")
    assert f"the server takes at most {limit:,}" in err.text_content()


def test_a_metric_edit_and_a_rename_are_undone(page):
    open_dashboard(page)
    choose(page, "schedulers.0.type", "ReduceLROnPlateauScheduler")  # gets a curve to read
    names = page.locator(".metric-name").evaluate_all("els => els.map(e => e.value)")
    assert names == [page.input_value(field("schedulers.0.metric_name", "select"))]
    name = names[0]
    edit(page, field("iterations_per_epoch"), "100")
    choose(page, "schedulers.0.event", '"EPOCH_COMPLETED"')
    choose(page, f"metrics.{name}.kind", "values")
    # too few values for the scheduler's reads: the API's message at the field
    edit(page, field(f"metrics.{name}.values", "textarea"), "1\n0.5\n0.4")
    err = page.locator(f'#editor [data-path="metrics.{name}.values"] > .field-error')
    assert "should hold at least 9 values" in err.text_content() and err.get_attribute("data-api") == "1"
    edit(page, field(f"metrics.{name}.values", "textarea"), "1\n0.5\n0.4\n0.4\n0.4\n0.4\n0.4\n0.4\n0.4\n0.4")
    assert err.is_hidden()
    first = metric_traces(page)
    page.wait_for_timeout(1100)  # edits of one field within a second make one undo step
    edit(page, field(f"metrics.{name}.values", "textarea"), "1\n0.9\n0.8\n0.7\n0.6\n0.5\n0.4\n0.3\n0.2\n0.1")
    assert metric_traces(page) != first
    page.locator("body").click(position={"x": 5, "y": 5})
    n = draws(page)
    page.keyboard.press(UNDO)
    settle(page, n)
    assert page.input_value(field(f"metrics.{name}.values", "textarea")).split("\n")[:3] == [
        "1",
        "0.5",
        "0.4",
    ]
    assert metric_traces(page) == first
    # renaming a curve renames it where the scheduler reads it: one edit, one undo
    n = draws(page)
    page.fill(".metric-name", "loss")
    page.keyboard.press("Tab")
    settle(page, n)
    assert page.input_value(field("schedulers.0.metric_name", "select")) == "loss"
    assert list(metric_traces(page)) == ["loss"]
    page.locator("body").click(position={"x": 5, "y": 5})
    n = draws(page)
    page.click("#btn-undo")
    settle(page, n)
    assert page.input_value(field("schedulers.0.metric_name", "select")) == name
    assert metric_traces(page) == first
    # removing the curve: the scheduler's menu names a curve that is gone, the API's error says so; undone
    n = draws(page)
    page.click(f"text=Remove metric {name}")
    settle(page, n)
    assert page.locator(".metric-name").count() == 0
    assert page.input_value(field("schedulers.0.metric_name", "select")) == name
    assert "(no such curve)" in page.text_content(field("schedulers.0.metric_name", "select"))
    assert name in page.text_content('#editor [data-path="schedulers.0.metric_name"] > .field-error')
    n = draws(page)
    page.click("#btn-undo")
    settle(page, n)
    assert page.input_value(".metric-name") == name and metric_traces(page) == first


def test_a_share_link_keeps_the_metric_curves(page, browser):
    open_dashboard(page)
    edit(page, field("iterations_per_epoch"), "100")
    add_pasted_curve(page, CSV)
    choose(page, "schedulers.0.type", "ReduceLROnPlateauScheduler")
    choose(page, "schedulers.0.event", '"EPOCH_COMPLETED"')
    before = traces(page)
    page.click("#btn-share")
    page.wait_for_function("() => document.querySelector('#share-url').value.includes('/s/')")
    url = page.input_value("#share-url")
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    fresh = ctx.new_page()
    console = watch(fresh)
    fresh.goto(url)
    settle(fresh, 0)
    assert traces(fresh) == before
    assert [float(v) for v in fresh.input_value(PASTE).split("\n")] == LOSSES
    assert fresh.input_value(field("schedulers.0.metric_name", "select")) == "val_loss"
    assert console.unexpected() == []
    ctx.close()


@pytest.mark.parametrize(
    "kind",
    ["ReduceLROnPlateauScheduler", "ReduceLROnPlateau", "timm.scheduler.PlateauLRScheduler"],
    ids=["ignite", "torch", "timm"],
)
def test_each_plateau_family_builds_from_its_form(page, kind):
    open_dashboard(page)
    edit(page, field("iterations_per_epoch"), "100")  # timm's steps after each epoch
    choose(page, "schedulers.0.type", kind)
    # a plateau scheduler on an experiment without curves gets a generated one to read
    assert page.locator(".metric-name").count() == 1
    name = page.input_value(".metric-name")
    assert page.input_value(field("schedulers.0.metric_name", "select")) == name
    assert page.input_value(field(f"metrics.{name}.kind", "select")) == "exp_plateau"
    edit(page, field(f"metrics.{name}.rate"), "2")  # flat (noise only) after a few evaluations
    assert page.locator("#chart-error").is_hidden()
    assert page.get_attribute("#chart", "data-state") == "ok"
    reply = assert_drawn_as_series(page)
    (m,) = reply["metrics"]
    assert m["name"] == name and len(m["events"]) > 5
    assert len(set(lr_trace(page, 0)["y"])) > 1  # the curve flattens: the lr is cut


BIG = {
    "num_events": 100_000,
    "param_groups": [{"name": "base", "lr": 0.1}],
    "schedulers": [{"type": "ReduceLROnPlateauScheduler", "metric_name": "val_loss", "patience": 50, "factor": 0.5}],
    "metrics": {"val_loss": {"kind": "exp_plateau", "start": 1.0, "plateau": 0.2, "rate": 0.001, "noise_std": 0.01,
                             "seed": 3}},
}  # fmt: skip


def test_a_pinned_event_reads_a_decimated_curve_exactly(page):
    m = series_reply(page, BIG)["metrics"][0]  # (first: a cold server imports torch for it)
    raw = json.dumps({"v": [["A", BIG]]}, separators=(",", ":")).encode()
    open_dashboard(page, "/#s=" + base64.urlsafe_b64encode(raw).decode().rstrip("="))
    assert m["events"] == list(range(100_000))  # read at every iteration: 100,000 reads
    drawn = metric_traces(page)["val_loss"]
    assert len(drawn["x"]) < 10_000  # drawn decimated (min/max kept)
    event = next(e for e in range(54_321, 100_000) if e not in set(drawn["x"]))
    page.fill("#pin-event", str(event))
    page.click("#pin-form button")
    cell = "#reading tr.metric-row td:last-child"
    page.wait_for_function(
        "(sel) => !['…', undefined].includes(document.querySelector(sel)?.textContent)", arg=cell
    )
    assert float(page.text_content(cell)).hex() == m["values"][event].hex()


PASTES = [  # text, options -> values, errors, columns, column, header
    ("0.9, 0.8 ,0.7", {}, [0.9, 0.8, 0.7], [], None, 0, False),
    ("0.9 0.8\t", {}, [0.9, 0.8], [], None, 0, False),
    ("1e-3\r\n.5\r\n\r\n-2E+1\n", {}, [0.001, 0.5, -20], [], None, 0, False),
    ('"step";"loss"\n1;"0.5"\n2;0.25', {"name": "loss"}, [0.5, 0.25], [], ["step", "loss"], 1, True),
    ("a\tb\n1\t2\n3\t4", {"column": 0}, [1, 3], [], ["a", "b"], 0, True),
    ("x,y\n1,2\n3", {}, [2], ["row 3: empty"], ["x", "y"], 1, True),
    ("0.1\n0x10\n0.3\nNaN", {}, [0.1, 0.3], ["row 2: “0x10” is not a number", "row 4: “NaN” is not a number"], None,
     0, False),
    ("1,5\n2,6", {}, [5, 6], [], ["column 1", "column 2"], 1, False),  # no header: the last column
    ("1 2 3", {"maxValues": 2}, [1, 2, 3], ["At most 2 values (one per evaluation); 3 read."], None, 0, False),
    ("loss\n", {}, [], ["value 1: “loss” is not a number"], None, 0, False),  # one line: a list of values
    ("epoch,loss\n", {}, [], ["value 1: “epoch” is not a number", "value 2: “loss” is not a number"], None, 0, False),
    ("loss\n\n  \n", {}, [], ["value 1: “loss” is not a number"], None, 0, False),
    ("epoch loss\n", {}, [], ["value 1: “epoch” is not a number", "value 2: “loss” is not a number"], None, 0, False),
    ("", {}, [], ["Paste one value per evaluation (a column of numbers, or a CSV with a header row)."], None, 0, False),
]  # fmt: skip


def test_the_paste_reader(page):
    """csvpaste.readPaste, the module the paste box uses, on the shapes a user pastes."""
    open_dashboard(page)
    got = page.evaluate(
        """async (cases) => {
            const { readPaste } = await import('/static/js/csvpaste.js');
            return cases.map(([text, opts]) => readPaste(text, opts));
        }""",
        [[text, opts] for text, opts, *_ in PASTES],
    )
    for (text, _, values, errors, columns, column, header), r in zip(PASTES, got, strict=True):
        assert (r["values"], r["errors"], r["columns"], r["column"], r["header"]) == (
            values,
            errors,
            columns,
            column,
            header,
        ), text
