"""``/compare``: the differences between the series of two experiments, b − a.

Both experiments take the one path of every output: caps checked once
(:func:`app.service.limits.check_pair`), series from :func:`app.service.compute.compute` (the one
cache), curves decimated like ``/series`` (:func:`scheduler_core.decimate.decimate_indices`),
orjson. Series are paired by (param group index, param name) over the common events.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import orjson

from scheduler_core.decimate import decimate_indices

from ..contract.canonical import canonical_json
from ..contract.compare import CompareRequest
from ..contract.errors import ApiError
from ..contract.schemas import Experiment
from ..settings import Settings
from .compute import SeriesCache, SeriesData, compute
from .limits import check_pair


def compare_json(
    req: CompareRequest, settings: Settings, cache: SeriesCache, max_points: int | None = None
) -> bytes:
    """The ``/compare`` reply (see :class:`app.contract.compare.CompareResponse`) as JSON bytes."""
    return orjson.dumps(compare(req, settings, cache, max_points), option=orjson.OPT_SERIALIZE_NUMPY)


def compare(
    req: CompareRequest, settings: Settings, cache: SeriesCache, max_points: int | None = None
) -> dict:
    """The comparison of ``req.b`` with ``req.a`` as a plain dict of numbers and numpy arrays."""
    check_pair(req.a, req.b, settings, max_points)
    series_a = _series(req.a, "a", settings, cache)
    series_b = _series(req.b, "b", settings, cache)
    n = min(req.a.num_events, req.b.num_events)
    by_key_b = {(s.param_group, s.param_name): s for s in series_b}
    keys_a = {(s.param_group, s.param_name) for s in series_a}
    pairs = []
    for sa in series_a:
        sb = by_key_b.get((sa.param_group, sa.param_name))
        if sb is not None:
            pairs.append(_pair(sa, sb, n, req.rtol, req.atol, max_points))
    only_a = [_key(s) for s in series_a if (s.param_group, s.param_name) not in by_key_b]
    only_b = [_key(s) for s in series_b if (s.param_group, s.param_name) not in keys_a]
    same = (
        req.a.num_events == req.b.num_events
        and not only_a
        and not only_b
        and all(p["first_difference"] is None for p in pairs)
    )
    return {
        "num_events_a": req.a.num_events,
        "num_events_b": req.b.num_events,
        "compared_events": n,
        "rtol": req.rtol,
        "atol": req.atol,
        "decimated": max_points is not None,
        "within_tolerance": same,
        "pairs": pairs,
        "only_in_a": only_a,
        "only_in_b": only_b,
    }


CHUNK = 1 << 18
"""Events per step of :func:`differences`: its temporaries stay a few MB at any length."""


def differences(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> dict[str, Any]:
    """The differences of two equally long float64 series: ``abs`` (b − a), ``rel``
    ((b − a) / max(|a|, |b|), 0 where both are 0), their maxima and where they first occur,
    ``bit_equal``, and ``first_difference``: the first event where
    ``|b − a| > max(rtol · max(|a|, |b|), atol)`` (``math.isclose``'s rule), else ``None``.

    Works through :data:`CHUNK` events at a time, so that besides the two curves it returns it
    allocates only a few MB.

    Raises:
        ValueError: b − a overflows (both values beyond about ±9e307).
    """
    n = a.size
    diff, rel = np.empty(n), np.zeros(n)
    out: dict[str, Any] = {"abs": diff, "rel": rel, "bit_equal": True, "max_abs_diff": 0.0,
                           "max_abs_diff_event": 0, "max_rel_diff": 0.0, "max_rel_diff_event": 0,
                           "first_difference": None}  # fmt: skip
    for lo in range(0, n, CHUNK):
        x, y = a[lo : lo + CHUNK], b[lo : lo + CHUNK]
        with np.errstate(over="ignore", invalid="ignore"):
            d = np.subtract(y, x, out=diff[lo : lo + CHUNK])
        if not np.isfinite(d).all():
            at = lo + int(np.argmax(~np.isfinite(d)))
            raise ValueError(f"b - a overflows at event {at} ({b[at]!r} - {a[at]!r})")
        scale = np.maximum(np.abs(x), np.abs(y))
        r = np.divide(d, scale, out=rel[lo : lo + CHUNK], where=scale > 0)
        for size, key in ((np.abs(d), "max_abs_diff"), (np.abs(r), "max_rel_diff")):
            k = int(np.argmax(size))
            if size[k] > out[key]:  # strictly: the first event of the largest value
                out[key], out[key + "_event"] = float(size[k]), lo + k
        if out["first_difference"] is None:
            beyond = np.abs(d) > np.maximum(rtol * scale, atol)
            if beyond.any():
                out["first_difference"] = lo + int(np.argmax(beyond))
        if out["bit_equal"]:
            out["bit_equal"] = bool(np.array_equal(x.view(np.uint64), y.view(np.uint64)))
    return out


def _pair(
    sa: SeriesData, sb: SeriesData, n: int, rtol: float, atol: float, max_points: int | None
) -> dict[str, Any]:
    try:
        d = differences(sa.values[:n], sb.values[:n], rtol, atol)
    except ValueError as exc:
        raise ApiError(422, ("body", "b"), f"{sa.param_name!r} of param group {sa.param_group}: {exc}",
                       "non_finite") from exc  # fmt: skip
    return {
        "param_group": sa.param_group,
        "param_name": sa.param_name,
        "group_name_a": sa.group_name,
        "group_name_b": sb.group_name,
        **{k: v for k, v in d.items() if k not in ("abs", "rel")},
        "abs_diff": _curve(d["abs"], max_points),
        "rel_diff": _curve(d["rel"], max_points),
    }


def _curve(values: np.ndarray, max_points: int | None) -> dict[str, Any]:
    """A difference curve, decimated as ``/series`` decimates a series (min/max kept)."""
    if max_points is None:
        return {"values": values, "events": None}
    events = decimate_indices(values, max_points)
    return {"values": values if len(events) == len(values) else values[events], "events": events}


def _key(s: SeriesData) -> dict[str, Any]:
    return {"param_group": s.param_group, "group_name": s.group_name, "param_name": s.param_name}


def _series(exp: Experiment, side: str, settings: Settings, cache: SeriesCache) -> list[SeriesData]:
    with _under(side):
        return compute(exp, settings, cache, canonical_json(exp))


@contextmanager
def _under(side: str) -> Iterator[None]:
    """Errors of one experiment located under ``body.a`` / ``body.b``."""
    try:
        yield
    except ApiError as exc:
        for item in exc.items:
            if item["loc"][:1] == ["body"]:
                item["loc"] = ["body", side, *item["loc"][1:]]
        raise
