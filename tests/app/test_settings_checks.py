"""Every setting is checked at start: a bad one is one line naming its variable, exit status 2,
no traceback (``schedule-explorer serve`` and ``uvicorn app.main:app``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import InvalidSettings, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "SCHEDULE_EXPLORER_"


def _env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)}
    env.update({PREFIX + k: v for k, v in settings.items()})
    return env


def _serve(**settings: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("schedule-explorer")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "app.cli"]
    return subprocess.run(
        [*cmd, "serve", "--port", "1"],  # never reached: the settings are refused first
        env=_env(**settings),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def _a_file(tmp_path: Path) -> Path:
    f = tmp_path / "a-file"
    f.write_text("x")
    return f


BAD = {
    "cors_origins not JSON": ("CORS_ORIGINS", lambda t: "notjson", "JSON list"),
    "cors origin with a path": ("CORS_ORIGINS", lambda t: '["https://a.example/"]', "not an origin"),
    "metrics_dir missing": ("METRICS_DIR", lambda t: "/nonexistent", "not an existing directory"),
    "metrics_dir a file": ("METRICS_DIR", lambda t: str(_a_file(t)), "not an existing directory"),
    "static_dir missing": ("STATIC_DIR", lambda t: "/nonexistent", "no index.html"),
    "static_dir without index.html": ("STATIC_DIR", lambda t: str(t), "no index.html"),
    "figure_points over max_points": ("FIGURE_POINTS", lambda t: "30000", "at most"),
    "link_store_url mysql": ("LINK_STORE_URL", lambda t: "mysql://user:s3cret@x/db", "unsupported"),
    "link_store_url sqlite without a file": ("LINK_STORE_URL", lambda t: "sqlite:///", "name a file"),
    "sqlite under a file": ("LINK_STORE_URL", lambda t: f"sqlite:///{_a_file(t)}/x/l.db", "not a directory"),
    "data_dir a file": ("DATA_DIR", lambda t: str(_a_file(t)), "not a directory"),
    "data_dir under a file": ("DATA_DIR", lambda t: str(_a_file(t) / "data"), "cannot create"),
    "public_base_url ftp": ("PUBLIC_BASE_URL", lambda t: "ftp://x.example", "absolute http(s) URL"),
    "public_base_url relative": ("PUBLIC_BASE_URL", lambda t: "/explorer", "absolute http(s) URL"),
    "public_base_url query": ("PUBLIC_BASE_URL", lambda t: "https://x.example/?a=1", "query"),
    "public_base_url fragment": ("PUBLIC_BASE_URL", lambda t: "https://x.example/#a", "fragment"),
    "max_points not an integer": ("MAX_POINTS", lambda t: "abc", "valid integer"),
    "workers zero": ("WORKERS", lambda t: "0", "greater than or equal to 1"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_setting_is_one_line_and_exit_2(case, tmp_path):
    name, value, reason = BAD[case]
    done = _serve(**{name: value(tmp_path)})
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert lines == [lines[0]] and lines[0].startswith(
        f"schedule-explorer: error: invalid setting {PREFIX}{name}: "
    ), done.stderr
    assert reason in lines[0]
    assert "s3cret" not in done.stderr


def test_uvicorn_import_string_is_one_line_too():
    cmd = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", "1"]
    done = subprocess.run(
        cmd, env=_env(FIGURE_POINTS="30000"), capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"schedule-explorer: error: invalid setting {PREFIX}FIGURE_POINTS: "
        f"should be at most {PREFIX}MAX_POINTS (20000), but given 30000"
    ]


def test_two_bad_settings_are_two_lines(monkeypatch):
    monkeypatch.setenv(PREFIX + "METRICS_DIR", "/nonexistent")
    monkeypatch.setenv(PREFIX + "LINK_STORE_URL", "mysql://x")
    with pytest.raises(InvalidSettings) as exc:
        load_settings()
    assert [line.split(":")[0] for line in exc.value.lines] == [
        f"invalid setting {PREFIX}LINK_STORE_URL",
        f"invalid setting {PREFIX}METRICS_DIR",
    ]


def test_good_values_are_accepted_and_nothing_is_created(tmp_path):
    data = tmp_path / "not" / "yet" / "data"
    s = Settings(
        data_dir=data,
        metrics_dir=tmp_path,
        figure_points=20_000,
        max_events=500,  # below max_download_events: allowed (lowering one cap needs no other)
        cors_origins=["https://a.example", "http://127.0.0.1:8000", "*"],
        public_base_url="https://schedules.example.org/explorer/",
    )
    assert not (tmp_path / "not").exists()  # checked without side effects
    assert s.public_base_url == "https://schedules.example.org/explorer"  # trailing / dropped
    assert (
        Settings(link_store_url=f"sqlite:///{tmp_path}/new/links.db").link_db_path().parent
        == tmp_path / "new"
    )
    assert Settings(link_store_url="postgresql://u:p@h:5432/db", data_dir=_a_file(tmp_path))  # unused


def test_settings_errors_hide_the_link_store_password():
    with pytest.raises(ValidationError) as exc:
        Settings(link_store_url="mysql://user:s3cret@host/db")
    assert "s3cret" not in str(exc.value)


def test_the_default_figure_points_follows_a_lower_max_points():
    assert Settings(max_points=64).figure_points == 64
    assert Settings(max_points=64, figure_points=32).figure_points == 32
    assert Settings().figure_points == 2_000
