"""One service function per output, shared by the routes and the command line.

:func:`series_json`, :func:`series_csv`, :func:`figure` and :func:`code` each take a validated
:class:`~app.contract.schemas.Experiment`, check every cap of their output once
(:func:`app.service.limits.check_caps`), compute (:func:`app.service.compute.compute`) and
render. Errors are :class:`~app.contract.errors.ApiError` (422 with the field path).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Literal

import numpy as np
import orjson

from scheduler_core.decimate import decimate_indices
from scheduler_core.summary import AREA_RULE

from .. import __version__
from ..contract.canonical import canonical_json
from ..contract.drafts import DraftVariant
from ..contract.errors import ApiError
from ..contract.schemas import DashboardView, Experiment, StoredDocument
from ..settings import Settings
from . import codegen_transformers, fidelity
from .codegen import Flavor, check_flavor, generate
from .compute import SeriesCache, SeriesData, compute
from .limits import check_caps, check_variants, check_variants_csv, check_window, n_series
from .metric_series import csv_columns, metric_series

NUMPY = orjson.OPT_SERIALIZE_NUMPY
CHUNK_VALUES = 16_384
"""Values encoded per orjson call when streaming (about 400 kB of JSON or CSV): between two
calls the encoder lets go of the GIL, and no request holds more than a chunk of text at once."""
CHUNK_BYTES = 1 << 20
"""Streamed replies come in chunks of about this many bytes (small replies in one)."""


def series_json(
    exp: Experiment,
    settings: Settings,
    cache: SeriesCache,
    max_points: int | None = None,
    *,
    key: bytes | None = None,
    start: int | None = None,
    stop: int | None = None,
    summary: bool = False,
) -> bytes:
    """The ``/series`` JSON reply, each series decimated to about ``max_points`` if given
    (``key``: the experiment's canonical JSON when the caller has it, as for every output).

    ``start``/``stop``: only the events ``[start, stop)`` (see
    :func:`~app.service.limits.check_window`), decimated the same way; the reply then says
    ``start`` and ``stop`` and always lists the (absolute) events. ``summary``: each series also
    gets its :func:`~scheduler_core.summary.summarize` numbers (of all its events), and the reply
    names the ``area_rule``.
    """
    return b"".join(
        series_json_chunks(exp, settings, cache, max_points, key=key, start=start, stop=stop, summary=summary)
    )


def series_json_chunks(
    exp: Experiment,
    settings: Settings,
    cache: SeriesCache,
    max_points: int | None = None,
    *,
    key: bytes | None = None,
    start: int | None = None,
    stop: int | None = None,
    summary: bool = False,
) -> Iterator[bytes]:
    """:func:`series_json` as chunks of about :data:`CHUNK_BYTES` (caps checked and series
    computed before the first chunk is asked for; the bytes joined are the same)."""
    window, series = _windowed_series(exp, settings, cache, "series", max_points, key, start, stop)
    if max_points is None and window is None:
        points = [(None, s.values) for s in series]
    else:
        points = _decimated(series, max_points, window)
    head = {"num_events": exp.num_events, "decimated": max_points is not None}
    tail: dict = {}
    if window is not None:
        tail["start"], tail["stop"] = window
    if summary:
        tail["area_rule"] = AREA_RULE
    if exp.metrics:  # the curves the plateau schedulers read
        tail["metrics"] = [m.json() for m in metric_series(exp, window, max_points)]
    notices = fidelity.series_notices(exp, settings, cache, series, _keep(exp, max_points, window))
    if notices:
        tail["notices"] = notices
    return _coalesce(_json_pieces(head, series, points, tail, summary))


def series_csv(
    exp: Experiment,
    settings: Settings,
    cache: SeriesCache,
    max_points: int | None = None,
    *,
    key: bytes | None = None,
    start: int | None = None,
    stop: int | None = None,
    summary: bool = False,
) -> bytes:
    """The CSV reply: one row per event (or per kept event when decimated), a ``group/param``
    column per series; ``start``/``stop`` as for :func:`series_json`. ``summary``: instead, the
    summary table, one row per series (``series`` then the keys of
    :func:`~scheduler_core.summary.summarize`; the area is the sum over events)."""
    return b"".join(
        series_csv_chunks(exp, settings, cache, max_points, key=key, start=start, stop=stop, summary=summary)
    )


def series_csv_chunks(
    exp: Experiment,
    settings: Settings,
    cache: SeriesCache,
    max_points: int | None = None,
    *,
    key: bytes | None = None,
    start: int | None = None,
    stop: int | None = None,
    summary: bool = False,
) -> Iterator[bytes]:
    """:func:`series_csv` as chunks of about :data:`CHUNK_BYTES` (a block of rows each)."""
    window, series = _windowed_series(exp, settings, cache, "csv", max_points, key, start, stop)
    lo, hi = window or (0, exp.num_events)
    if summary:
        return iter([_summary_csv(series)])
    if max_points is None:
        events = np.arange(lo, hi)
    else:
        events = lo + np.unique(
            np.concatenate([decimate_indices(s.values[lo:hi], max_points) for s in series])
        )
    metrics = metric_series(exp, window, max_points)
    if max_points is not None and metrics:  # rows at the reads kept as well
        events = np.union1d(events, np.concatenate([m.events for m in metrics]))
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow(
        [
            "event",
            *(_csv_cell(f"{s.group_name}/{s.param_name}") for s in series),
            *(_csv_cell(f"metric/{m.name}") for m in metrics),
        ]
    )
    columns = [s.values[lo:hi] if max_points is None else s.values[events] for s in series]
    columns += csv_columns(metrics, events)
    return _coalesce(_csv_pieces(head.getvalue().encode(), events, columns))


def variants_csv_chunks(
    view: DashboardView,
    settings: Settings,
    cache: SeriesCache,
    max_points: int | None = None,
    *,
    start: int | None = None,
    stop: int | None = None,
) -> Iterator[bytes]:
    """One CSV of every variant of ``view`` side by side: a row per event (the union of the
    kept events when decimated, min and max of every series kept), a ``variant/group/param``
    column per series, empty where a variant has no such event (then a ``variant/metric/name``
    column per metric curve read, empty between reads); ``start``/``stop`` as for
    :func:`series_json`, over the longest variant. Caps: :func:`~.limits.check_variants_csv`."""
    for i, v in enumerate(view.variants):
        if isinstance(v, DraftVariant):
            raise ApiError(
                422,
                ("body", "variants", i, "draft"),
                f"variant {v.name} is a draft kept as typed: it is not computed (fix it, then export)",
                "draft",
            )
    exps = [v.experiment for v in view.variants]
    window = check_variants_csv(exps, settings, max_points, start, stop)
    lo, hi = window or (0, max(e.num_events for e in exps))
    names, parts, metrics, metric_names = [], [], [], []
    for v in view.variants:
        for s in compute(v.experiment, settings, cache, store=_keep(v.experiment, max_points, window)):
            names.append(_csv_cell(f"{v.name}/{s.group_name}/{s.param_name}"))
            parts.append(s.values[lo:hi])  # shorter than hi - lo where the variant ends first
        for m in metric_series(v.experiment, (lo, hi), max_points):
            metrics.append(m)
            metric_names.append(_csv_cell(f"{v.name}/metric/{m.name}"))
    if max_points is None:
        events = np.arange(lo, hi)
    else:
        events = lo + np.unique(np.concatenate([decimate_indices(p, max_points) for p in parts if len(p)]))
        if metrics:  # rows at the reads kept as well
            events = np.union1d(events, np.concatenate([m.events for m in metrics]))
    columns = [p if max_points is None and len(p) == len(events) else _at(p, events - lo) for p in parts]
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow(["event", *names, *metric_names])
    return _coalesce(_csv_pieces(head.getvalue().encode(), events, columns + csv_columns(metrics, events)))


def _at(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``values[index]``, NaN (an empty CSV cell) where ``index`` is past the end."""
    out = np.full(len(index), np.nan)
    have = index < len(values)
    out[have] = values[index[have]]
    return out


def figure(
    exp: Experiment,
    settings: Settings,
    cache: SeriesCache,
    *,
    layout: Literal["subplots", "overlay"] = "subplots",
    log_y: bool = False,
    max_points: int | None = None,
    fmt: Literal["json", "html"] = "json",
    key: bytes | None = None,
) -> bytes:
    """The Plotly figure as JSON, or as a standalone HTML page (``fmt="html"``), with
    ``max_points`` per trace (default ``settings.figure_points``)."""
    from .figures import build_figure, figure_html

    check_caps(exp, settings, output="figure", max_points=max_points)
    series = compute(exp, settings, cache, key)
    points = _decimated(series, max_points or settings.figure_points)
    fig = build_figure(series, points, layout=layout, log_y=log_y)
    return figure_html(fig).encode() if fmt == "html" else orjson.dumps(fig, option=NUMPY)


def code(exp: Experiment, settings: Settings, flavor: Flavor) -> str:
    """Python source rebuilding ``exp`` (no size caps: nothing is computed)."""
    check_caps(exp, settings, output="code")
    check_flavor(exp, flavor)
    if codegen_transformers.uses_transformers(exp, flavor):
        return codegen_transformers.generate(exp, flavor, __version__)
    return generate(exp, flavor, __version__)


def link_document(doc: StoredDocument, settings: Settings) -> bytes:
    """The canonical JSON a share link stores, once the document is within a link's caps (each
    variant of a view, and the number of variants; a draft, never computed, is bounded by the
    link's size only)."""
    root = doc.root
    if isinstance(root, DashboardView):
        check_variants(len(root.variants), settings)
        for i, variant in enumerate(root.variants):
            if isinstance(variant, DraftVariant):
                continue
            check_caps(variant.experiment, settings, output="link", loc=("body", "variants", i, "experiment"))
    else:
        check_caps(root, settings, output="link")
    canonical = canonical_json(doc)
    if len(canonical) > settings.max_link_bytes:
        raise ApiError(
            413,
            ("body",),
            f"this document takes {len(canonical)} bytes as canonical JSON, over the "
            f"{settings.max_link_bytes} bytes of a share link",
            "link_too_large",
        )
    return canonical


def _decimated(
    series: list[SeriesData], max_points: int | None, window: tuple[int, int] | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each series' events ``[start, stop)`` of ``window`` (default: all), reduced to at most
    about ``max_points`` (``None``: all of them) as (events, values)."""
    out = []
    for s in series:
        lo, hi = window or (0, len(s.values))
        part = s.values if window is None else s.values[lo:hi]
        if max_points is None:
            events = np.arange(lo, hi, dtype=np.int64)
        else:
            events = decimate_indices(part, max_points) + lo  # indices of the slice, shifted
        out.append((events, part if len(events) == len(s.values) else s.values[events]))
    return out


def _summary_csv(series: list[SeriesData]) -> bytes:
    """One row per series: its ``group/param`` name and its summary numbers (shortest floats)."""
    rows = [s.summary for s in series]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["series", *rows[0]] if rows else ["series"])
    for s, row in zip(series, rows, strict=True):
        cells = ["" if v is None else repr(v) for v in row.values()]
        writer.writerow([_csv_cell(f"{s.group_name}/{s.param_name}"), *cells])
    return out.getvalue().encode()


def _csv_cell(text: str) -> str:
    """A header cell that spreadsheets will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_rows(events: np.ndarray, columns: list[np.ndarray]) -> bytes:
    """Lines ``event,v1,v2,...``: orjson writes the shortest round-trip floats, in C (about 4x
    faster than ``np.savetxt``), and the rows are split out of its nested JSON arrays."""
    if len(events) == 0:
        return b""
    # NaN (orjson's null) only marks a metric column's row without a read: series are finite
    rows = orjson.dumps(np.column_stack(columns), option=NUMPY)[2:-2].replace(b"null", b"").split(b"],[")
    firsts = orjson.dumps(events, option=NUMPY)[1:-1].split(b",")
    return b"\n".join([e + b"," + row for e, row in zip(firsts, rows, strict=True)]) + b"\n"


def _windowed_series(
    exp: Experiment,
    settings: Settings,
    cache: SeriesCache,
    output: Literal["series", "csv"],
    max_points: int | None,
    key: bytes | None,
    start: int | None,
    stop: int | None,
) -> tuple[tuple[int, int] | None, list[SeriesData]]:
    """The caps of ``output`` checked, the event window (None: all) and the computed series."""
    check_caps(exp, settings, output=output, max_points=max_points, start=start, stop=stop)
    window = check_window(exp, start, stop)
    return window, compute(exp, settings, cache, key, store=_keep(exp, max_points, window))


def _keep(exp: Experiment, max_points: int | None, window: tuple[int, int] | None) -> bool:
    """Whether the cache keeps the series: not for a large full download (one-off, so the
    worker's memory goes back to where it was once the reply is sent); yes for decimated
    replies and windows (a chart zooming asks again)."""
    return max_points is not None or window is not None or exp.num_events * n_series(exp) <= CHUNK_VALUES


def _coalesce(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """``pieces`` joined into chunks of at least :data:`CHUNK_BYTES` (the last one smaller)."""
    buffer: list[bytes] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_BYTES:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


def _json_array(a: np.ndarray) -> Iterator[bytes]:
    """``orjson.dumps(a, option=NUMPY)`` of a 1-d array, :data:`CHUNK_VALUES` values at a time."""
    if len(a) == 0:
        yield b"[]"
        return
    yield b"["
    for i in range(0, len(a), CHUNK_VALUES):
        yield (b"," if i else b"") + orjson.dumps(a[i : i + CHUNK_VALUES], option=NUMPY)[1:-1]
    yield b"]"


def _json_pieces(
    head: dict,
    series: list[SeriesData],
    points: list[tuple[np.ndarray | None, np.ndarray]],
    tail: dict,
    summary: bool,
) -> Iterator[bytes]:
    """The bytes of ``orjson.dumps({**head, "series": [...], **tail}, option=NUMPY)``, in pieces
    (each series' ``summary`` last in it when asked for)."""
    yield orjson.dumps(head)[:-1] + b',"series":['
    for n, (s, (ev, va)) in enumerate(zip(series, points, strict=True)):
        names = {"param_group": s.param_group, "group_name": s.group_name, "param_name": s.param_name}
        yield (b"," if n else b"") + orjson.dumps(names)[:-1] + b',"values":'
        yield from _json_array(va)
        yield b',"events":'
        if ev is None:
            yield b"null"
        else:
            yield from _json_array(ev)
        yield b',"restarts":' + orjson.dumps(s.restarts)
        if summary:
            yield b',"summary":' + orjson.dumps(s.summary, option=NUMPY)
        yield b"}"
    yield b"]" + (b"," + orjson.dumps(tail, option=NUMPY)[1:] if tail else b"}")


def _csv_pieces(head: bytes, events: np.ndarray, columns: list[np.ndarray]) -> Iterator[bytes]:
    """The CSV header, then blocks of about :data:`CHUNK_VALUES` cells of rows."""
    yield head
    rows = max(1, CHUNK_VALUES // max(1, len(columns)))
    for i in range(0, len(events), rows):
        yield _csv_rows(events[i : i + rows], [c[i : i + rows] for c in columns])
