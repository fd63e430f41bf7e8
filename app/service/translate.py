"""``/translate``: an experiment's transformers schedules as ignite compositions
(:mod:`scheduler_core.translate`), and the comparison that proves them (``/compare``'s)."""

from __future__ import annotations

import orjson
from pydantic import ValidationError

from scheduler_core.translate import Limits, translate

from ..contract.compare import DEFAULT_RTOL, CompareRequest
from ..contract.errors import ApiError, core_errors
from ..contract.registry import written_param
from ..contract.schemas import Experiment
from ..contract.wire.ignite import ConcatScheduler, PiecewiseLinear
from ..settings import Settings
from .compare import compare
from .compute import SeriesCache, compute
from .convert import to_core, to_wire
from .limits import check_caps

ATOL_OF_PEAK = 1e-15
"""The comparison's default absolute tolerance, times the largest initial value of the
scheduled params: the rounding of an exact translation (the issue's measure)."""


def translate_json(
    exp: Experiment,
    settings: Settings,
    cache: SeriesCache,
    max_points: int | None = None,
    *,
    rtol: float | None = None,
    atol: float | None = None,
) -> bytes:
    """The reply: ``experiment`` (translated, wire JSON), ``notes`` (per original scheduler:
    ``null`` if kept, else ``type``, ``exact``, ``reason``) and ``comparison`` (``/compare`` of
    the original as ``a`` and the translation as ``b``; there ``body.b`` names the translation)."""
    check_caps(exp, settings, output="series", max_points=max_points)
    compute(exp, settings, cache)  # the original's own errors, located; cached for the comparison
    with core_errors(("body", "schedulers")):
        result = translate(to_core(exp), measure=False, limits=wire_limits())
    body = to_wire(result.experiment)
    try:
        translated = Experiment.model_validate(body)
    except ValidationError as exc:  # e.g. a value beyond the wire's bounds
        first = exc.errors()[0]
        raise ApiError(422, ("body", "schedulers"), f"the translation is not a valid experiment: {first['msg']}",
                       "untranslatable") from exc  # fmt: skip
    if atol is None:
        atol = ATOL_OF_PEAK * _peak(exp)
    req = CompareRequest(a=exp, b=translated, rtol=DEFAULT_RTOL if rtol is None else rtol, atol=atol)
    try:
        comparison = compare(req, settings, cache, max_points)
    except ApiError as exc:  # located in this request's body, not /compare's
        for item in exc.items:
            if item["loc"][:2] == ["body", "b"]:
                item["msg"] = f"the translation: {item['msg']}"
            if item["loc"][:2] in (["body", "a"], ["body", "b"]):
                item["loc"] = ["body", *item["loc"][2:]]
        raise
    reply = {"experiment": body, "notes": list(result.notes), "comparison": comparison}
    return orjson.dumps(reply, option=orjson.OPT_SERIALIZE_NUMPY)


def _max_length(model: type, field: str) -> int:
    """The ``max_length`` a wire model declares for a list field."""
    return next(m.max_length for m in model.model_fields[field].metadata if getattr(m, "max_length", None))


def wire_limits() -> Limits:
    """The translation's sizes: the wire's caps of ConcatScheduler children and milestones."""
    return Limits(
        _max_length(ConcatScheduler, "schedulers"), _max_length(PiecewiseLinear, "milestones_values")
    )


def _peak(exp: Experiment) -> float:
    """The largest |initial value| of a scheduled param over the groups."""
    names = {written_param(s) for s in exp.schedulers}
    return max((abs(v) for g in exp.param_groups for k, v in g.values.items() if k in names), default=0.0)
