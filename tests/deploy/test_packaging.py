"""The distribution's metadata fits its users (scripts/smoke-packages.sh checks the built artifacts).

The library needs numpy and numexpr only; torch, the server and PostgreSQL are extras; every pip command of
the Makefile, CI and the Dockerfile that can install torch pins torch==2.13.0 in the same
command; the packages list covers app/ and static/; a missing extra is named in the error.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest

from app import _extras
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
EXTRAS = PROJECT["optional-dependencies"]


def _name(requirement: str) -> str:
    """The normalized distribution name of a requirement string."""
    return re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_library_needs_numpy_and_numexpr_only() -> None:
    names = [_name(r) for r in PROJECT["dependencies"]]
    assert names == ["numpy", "numexpr"], (
        "a dependency of the server goes in the [server] extra, not the library's"
    )


def test_torch_is_an_extra_with_a_range_never_a_pin() -> None:
    assert EXTRAS["torch"] == ["torch>=2.1,<3"]
    for extra, requirements in EXTRAS.items():
        for requirement in requirements:
            if _name(requirement) == "torch":
                assert extra == "torch", f"[{extra}] requires torch directly: use [torch]"


def test_only_the_torch_extras_bring_torch() -> None:
    """pytorch-ignite requires torch, so it lives in dev-torch, installed with the pin."""
    brings_torch = {"torch", "pytorch-ignite", "torchvision"}
    for extra in ("server", "postgres", "plot", "dev"):
        assert not {_name(r) for r in EXTRAS[extra]} & brings_torch, extra
        assert not any("[torch" in r or "dev-torch" in r for r in EXTRAS[extra]), extra
    assert {_name(r) for r in EXTRAS["dev-torch"]} == {"schedule-explorer", "pytorch-ignite"}


def test_dev_brings_the_server_postgres_and_the_packaging_tools() -> None:
    assert "schedule-explorer[server,postgres]" in EXTRAS["dev"]
    assert {"build", "matplotlib", "pytest"} <= {_name(r) for r in EXTRAS["dev"]}


def test_license_is_an_spdx_expression() -> None:
    assert PROJECT["license"] == "BSD-3-Clause"
    assert not any(c.startswith("License ::") for c in PROJECT.get("classifiers", []))
    assert "setuptools>=77" in PYPROJECT["build-system"]["requires"]  # PEP 639 support


def test_extras_module_checks_requirements_of_that_extra() -> None:
    """_extras checks import names of [server] / [postgres] requirements (not necessarily all)."""
    for extra, modules in _extras.EXTRAS.items():
        provided = {_name(r).replace("-", "_") for r in EXTRAS[extra]}
        assert set(modules) <= provided, extra


def test_packages_cover_app_and_static() -> None:
    """Installed, the folder app/ is the package ``schedule_explorer`` and static/ is its ``static``."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    app = {
        ".".join(("schedule_explorer", *p.parent.relative_to(ROOT / "app").parts))
        for p in (ROOT / "app").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    static = {
        ".".join(("schedule_explorer", *d.relative_to(ROOT).parts))
        for d in [ROOT / "static", *(ROOT / "static").rglob("*")]
        if d.is_dir()
    }
    assert app | static | {"scheduler_core"} == listed
    assert not any(p == "app" or p.startswith("app.") for p in listed), "no top-level app when installed"
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {
        "schedule_explorer": "app",
        "schedule_explorer.static": "static",
    }
    package_data = PYPROJECT["tool"]["setuptools"]["package-data"]
    assert set(package_data) == static, "every folder of static/ ships all its files"


def test_the_console_script_runs_the_installed_package() -> None:
    assert PROJECT["scripts"] == {"schedule-explorer": "schedule_explorer.cli:main"}


PIP_FILES = (
    "Makefile",
    "Dockerfile",
    ".ci/run",
    *(p.relative_to(ROOT).as_posix() for p in ROOT.glob("scripts/*.sh")),
)


@pytest.mark.parametrize("name", PIP_FILES)
def test_every_pip_command_that_can_install_torch_pins_it(name: str) -> None:
    text = (ROOT / name).read_text().replace("\\\n", " ")
    for line in text.splitlines():
        if "pip install" not in line or line.lstrip().startswith("#"):
            continue
        can_install_torch = re.search(r"torch\b|dev-torch|\.\[dev\b|'\.\[dev'", line)
        if can_install_torch:
            assert "torch==2.13.0" in line, f"{name}: {line.strip()}"


def test_default_static_dir_in_a_checkout_is_static() -> None:
    assert Settings().static_dir == ROOT / "static"


def test_require_names_the_extra_and_what_is_missing(monkeypatch) -> None:
    monkeypatch.setitem(_extras.EXTRAS, "postgres", ("json", "no_such_module_xyz"))
    with pytest.raises(_extras.MissingExtra) as caught:
        _extras.require("postgres", "a postgresql:// link store")
    assert str(caught.value) == (
        "a postgresql:// link store needs the [postgres] extra: "
        "pip install 'schedule-explorer[postgres]' (missing: no_such_module_xyz)"
    )
    assert isinstance(caught.value, ImportError) and caught.value.name == "no_such_module_xyz"


def test_check_server_raises_or_exits_with_one_line(monkeypatch, capsys) -> None:
    monkeypatch.setitem(_extras.EXTRAS, "server", ("fastapi", "no_such_module_xyz"))
    message = "the server needs the [server] extra: pip install 'schedule-explorer[server]' (missing: no_such_module_xyz)"
    with pytest.raises(_extras.MissingExtra, match=re.escape(message)):
        _extras.check_server()
    monkeypatch.setattr(sys, "argv", ["/venv/bin/schedule-explorer", "serve"])
    with pytest.raises(SystemExit) as caught:
        _extras.check_server()
    assert caught.value.code == 1
    assert capsys.readouterr().err == f"schedule-explorer: error: {message}\n"


def test_postgres_store_without_psycopg_names_the_extra(monkeypatch) -> None:
    from app.storage.links import PostgresLinkStore

    monkeypatch.setitem(_extras.EXTRAS, "postgres", ("no_such_psycopg_xyz",))
    with pytest.raises(_extras.MissingExtra, match=re.escape("pip install 'schedule-explorer[postgres]'")):
        PostgresLinkStore("postgresql://nobody@127.0.0.1:9/none")
