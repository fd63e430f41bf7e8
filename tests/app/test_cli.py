"""The ``schedule-explorer`` command line: offline rendering matches the API; errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import EXIT_INVALID, EXIT_USAGE, main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def exp_file(tmp_path: Path, seed: dict) -> Path:
    path = tmp_path / "exp.json"
    path.write_text(json.dumps(seed))
    return path


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_series_json_matches_the_api(client, seed, exp_file, capsys):
    code, out, err = run(["series", str(exp_file), "--max-points", "100"], capsys)
    assert (code, err) == (0, "")
    assert json.loads(out) == client.post("/api/v1/series?max_points=100", json=seed).json()


def test_series_csv_matches_the_api(client, seed, exp_file, capsys):
    code, out, _ = run(["series", str(exp_file), "--format", "csv"], capsys)
    assert code == 0
    assert out == client.post("/api/v1/series?format=csv", json=seed).text
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["event", "base/lr", "fc/lr"] and len(rows) == 1 + seed["num_events"]


def test_code_matches_the_api(client, seed, exp_file, capsys):
    code, out, _ = run(["code", str(exp_file), "--flavor", "ignite"], capsys)
    assert code == 0
    assert out == client.post("/api/v1/code?flavor=ignite", json=seed).json()["code"]


def test_figure_writes_standalone_html(exp_file, tmp_path, capsys):
    chart = tmp_path / "chart.html"
    code, out, err = run(["figure", str(exp_file), "-o", str(chart), "--layout", "overlay"], capsys)
    assert (code, out, err) == (0, "", "")
    html = chart.read_text()
    assert (
        html.lower().startswith("<!doctype html>") and "Plotly.newPlot" in html and "<script src=" not in html
    )


def test_figure_json_to_stdout(exp_file, capsys):
    code, out, _ = run(["figure", str(exp_file), "--format", "json", "--max-points", "50"], capsys)
    fig = json.loads(out)
    assert code == 0 and len(fig["data"]) == 2 and all(len(t["x"]) <= 60 for t in fig["data"])


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "cannot read"),
        ("{", "is not valid JSON"),
        (b"\xff\xfe{", "is not valid JSON"),
    ],
)
def test_unreadable_or_not_json_is_exit_2(tmp_path, capsys, content, needle):
    path = tmp_path / "exp.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    code, out, err = run(["series", str(path)], capsys)
    assert code == EXIT_USAGE and out == ""
    assert needle in err and err.count("\n") == 1


def test_each_validation_error_is_a_line_with_its_path(tmp_path, seed, capsys):
    seed["schedulers"][0]["cycle_size"] = 1
    seed["schedulers"][1]["end_value"] = "high"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(seed))
    code, out, err = run(["series", str(path)], capsys)
    lines = err.splitlines()
    assert code == EXIT_INVALID and out == ""
    assert len(lines) == 2
    assert lines[0].startswith("schedule-explorer: error: schedulers.0.cycle_size: ")
    assert lines[1].startswith("schedule-explorer: error: schedulers.1.end_value: ")


def test_cross_field_and_scheduler_errors_are_exit_3(tmp_path, seed, capsys):
    seed["schedulers"][0]["param_group_index"] = 5
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(seed))
    code, _, err = run(["code", str(path)], capsys)
    assert code == EXIT_INVALID and "schedulers.0.param_group_index:" in err
    nan = tmp_path / "nan.json"
    nan.write_text(json.dumps(seed).replace("1e-07", "NaN"))
    assert run(["series", str(nan)], capsys)[0] == EXIT_INVALID


def test_caps_are_the_api_caps(exp_file, capsys, monkeypatch):
    from app.settings import get_settings

    monkeypatch.setenv("SCHEDULE_EXPLORER_MAX_DOWNLOAD_EVENTS", "100")
    get_settings.cache_clear()
    try:
        code, _, err = run(["series", str(exp_file)], capsys)
        assert code == EXIT_INVALID and "num_events:" in err and "at most 100" in err
        code, _, err = run(["series", str(exp_file), "--max-points", "99999999"], capsys)
        assert code == EXIT_USAGE and "--max-points:" in err
    finally:
        get_settings.cache_clear()


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["code", "x.json", "--flavor", "keras"])
    assert exc.value.code == EXIT_USAGE
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == EXIT_USAGE
    with pytest.raises(SystemExit) as exc:
        main(["series", "x.json", "--max-points", "3"])
    assert exc.value.code == EXIT_USAGE
    assert "should be at least 4, but given 3" in capsys.readouterr().err


def test_serve_defaults_come_from_the_environment(monkeypatch):
    import uvicorn

    from app.server.observability import LOG_CONFIG
    from app.settings import get_settings

    calls = []

    def fake_run(app, **kw):
        calls.append((app, kw, os.environ.get("SCHEDULE_EXPLORER_METRICS_DIR")))

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.delenv("SCHEDULE_EXPLORER_METRICS_DIR", raising=False)
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("SCHEDULE_EXPLORER_WORKERS", "3")
    get_settings.cache_clear()
    try:
        assert main(["serve"]) == 0
        assert main(["serve", "--port", "8001", "--workers", "2", "--host", "0.0.0.0"]) == 0
        assert main(["serve", "--reload"]) == 0
    finally:
        get_settings.cache_clear()
    (app, kw, shared), (_, kw2, _), (_, kw3, shared3) = calls
    assert app == "app.main:app"
    assert (kw["host"], kw["port"], kw["workers"]) == ("127.0.0.1", 9123, 3)
    assert kw["access_log"] is False and kw["log_config"] is LOG_CONFIG
    assert shared and not Path(shared).exists(), "workers pool metrics in a temp dir, removed after"
    assert "SCHEDULE_EXPLORER_METRICS_DIR" not in os.environ
    assert (kw2["host"], kw2["port"], kw2["workers"]) == ("0.0.0.0", 8001, 2)
    assert kw3["reload"] is True and kw3["workers"] == 1 and shared3 is None


def _script(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """The installed console script (or ``python -m app.cli`` when not installed)."""
    exe = Path(sys.executable).with_name("schedule-explorer")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "app.cli"]
    return subprocess.run([*cmd, *args], input=stdin, capture_output=True, cwd=ROOT, timeout=120)


def test_console_script_reads_stdin(seed):
    done = _script("series", "-", "--format", "csv", "--max-points", "10", stdin=json.dumps(seed).encode())
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith("event,base/lr,fc/lr\n0,")


def test_console_script_reports_invalid_config():
    done = _script("series", "-", stdin=b'{"num_events": 0}')
    assert done.returncode == EXIT_INVALID
    err = done.stderr.decode()
    assert "num_events:" in err and "param_groups:" in err and "Traceback" not in err


def test_version(capsys):
    from app import __version__

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out == f"schedule-explorer {__version__}\n"


def test_series_output_file_format_by_extension_or_flag(client, seed, exp_file, tmp_path, capsys):
    csv_path, json_path, forced = tmp_path / "s.csv", tmp_path / "s.json", tmp_path / "s.csv.txt"
    assert run(["series", str(exp_file), "-o", str(csv_path), "--max-points", "10"], capsys) == (0, "", "")
    assert csv_path.read_text() == client.post("/api/v1/series?format=csv&max_points=10", json=seed).text
    assert run(["series", str(exp_file), "--output", str(json_path)], capsys) == (0, "", "")
    assert json.loads(json_path.read_text()) == client.post("/api/v1/series", json=seed).json()
    assert run(["series", str(exp_file), "-o", str(forced), "--format", "csv"], capsys) == (0, "", "")
    assert forced.read_text().startswith("event,base/lr,fc/lr\n")
    code, out, err = run(["series", str(exp_file), "-o", str(tmp_path / "no" / "dir.csv")], capsys)
    assert (code, out) == (EXIT_USAGE, "") and err.startswith("schedule-explorer: error: cannot write ")


def test_code_and_figure_output_files(client, seed, exp_file, tmp_path, capsys):
    py, fig = tmp_path / "train.py", tmp_path / "fig.json"
    assert run(["code", str(exp_file), "-o", str(py)], capsys) == (0, "", "")
    assert py.read_text() == client.post("/api/v1/code", json=seed).json()["code"]
    assert run(["figure", str(exp_file), "-o", str(fig)], capsys) == (0, "", "")  # *.json: the JSON figure
    assert json.loads(fig.read_text())["data"] == client.post("/api/v1/figure", json=seed).json()["data"]


def test_figure_html_to_a_terminal_is_refused(exp_file, capsys, monkeypatch):
    import app.cli

    monkeypatch.setattr(app.cli, "_stdout_is_terminal", lambda: True)
    code, out, err = run(["figure", str(exp_file)], capsys)
    assert (code, out) == (EXIT_USAGE, "")
    assert err == (
        "schedule-explorer: error: refusing to write a figure's HTML (several MB) to the terminal; "
        "use -o chart.html, pipe the output, or --format json\n"
    )
    code, out, _ = run(["figure", str(exp_file), "--format", "json"], capsys)  # JSON is fine
    assert code == 0 and json.loads(out)["data"]


def test_figure_on_a_real_terminal_and_through_a_pipe(exp_file):
    import pty

    leader, follower = pty.openpty()
    try:
        exe = Path(sys.executable).with_name("schedule-explorer")
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "app.cli"]
        done = subprocess.run(
            [*cmd, "figure", str(exp_file)], stdout=follower, stderr=subprocess.PIPE, cwd=ROOT, timeout=120
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == EXIT_USAGE and b"refusing to write a figure's HTML" in done.stderr
    piped = _script("figure", str(exp_file))
    assert piped.returncode == 0 and piped.stdout.lower().startswith(b"<!doctype html>")


def test_ctrl_c_is_quiet(exp_file, capsys, monkeypatch):
    import app.cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(app.cli, "_render", interrupted)
    assert run(["series", str(exp_file)], capsys) == (130, "", "")
