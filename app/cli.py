"""``schedule-explorer``: serve the app, open an experiment in the dashboard, write a starter
experiment, or turn an experiment (or a saved dashboard view) into series, a figure or code.

The offline subcommands validate and render exactly like the API (same pydantic models, caps
and functions, see :mod:`app.service.exports`); errors are one line each on stderr, and a cap
error says how to get round it. Exit codes: 0 success, 1 a missing optional dependency (a PNG or
SVG figure without kaleido, the ``[image]`` extra, or without Chromium), 2 usage / unreadable
file / invalid JSON, 3 invalid configuration.

Example::

    schedule-explorer init --preset cosine-warmup -o exp.json
    schedule-explorer series exp.json --max-points 500 -o series.csv
    schedule-explorer figure view.json --variant B -o chart.html
    schedule-explorer figure exp.json -o chart.png   # or .svg: [image] extra + Chromium
    schedule-explorer open exp.json
    cat exp.json | schedule-explorer code - --flavor ignite
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from . import __version__
from .contract.flavors import FLAVORS

EXIT_OK, EXIT_MISSING, EXIT_USAGE, EXIT_INVALID = 0, 1, 2, 3
FIGURE_FORMATS = ("html", "json", "png", "svg")
IMAGE_FORMATS = ("png", "svg")
PROG = "schedule-explorer"
ENV_PREFIX = "SCHEDULE_EXPLORER_"
# The ASGI app uvicorn imports: ``app.main:app`` in a checkout, ``schedule_explorer.main:app``
# when installed (one folder, two import names: docs/architecture.md, "Packaging").
ASGI_APP = f"{__package__}.main:app"


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


# ---------------------------------------------------------------- the parser
class _ListPresets(argparse.Action):
    """``--list-presets``: print the presets of ``init`` and exit."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kw: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kw)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        sys.stdout.write(presets_listing())
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Schedule Explorer: serve the dashboard + API, or render an experiment offline.",
        epilog=f"Start with: {PROG} init -o exp.json && {PROG} open exp.json",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--list-presets", action=_ListPresets, help="list the presets of `init` and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def address(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
        p.add_argument("--port", type=int, default=None, help="port (default $PORT or 8000)")

    serve = sub.add_parser("serve", help="serve the API and the dashboard with uvicorn")
    address(serve)
    serve.add_argument(
        "--workers",
        type=_at_least(1),
        default=None,
        help="worker processes (default $SCHEDULE_EXPLORER_WORKERS or 1)",
    )
    serve.add_argument("--reload", action="store_true", help="restart on code changes (development)")

    def document(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        p.add_argument(
            "config", metavar="FILE", help="experiment or saved dashboard view (JSON), or - for stdin"
        )
        p.add_argument(
            "--variant", metavar="NAME", help="the variant of a dashboard view (default: the first)"
        )
        return p

    def output(p: argparse.ArgumentParser, what: str) -> None:
        p.add_argument("-o", "--output", default="-", metavar="FILE", help=f"{what} (default stdout)")

    opener = document("open", "serve the dashboard and open it on an experiment or a view")
    address(opener)
    opener.add_argument("--no-browser", action="store_true", help="print the URL, do not open a browser")

    init = sub.add_parser("init", help="write a starter experiment (see --list-presets)")
    init.add_argument(
        "--preset", metavar="NAME", default=None, help="which starter (default seed; help lists them)"
    )
    output(init, "experiment file to write")
    init.add_argument("--force", action="store_true", help="overwrite the output file if it exists")
    init.add_argument("--list-presets", action=_ListPresets, help="list the presets and exit")

    series = document("series", "write the value series (JSON, or CSV for *.csv or --format csv)")
    output(series, "output file; *.csv writes CSV")
    series.add_argument(
        "--format", choices=("json", "csv"), default=None, help="default: by extension, else json"
    )
    series.add_argument("--max-points", type=_at_least(4), default=None, help="decimate each series")

    figure = document("figure", "write a standalone HTML chart (plotly.js inlined), its JSON, or an image")
    output(figure, "output file; *.json writes the figure's JSON, *.png / *.svg an image")
    figure.add_argument(
        "--format",
        choices=FIGURE_FORMATS,
        default=None,
        help="default: by extension, else html; png and svg need the [image] extra and Chromium",
    )
    figure.add_argument(
        "--layout", choices=("subplots", "overlay"), default=None, help="default: the view's, else subplots"
    )
    figure.add_argument(
        "--log-y", action=argparse.BooleanOptionalAction, default=None, help="logarithmic value axis"
    )
    figure.add_argument("--max-points", type=_at_least(4), default=None, help="points per trace")
    figure.add_argument(
        "--width", type=_at_least(10), default=None, help="image width in pixels (default 700)"
    )
    figure.add_argument(
        "--height", type=_at_least(10), default=None, help="image height in pixels (default 500)"
    )

    code = document("code", "write Python code that rebuilds the experiment")
    output(code, "output file")
    code.add_argument(
        "--flavor",
        choices=FLAVORS,
        default=FLAVORS[0],
    )

    completion = sub.add_parser("completion", help="print a shell completion script (bash or zsh)")
    completion.add_argument("shell", choices=("bash", "zsh"))
    output(completion, "output file")
    return parser


# ---------------------------------------------------------------- reading documents
def _read_json(path: str) -> Any:
    """The parsed JSON document at ``path`` (``-`` = stdin)."""
    name = _name(path)
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
    except json.JSONDecodeError as exc:
        problem = f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text (byte {exc.start})"
    except RecursionError:
        problem = "nested too deeply"
    except ValueError as exc:  # e.g. an integer with too many digits
        problem = str(exc)
    raise CliError(EXIT_USAGE, f"{name} is not valid JSON: {problem}")


def _name(path: str) -> str:
    return "stdin" if path == "-" else path


def _where(loc: Sequence[Any], prefix: Sequence[Any] = ()) -> str:
    """A field path such as ``schedulers.0.cycle_size`` (the API's ``loc`` without "body");
    ``prefix`` goes before body locations (a view's ``variants.1.experiment``)."""
    parts = list(loc)
    if parts[:1] == ["query"]:  # a query parameter of the API is an option here
        return "--" + "-".join(map(str, parts[1:])).replace("_", "-")
    if parts[:1] == ["body"]:
        parts = [*prefix, *parts[1:]]
    return ".".join(map(str, parts)) or "(document)"


def load_document(path: str) -> Any:
    """Read and validate an experiment or a dashboard view: an
    :class:`~app.contract.schemas.Experiment` or a :class:`~app.contract.schemas.DashboardView`."""
    from pydantic import ValidationError

    from .api.errors import clean_loc
    from .contract.schemas import DashboardView, Experiment, StoredDocument

    doc = _read_json(path)
    kinds = {"an experiment": Experiment.model_fields, "a dashboard view": DashboardView.model_fields}
    # named by their core fields (not the optional ones added later, left out by exclude_if)
    if not isinstance(doc, dict) or not any(fields.keys() & doc.keys() for fields in kinds.values()):
        shapes = " or ".join(
            f"{kind} ({{{', '.join(n for n, f in fields.items() if f.exclude_if is None)}}})"
            for kind, fields in kinds.items()
        )
        raise CliError(EXIT_INVALID, f"{_name(path)} should be {shapes}, but holds {_json_kind(doc)}")
    try:
        return StoredDocument.model_validate(doc).root
    except ValidationError as exc:
        lines = [f"{_where(clean_loc(e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise CliError(EXIT_INVALID, *lines) from None


def _json_kind(doc: Any) -> str:
    """What a JSON value is, in words: ``an object with keys a, b``, ``a list``, ``null``…"""
    if isinstance(doc, dict):
        return f"an object with keys {', '.join(sorted(doc)[:5])}" if doc else "an empty object"
    kinds = {list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return kinds.get(type(doc), "a number")


class Selected(NamedTuple):
    """The experiment a subcommand works on, and where it came from."""

    experiment: Any  # app.contract.schemas.Experiment
    view: Any  # app.contract.schemas.View of a dashboard view, else None
    index: int | None  # the variant's index in the view, else None

    @property
    def loc(self) -> tuple:
        """Where the experiment sits in the document (prefix of error locations)."""
        return () if self.index is None else ("variants", self.index, "experiment")


def select_variant(doc: Any, variant: str | None, path: str) -> Selected:
    """The experiment ``doc`` holds: itself, or the view's variant named ``variant`` (default:
    the first)."""
    from pydantic import ValidationError

    from .api.errors import clean_loc
    from .contract.drafts import DraftVariant
    from .contract.schemas import DashboardView, Experiment

    if not isinstance(doc, DashboardView):
        if variant is not None:
            raise CliError(
                EXIT_USAGE,
                f"--variant {variant} given, but {_name(path)} is an experiment, not a dashboard view",
            )
        return Selected(doc, None, None)
    names = [v.name for v in doc.variants]
    if variant is None:
        i = 0
    elif variant in names:
        i = names.index(variant)
    else:
        raise CliError(
            EXIT_USAGE,
            f"{_name(path)} has no variant {variant!r}; its variants: {', '.join(map(repr, names))}",
        )
    chosen = doc.variants[i]
    if isinstance(chosen, DraftVariant):  # kept as typed in a share link: valid by now, or why not
        try:
            return Selected(Experiment.model_validate(chosen.draft), doc.view, i)
        except ValidationError as exc:
            where = ("variants", i, "draft")
            lines = [f"{_where([*where, *clean_loc(e['loc'])])}: {e['msg']}" for e in exc.errors()]
            raise CliError(
                EXIT_INVALID, f"variant {chosen.name} is kept as typed and is not valid:", *lines
            ) from None
    return Selected(chosen.experiment, doc.view, i)


# ---------------------------------------------------------------- cap errors with a way round
def _env(setting: str) -> str:
    return ENV_PREFIX + setting.upper()


def _hint(item: dict, args: argparse.Namespace, settings: Any) -> str | None:
    """How to get round the cap ``item`` (an ApiError item) from the command line."""
    kind, field = item["type"], str(item["loc"][-1])
    full = args.command == "series" and args.max_points is None
    if kind == "too_many_events" and full:
        return (
            f"use --max-points N to get a decimated series (up to {settings.max_events} events), "
            f"or raise {_env('max_download_events')}"
        )
    if kind == "too_many_events":
        return f"raise {_env('max_events')} to allow more"
    if kind == "too_many_values":
        return f"use fewer events or param groups, or raise {_env('max_values')}"
    if kind == "over_time_budget":
        way = "use --max-points N, or " if full and _series_format(args) == "csv" else ""
        return f"{way}raise {_env('request_time_budget_s')} (seconds) to allow a longer run"
    if kind == "too_many_points":
        return f"use a smaller --max-points, or raise {_env('max_points')}"
    if kind == "too_many" and field in ("schedulers", "param_groups", "variants"):
        return f"raise {_env('max_' + field)}"
    return None


def _api_error(exc: Any, args: argparse.Namespace, loc: Sequence[Any] = ()) -> CliError:
    """An :class:`~app.contract.errors.ApiError` as one line per item, each with its way round."""
    from .settings import get_settings

    settings = get_settings()
    lines = []
    for item in exc.items:
        line = f"{_where(item['loc'], loc)}: {item['msg']}"
        hint = _hint(item, args, settings)
        lines.append(f"{line}; {hint}" if hint else line)
    code = EXIT_USAGE if exc.items[0]["loc"][:1] == ["query"] else EXIT_INVALID
    return CliError(code, *lines)


# ---------------------------------------------------------------- writing
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


def _by_extension(fmt: str | None, output: str, extensions: dict[str, str], default: str) -> str:
    """``fmt`` if given, else the format the output file's extension names, else ``default``."""
    if fmt is not None:
        return fmt
    return extensions.get(os.path.splitext(output)[1].lower(), default) if output != "-" else default


def _series_format(args: argparse.Namespace) -> str:
    return _by_extension(args.format, args.output, {".csv": "csv", ".json": "json"}, "json")


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


# ---------------------------------------------------------------- subcommands
def _render(args: argparse.Namespace) -> None:
    """Run one offline subcommand with the API's service functions, settings and caps."""
    from .contract.errors import ApiError
    from .service import exports
    from .service.compute import SeriesCache
    from .settings import get_settings

    settings = get_settings()
    cache = SeriesCache(0)
    if args.command == "figure":
        extensions = {".html": "html", ".htm": "html", ".json": "json", ".png": "png", ".svg": "svg"}
        fmt = _by_extension(args.format, args.output, extensions, "html")
        if fmt in ("html", "png") and args.output == "-" and _stdout_is_terminal():
            what = "HTML (several MB)" if fmt == "html" else "PNG image (binary)"
            raise CliError(
                EXIT_USAGE,
                f"refusing to write a figure's {what} to the terminal; "
                f"use -o chart.{fmt}, pipe the output, or --format json",
            )
        if fmt in IMAGE_FORMATS:
            _image_export_ready()  # before the work: a missing kaleido / Chromium fails at once
    doc = load_document(args.config)
    selected = select_variant(doc, args.variant, args.config)
    exp, view = selected.experiment, selected.view
    if view is not None and args.variant is None and len(doc.variants) > 1:
        names = ", ".join(v.name for v in doc.variants)
        print(
            f"{PROG}: note: {_name(args.config)} holds variants {names}; using {doc.variants[0].name} "
            "(choose one with --variant NAME)",
            file=sys.stderr,
        )
    try:
        if args.command == "series":
            if _series_format(args) == "csv":
                data = exports.series_csv(exp, settings, cache, args.max_points)
            else:
                data = exports.series_json(exp, settings, cache, args.max_points) + b"\n"
        elif args.command == "figure":
            data = exports.figure(
                exp,
                settings,
                cache,
                layout=args.layout or (view.layout if view is not None else "subplots"),
                log_y=args.log_y if args.log_y is not None else bool(view is not None and view.log_y),
                max_points=args.max_points,
                fmt="json" if fmt in IMAGE_FORMATS else fmt,
            )
            if fmt in IMAGE_FORMATS:
                data = _figure_image(data, fmt, args.width, args.height)
        else:
            data = exports.code(exp, settings, args.flavor).encode()
    except ApiError as exc:
        raise _api_error(exc, args, selected.loc) from None
    _write(data, args.output)


def _image_export_ready() -> None:
    """Check that kaleido (the ``[image]`` extra) and a Chromium are installed."""
    from scheduler_core.plotting import ChromiumNotFoundError, check_image_export

    try:
        check_image_export()
    except (ModuleNotFoundError, ChromiumNotFoundError) as exc:
        raise CliError(EXIT_MISSING, str(exc)) from None


def _figure_image(figure_json: bytes, fmt: str, width: int | None, height: int | None) -> bytes:
    """The figure (its JSON, as :func:`app.service.exports.figure` writes it) as a PNG or SVG."""
    from scheduler_core.plotting import figure_image

    try:
        return figure_image(json.loads(figure_json), fmt, width=width, height=height)
    except Exception as exc:  # noqa: BLE001 - the browser failed to start or to render
        raise CliError(EXIT_MISSING, f"cannot render the {fmt.upper()} image with Chromium: {exc}") from None


def presets_listing() -> str:
    """The presets of ``init``, one per line: name and description."""
    from .presets import DEFAULT_PRESET, PRESETS

    width = max(map(len, PRESETS))
    lines = [f"{name:<{width}}  {p.description}" for name, p in PRESETS.items()]
    return (
        f"presets of `{PROG} init --preset NAME` (default {DEFAULT_PRESET}):\n"
        + "\n".join("  " + line for line in lines)
        + "\n"
    )


def init(args: argparse.Namespace) -> None:
    """Write a starter experiment (a preset); never overwrite a file unless ``--force``."""
    from .presets import DEFAULT_PRESET, PRESETS, preset

    name = args.preset or DEFAULT_PRESET
    if name == "help":
        sys.stdout.write(presets_listing())
        return
    if name not in PRESETS:
        raise CliError(
            EXIT_USAGE, f"unknown preset {name!r}; presets: {', '.join(PRESETS)} (see {PROG} --list-presets)"
        )
    data = (json.dumps(preset(name), indent=2) + "\n").encode()
    if args.output == "-":
        _write(data)
        return
    try:
        with open(args.output, "wb" if args.force else "xb") as f:
            f.write(data)
    except FileExistsError:
        raise CliError(EXIT_USAGE, f"{args.output} already exists; use --force to overwrite it") from None
    except OSError as exc:
        raise CliError(EXIT_USAGE, f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(
        f"wrote {args.output} (preset {name}); next: {PROG} open {args.output}  or  "
        f"{PROG} figure {args.output} -o chart.html",
        file=sys.stderr,
    )


def _browser_host(host: str) -> str:
    """The host a local browser reaches a server bound to ``host`` at."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _check_port_free(host: str, port: int) -> None:
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            s.bind((host, port))
        except OSError as exc:
            raise CliError(
                EXIT_USAGE, f"cannot listen on {host}:{port}: {exc.strerror or exc}; use --port N"
            ) from None


def _open_when_ready(url: str, stop: threading.Event, timeout: float = 60.0) -> None:
    """Open ``url`` in a browser as soon as the server answers it (unless ``stop`` is set)."""
    import time
    import urllib.error
    import urllib.request
    import webbrowser

    deadline = time.monotonic() + timeout
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    webbrowser.open(url)
                    return
        except (OSError, urllib.error.URLError):
            pass
        stop.wait(0.1)


def open_document(args: argparse.Namespace) -> None:
    """Store the experiment or view as a share link, serve the app, open the dashboard on it."""
    from .contract.errors import ApiError
    from .contract.schemas import DashboardView, StoredDocument
    from .service.exports import link_document
    from .settings import get_settings
    from .storage.links import open_link_store

    doc = load_document(args.config)
    selected = select_variant(doc, args.variant, args.config)
    if isinstance(doc, DashboardView) and selected.index:  # the dashboard shows the chosen variant
        view = type(doc.view).model_validate({**doc.view.model_dump(), "active": selected.index})
        doc = doc.model_copy(update={"view": view})
    stored = StoredDocument(doc)
    settings = get_settings()
    try:
        canonical = link_document(stored, settings)
    except ApiError as exc:
        raise _api_error(exc, args) from None
    port = args.port if args.port is not None else _env_int("PORT", 8000)
    _check_port_free(args.host, port)
    store = open_link_store(settings)
    try:
        link = store.put(canonical)
    finally:
        store.close()
    url = f"http://{_browser_host(args.host)}:{port}/s/{link}"
    print(url, flush=True)
    stop = threading.Event()
    if not args.no_browser:
        threading.Thread(target=_open_when_ready, args=(url, stop), daemon=True).start()
    try:
        serve(argparse.Namespace(host=args.host, port=port, workers=None, reload=False))
    finally:
        stop.set()


def serve(args: argparse.Namespace) -> None:
    """Run uvicorn on :data:`ASGI_APP` with JSON access logs (uvicorn's own access log off).

    With several workers and no ``SCHEDULE_EXPLORER_METRICS_DIR``, the workers pool their
    ``/metrics`` counts in a fresh temporary directory, removed on exit. The metrics directory
    becomes ``PROMETHEUS_MULTIPROC_DIR``, set before prometheus_client is imported.
    """
    import shutil
    import tempfile

    import uvicorn

    from .settings import load_settings
    from .storage.links import check_link_store

    settings = load_settings()  # every setting checked before uvicorn starts: InvalidSettings
    check_link_store(settings)  # an unusable store: one line (StoreUnavailable), no server
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
    from .server.observability import LOG_CONFIG  # imports prometheus_client

    try:
        uvicorn.run(
            ASGI_APP,
            host=args.host,
            port=port,
            workers=workers,
            reload=args.reload,
            access_log=False,
            log_config=LOG_CONFIG,
            proxy_headers=True,
            timeout_keep_alive=settings.keep_alive_s,
            limit_concurrency=settings.limit_concurrency,
        )
    finally:
        if set_multiproc:
            os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        if shared is not None:
            os.environ.pop("SCHEDULE_EXPLORER_METRICS_DIR", None)
            shutil.rmtree(shared, ignore_errors=True)


# ---------------------------------------------------------------- shell completion
class _Option(NamedTuple):
    flags: list[str]  # e.g. ["-o", "--output"]
    help: str
    takes_value: bool
    choices: list[str]
    is_file: bool


class _Command(NamedTuple):
    name: str
    help: str
    options: list[_Option]
    positional: list[str] | None  # choices of the positional argument; None: a file; []: none


def _commands(parser: argparse.ArgumentParser) -> tuple[list[_Option], list[_Command]]:
    """The top-level options and each subcommand's options, read from the argparse parser."""
    from .presets import PRESETS

    def options(p: argparse.ArgumentParser) -> list[_Option]:
        out = []
        for a in p._actions:
            if not a.option_strings or isinstance(a, argparse._SubParsersAction):
                continue
            flags = [f for f in a.option_strings if f.startswith("--") or len(f) == 2]
            choices = [*PRESETS, "help"] if a.dest == "preset" else [str(c) for c in a.choices or ()]
            is_file = a.dest == "output"
            out.append(_Option(flags, a.help or "", a.nargs != 0, choices, is_file))
        return out

    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help or "" for c in sub._choices_actions}
    commands = []
    for name, p in sub.choices.items():
        positionals = [a for a in p._actions if not a.option_strings]
        positional = None if positionals and not positionals[0].choices else []
        if positionals and positionals[0].choices:
            positional = [str(c) for c in positionals[0].choices]
        commands.append(_Command(name, helps.get(name, ""), options(p), positional))
    return options(parser), commands


def completion_script(shell: str, parser: argparse.ArgumentParser | None = None) -> str:
    """A completion script for ``shell`` (``bash`` or ``zsh``) made from the parser."""
    top, commands = _commands(parser or _parser())
    return (_bash if shell == "bash" else _zsh)(top, commands)


def _bash(top: list[_Option], commands: list[_Command]) -> str:
    func = "_" + PROG.replace("-", "_")

    def case_values(opts: list[_Option]) -> list[str]:
        lines = []
        for o in opts:
            if not o.takes_value:
                continue
            pattern = "|".join(o.flags)
            if o.choices:
                reply = f'COMPREPLY=($(compgen -W "{" ".join(o.choices)}" -- "$cur")); return'
            elif o.is_file:
                reply = 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")); return'
            else:
                reply = "COMPREPLY=(); return"
            lines.append(f"                {pattern}) {reply} ;;")
        return lines

    def flags(opts: list[_Option]) -> str:
        return " ".join(f for o in opts for f in o.flags)

    branches = [
        '        "")',
        f'            opts="{flags(top)}"',
        f'            words="{" ".join(c.name for c in commands)}"',
        "            ;;",
    ]
    for c in commands:
        branches.append(f"        {c.name})")
        branches.append(f'            opts="{flags(c.options)}"')
        values = case_values(c.options)
        if values:
            branches += ['            case "$prev" in', *values, "            esac"]
        if c.positional is None:
            branches.append("            files=1")
        elif c.positional:
            branches.append(f'            words="{" ".join(c.positional)}"')
        branches.append("            ;;")
    names = "|".join(c.name for c in commands)
    return "\n".join(
        [
            f"# bash completion for {PROG} {__version__}, generated by `{PROG} completion bash`.",
            f"# Load it now:   source <({PROG} completion bash)",
            f"# For good:      {PROG} completion bash > ~/.local/share/bash-completion/completions/{PROG}",
            f"{func}() {{",
            '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
            '    local cmd="" opts="" words="" files=0 i',
            "    COMPREPLY=()",
            "    for ((i = 1; i < COMP_CWORD; i++)); do",
            '        case "${COMP_WORDS[i]}" in',
            f'            {names}) cmd="${{COMP_WORDS[i]}}"; break ;;',
            "        esac",
            "    done",
            '    case "$cmd" in',
            *branches,
            "    esac",
            '    if [[ "$cur" == -* ]]; then',
            '        COMPREPLY=($(compgen -W "$opts" -- "$cur"))',
            '    elif [[ -n "$words" ]]; then',
            '        COMPREPLY=($(compgen -W "$words" -- "$cur"))',
            "    elif ((files)); then",
            "        compopt -o filenames 2>/dev/null",
            '        COMPREPLY=($(compgen -f -- "$cur"))',
            "    fi",
            "}",
            f"complete -o bashdefault -o default -F {func} {PROG}",
            "",
        ]
    )


def _zsh_text(text: str) -> str:
    """``text`` safe inside a single-quoted ``_arguments`` spec's ``[description]``."""
    return text.replace("'", "'\\''").replace("[", "\\[").replace("]", "\\]")


def _zsh(top: list[_Option], commands: list[_Command]) -> str:
    func = "_" + PROG.replace("-", "_")

    def specs(opts: list[_Option]) -> list[str]:
        out = []
        for o in opts:
            exclusive = f"({' '.join(o.flags)})" if len(o.flags) > 1 else ""
            if o.takes_value:
                action = f"({' '.join(o.choices)})" if o.choices else "_files" if o.is_file else " "
                value = f":{o.flags[-1].lstrip('-')}:{action}"
            else:
                value = ""
            if o.flags[-1] in ("--help", "--version", "--list-presets"):
                exclusive = "(- *)"
            out += [f"'{exclusive}{flag}[{_zsh_text(o.help)}]{value}'" for flag in o.flags]
        return out

    lines = [
        f"#compdef {PROG}",
        f"# zsh completion for {PROG} {__version__}, generated by `{PROG} completion zsh`.",
        f'# Install: {PROG} completion zsh > "${{fpath[1]}}/_{PROG}"   (then start a new zsh)',
        f"# Or load it now: source <({PROG} completion zsh)",
        "",
        f"{func}() {{",
        '    local curcontext="$curcontext" state line',
        "    typeset -A opt_args",
        "    local -a commands",
        "    commands=(",
        *(f"        '{c.name}:{_zsh_text(c.help)}'" for c in commands),
        "    )",
        "    _arguments -C \\",
        *(f"        {s} \\" for s in specs(top)),
        "        '1: :->command' \\",
        "        '*:: :->args' && return",
        "    case $state in",
        "        command) _describe -t commands 'command' commands ;;",
        "        args)",
        "            case $words[1] in",
    ]
    for c in commands:
        positional = (
            "'1:file:_files'"
            if c.positional is None
            else f"'1:{c.name}:({' '.join(c.positional)})'"
            if c.positional
            else ""
        )
        args = [*specs(c.options), *([positional] if positional else [])]
        lines.append(f"                {c.name})")
        lines.append("                    _arguments \\")
        lines += [f"                        {s} \\" for s in args[:-1]]
        lines.append(f"                        {args[-1]}")
        lines.append("                    ;;")
    lines += [
        "            esac",
        "            ;;",
        "    esac",
        "}",
        "",
        'if [[ "${zsh_eval_context[-1]}" == loadautofunc ]]; then',
        f'    {func} "$@"',
        "else",
        f"    compdef {func} {PROG}",
        "fi",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- entry point
def _run(args: argparse.Namespace) -> None:
    """Run the subcommand; app errors (caps, scheduler errors, bad settings) become CliErrors."""
    from pydantic import ValidationError

    from .contract.errors import ApiError
    from .settings import InvalidSettings, setting_errors
    from .storage.links import StoreUnavailable

    try:
        if args.command == "serve":
            serve(args)
        elif args.command == "open":
            open_document(args)
        elif args.command == "init":
            init(args)
        elif args.command == "completion":
            _write(completion_script(args.shell).encode(), args.output)
        else:
            _render(args)
    except ApiError as exc:
        raise _api_error(exc, args) from None
    except InvalidSettings as exc:  # the settings read from SCHEDULE_EXPLORER_* variables
        raise CliError(EXIT_USAGE, *exc.lines) from None
    except StoreUnavailable as exc:  # the link store, opened and checked before serving
        raise CliError(EXIT_USAGE, str(exc)) from None
    except ValidationError as exc:  # settings built elsewhere from the same variables
        raise CliError(EXIT_USAGE, *setting_errors(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``schedule-explorer`` console script; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        _run(args)
    except CliError as exc:
        for line in exc.messages:
            print(f"{PROG}: error: {line}", file=sys.stderr)
        return exc.code
    except BrokenPipeError:  # e.g. `schedule-explorer series exp.json | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except KeyboardInterrupt:
        return 130
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
