"""``schedule-explorer figure -o chart.png|svg``: images through kaleido and the system Chromium.

The rendering tests skip where /usr/bin/chromium is absent, except under CI=true (a failure).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.cli import EXIT_MISSING, EXIT_USAGE, main
from scheduler_core import plotting

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SCHEDULE_EXPLORER_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def chromium(monkeypatch) -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (Debian: apt-get install chromium)")
    monkeypatch.setenv("BROWSER_PATH", CHROMIUM)
    return CHROMIUM


@pytest.fixture
def exp_file(tmp_path: Path, seed: dict) -> Path:
    path = tmp_path / "exp.json"
    path.write_text(json.dumps(seed))
    return path


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_png_by_extension(chromium, exp_file, tmp_path, capsys) -> None:
    out = tmp_path / "out.png"
    start = time.monotonic()
    assert run(["figure", str(exp_file), "-o", str(out), "--max-points", "200"], capsys) == (0, "", "")
    assert time.monotonic() - start < 15
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and 5_000 < len(data) < 2_000_000


def test_svg_with_format_and_size_through_the_command(chromium, exp_file, tmp_path) -> None:
    """The console script in its own process (as a user runs it), --format over the extension."""
    out = tmp_path / "out.image"
    exe = Path(sys.executable).with_name("schedule-explorer")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "app.cli"]
    args = ["figure", str(exp_file), "--format", "svg", "--width", "900", "--height", "600", "-o", str(out)]
    done = subprocess.run([*cmd, *args], capture_output=True, cwd=ROOT, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    text = out.read_text()
    assert text.startswith("<svg") and 'width="900"' in text and 'height="600"' in text


def test_a_missing_kaleido_names_the_image_extra(exp_file, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "kaleido", None)
    code, out, err = run(["figure", str(exp_file), "-o", str(tmp_path / "out.png")], capsys)
    assert (code, out) == (EXIT_MISSING, "")
    assert err == (
        "schedule-explorer: error: image export needs kaleido, the [image] extra: "
        "pip install 'schedule-explorer[image]'\n"
    )
    assert not (tmp_path / "out.png").exists()


def test_a_missing_chromium_says_to_install_it(exp_file, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setattr(plotting, "_DEBIAN_CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("PATH", str(tmp_path))
    code, out, err = run(["figure", str(exp_file), "--format", "svg"], capsys)
    assert (code, out) == (EXIT_MISSING, "")
    assert err.startswith("schedule-explorer: error: image export needs Chrome or Chromium")
    assert "apt-get install chromium" in err and err.count("\n") == 1


def test_png_to_a_terminal_is_refused(exp_file, capsys, monkeypatch) -> None:
    import app.cli

    monkeypatch.setattr(app.cli, "_stdout_is_terminal", lambda: True)
    code, out, err = run(["figure", str(exp_file), "--format", "png"], capsys)
    assert (code, out) == (EXIT_USAGE, "")
    assert "refusing to write a figure's PNG image (binary) to the terminal" in err
