"""``schedule-explorer``: serve the app, or turn an experiment file into series, a figure or code.

The offline subcommands validate and render exactly like the API (same pydantic models, caps
and functions, see :mod:`app.service.exports`); errors are one line each on stderr. Exit codes:
0 success, 2 usage / unreadable file / invalid JSON, 3 invalid configuration.

Example::

    schedule-explorer series exp.json --format csv --max-points 500 > series.csv
    schedule-explorer figure exp.json -o chart.html
    cat exp.json | schedule-explorer code - --flavor ignite
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

EXIT_OK, EXIT_USAGE, EXIT_INVALID = 0, 2, 3


class CliError(Exception):
    """A failure to report on stderr (one line per message) with ``code`` as exit status."""

    def __init__(self, code: int, *messages: str) -> None:
        super().__init__(*messages)
        self.code = code
        self.messages = messages


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise CliError(EXIT_USAGE, f"{name} should be an integer, but given {value!r}") from None


def _at_least(low: int) -> Callable[[str], int]:
    """An argparse type: an integer ``>= low``."""

    def parse(text: str) -> int:
        n = int(text)
        if n < low:
            raise argparse.ArgumentTypeError(f"should be at least {low}, but given {n}")
        return n

    parse.__name__ = "integer"
    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="schedule-explorer",
        description="Schedule Explorer: serve the dashboard + API, or render an experiment offline.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve the API and the dashboard with uvicorn")
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default $PORT or 8000)")
    serve.add_argument(
        "--workers",
        type=_at_least(1),
        default=None,
        help="worker processes (default $SCHEDULE_EXPLORER_WORKERS or 1)",
    )
    serve.add_argument("--reload", action="store_true", help="restart on code changes (development)")

    def offline(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        p.add_argument("config", metavar="CONFIG", help="experiment JSON file, or - for stdin")
        return p

    series = offline("series", "print the value series (JSON or CSV) to stdout")
    series.add_argument("--format", choices=("json", "csv"), default="json")
    series.add_argument("--max-points", type=_at_least(4), default=None, help="decimate each series")

    figure = offline("figure", "write a standalone HTML chart (plotly.js inlined)")
    figure.add_argument("-o", "--output", default="-", help="output file (default stdout)")
    figure.add_argument("--layout", choices=("subplots", "overlay"), default="subplots")
    figure.add_argument("--log-y", action="store_true", help="logarithmic value axis")
    figure.add_argument("--max-points", type=_at_least(4), default=None, help="points per trace")
    figure.add_argument("--format", choices=("html", "json"), default="html")

    code = offline("code", "print Python code that rebuilds the experiment")
    code.add_argument("--flavor", choices=("scheduler_core", "ignite"), default="scheduler_core")
    code.add_argument("-o", "--output", default="-", help="output file (default stdout)")
    return parser


def _read_json(path: str) -> Any:
    """The parsed JSON document at ``path`` (``-`` = stdin)."""
    name = "stdin" if path == "-" else path
    try:
        if path == "-":
            text = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as f:
                text = f.read()
    except OSError as exc:
        raise CliError(EXIT_USAGE, f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        return json.loads(text)  # like the API: NaN/Infinity parse, then fail validation
    except (ValueError, UnicodeDecodeError) as exc:
        raise CliError(EXIT_USAGE, f"{name} is not valid JSON: {exc}") from None


def _where(loc: Sequence[Any]) -> str:
    """A field path such as ``schedulers.0.cycle_size`` (the API's ``loc`` without "body")."""
    parts = [str(p) for p in loc]
    if parts[:1] == ["query"]:  # a query parameter of the API is an option here
        return "--" + "-".join(parts[1:]).replace("_", "-")
    if parts[:1] == ["body"]:
        parts = parts[1:]
    return ".".join(parts) or "(document)"


def load_experiment(path: str) -> Any:
    """Read and validate an experiment file into :class:`app.contract.schemas.Experiment`."""
    from pydantic import ValidationError

    from app.api.errors import clean_loc
    from app.contract.schemas import Experiment

    doc = _read_json(path)
    try:
        return Experiment.model_validate(doc)
    except ValidationError as exc:
        lines = [f"{_where(clean_loc(e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise CliError(EXIT_INVALID, *lines) from None


def _write(data: bytes, output: str = "-") -> None:
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        with open(output, "wb") as f:
            f.write(data)
    except OSError as exc:
        raise CliError(EXIT_USAGE, f"cannot write {output}: {exc.strerror or exc}") from None


def _render(args: argparse.Namespace) -> None:
    """Run one offline subcommand with the API's service functions, settings and caps."""
    from app.service import exports
    from app.service.compute import SeriesCache
    from app.settings import get_settings

    settings = get_settings()
    cache = SeriesCache(0)
    exp = load_experiment(args.config)
    if args.command == "series":
        if args.format == "csv":
            _write(exports.series_csv(exp, settings, cache, args.max_points))
        else:
            _write(exports.series_json(exp, settings, cache, args.max_points) + b"\n")
    elif args.command == "figure":
        fig = exports.figure(
            exp,
            settings,
            cache,
            layout=args.layout,
            log_y=args.log_y,
            max_points=args.max_points,
            fmt=args.format,
        )
        _write(fig, args.output)
    else:
        _write(exports.code(exp, settings, args.flavor).encode(), args.output)


def serve(args: argparse.Namespace) -> None:
    """Run uvicorn on ``app.main:app`` with JSON access logs (uvicorn's own access log off).

    With several workers and no ``SCHEDULE_EXPLORER_METRICS_DIR``, the workers pool their
    ``/metrics`` counts in a fresh temporary directory, removed on exit. The metrics directory
    becomes ``PROMETHEUS_MULTIPROC_DIR``, set before prometheus_client is imported.
    """
    import shutil
    import tempfile

    import uvicorn

    from app.settings import get_settings

    settings = get_settings()
    port = args.port if args.port is not None else _env_int("PORT", 8000)
    workers = 1 if args.reload else args.workers if args.workers is not None else settings.workers
    shared = None
    if workers > 1 and settings.metrics_dir is None and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        shared = tempfile.mkdtemp(prefix="schedule-explorer-metrics-")
        os.environ["SCHEDULE_EXPLORER_METRICS_DIR"] = shared  # read by each worker's settings
    metrics_dir = shared or settings.metrics_dir
    set_multiproc = metrics_dir is not None and "PROMETHEUS_MULTIPROC_DIR" not in os.environ
    if set_multiproc:  # prometheus_client's multiprocess mode, chosen when it is imported
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    from app.server.observability import LOG_CONFIG  # imports prometheus_client

    try:
        uvicorn.run(
            "app.main:app",
            host=args.host,
            port=port,
            workers=workers,
            reload=args.reload,
            access_log=False,
            log_config=LOG_CONFIG,
            proxy_headers=True,
        )
    finally:
        if set_multiproc:
            os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        if shared is not None:
            os.environ.pop("SCHEDULE_EXPLORER_METRICS_DIR", None)
            shutil.rmtree(shared, ignore_errors=True)


def _run(args: argparse.Namespace) -> None:
    """Run the subcommand; app errors (caps, scheduler errors, bad settings) become CliErrors."""
    from pydantic import ValidationError

    from app.contract.errors import ApiError

    try:
        serve(args) if args.command == "serve" else _render(args)
    except ApiError as exc:
        code = EXIT_USAGE if exc.items[0]["loc"][:1] == ["query"] else EXIT_INVALID
        raise CliError(code, *(f"{_where(i['loc'])}: {i['msg']}" for i in exc.items)) from None
    except ValidationError as exc:  # the settings read from SCHEDULE_EXPLORER_* variables
        lines = (f"setting {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise CliError(EXIT_USAGE, *lines) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``schedule-explorer`` console script; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        _run(args)
    except CliError as exc:
        for line in exc.messages:
            print(f"schedule-explorer: error: {line}", file=sys.stderr)
        return exc.code
    except BrokenPipeError:  # e.g. `schedule-explorer series exp.json | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
