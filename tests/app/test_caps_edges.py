"""The cost caps' arithmetic at the edge, and their exact wording (mutation-testing kills).

``tests/app/test_caps_at_edge.py`` holds each cap at the cap and one past it through the API;
these pin the estimates that test leaves loose: the decimated CSV's row count, the stepping
budget with one and with several schedulers, and the series count with several params.
"""

from __future__ import annotations

import pytest
from apitest_helpers import one_group

from app.contract.errors import ApiError
from app.contract.schemas import Experiment
from app.service.limits import check_caps, check_step_budget, n_series, param_names
from app.settings import Settings

COSINE = {"type": "CosineAnnealingScheduler", "param_name": "lr", "start_value": 1.0, "end_value": 0.0,
          "cycle_size": 10}  # fmt: skip
MOMENTUM = {**COSINE, "param_name": "momentum"}


def exp_of(*schedulers: dict, num_events: int, groups: int = 1) -> Experiment:
    body = one_group(*schedulers, num_events=num_events, momentum=0.9)
    body["param_groups"] += [{"name": f"h{i}", "lr": 0.1, "momentum": 0.9} for i in range(1, groups)]
    return Experiment.model_validate(body)


def refusal(fn, *args, **kwargs) -> dict:
    with pytest.raises(ApiError) as info:
        fn(*args, **kwargs)
    assert info.value.status == 422
    [item] = info.value.items
    return item


def test_series_count_is_groups_times_params() -> None:
    exp = exp_of(COSINE, MOMENTUM, COSINE, num_events=10, groups=3)
    assert param_names(exp) == ["lr", "momentum"]
    assert n_series(exp) == 6


def test_decimated_csv_rows_are_two_per_point_per_series() -> None:
    # 1000 events, 2 series, max_points=100: at most 2 * 100 * 2 = 400 rows of 1 + 2 cells,
    # 400 * 3 / 4e6 = 3e-4 s to write. (The closed-form estimate, 1000 * 3 / 20e6 = 1.5e-4 s,
    # stays under both budgets.)
    exp = exp_of(COSINE, num_events=1000, groups=2)
    check_caps(exp, Settings(request_time_budget_s=3e-4), output="csv", max_points=100)
    item = refusal(check_caps, exp, Settings(request_time_budget_s=2.9e-4), output="csv", max_points=100)
    assert item == {
        "loc": ["body", "num_events"],
        "msg": "this CSV would take about 0 s, over the 0.00029 s budget: use fewer events or max_points",
        "type": "over_time_budget",
    }
    # fewer events than that: the events bound the rows (1000 rows would be 7.5e-4 s)
    check_caps(exp, Settings(request_time_budget_s=7.5e-4), output="csv", max_points=1000)
    assert refusal(check_caps, exp, Settings(request_time_budget_s=7.4e-4), output="csv", max_points=1000)


@pytest.mark.parametrize("schedulers, most", [(1, 5882), (3, 2127), (4, 1612)])
def test_step_budget_edge_and_advice(schedulers: int, most: int) -> None:
    # stepping, per event: 0.2 us for the one series, 1.2 us + 0.3 us (the cosine's step_cost, one
    # group) per scheduler; a 0.01 s budget: 0.01 / 1.7e-6 = 5882.4 events with one scheduler,
    # 0.01 / 4.7e-6 = 2127.7 with three, 0.01 / 6.2e-6 = 1612.9 with four
    settings = Settings(request_time_budget_s=0.01)
    check_step_budget(exp_of(*[COSINE] * schedulers, num_events=most), settings)
    item = refusal(check_step_budget, exp_of(*[COSINE] * schedulers, num_events=most + 1), settings)
    assert item == {
        "loc": ["body", "num_events"],
        "msg": "this experiment has no closed form and must be stepped event by event: it would take "
        f"about 0 s, over the 0.01 s budget: use at most {most} events, or fewer param groups",
        "type": "over_time_budget",
    }


def test_step_budget_rounds_the_advice_down() -> None:
    settings = Settings(request_time_budget_s=0.0101)  # 0.0101 / 3.2e-6 = 3156.25 events
    item = refusal(check_step_budget, exp_of(COSINE, COSINE, num_events=3200), settings)
    assert item["msg"].endswith("use at most 3156 events, or fewer param groups")


def test_group_index_must_be_below_the_group_count() -> None:
    settings = Settings()
    check_caps(exp_of({**COSINE, "param_group_index": 1}, num_events=10, groups=2), settings, output="series")
    item = refusal(
        check_caps, exp_of(COSINE, {**COSINE, "param_group_index": 2}, num_events=10, groups=2), settings,
        output="series",
    )  # fmt: skip
    assert item == {
        "loc": ["body", "schedulers", 1, "param_group_index"],
        "msg": "param_group_index should be below the number of param groups (2), but given 2",
        "type": "out_of_range",
    }


def test_closed_form_time_budget_wording_and_location() -> None:
    # closed forms: events x (schedulers + series) / 20e6 s: 2,000 x 2 / 20e6 = 2e-4 s
    exp = exp_of(COSINE, num_events=2000)
    check_caps(exp, Settings(request_time_budget_s=2e-4), output="figure")
    item = refusal(
        check_caps, exp, Settings(request_time_budget_s=1e-4), output="figure", loc=("body", "v", 1)
    )
    assert item == {
        "loc": ["body", "v", 1, "num_events"],
        "msg": "this experiment would take about 0 s, over the 0.0001 s budget: use fewer events or schedulers",
        "type": "over_time_budget",
    }
