"""One service function per output, shared by the routes and the command line.

:func:`series_json`, :func:`series_csv`, :func:`figure` and :func:`code` each take a validated
:class:`~app.contract.schemas.Experiment`, check every cap of their output once
(:func:`app.service.limits.check_caps`), compute (:func:`app.service.compute.compute`) and
render. Errors are :class:`~app.contract.errors.ApiError` (422 with the field path).
"""

from __future__ import annotations

import csv
import io
from typing import Literal

import numpy as np
import orjson

from scheduler_core.decimate import decimate_indices
from scheduler_core.summary import AREA_RULE

from .. import __version__
from ..contract.canonical import canonical_json
from ..contract.schemas import DashboardView, Experiment, StoredDocument
from ..settings import Settings
from . import codegen_transformers
from .codegen import Flavor, check_flavor, generate
from .compute import SeriesCache, SeriesData, compute
from .limits import check_caps, check_variants, check_window

NUMPY = orjson.OPT_SERIALIZE_NUMPY


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
    check_caps(exp, settings, output="series", max_points=max_points, start=start, stop=stop)
    window = check_window(exp, start, stop)
    series = compute(exp, settings, cache, key)
    if max_points is None and window is None:
        points = [(None, s.values) for s in series]
    else:
        points = _decimated(series, max_points, window)
    items = [
        {
            "param_group": s.param_group,
            "group_name": s.group_name,
            "param_name": s.param_name,
            "values": va,
            "events": ev,
            "restarts": s.restarts,
        }
        for s, (ev, va) in zip(series, points, strict=True)
    ]
    body = {"num_events": exp.num_events, "decimated": max_points is not None, "series": items}
    if window is not None:
        body["start"], body["stop"] = window
    if summary:
        for item, s in zip(items, series, strict=True):
            item["summary"] = s.summary
        body["area_rule"] = AREA_RULE
    return orjson.dumps(body, option=NUMPY)


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
    check_caps(exp, settings, output="csv", max_points=max_points, start=start, stop=stop)
    lo, hi = check_window(exp, start, stop) or (0, exp.num_events)
    series = compute(exp, settings, cache, key)
    if summary:
        return _summary_csv(series)
    if max_points is None:
        events = np.arange(lo, hi)
    else:
        events = lo + np.unique(
            np.concatenate([decimate_indices(s.values[lo:hi], max_points) for s in series])
        )
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow(
        ["event", *(_csv_cell(f"{s.group_name}/{s.param_name}") for s in series)]
    )
    columns = [s.values[lo:hi] if max_points is None else s.values[events] for s in series]
    return head.getvalue().encode() + _csv_rows(events, columns)


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
    variant of a view, and the number of variants)."""
    root = doc.root
    if isinstance(root, DashboardView):
        check_variants(len(root.variants), settings)
        for i, variant in enumerate(root.variants):
            check_caps(variant.experiment, settings, output="link", loc=("body", "variants", i, "experiment"))
    else:
        check_caps(root, settings, output="link")
    return canonical_json(doc)


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
    rows = orjson.dumps(np.column_stack(columns), option=NUMPY)[2:-2].split(b"],[")
    firsts = orjson.dumps(events, option=NUMPY)[1:-1].split(b",")
    return b"\n".join([e + b"," + row for e, row in zip(firsts, rows, strict=True)]) + b"\n"
