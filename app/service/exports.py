"""Experiment → output bytes, shared by the routes and the command line.

Each function takes a validated :class:`~app.contract.schemas.Experiment`, applies the same caps as the
API (:mod:`app.service.limits`) and returns what a route sends (and what ``schedule-explorer`` prints).
Errors are :class:`~app.contract.errors.ApiError` (422 with the field path).
"""

from __future__ import annotations

import csv
import io
from typing import Any, Literal

import numpy as np
import orjson

from app import __version__
from app.contract.errors import ApiError
from app.contract.schemas import Experiment
from app.service.codegen import Flavor, generate
from app.service.compute import SeriesCache, SeriesData, decimated, series_for
from app.service.limits import check_csv_budget, check_experiment
from app.settings import Settings


def check_max_points(max_points: int | None, settings: Settings) -> None:
    """Refuse (422 at ``query.max_points``) a ``max_points`` over ``settings.max_points``."""
    if max_points is not None and max_points > settings.max_points:
        raise ApiError(
            422,
            ("query", "max_points"),
            f"max_points should be at most {settings.max_points}, but given {max_points}",
            "too_many_points",
        )


def experiment_series(
    exp: Experiment,
    settings: Settings,
    cache: SeriesCache,
    max_points: int | None,
    *,
    csv: bool = False,
    key: bytes | None = None,
) -> list[SeriesData]:
    """The series, capped at ``max_download_events`` when full, ``max_events`` when decimated
    (``csv``: also refuse a CSV that would take longer than the time budget to write; ``key``:
    the experiment's canonical JSON when the caller has it)."""
    check_max_points(max_points, settings)
    if csv:
        check_csv_budget(exp, settings, max_points)
    cap = settings.max_download_events if max_points is None else settings.max_events
    return series_for(exp, settings, cache, max_events=cap, key=key)


def series_payload(exp: Experiment, series: list[SeriesData], max_points: int | None) -> dict[str, Any]:
    """The ``/series`` JSON reply (numpy arrays inside: encode with ``OPT_SERIALIZE_NUMPY``)."""
    if max_points is None:
        points = [(None, s.values) for s in series]
    else:
        points = decimated(series, max_points)
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
    return {"num_events": exp.num_events, "decimated": max_points is not None, "series": items}


def _csv_cell(text: str) -> str:
    """A header cell that spreadsheets will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def series_csv(exp: Experiment, series: list[SeriesData], max_points: int | None) -> bytes:
    """One row per event (or per kept event when decimated), one ``group/param`` column each."""
    if max_points is None:
        events = np.arange(exp.num_events)
    else:
        events = np.unique(np.concatenate([ev for ev, _ in decimated(series, max_points)]))
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow(
        ["event", *(_csv_cell(f"{s.group_name}/{s.param_name}") for s in series)]
    )
    columns = [s.values if max_points is None else s.values[events] for s in series]
    return head.getvalue().encode() + _csv_rows(events, columns)


def _csv_rows(events: np.ndarray, columns: list[np.ndarray]) -> bytes:
    """Lines ``event,v1,v2,...``: orjson writes the shortest round-trip floats, in C (about 4x
    faster than ``np.savetxt``), and the rows are split out of its nested JSON arrays."""
    if len(events) == 0:
        return b""
    option = orjson.OPT_SERIALIZE_NUMPY
    rows = orjson.dumps(np.column_stack(columns), option=option)[2:-2].split(b"],[")
    firsts = orjson.dumps(events, option=option)[1:-1].split(b",")
    return b"\n".join([e + b"," + row for e, row in zip(firsts, rows, strict=True)]) + b"\n"


def experiment_figure(
    exp: Experiment,
    settings: Settings,
    cache: SeriesCache,
    *,
    layout: Literal["subplots", "overlay"] = "subplots",
    log_y: bool = False,
    max_points: int | None = None,
    key: bytes | None = None,
) -> Any:
    """The Plotly figure of ``/figure`` (``max_points`` per trace, default ``figure_points``;
    ``key``: the experiment's canonical JSON when the caller has it)."""
    from app.service.figures import build_figure

    check_max_points(max_points, settings)
    series = series_for(exp, settings, cache, max_events=settings.max_events, key=key)
    points = max_points or settings.figure_points
    return build_figure(series, decimated(series, points), layout=layout, log_y=log_y)


def experiment_code(exp: Experiment, settings: Settings, flavor: Flavor) -> str:
    """Python source rebuilding ``exp`` (cross-field checks only: nothing is computed)."""
    check_experiment(exp, settings, max_events=None)
    return generate(exp, flavor, __version__)
