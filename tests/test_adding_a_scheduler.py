"""docs/adding-a-scheduler.md stays true: its three blocks, applied to a copy of the repository,
give a new type that works end to end (library, closed form, catalogue, /series, code export).

The guide marks each block with ``<!-- apply: append FILE -->``, ``<!-- apply: before "TEXT"
FILE -->`` or ``<!-- apply: create FILE -->``; nothing else is edited in the copy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "adding-a-scheduler.md"
BLOCK = re.compile(r"<!-- apply: (append|create|before \"([^\"]+)\") (\S+) -->\n```python\n(.*?)```", re.S)

END_TO_END = r"""
import sys
from fastapi.testclient import TestClient
from app.main import create_app
from app.settings import Settings
from scheduler_core import StepDecayScheduler

client = TestClient(create_app(Settings(data_dir=sys.argv[1])))
types = {t["type"]: t for t in client.get("/api/v1/schedulers").json()["types"]}
entry = types["StepDecayScheduler"]
assert entry["kind"] == "param" and entry["closed_form"] is True and entry["stepping_only"] is None
assert entry["json_schema"]["properties"]["step_size"]["minimum"] == 1
assert entry["child_json_schema"] is not None  # usable inside a ConcatScheduler

exp = {"num_events": 450, "param_groups": [{"name": "g", "lr": 0.1}], "schedulers": [entry["example"]]}
reply = client.post("/api/v1/series", json=exp)
assert reply.status_code == 200, reply.text
values = reply.json()["series"][0]["values"]
rows = StepDecayScheduler.simulate_values(450, param_name="lr", start_value=0.1, gamma=0.5, step_size=100)
assert values == [v for _, v in rows]

concat = {"type": "ConcatScheduler", "param_name": "lr", "durations": [50], "schedulers": [
    {"type": "PiecewiseLinear", "milestones_values": [[0, 0.0], [49, 0.1]]},
    {"type": "StepDecayScheduler", "start_value": 0.1, "gamma": 0.5, "step_size": 100}]}
reply = client.post("/api/v1/series", json={**exp, "schedulers": [concat]})
assert reply.status_code == 200 and reply.json()["series"][0]["values"][50:] == values[:400]

bad = {**exp, "schedulers": [{**entry["example"], "step_size": 0}]}
reply = client.post("/api/v1/series", json=bad)
assert reply.status_code == 422 and reply.json()["detail"][0]["loc"][-1] == "step_size", reply.text

code = client.post("/api/v1/code", json=exp).json()["code"]
assert "from scheduler_core import StepDecayScheduler" in code
namespace = {}
exec(compile(code, "exported.py", "exec"), namespace)
assert namespace["history"][0]["lr"] == values
print("end to end: ok")
"""


def _apply(copy: Path) -> set[str]:
    blocks = BLOCK.findall(GUIDE.read_text())
    assert len(blocks) == 3, "the guide should hold exactly three blocks to apply"
    touched = set()
    for how, anchor, name, code in blocks:
        path = copy / name
        touched.add(name)
        if how == "create":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(code)
        elif how == "append":
            path.write_text(path.read_text() + "\n\n" + code)
        else:
            text = path.read_text()
            assert text.count(anchor) == 1, f"anchor {anchor!r} should occur once in {name}"
            path.write_text(text.replace(anchor, code + "\n\n" + anchor))
    return touched


def test_the_guide_adds_a_type_end_to_end(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis")
    for part in ("scheduler_core", "app", "static"):
        shutil.copytree(ROOT / part, copy / part, ignore=ignore)
    shutil.copytree(ROOT / "tests" / "scheduler_core", copy / "tests" / "scheduler_core", ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", copy)
    touched = _apply(copy)
    assert touched == {
        "scheduler_core/piecewise.py",
        "app/contract/wire/ignite.py",
        "tests/scheduler_core/test_step_decay.py",
    }
    env = {**os.environ, "PYTHONPATH": str(copy)}
    run = dict(cwd=copy, env=env, capture_output=True, text=True, timeout=600)
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/scheduler_core/test_step_decay.py", "scheduler_core/piecewise.py"],
        **run,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "8 passed" in tests.stdout, tests.stdout  # 6 tests + 2 doctests (the new class's too)
    end = subprocess.run([sys.executable, "-c", END_TO_END, str(tmp_path / "data")], **run)
    assert end.returncode == 0 and "end to end: ok" in end.stdout, end.stdout + end.stderr
