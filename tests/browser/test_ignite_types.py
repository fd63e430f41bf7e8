"""The new ignite types built from their forms (generated from the catalogue's JSON Schemas), one
per family: a torch LambdaLR (an expression field: a text input, its error shown at the field),
the state family (ExpStateScheduler, BatchSizeScheduler: their own panels), and the composites
(ParamGroupScheduler, the warm-up around an ignite CosineAnnealingScheduler)."""

from __future__ import annotations

import math

import pytest
from pwhelpers import draws, edit, field, open_dashboard, settle, traces

pytestmark = pytest.mark.browser


def choose(page, path: str, value: str) -> None:
    n = draws(page)
    page.select_option(field(path, "select"), value)
    settle(page, n, timeout=60000)  # a type switch refetches the series: slow under load


def lr_of_group(page, group: int) -> list[float]:
    return next(t for t in traces(page) if t["meta"]["group"] == group and t["meta"]["param_name"] == "lr")[
        "y"
    ]


def test_lambda_lr_expression_field_and_its_error(page):
    open_dashboard(page)
    choose(page, "schedulers.0.type", "LRScheduler")
    choose(page, "schedulers.0.lr_scheduler.type", "LambdaLR")
    selector = field("schedulers.0.lr_scheduler.lr_lambda")
    assert page.get_attribute(selector, "type") == "text"
    edit(page, selector, "0.99 ** epoch")
    base_lr = page.evaluate("fetch('/api/v1/schedulers').then(r => r.json())")["example"]["param_groups"][0][
        "lr"
    ]
    ys = lr_of_group(page, 0)
    assert len(ys) > 100 and all(math.isclose(y, base_lr * 0.99**k, rel_tol=1e-12) for k, y in enumerate(ys))
    page.fill(selector, "0.99 ** epoch.real")
    err = page.locator('#editor [data-path="schedulers.0.lr_scheduler.lr_lambda"] > .field-error')
    err.wait_for(state="visible")
    assert "Attribute not allowed at position 9" in err.text_content()
    assert page.get_attribute(selector, "aria-invalid") == "true"


def test_state_schedulers_draw_in_their_own_panels(page):
    open_dashboard(page)
    choose(page, "schedulers.0.type", "ExpStateScheduler")
    edit(page, field("schedulers.0.gamma"), "0.99")
    choose(page, "schedulers.1.type", "BatchSizeScheduler")
    edit(page, field("schedulers.1.scheduler_fn"), "16 * 2 ** (event // 100)")
    data = {t["meta"]["group_name"]: t for t in traces(page)}
    assert set(data) == {"engine.state", "dataloader"}
    alpha, batch = data["engine.state"], data["dataloader"]
    assert alpha["meta"]["param_name"] == page.input_value(field("schedulers.0.param_name"))
    assert alpha["xaxis"] != batch["xaxis"]
    assert all(math.isclose(y, 1.0 * 0.99 ** (k + 1), rel_tol=1e-12) for k, y in zip(alpha["x"], alpha["y"]))
    assert {int(y) for y in batch["y"]} >= {16, 32, 64} and batch["y"][0] == 16
    titles = [a["text"] for a in page.evaluate("document.querySelector('#chart').layout.annotations")]
    name = alpha["meta"]["param_name"]
    assert f"engine.state.{name}" in titles and "dataloader.batch_size" in titles


def test_param_groups_and_warm_up_around_cosine(page):
    open_dashboard(page)
    choose(page, "schedulers.0.type", "ParamGroupScheduler")
    # its example: a cosine on lr, its children editable as top-level forms
    assert page.locator('#editor [data-path="schedulers.0.schedulers.0.type"] > select').count() == 1
    edit(page, field("schedulers.0.schedulers.0.cycle_size"), "300")
    g0 = lr_of_group(page, 0)
    assert g0[0] == 0.01 and g0[150] < g0[0] and len(set(g0)) > 100
    choose(page, "schedulers.1.type", "create_lr_scheduler_with_warmup")
    choose(page, "schedulers.1.lr_scheduler.type", "CosineAnnealingScheduler")
    edit(page, field("schedulers.1.warmup_duration"), "50")
    g1 = lr_of_group(page, 1)
    assert g1[0] == 0.0 and all(b > a for a, b in zip(g1[:49], g1[1:50]))  # the linear warm-up
    catalogue = page.evaluate("fetch('/api/v1/schedulers').then(r => r.json())")
    cosine = next(t for t in catalogue["types"] if t["type"] == "CosineAnnealingScheduler")["example"]
    # the warm-up ends at the group's lr, then the cosine starts at its start_value
    assert g1[49] == catalogue["example"]["param_groups"][1]["lr"] and g1[50] == cosine["start_value"]
