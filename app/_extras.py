"""Which optional dependencies ("extras") of the ``schedule-explorer`` distribution are installed.

``pip install schedule-explorer`` brings the library (``scheduler_core``: numpy and numexpr). The
server, the dashboard and the ``schedule-explorer`` command need the ``[server]`` extra, the
PostgreSQL link store the ``[postgres]`` one. :func:`require` turns a missing extra into one
:class:`MissingExtra` error that names it, instead of a bare ``No module named 'fastapi'``.
This module imports nothing outside the standard library; the server package's ``__init__``
(``schedule_explorer`` installed, ``app`` in a checkout) runs :func:`check_server`, so importing
any part of it without the server's dependencies fails with that message.

Example::

    >>> require("server", "the server")  # nothing happens when the extra is installed
    >>> missing("server")
    []
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

__all__ = ["EXTRAS", "MissingExtra", "check_server", "missing", "require"]

DISTRIBUTION = "schedule-explorer"

# extra -> import names that tell whether it is installed: some of its requirements in
# pyproject.toml (tests/deploy/test_packaging.py checks that each is one), not necessarily all.
EXTRAS: dict[str, tuple[str, ...]] = {
    "server": (
        "fastapi",
        "uvicorn",
        "pydantic",
        "pydantic_settings",
        "orjson",
        "plotly",
        "cachetools",
        "prometheus_client",
    ),
    "postgres": ("psycopg", "psycopg_pool"),
}


class MissingExtra(ModuleNotFoundError):
    """An optional dependency group of ``schedule-explorer`` is not installed."""


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken parent package, or a module without spec
        return False


def missing(extra: str) -> list[str]:
    """The import names of ``extra`` that cannot be imported here (empty when all can)."""
    return [module for module in EXTRAS[extra] if not _installed(module)]


def require(extra: str, purpose: str) -> None:
    """Check that every module of ``extra`` can be imported.

    Args:
        extra: a key of :data:`EXTRAS` (``"server"`` or ``"postgres"``).
        purpose: what needs it, the start of the message (e.g. ``"the server"``).

    Raises:
        MissingExtra: some are missing; the message names the extra and the pip command, e.g.
            ``the server needs the [server] extra: pip install 'schedule-explorer[server]'
            (missing: fastapi, uvicorn)``.
    """
    absent = missing(extra)
    if absent:
        raise MissingExtra(
            f"{purpose} needs the [{extra}] extra: pip install '{DISTRIBUTION}[{extra}]' "
            f"(missing: {', '.join(absent)})",
            name=absent[0],
        )


def check_server() -> None:
    """Run by the package's ``__init__``: the ``[server]`` extra must be installed to import it.

    Under the ``schedule-explorer`` console script (whose module-level ``from
    schedule_explorer.cli import main`` lands here first) the message is printed as one line on
    stderr and the process exits with status 1, instead of a traceback.

    Raises:
        MissingExtra: the ``[server]`` extra is missing (any other importer).
        SystemExit: the same, under the ``schedule-explorer`` command.
    """
    try:
        require("server", "the server")
    except MissingExtra as exc:
        if Path(sys.argv[0]).name == DISTRIBUTION:
            print(f"{DISTRIBUTION}: error: {exc}", file=sys.stderr)
            raise SystemExit(1) from None
        raise
