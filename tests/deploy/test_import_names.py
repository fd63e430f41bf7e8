"""One folder, two import names: the server package never loads itself twice in one process.

The folder ``app/`` is the package ``app`` in this checkout (the tests, ``uvicorn app.main:app``,
bench/) and ``schedule_explorer`` when installed (pyproject.toml maps the name to the folder; the
editable install of the Makefile too). Its modules import each other relatively, so importing
one name must never import the other: the same code loaded twice would keep two of every
module-level thing (two settings caches, two wire registries, two ``Experiment`` classes that
fail each other's ``isinstance`` checks). Each check runs in a fresh interpreter, where both
names can be imported, and imports every module of one name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("app", "schedule_explorer")

IMPORT_ALL = """
import importlib, json, pkgutil, sys
name, other = sys.argv[1:]
package = importlib.import_module(name)
modules = [m.name for m in pkgutil.walk_packages(package.__path__, name + ".")]
for module in modules:
    importlib.import_module(module)
print(json.dumps({
    "file": package.__file__,
    "modules": modules,
    "other": sorted(m for m in sys.modules if m == other or m.startswith(other + ".")),
    "asgi_app": sys.modules[name + ".cli"].ASGI_APP,
}))
"""


def _import_all(name: str, tmp_path: Path, folder: Path = ROOT / "app") -> dict:
    """Import every module of ``name`` in a fresh interpreter where ``app`` and
    ``schedule_explorer`` both name ``folder`` (links to it, ahead of the checkout on the path)."""
    alias = tmp_path / "alias"
    alias.mkdir()
    for each in NAMES:
        (alias / each).symlink_to(folder, target_is_directory=True)
    other = NAMES[1 - NAMES.index(name)]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(alias), str(ROOT)]),
        "SCHEDULE_EXPLORER_DATA_DIR": str(tmp_path / "data"),
        "SCHEDULE_EXPLORER_STATIC_DIR": str(ROOT / "static"),  # a copied folder has no static/
    }
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, name, other],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("name", NAMES)
def test_importing_one_name_never_imports_the_other(name: str, tmp_path: Path) -> None:
    seen = _import_all(name, tmp_path)
    assert Path(seen["file"]).resolve() == ROOT / "app" / "__init__.py"
    assert {f"{name}.main", f"{name}.cli", f"{name}.api.routes.series"} <= set(seen["modules"])
    assert seen["other"] == [], f"importing {name} loaded the same code again as {seen['other']}"
    assert seen["asgi_app"] == f"{name}.main:app", "uvicorn must import the package it was started from"


def test_the_check_catches_an_absolute_self_import(tmp_path: Path) -> None:
    """A ``from app.… import …`` left in the package loads the code a second time as ``app``."""
    copy = tmp_path / "folder_copy"
    shutil.copytree(ROOT / "app", copy, ignore=shutil.ignore_patterns("__pycache__"))
    settings = copy / "settings.py"
    settings.write_text(settings.read_text() + "\nfrom app import _extras as _absolute  # noqa: E402\n")
    seen = _import_all("schedule_explorer", tmp_path, folder=copy)
    assert {"app", "app._extras"} <= set(seen["other"]), seen["other"]


def _editable_root() -> Path | None:
    """The checkout this environment's ``schedule-explorer`` is editable-installed from, if any."""
    # this environment's site-packages only: the checkout, on sys.path, may hold an .egg-info
    site = [sysconfig.get_paths()["purelib"]]
    found = [d for d in metadata.distributions(path=site) if d.metadata["Name"] == "schedule-explorer"]
    info = json.loads((found[0].read_text("direct_url.json") if found else None) or "{}")
    if not info.get("dir_info", {}).get("editable"):
        return None
    return Path(info["url"].removeprefix("file://")).resolve()


def test_the_editable_install_exposes_the_installed_names_only(tmp_path: Path) -> None:
    """``pip install -e .`` (the Makefile) maps ``schedule_explorer`` to app/ and adds no ``app``:
    outside the checkout, only the installed names import, as from a wheel."""
    if _editable_root() != ROOT:
        pytest.skip("schedule-explorer is not editable-installed from this checkout")
    probe = (
        "import importlib.util as u, json; "
        "print(json.dumps({n: (s.origin if (s := u.find_spec(n)) else None) "
        "for n in ('app', 'schedule_explorer', 'scheduler_core')}))"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    origins = json.loads(done.stdout)
    assert origins["schedule_explorer"] == str(ROOT / "app" / "__init__.py"), (
        f"{origins}: the editable install is stale; reinstall it (make install-dev, or "
        "pip install --no-deps -e .)"
    )
    assert origins["app"] is None, origins
    assert origins["scheduler_core"] == str(ROOT / "scheduler_core" / "__init__.py")
