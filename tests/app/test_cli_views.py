"""Saved dashboard views with ``--variant``; one-line errors; cap errors that say how to get round them."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from app.cli import EXIT_INVALID, EXIT_USAGE, main
from app.presets import preset
from app.settings import get_settings

PREFIX = "schedule-explorer: error: "


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, doc, name: str = "doc.json") -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


@pytest.fixture
def view(seed) -> dict:
    """A saved dashboard view (a share link's document): variants A (seed) and B (StepLR)."""
    return {
        "variants": [{"name": "A", "experiment": seed}, {"name": "B", "experiment": preset("step")}],
        "view": {"layout": "overlay", "log_y": True, "x_axis": "epochs", "iterations_per_epoch": 10},
    }


@pytest.fixture
def caps(monkeypatch):
    """``caps(NAME=value, ...)``: set SCHEDULE_EXPLORER_* caps for one test."""

    def set_caps(**values):
        for k, v in values.items():
            monkeypatch.setenv(f"SCHEDULE_EXPLORER_{k.upper()}", str(v))
        get_settings.cache_clear()

    yield set_caps
    get_settings.cache_clear()


# ---------------------------------------------------------------- views and --variant
@pytest.mark.parametrize(
    "command", [["series", "--max-points", "50"], ["code"], ["figure", "--format", "json"]]
)
def test_every_subcommand_takes_a_view_and_defaults_to_the_first_variant(
    command, view, seed, tmp_path, capsys
):
    doc = write(tmp_path, view)
    exp = write(tmp_path, seed, "exp.json")
    args = [command[0], doc, *command[1:]]
    code, out, err = run(args, capsys)
    assert code == 0
    assert err == (
        "schedule-explorer: note: " + doc + " holds variants A, B; using A (choose one with --variant NAME)\n"
    )
    expected = run([command[0], exp, *command[1:]], capsys)[1]
    if command[0] == "figure":  # the view's layout and log axis apply
        expected = run([command[0], exp, *command[1:], "--layout", "overlay", "--log-y"], capsys)[1]
    assert out == expected
    code, out_a, err = run([*args, "--variant", "A"], capsys)
    assert (code, err, out_a) == (0, "", out)


def test_variant_by_name(view, tmp_path, capsys, client):
    doc = write(tmp_path, view)
    code, out, err = run(["series", doc, "--variant", "B", "--max-points", "20"], capsys)
    assert (code, err) == (0, "")
    b = view["variants"][1]["experiment"]
    assert json.loads(out) == client.post("/api/v1/series?max_points=20", json=b).json()
    code, out, _ = run(["code", doc, "--variant", "B", "--flavor", "ignite"], capsys)
    assert out == client.post("/api/v1/code?flavor=ignite", json=b).json()["code"]


def test_figure_of_a_view_uses_its_layout_unless_told(view, tmp_path, capsys):
    doc = write(tmp_path, view)
    fig = json.loads(run(["figure", doc, "--variant", "B", "--format", "json"], capsys)[1])
    assert fig["layout"]["yaxis"]["type"] == "log"
    fig = json.loads(run(["figure", doc, "--variant", "B", "--format", "json", "--no-log-y"], capsys)[1])
    assert fig["layout"].get("yaxis", {}).get("type") != "log"


def test_unknown_variant_lists_the_names(view, tmp_path, capsys):
    doc = write(tmp_path, view)
    for command in (
        ["series"],
        ["figure", "-o", str(tmp_path / "f.html")],
        ["code"],
        ["open", "--no-browser"],
    ):
        code, out, err = run([command[0], doc, *command[1:], "--variant", "C"], capsys)
        assert (code, out) == (EXIT_USAGE, "")
        assert err == f"{PREFIX}{doc} has no variant 'C'; its variants: 'A', 'B'\n"


def test_variant_of_a_plain_experiment_is_refused(seed, tmp_path, capsys):
    exp = write(tmp_path, seed)
    code, out, err = run(["code", exp, "--variant", "B"], capsys)
    assert (code, out) == (EXIT_USAGE, "")
    assert err == f"{PREFIX}--variant B given, but {exp} is an experiment, not a dashboard view\n"


def test_a_view_is_validated_with_paths_into_its_variants(view, tmp_path, capsys):
    view["variants"][1]["experiment"]["schedulers"][0]["lr_scheduler"]["step_size"] = 0
    view["view"]["layout"] = "grid"
    code, out, err = run(["series", write(tmp_path, view)], capsys)
    assert (code, out) == (EXIT_INVALID, "")
    assert err.splitlines() == [
        f"{PREFIX}variants.1.experiment.schedulers.0.lr_scheduler.step_size: "
        "Input should be greater than or equal to 1",
        f"{PREFIX}view.layout: Input should be 'subplots' or 'overlay'",
    ]


# ---------------------------------------------------------------- one-line errors
def test_missing_file(tmp_path, capsys):
    path = tmp_path / "nope.json"
    for command in ("series", "figure", "code", "open"):
        code, out, err = run([command, str(path)], capsys)
        assert (code, out) == (EXIT_USAGE, "")
        assert err == f"{PREFIX}cannot read {path}: No such file or directory\n"


def test_invalid_json_gives_line_and_column(tmp_path, capsys):
    path = write(tmp_path, '{\n  "num_events": 10,\n  oops\n}\n')
    code, out, err = run(["series", path], capsys)
    assert (code, out) == (EXIT_USAGE, "")
    assert err == (
        f"{PREFIX}{path} is not valid JSON: Expecting property name enclosed in double quotes at line 3, column 3\n"
    )
    code, _, err = run(["code", write(tmp_path, "", "empty.json")], capsys)
    assert code == EXIT_USAGE and err.endswith("is not valid JSON: Expecting value at line 1, column 1\n")
    code, _, err = run(["code", write(tmp_path, "[" * 100_000, "deep.json")], capsys)
    assert code == EXIT_USAGE and err.endswith("is not valid JSON: nested too deeply\n")


def test_validation_errors_are_one_line_each_as_loc_msg(seed, tmp_path, capsys):
    seed["schedulers"][0]["cycle_size"] = 1
    seed["param_groups"][1]["lr"] = "fast"
    seed["extra"] = True
    code, out, err = run(["figure", write(tmp_path, seed), "-o", str(tmp_path / "f.html")], capsys)
    assert (code, out) == (EXIT_INVALID, "")
    assert sorted(err.splitlines()) == sorted(
        [
            f"{PREFIX}extra: Extra inputs are not permitted",
            f"{PREFIX}param_groups.1.lr: Input should be a valid number",
            f"{PREFIX}schedulers.0.cycle_size: Input should be greater than or equal to 2",
        ]
    )


@pytest.mark.parametrize(
    ("doc", "holds"),
    [
        ({"foo": 1, "bar": 2}, "an object with keys bar, foo"),
        ({}, "an empty object"),
        ([1, 2], "a list"),
        ("null", "null"),
        (3, "a number"),
    ],
)
def test_neither_experiment_nor_view_is_one_line(doc, holds, tmp_path, capsys):
    path = write(tmp_path, doc if isinstance(doc, str) else json.dumps(doc))
    code, out, err = run(["code", path], capsys)
    assert (code, out) == (EXIT_INVALID, "")
    assert err == (
        f"{PREFIX}{path} should be an experiment ({{num_events, param_groups, schedulers}}) or a "
        f"dashboard view ({{variants, view}}), but holds {holds}\n"
    )


# ---------------------------------------------------------------- caps with a way round
def test_too_many_events_for_a_full_series_suggests_max_points(tmp_path, capsys):
    big = preset("step")
    big["num_events"] = 2_000_000
    path = write(tmp_path, big)
    for argv in (["series", path], ["series", path, "-o", str(tmp_path / "s.csv")]):
        code, out, err = run(argv, capsys)
        assert (code, out) == (EXIT_INVALID, "")
        assert err == (
            f"{PREFIX}num_events: num_events should be at most 1000000 for this request, but given 2000000; "
            "use --max-points N to get a decimated series (up to 10000000 events), "
            "or raise SCHEDULE_EXPLORER_MAX_DOWNLOAD_EVENTS\n"
        )
    code, out, err = run(["series", path, "--max-points", "100"], capsys)
    assert (code, err) == (0, "") and json.loads(out)["decimated"] is True


def test_too_many_events_when_decimated_names_the_setting(view, tmp_path, capsys, caps):
    caps(max_events=500)
    path = write(tmp_path, view)
    code, _, err = run(["figure", path, "--variant", "B", "-o", str(tmp_path / "f.html")], capsys)
    assert code == EXIT_INVALID
    assert err == (
        f"{PREFIX}variants.1.experiment.num_events: num_events should be at most 500 for this request, "
        "but given 10000; raise SCHEDULE_EXPLORER_MAX_EVENTS to allow more\n"
    )


def test_too_many_values(seed, tmp_path, capsys, caps):
    caps(max_values=1000)
    code, _, err = run(["series", write(tmp_path, seed), "--max-points", "10"], capsys)
    assert code == EXIT_INVALID
    assert err == (
        f"{PREFIX}num_events: num_events x series (1000 x 2 = 2000) should be at most 1000; "
        "use fewer events or param groups, or raise SCHEDULE_EXPLORER_MAX_VALUES\n"
    )


def test_over_time_budget(seed, tmp_path, capsys, caps):
    caps(request_time_budget_s="1e-9")
    path = write(tmp_path, seed)
    code, _, err = run(["series", path, "--format", "csv"], capsys)
    assert code == EXIT_INVALID
    assert err == (
        f"{PREFIX}num_events: this CSV would take about 0 s, over the 1e-09 s budget: use fewer events "
        "or max_points; use --max-points N, or raise SCHEDULE_EXPLORER_REQUEST_TIME_BUDGET_S (seconds) "
        "to allow a longer run\n"
    )
    code, _, err = run(["figure", path, "--format", "json"], capsys)
    assert code == EXIT_INVALID
    assert err == (
        f"{PREFIX}num_events: this experiment would take about 0 s, over the 1e-09 s budget: use fewer "
        "events or schedulers; raise SCHEDULE_EXPLORER_REQUEST_TIME_BUDGET_S (seconds) to allow a longer run\n"
    )


def test_too_many_points_and_too_many_schedulers(seed, tmp_path, capsys, caps):
    path = write(tmp_path, seed)
    code, _, err = run(["series", path, "--max-points", "20001"], capsys)
    assert code == EXIT_USAGE
    assert err == (
        f"{PREFIX}--max-points: max_points should be at most 20000, but given 20001; "
        "use a smaller --max-points, or raise SCHEDULE_EXPLORER_MAX_POINTS\n"
    )
    caps(max_schedulers=1)
    code, _, err = run(["code", path], capsys)
    assert code == EXIT_INVALID
    assert err == (
        f"{PREFIX}schedulers: at most 1 schedulers per experiment, but given 2; "
        "raise SCHEDULE_EXPLORER_MAX_SCHEDULERS\n"
    )


def test_the_api_messages_carry_no_cli_hint(client):
    big = copy.deepcopy(preset("step"))
    big["num_events"] = 2_000_000
    detail = client.post("/api/v1/series", json=big).json()["detail"]
    assert detail == [
        {
            "loc": ["body", "num_events"],
            "msg": "num_events should be at most 1000000 for this request, but given 2000000",
            "type": "too_many_events",
        }
    ]
