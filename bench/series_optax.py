"""optax schedules for ``python -m bench.series --ecosystem``: (label, scheduler spec) at 1M events.

Each is timed end to end (``simulate(experiment)``, one param group) against the ignite
cosine's closed form in the same run. The ``pow`` cases (a fractional ``power``/``exponent``,
continuous exponential decay) call the C library's ``pow`` once per distinct value, as XLA does,
to stay exact: they are the slow ones.
"""

from __future__ import annotations

from scheduler_core.spec import SchedulerSpec

_N = 1_000_000


def _spec(name: str, **kwargs) -> SchedulerSpec:
    return SchedulerSpec(f"optax.{name}", {"param_name": "lr", **kwargs})


CASES = [
    ("optax warmup_cosine_decay", _spec("warmup_cosine_decay_schedule", init_value=0.0, peak_value=1.0,
                                        warmup_steps=10_000, decay_steps=_N)),
    ("optax warmup_cosine_decay float32", _spec("warmup_cosine_decay_schedule", init_value=0.0, peak_value=1.0,
                                                warmup_steps=10_000, decay_steps=_N, precision="float32")),
    ("optax cosine_decay exponent=1.5 (pow)", _spec("cosine_decay_schedule", init_value=1.0, decay_steps=_N,
                                                    exponent=1.5)),
    ("optax linear", _spec("linear_schedule", init_value=1.0, end_value=0.0, transition_steps=_N)),
    ("optax polynomial power=2.0 (pow)", _spec("polynomial_schedule", init_value=1.0, end_value=0.0, power=2.0,
                                               transition_steps=_N)),
    ("optax exponential_decay staircase", _spec("exponential_decay", init_value=1.0, transition_steps=1000,
                                                decay_rate=0.99, staircase=True)),
    ("optax exponential_decay (pow)", _spec("exponential_decay", init_value=1.0, transition_steps=1000,
                                            decay_rate=0.99)),
    ("optax piecewise_constant", _spec("piecewise_constant_schedule", init_value=1.0,
                                       boundaries_and_scales={b: 0.5 for b in range(50_000, _N, 50_000)})),
    ("optax piecewise_interpolate cosine", _spec("piecewise_interpolate_schedule", interpolate_type="cosine",
                                                 init_value=1.0,
                                                 boundaries_and_scales={b: 0.5 for b in range(50_000, _N, 50_000)})),
    ("optax cosine_onecycle", _spec("cosine_onecycle_schedule", transition_steps=_N, peak_value=1.0)),
    ("optax linear_onecycle", _spec("linear_onecycle_schedule", transition_steps=_N, peak_value=1.0)),
    ("optax sgdr 10 cycles", _spec("sgdr_schedule", cosine_kwargs=[
        {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 1000, "decay_steps": 100_000}] * 10)),
    ("optax join linear+cosine", _spec("join_schedules", boundaries=[10_000], schedules=[
        _spec("linear_schedule", init_value=0.0, end_value=1.0, transition_steps=10_000),
        _spec("cosine_decay_schedule", init_value=1.0, decay_steps=990_000)])),
]  # fmt: skip
