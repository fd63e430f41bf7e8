"""Wire models of the experiment's metric curves (``Experiment.metrics``), read by plateau schedulers.

``{"val_loss": {"kind": "values", "values": [...]}, "val_acc": {"kind": "exp_plateau", ...}}``:
at most :data:`MAX_METRICS` curves, named by :data:`MetricName`; the curves' maths is
:mod:`scheduler_core.metrics`. Whether a scheduler's ``metric_name`` names a curve, and whether
a ``values`` curve is long enough for its reads, depends on the whole experiment:
:func:`app.service.limits.check_caps` checks it (422 at the field).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Strict

from .fields import NonNegValue, Value, _Model

MAX_METRICS = 16
MAX_METRIC_VALUES = 100_000
METRIC_NAME_RE = r"^[A-Za-z0-9_.-]{1,40}$"

MetricName = Annotated[
    str,
    Strict(),
    Field(
        min_length=1,
        max_length=40,
        pattern=METRIC_NAME_RE,
        description="A metric curve's name (letters, digits, _ . -), as in engine.state.metrics.",
    ),
]


class ValuesCurve(_Model):
    """Given values, one per evaluation (value k is read at the k-th read)."""

    kind: Literal["values"]
    values: Annotated[
        list[Value],
        Field(
            min_length=1,
            max_length=MAX_METRIC_VALUES,
            description="The metric's value at each evaluation, in order.",
        ),
    ]


class ExpPlateauCurve(_Model):
    """Exponential approach to a plateau, plus seeded normal noise: value k is
    ``plateau + (start - plateau) * exp(-rate * k) + noise_std * z[k]``,
    ``z = numpy.random.default_rng(seed).standard_normal(n)``."""

    kind: Literal["exp_plateau"]
    start: Value = Field(description="The value at the first evaluation (without noise).")
    plateau: Value = Field(description="The value the curve tends to.")
    rate: Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, le=1e3)] = Field(
        description="Decay rate per evaluation (exp(-rate * k))."
    )
    noise_std: NonNegValue = Field(description="Standard deviation of the added normal noise.")
    seed: Annotated[int, Strict(), Field(ge=0, le=2**32 - 1)] = Field(description="Seed of the noise.")


EXAMPLE_METRICS = {
    "val_loss": {
        "kind": "exp_plateau",
        "start": 1.0,
        "plateau": 0.2,
        "rate": 0.01,
        "noise_std": 0.005,
        "seed": 0,
    }
}
"""The curve the catalogue's plateau examples read (``metric_name: "val_loss"``)."""

MetricCurve = Annotated[ValuesCurve | ExpPlateauCurve, Field(discriminator="kind")]

Metrics = Annotated[
    dict[MetricName, MetricCurve] | None,
    Field(
        max_length=MAX_METRICS,
        exclude_if=lambda v: v is None,  # left out when absent: existing link ids stay
        description="Named metric curves (one value per evaluation) that plateau schedulers read "
        "by their metric_name.",
        examples=[EXAMPLE_METRICS],
    ),
]
