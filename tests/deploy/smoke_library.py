"""Smoke test of the library as a user installs it: ``pip install schedule-explorer`` (the wheel).

Run by ``scripts/smoke-packages.sh`` with the python of a fresh venv that holds only the wheel,
numpy and numexpr, from a directory outside the checkout::

    python tests/deploy/smoke_library.py

It checks that the installed ``scheduler_core`` is the one imported, that no optional dependency
came along, that the cyclical, piecewise and concatenated schedulers and ``simulate`` work, that
numexpr gives C's ``pow``/``tanh`` (timm's closed forms equal stepping), and
that what needs a missing extra says which one. Not collected by pytest (no ``test_`` prefix).
"""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from pathlib import Path

OPTIONAL = ("torch", "fastapi", "uvicorn", "pydantic", "plotly", "matplotlib", "psycopg")


def expect_error(kind: type[BaseException], needle: str, fn, *args, **kwargs) -> str:
    """Call ``fn``; it must raise ``kind`` whose message contains ``needle``. Returns the message."""
    try:
        fn(*args, **kwargs)
    except kind as exc:
        message = str(exc)
        assert needle in message, f"{fn!r}: {message!r} lacks {needle!r}"
        return message
    raise AssertionError(f"{fn!r} did not raise {kind.__name__}")


def check_installed() -> None:
    import scheduler_core

    where = Path(scheduler_core.__file__).resolve()
    assert "site-packages" in where.parts, f"scheduler_core imported from {where}, not the installed wheel"
    for module in OPTIONAL:
        assert importlib.util.find_spec(module) is None, f"{module} was installed with the bare library"


def check_schedulers() -> None:
    from scheduler_core import (
        ConcatScheduler,
        CosineAnnealingScheduler,
        GroupsOptimizer,
        LinearCyclicalScheduler,
        PiecewiseLinear,
    )

    # cyclical, stepped by hand as in a training loop
    optimizer = GroupsOptimizer([{"lr": 0.0}])
    scheduler = CosineAnnealingScheduler(optimizer, "lr", start_value=1.0, end_value=0.0, cycle_size=4)
    seen = []
    for _ in range(6):
        scheduler(None)
        seen.append(optimizer.param_groups[0]["lr"])
    half = 0.5 * (1 + math.cos(math.pi / 4))
    assert seen == [1.0, half, 0.5, 1 - half, 1.0, half], seen
    resumed_optimizer = GroupsOptimizer([{"lr": 0.0}])
    resumed = CosineAnnealingScheduler(resumed_optimizer, "lr", start_value=1.0, end_value=0.0, cycle_size=4)
    resumed.load_state_dict(scheduler.state_dict())
    scheduler(None)
    resumed(None)
    assert resumed_optimizer.param_groups == optimizer.param_groups == [{"lr": 0.5}]

    # piecewise linear
    rows = PiecewiseLinear.simulate_values(5, param_name="lr", milestones_values=[(0, 0.0), (4, 1.0)])
    assert rows == [[0, 0.0], [1, 0.25], [2, 0.5], [3, 0.75], [4, 1.0]], rows

    # concatenation: a linear ramp up, then a cosine down
    up = LinearCyclicalScheduler(optimizer, "lr", start_value=0.0, end_value=1.0, cycle_size=8)
    down = CosineAnnealingScheduler(optimizer, "lr", start_value=1.0, end_value=0.0, cycle_size=8)
    rows = ConcatScheduler.simulate_values(8, schedulers=[up, down], durations=[4])
    assert [v for _, v in rows[:5]] == [0.0, 0.25, 0.5, 0.75, 1.0], rows
    assert rows[5][1] == 0.5 * (1 + math.cos(math.pi / 8)), rows


