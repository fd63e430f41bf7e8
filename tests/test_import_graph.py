"""The import graph of ``scheduler_core`` and ``app``: no cycles, arrows pointing down only.

Every ``import`` statement counts, including those inside functions (a lazy import is still a
dependency). A package ``__init__`` is a module of its own: ``from . import shapes`` depends on
``scheduler_core.shapes``, ``import scheduler_core`` on ``scheduler_core`` (its ``__init__``).
The server package is read as ``app`` (the folder); its modules import each other relatively
(installed, it is ``schedule_explorer``: docs/architecture.md, "Packaging"), resolved here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("scheduler_core", "app")

LAYERS = {
    # module prefix: prefixes it must never import
    # plotly is allowed: imported lazily by plot_values
    "scheduler_core": ("app", "fastapi", "pydantic", "starlette", "uvicorn", "orjson"),
    "app.contract": ("app.api", "app.service", "app.storage", "app.server", "app.cli", "app.main"),
    "app.service": ("app.api", "app.server", "app.storage", "app.cli", "app.main"),
    "app.storage": ("app.api", "app.service", "app.server", "app.cli", "app.main"),
    "app.server": ("app.api", "app.service", "app.cli", "app.main"),
    "app.api": ("app.cli", "app.main"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module ``name`` imports (package-internal ones resolved to the most specific module)."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:  # `from pkg import submodule` depends on the submodule
                sub = f"{module}.{alias.name}"
                out.add(sub if sub in known else module)
    return out


def _absolute_imports(path: Path) -> set[str]:
    """The modules named by the absolute import statements of ``path``."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            out.add(node.module or "")
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_the_packages() -> None:
    graph = _graph()
    assert {"scheduler_core.registry", "scheduler_core.series", "app.main"} <= set(graph)
    assert "scheduler_core.registry" in graph["scheduler_core.series"]


def test_relative_imports_resolve_to_the_modules_they_name() -> None:
    graph = _graph()
    # app/api/routes/code.py: from ...contract.schemas, from ...service import exports,
    # from .. import deps, from . import ERRORS, from .series import EXPERIMENT_EXAMPLES
    assert {
        "app.contract.schemas",
        "app.service.exports",
        "app.api.deps",
        "app.api.routes",
        "app.api.routes.series",
    } <= graph["app.api.routes.code"]
    assert {"app", "app.settings", "app.api.errors", "app.api.routes.series"} <= graph["app.main"]
    assert "app._extras" in graph["app"]  # app/__init__.py: from . import _extras
    assert "app.contract.schemas" in graph["app.contract.catalogue"]


def test_the_server_package_imports_itself_relatively() -> None:
    """Installed, app/ is ``schedule_explorer``, so an absolute ``app`` import in it would fail
    there, and in a checkout load the code a second time (tests/deploy/test_import_names.py)."""
    absolute = sorted(
        f"{name} imports {target}"
        for name, path in _modules().items()
        if name == "app" or name.startswith("app.")
        for target in _absolute_imports(path)
        if target.split(".")[0] in ("app", "schedule_explorer")
    )
    assert absolute == [], "use relative imports inside app/ (from .settings import ...)"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle(package: str) -> None:
    graph = {k: v for k, v in _graph().items() if k == package or k.startswith(package + ".")}
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_arrows_point_down(layer: str) -> None:
    banned = LAYERS[layer]
    wrong = sorted(
        (module, target)
        for module, targets in _graph().items()
        if module == layer or module.startswith(layer + ".")
        for target in targets
        if any(target == b or target.startswith(b + ".") for b in banned)
    )
    assert wrong == []
