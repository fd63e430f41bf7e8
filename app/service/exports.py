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

from .. import __version__
from ..contract.canonical import canonical_json
from ..contract.schemas import DashboardView, Experiment, StoredDocument
from ..settings import Settings
from . import codegen_transformers
from .codegen import Flavor, check_flavor, generate
from .compute import SeriesCache, SeriesData, compute
from .limits import check_caps, check_variants

NUMPY = orjson.OPT_SERIALIZE_NUMPY


def series_json(
    exp: Experiment,
    settings: Settings,
    cache: SeriesCache,
    max_points: int | None = None,
    *,
    key: bytes | None = None,
) -> bytes:
    """The ``/series`` JSON reply, each series decimated to about ``max_points`` if given
    (``key``: the experiment's canonical JSON when the caller has it, as for every output)."""
    check_caps(exp, settings, output="series", max_points=max_points)
    series = compute(exp, settings, cache, key)
    points = [(None, s.values) for s in series] if max_points is None else _decimated(series, max_points)
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
    return orjson.dumps(body, option=NUMPY)


def series_csv(
    exp: Experiment,
    settings: Settings,
    cache: SeriesCache,
    max_points: int | None = None,
    *,
    key: bytes | None = None,
) -> bytes:
    """The CSV reply: one row per event (or per kept event when decimated), a ``group/param``
    column per series."""
    check_caps(exp, settings, output="csv", max_points=max_points)
    series = compute(exp, settings, cache, key)
    if max_points is None:
        events = np.arange(exp.num_events)
    else:
        events = np.unique(np.concatenate([decimate_indices(s.values, max_points) for s in series]))
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow(
        ["event", *(_csv_cell(f"{s.group_name}/{s.param_name}") for s in series)]
    )
    columns = [s.values if max_points is None else s.values[events] for s in series]
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


def _decimated(series: list[SeriesData], max_points: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each series reduced to at most about ``max_points`` (events, values)."""
    out = []
    for s in series:
        events = decimate_indices(s.values, max_points)  # events are 0..n-1: indices are events
        out.append((events, s.values if len(events) == len(s.values) else s.values[events]))
    return out


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
