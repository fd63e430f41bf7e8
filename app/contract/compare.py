"""Wire models of ``POST /compare`` ("is my port the same schedule?"): the request (two
experiments and a tolerance) and the reply (per param group and param, the differences)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, Strict

from .fields import _Model
from .schemas import Experiment

DEFAULT_RTOL = 1e-12
"""Default relative tolerance: a port that differs from the original only by the rounding of a
few operations done in another order (a few units in the last place) is the same schedule."""
DEFAULT_ATOL = 0.0
"""Default absolute tolerance: none, so a value near zero must match relatively too."""

Tolerance = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=1e12)]


class CompareRequest(_Model):
    """Two experiments (``a``: the original, ``b``: the port) and the tolerance of "same".

    Events ``i`` where ``|b - a| <= max(rtol * max(|a|, |b|), atol)`` (``math.isclose``'s
    rule) count as equal; the reply names the first event where a pair of series is not.
    """

    a: Experiment = Field(description="The reference experiment (e.g. the original schedule).")
    b: Experiment = Field(description="The experiment compared with it (e.g. its port).")
    rtol: Tolerance = Field(
        DEFAULT_RTOL, description="Relative tolerance, relative to max(|a|, |b|) at each event."
    )
    atol: Tolerance = Field(DEFAULT_ATOL, description="Absolute tolerance.")


class DiffCurve(BaseModel):
    values: list[float]
    events: list[int] | None = Field(
        None, description="Event of each value when decimated; null = 0..compared-1."
    )


class ComparedPair(BaseModel):
    """The series of one param (``param_name``) of one param group in both experiments."""

    param_group: int
    param_name: str
    group_name_a: str
    group_name_b: str
    bit_equal: bool = Field(description="Every compared value has the same bits in a and b.")
    max_abs_diff: float = Field(description="max |b - a| over the compared events.")
    max_abs_diff_event: int = Field(description="First event where |b - a| is largest.")
    max_rel_diff: float = Field(
        description="max |b - a| / max(|a|, |b|) (0 where both are 0), between 0 and 2."
    )
    max_rel_diff_event: int = Field(description="First event where the relative difference is largest.")
    first_difference: int | None = Field(
        description="First event where a and b differ beyond the tolerance; null = none."
    )
    abs_diff: DiffCurve = Field(description="b - a, decimated like /series (min/max kept).")
    rel_diff: DiffCurve = Field(description="(b - a) / max(|a|, |b|), decimated like /series.")


class SeriesKey(BaseModel):
    param_group: int
    group_name: str
    param_name: str


class CompareResponse(BaseModel):
    num_events_a: int
    num_events_b: int
    compared_events: int = Field(description="min(num_events_a, num_events_b): events 0.. compared.")
    rtol: float
    atol: float
    decimated: bool
    within_tolerance: bool = Field(
        description="Same horizon, same series in both, and no pair differs beyond the tolerance."
    )
    pairs: list[ComparedPair]
    only_in_a: list[SeriesKey] = Field(description="Series of a with no counterpart in b.")
    only_in_b: list[SeriesKey] = Field(description="Series of b with no counterpart in a.")


class TranslationNote(BaseModel):
    type: str = Field(description="The original scheduler's type.")
    exact: bool = Field(description="An exact ignite equivalent (same formula at every event).")
    reason: str = Field(description="Why there is no exact equivalent, and what was used instead.")


class TranslateResponse(BaseModel):
    experiment: dict[str, Any] = Field(
        description="The experiment with each transformers schedule replaced by ignite schedulers."
    )
    notes: list[TranslationNote | None] = Field(
        description="Per original scheduler: null when kept as it was, else how it was translated."
    )
    comparison: CompareResponse = Field(
        description="/compare of the original (a) and the translation (b); rtol 1e-12 and atol "
        "1e-15 x the largest initial value of the scheduled params unless given."
    )


def _warmup_cosine(cosine_cycle: int) -> dict[str, Any]:
    """1,000 events: a 100-event linear warm-up to 0.01, then cosine to 0 over ``cosine_cycle``."""
    return {
        "num_events": 1000,
        "param_groups": [{"name": "base", "lr": 0.01}],
        "schedulers": [
            {
                "type": "ConcatScheduler",
                "param_name": "lr",
                "schedulers": [
                    {
                        "type": "LinearCyclicalScheduler",
                        "start_value": 0.0,
                        "end_value": 0.01,
                        "cycle_size": 100,
                        "monotonic": True,
                    },  # fmt: skip
                    {
                        "type": "CosineAnnealingScheduler",
                        "start_value": 0.01,
                        "end_value": 0.0,
                        "cycle_size": cosine_cycle,
                    },  # fmt: skip
                ],
                "durations": [100],
            }
        ],
    }


def _piecewise(points: list[list[float]]) -> dict[str, Any]:
    return {
        "num_events": 1000,
        "param_groups": [{"name": "base", "lr": 0.01}],
        "schedulers": [{"type": "PiecewiseLinear", "param_name": "lr", "milestones_values": points}],
    }


def _linear_ramp() -> dict[str, Any]:
    exp = _piecewise([[0, 0.0], [1000, 0.01]])
    exp["schedulers"] = [
        {
            "type": "LinearCyclicalScheduler",
            "param_name": "lr",
            "start_value": 0.0,
            "end_value": 0.01,
            "cycle_size": 1000,
            "monotonic": True,
        }  # fmt: skip
    ]
    return exp


COMPARE_EXAMPLES: dict[str, dict[str, Any]] = {
    "off_by_one": {
        "summary": "A port whose cosine cycle is one event too long (901 instead of 900)",
        "value": {"a": _warmup_cosine(900), "b": _warmup_cosine(901)},
    },
    "same": {
        "summary": "The same schedule twice: bit-equal",
        "value": {"a": _warmup_cosine(900), "b": _warmup_cosine(900)},
    },
    "rounding": {
        "summary": "A linear ramp two ways (PiecewiseLinear vs monotonic LinearCyclical), rtol 1e-15",
        "value": {"a": _piecewise([[0, 0.0], [1000, 0.01]]), "b": _linear_ramp(), "rtol": 1e-15},
    },
    "step_vs_linear": {
        "summary": "Two different schedules: absolute tolerance 1e-4",
        "value": {
            "a": _piecewise([[0, 0.01], [1000, 0.0]]),
            "b": _piecewise([[0, 0.01], [500, 0.0]]),
            "atol": 1e-4,
        },  # fmt: skip
    },
    "horizons": {
        "summary": "Different horizons (1,000 and 600 events): the first 600 are compared",
        "value": {"a": _warmup_cosine(900), "b": {**_warmup_cosine(900), "num_events": 600}},
    },
}
"""Request-body examples (OpenAPI ``examples``: the docs and schemathesis)."""


def _transformers(n: int, scheduler: dict[str, Any], lrs: tuple[float, ...] = (0.01,)) -> dict[str, Any]:
    groups = [{"name": f"group{i}", "lr": lr} for i, lr in enumerate(lrs)]
    return {"num_events": n, "param_groups": groups, "schedulers": [{"param_name": "lr", **scheduler}]}


_T = "transformers."
TRANSLATE_EXAMPLES: dict[str, dict[str, Any]] = {
    "cosine": {
        "summary": "Cosine with warm-up: a ConcatScheduler of a linear warm-up and a cosine",
        "value": _transformers(
            1000,
            {
                "type": _T + "get_cosine_schedule_with_warmup",
                "num_warmup_steps": 100,
                "num_training_steps": 1000,
            },
        ),  # fmt: skip
    },
    "linear_two_groups": {
        "summary": "Linear with warm-up on two groups of different lr: one ignite scheduler per group",
        "value": _transformers(
            600,
            {
                "type": _T + "get_linear_schedule_with_warmup",
                "num_warmup_steps": 50,
                "num_training_steps": 500,
            },
            (0.01, 0.001),
        ),  # fmt: skip
    },
    "hard_restarts": {
        "summary": "Cosine with hard restarts: one CosineAnnealingScheduler restarting every 300 events",
        "value": _transformers(
            1000,
            {
                "type": _T + "get_cosine_with_hard_restarts_schedule_with_warmup",
                "num_warmup_steps": 100,
                "num_training_steps": 1000,
                "num_cycles": 3,
            },
        ),  # fmt: skip
    },
    "wsd": {
        "summary": "Warmup-stable-decay: warm-up, constant, cosine decay to 10%",
        "value": _transformers(
            1000,
            {
                "type": _T + "get_wsd_schedule",
                "num_warmup_steps": 100,
                "num_stable_steps": 600,
                "num_decay_steps": 300,
                "min_lr_ratio": 0.1,
            },
        ),  # fmt: skip
    },
    "inverse_sqrt": {
        "summary": "Inverse square root: no exact equivalent, the closest composition and its distance",
        "value": _transformers(5000, {"type": _T + "get_inverse_sqrt_schedule", "num_warmup_steps": 100}),
    },
}
"""Request-body examples of ``/translate``."""
