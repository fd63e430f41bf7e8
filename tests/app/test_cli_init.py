"""``schedule-explorer init``: every preset validates and computes; listing; no silent overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import EXIT_USAGE, main
from app.contract.schemas import SEED_EXPERIMENT, Experiment
from app.presets import DEFAULT_PRESET, PRESETS


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_validates_and_computes(name, tmp_path, capsys, client):
    path = tmp_path / f"{name}.json"
    code, out, err = run(["init", "--preset", name, "-o", str(path)], capsys)
    assert (code, out) == (0, "")
    assert f"wrote {path} (preset {name})" in err
    doc = json.loads(path.read_text())
    Experiment.model_validate(doc)
    code, out, err = run(["series", str(path)], capsys)
    assert (code, err) == (0, "")
    series = json.loads(out)["series"]
    assert series and all(len(s["values"]) == doc["num_events"] for s in series)
    assert client.post("/api/v1/series?max_points=100", json=doc).status_code == 200


def test_seed_preset_is_the_api_example_and_the_default(capsys, client):
    code, out, _ = run(["init"], capsys)
    assert code == 0 and DEFAULT_PRESET == "seed"
    assert json.loads(out) == SEED_EXPERIMENT == client.get("/api/v1/schedulers").json()["example"]


def test_the_presets_this_issue_asks_for_use_the_schedulers_it_names():
    def types(name: str) -> set[str]:
        found: set[str] = set()

        def walk(node):
            if isinstance(node, dict):
                if "type" in node:
                    found.add(node["type"])
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        walk(PRESETS[name].document)
        return found

    assert types("cosine-warmup") == {"create_lr_scheduler_with_warmup", "CosineAnnealingLR"}
    assert types("warmup-cosine-concat") == {"ConcatScheduler", "PiecewiseLinear", "CosineAnnealingScheduler"}
    assert types("one-cycle") == {"LRScheduler", "OneCycleLR"}
    assert types("step") == {"LRScheduler", "StepLR"}


@pytest.mark.parametrize(
    "argv", [["--list-presets"], ["init", "--list-presets"], ["init", "--preset", "help"]]
)
def test_list_presets(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:  # --list-presets exits like --help
        code = exc.code or 0
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert "init --preset NAME" in lines[0]
    assert [line.split()[0] for line in lines[1:]] == list(PRESETS)
    assert all(PRESETS[line.split()[0]].description in line for line in lines[1:])


def test_unknown_preset_lists_the_names(capsys):
    code, out, err = run(["init", "--preset", "cosine"], capsys)
    assert code == EXIT_USAGE and out == ""
    assert err == (
        "schedule-explorer: error: unknown preset 'cosine'; presets: seed, cosine-warmup, "
        "warmup-cosine-concat, one-cycle, step, sgdr, step-30-60-90, warmup-stable-decay, "
        "inverse-sqrt-warmup (see schedule-explorer --list-presets)\n"
    )


def test_refuses_to_overwrite_without_force(tmp_path: Path, capsys):
    path = tmp_path / "exp.json"
    path.write_text("mine")
    code, out, err = run(["init", "-o", str(path)], capsys)
    assert code == EXIT_USAGE and out == ""
    assert err == f"schedule-explorer: error: {path} already exists; use --force to overwrite it\n"
    assert path.read_text() == "mine"
    code, _, _ = run(["init", "--preset", "step", "--output", str(path), "--force"], capsys)
    assert code == 0 and json.loads(path.read_text()) == PRESETS["step"].document


def test_unwritable_output_is_one_line(tmp_path, capsys):
    code, _, err = run(["init", "-o", str(tmp_path / "no" / "such" / "dir.json")], capsys)
    assert (
        code == EXIT_USAGE
        and err.startswith("schedule-explorer: error: cannot write ")
        and err.count("\n") == 1
    )