def check_simulate() -> None:
    import numpy as np

    from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, simulate

    concat = SchedulerSpec(
        "ConcatScheduler",
        {
            "param_name": "lr",
            "schedulers": [
                SchedulerSpec(
                    "LinearCyclicalScheduler", {"start_value": 0.0, "end_value": 1.0, "cycle_size": 20}
                ),
                SchedulerSpec(
                    "CosineAnnealingScheduler",
                    {"start_value": 1.0, "end_value": 0.0, "cycle_size": 30, "cycle_mult": 2.0},
                ),
            ],
            "durations": [10],
        },
    )
    momentum = SchedulerSpec(
        "PiecewiseLinear",
        {"param_name": "momentum", "milestones_values": [(0, 0.95), (500, 0.85), (1000, 0.95)]},
    )
    experiment = Experiment(
        num_events=1000,
        param_groups=(ParamGroupSpec("base", {"lr": 0.1, "momentum": 0.9}),),
        schedulers=(concat, momentum),
    )
    fast = simulate(experiment, method="fast")
    step = simulate(experiment, method="step")
    assert [(s.param_name, len(s.values)) for s in fast] == [("lr", 1000), ("momentum", 1000)]
    for a, b in zip(fast, step, strict=True):
        assert a.values.dtype == np.float64 and np.array_equal(a.values, b.values), a.param_name
    assert fast[0].values[10] == 1.0 and fast[1].values[500] == 0.85


def check_libm() -> None:
    """numexpr came with the library and gives C's pow/tanh: timm's closed forms equal stepping."""
    import numpy as np

    from scheduler_core import libm
    from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, simulate

    x = np.linspace(-3.0, 3.0, 10_001)
    assert libm.tanh(x).tolist() == [math.tanh(v) for v in x.tolist()]
    assert libm.power(np.abs(x), 0.9).tolist() == [math.pow(abs(v), 0.9) for v in x.tolist()]
    n = 40_000  # cycles longer than CHUNK: one fused numexpr expression each (libm.fused)
    for name, kwargs in [
        ("timm.scheduler.TanhLRScheduler", {"t_initial": n}),
        ("timm.scheduler.PolyLRScheduler", {"t_initial": n, "power": 0.9}),
    ]:
        spec = SchedulerSpec(name, {"param_name": "lr", "t_in_epochs": False, **kwargs})
        experiment = Experiment(n, (ParamGroupSpec("base", {"lr": 0.1}),), (spec,))
        fast, step = simulate(experiment, method="fast"), simulate(experiment, method="step")
        assert np.array_equal(fast[0].values, step[0].values), name
    from scheduler_core.optax import cosine_decay_schedule

    schedule = cosine_decay_schedule(1.0, n, exponent=1.5)  # float64, fused over the whole array
    assert schedule(np.arange(n)).tolist() == [schedule(i) for i in range(n)]


def check_missing_extras() -> None:
    from scheduler_core import CosineAnnealingScheduler, ReduceLROnPlateauScheduler
    from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, simulate

    torch_experiment = Experiment(
        num_events=10,
        param_groups=(ParamGroupSpec("base", {"lr": 0.1}),),
        schedulers=(
            SchedulerSpec("LRScheduler", {"lr_scheduler": SchedulerSpec("StepLR", {"step_size": 3})}),
        ),
    )
    install_torch = "pip install 'schedule-explorer[torch]'"
    expect_error(ModuleNotFoundError, install_torch, simulate, torch_experiment)
    expect_error(
        ModuleNotFoundError,
        install_torch,
        ReduceLROnPlateauScheduler.simulate_values,
        num_events=2,
        metric_values=[1.0, 1.0],
        init_lr=0.1,
    )
    kwargs = {"param_name": "lr", "start_value": 1.0, "end_value": 0.0, "cycle_size": 4}
    expect_error(ModuleNotFoundError, "pip install plotly", CosineAnnealingScheduler.plot_values, 8, **kwargs)
    expect_error(
        ModuleNotFoundError,
        "pip install matplotlib",
        CosineAnnealingScheduler.plot_values,
        8,
        ax=object(),
        **kwargs,
    )

    server = "the server needs the [server] extra: pip install 'schedule-explorer[server]'"
    expect_error(ModuleNotFoundError, server, __import__, "schedule_explorer.main")
    # the server installs as schedule_explorer: no top-level app to clash with a user's own
    expect_error(ModuleNotFoundError, "No module named 'app'", __import__, "app")
    command = Path(sys.executable).with_name("schedule-explorer")
    result = subprocess.run([str(command), "serve"], capture_output=True, text=True, timeout=60)
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and len(lines) == 1, (result.returncode, result.stderr)
    assert lines[0].startswith(f"schedule-explorer: error: {server} (missing: fastapi"), lines


def main() -> None:
    check_installed()
    check_schedulers()
    check_simulate()
    check_libm()
    check_missing_extras()
    print("library smoke test: ok")


if __name__ == "__main__":
    main()
